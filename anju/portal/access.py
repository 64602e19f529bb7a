"""Scoping of the public reports that become clues: seen by those who see clues."""

from django.http import Http404

from anju.accounts.access.core import (
    Perm,
    policy,
    require,
    scoped,
)
from anju.portal.models import PublicReport


@policy
def access_public_report(user, pk: int, *, perm: Perm = Perm.VIEW_CLUES):
    """A portal report in the user's region, for those who see clues."""

    require(user, perm)
    item = scoped(PublicReport.objects.all(), user).filter(pk=pk).select_related("clue").first()
    if item is None:
        raise Http404("没有找到该公众举报。")
    return item
