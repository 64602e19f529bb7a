"""Scoping of the spot checks: plans, sampled houses, their results and photos."""

from django.db.models import Q, QuerySet
from django.http import Http404

from anju.accounts.access.core import (
    Perm,
    has_perm,
    policy,
    require,
    scoped,
    unit_bound,
    unit_of,
    visible_root,
)
from anju.regions.models import subtree_bounds
from anju.spotchecks.models import CheckPhoto, CheckResult, SampledHouse, SpotCheckPlan


@policy
def spot_check_plans_visible_to(user) -> QuerySet:
    """Plans over the user's region subtree, and plans the user inspects for; a department's
    user, only their own unit's plans (housing and the townships see every unit's)."""

    root = visible_root(user)
    if root is None or not has_perm(user, Perm.VIEW_SPOT_CHECKS):
        return SpotCheckPlan.objects.none()
    within = Q(region__code__range=subtree_bounds(root.code))
    plans = SpotCheckPlan.objects.filter(within | Q(inspectors=user))
    if unit_bound(user):
        unit = unit_of(user)
        plans = plans.filter(unit_id=unit.pk if unit is not None else -1)
    return plans.distinct()


@policy
def access_spot_check_plan(user, pk: int, *, perm: Perm = Perm.VIEW_SPOT_CHECKS):
    require(user, perm)
    plan = spot_check_plans_visible_to(user).filter(pk=pk).select_related("region").first()
    if plan is None:
        raise Http404("没有找到该抽查。")
    return plan


@policy
def sampled_houses_visible_to(user) -> QuerySet:
    """Sampled houses whose household lies in the user's region (a township sees the houses a
    county or city drew there, to follow up what failed)."""

    if not has_perm(user, Perm.VIEW_SPOT_CHECKS):
        return SampledHouse.objects.none()
    houses = scoped(SampledHouse.objects.all(), user, "household__region")
    if unit_bound(user):  # a department's user: their own unit's spot checks only
        unit = unit_of(user)
        houses = houses.filter(plan__unit_id=unit.pk if unit is not None else -1)
    return houses


@policy
def access_sampled_house(user, pk: int, *, perm: Perm = Perm.VIEW_SPOT_CHECKS):
    require(user, perm)
    house = (
        sampled_houses_visible_to(user)
        .filter(pk=pk)
        .select_related("plan", "household__region", "township", "inspector")
        .first()
    )
    if house is None:
        raise Http404("没有找到该抽查农户。")
    return house


@policy
def access_check_photo(user, pk: int):

    require(user, Perm.VIEW_SPOT_CHECKS)
    photo = CheckPhoto.objects.filter(pk=pk, house__in=sampled_houses_visible_to(user)).first()
    if photo is None:
        raise Http404("没有找到该照片。")
    return photo


@policy
def check_results_visible_to(user) -> QuerySet:

    return CheckResult.objects.filter(house__in=sampled_houses_visible_to(user))


@policy
def access_check_result(user, pk: int):
    """A failed item to follow up: any role that inspects, in the household's region."""
    require(user, Perm.INSPECT)
    result = check_results_visible_to(user).filter(pk=pk).select_related("house").first()
    if result is None:
        raise Http404("没有找到该检查结果。")
    return result
