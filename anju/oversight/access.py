"""Scoping of oversight: clues (and those transferred to a unit in the region), transfers and
rectification items."""

from django.db.models import Q, QuerySet
from django.http import Http404

from anju.accounts.access.core import (
    Perm,
    has_perm,
    policy,
    require,
    scope_to_region,
    scoped,
    unit_bound,
    unit_of,
    visible_root,
)
from anju.oversight.choices import SourceChannel
from anju.oversight.models import Clue, RectificationItem, Transfer
from anju.regions.models import subtree_bounds


@policy
def clues_visible_to(user) -> QuerySet:
    """Clues concerning the user's region, and clues transferred to a unit in it."""

    root = visible_root(user)
    if root is None or not has_perm(user, Perm.VIEW_CLUES):
        return Clue.objects.none()
    if unit_bound(user):
        # A department's user: the clues transferred to their unit and those their unit sent
        # to housing (线索双向移送), nothing else of the region.
        unit = unit_of(user)
        sent = (
            Q(source_channel=SourceChannel.DEPARTMENT, registered_by__work_unit_id=unit.pk)
            if unit is not None
            else Q(pk__in=[])
        )
        return Clue.objects.filter(Q(pk__in=transfers_visible_to(user).values("clue_id")) | sent)
    bounds = subtree_bounds(root.code)
    received = Transfer.objects.filter(to_region__code__range=bounds).values("clue_id")
    return Clue.objects.filter(Q(region__code__range=bounds) | Q(pk__in=received))


@policy
def access_clue(user, pk: int, *, perm: Perm = Perm.VIEW_CLUES):
    """One clue the user may see (404 alike for missing and not yours), with `perm` (403)."""
    require(user, perm)
    clue = clues_visible_to(user).filter(pk=pk).first()
    if clue is None:
        raise Http404("没有找到该线索。")
    return clue


@policy
def transfers_visible_to(user) -> QuerySet:
    """Transfers the user receives: those addressed to their unit; and, for the users of a
    region's own offices, those addressed to the region without naming a unit of the system."""
    if not has_perm(user, Perm.RECEIVE_TRANSFERS):
        return Transfer.objects.none()
    unit = unit_of(user)
    mine = Q(receiver_id=unit.pk) if unit is not None else Q(pk__in=[])
    if unit_bound(user):
        return Transfer.objects.filter(mine)
    in_region = scope_to_region(Transfer.objects.all(), visible_root(user), "to_region")
    return in_region.filter(Q(receiver__isnull=True) | mine)


@policy
def access_transfer(user, pk: int):
    """A transfer the user receives (the receiver's side): 404 for anyone else."""

    require(user, Perm.RECEIVE_TRANSFERS)
    transfer = transfers_visible_to(user).filter(pk=pk).select_related("clue").first()
    if transfer is None:
        raise Http404("没有找到该移送记录。")
    return transfer


@policy
def items_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_CLUES) or unit_bound(user):
        return RectificationItem.objects.none()
    return scoped(RectificationItem.objects.all(), user)


@policy
def access_item(user, pk: int):
    require(user, Perm.MANAGE_ITEMS)
    item = items_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise Http404("没有找到该整改事项。")
    return item
