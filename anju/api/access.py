"""Scoping of the API tokens: a user's own."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, policy, require
from anju.api.models import ApiToken


@policy
def api_tokens_visible_to(user) -> QuerySet:
    """A user's own API tokens: nobody else sees or revokes them (an administrator disabling
    the account stops them all)."""

    if not has_perm(user, Perm.USE_API):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


@policy
def access_api_token(user, pk: int):
    require(user, Perm.USE_API)
    token = api_tokens_visible_to(user).filter(pk=pk).first()
    if token is None:
        raise Http404("没有找到该令牌。")
    return token
