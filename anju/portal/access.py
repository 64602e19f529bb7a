"""Scoping of the public reports that become clues: seen by those who see clues."""

from django.http import Http404

from anju.accounts.access.core import (
    Perm,
    has_perm,
    policy,
    require,
    scoped,
    unit_bound,
)
from anju.oversight.access import clues_visible_to
from anju.portal.models import PublicReport


@policy
def public_reports_visible_to(user):
    """Portal reports of the user's region, for those who see clues; for a department's user,
    those of the clues sent to their unit."""
    if not has_perm(user, Perm.VIEW_CLUES):
        return PublicReport.objects.none()
    if unit_bound(user):
        return PublicReport.objects.filter(clue__in=clues_visible_to(user))
    return scoped(PublicReport.objects.all(), user)


@policy
def access_public_report(user, pk: int, *, perm: Perm = Perm.VIEW_CLUES):
    """A portal report in the user's region, for those who see clues."""

    require(user, perm)
    item = public_reports_visible_to(user).filter(pk=pk).select_related("clue").first()
    if item is None:
        raise Http404("没有找到该公众举报。")
    return item
