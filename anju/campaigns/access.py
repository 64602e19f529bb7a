"""Scoping of the campaigns."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, policy, require, scoped
from anju.campaigns.models import Campaign


@policy
def campaigns_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_CAMPAIGNS):
        return Campaign.objects.none()
    return scoped(Campaign.objects.all(), user)


@policy
def access_campaign(user, pk: int, *, perm: Perm = Perm.VIEW_CAMPAIGNS):
    require(user, perm)
    campaign = campaigns_visible_to(user).filter(pk=pk).select_related("region").first()
    if campaign is None:
        raise Http404("没有找到该专项整治。")
    return campaign
