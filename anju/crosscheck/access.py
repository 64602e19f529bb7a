"""Scoping of the cross-check: findings, runs, and the departments' reference lists."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, policy, require, scoped
from anju.accounts.models import UnitKind
from anju.crosscheck.choices import DEPARTMENT, Kind
from anju.crosscheck.models import CheckRun, Finding, ReferenceList

# Names a department's unit goes by besides DEPARTMENT's (扶贫办 became 乡村振兴局 in 2021).
UNIT_NAMES = {"扶贫办": ("扶贫办", "乡村振兴局", "乡村振兴")}
# The lists each kind of registered unit (accounts.Unit) brings.
LISTS_OF_UNIT = {
    UnitKind.POVERTY: [Kind.POVERTY],
    UnitKind.CIVIL_AFFAIRS: [Kind.DEATHS, Kind.SUBSISTENCE, Kind.EXTREME_POOR],
    UnitKind.DISABLED: [Kind.DISABLED],
    UnitKind.VETERANS: [Kind.VETERANS],
    UnitKind.FINANCE: [Kind.PAYMENTS],
}


def reference_kinds_for(user) -> list[str]:
    """The kinds of list the user may upload and see: every kind for those who run the
    cross-check; for a department's data clerk (数据员) only the kinds of the department named
    in their unit (单位, set by the system administrator): 民政局 → 低保、特困、死亡. None
    when the unit names no department. A clerk of a registered unit (单位, accounts.Unit) brings
    that unit's lists; the free-text unit is read only for a clerk of none."""
    if not has_perm(user, Perm.UPLOAD_REFERENCES):
        return []
    if has_perm(user, Perm.RUN_CROSSCHECK):
        return list(Kind.values)
    if user.work_unit_id is not None:
        return [str(kind) for kind in LISTS_OF_UNIT.get(user.work_unit.kind, [])]
    unit = user.unit or ""
    return [
        kind
        for kind in Kind.values
        if any(
            name in unit
            for department in DEPARTMENT[kind].split("/")
            for name in UNIT_NAMES.get(department, (department,))
        )
    ]


@policy
def findings_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_FINDINGS):
        return Finding.objects.none()
    return scoped(Finding.objects.all(), user)


@policy
def access_finding(user, pk: int, *, perm: Perm = Perm.VIEW_FINDINGS):
    require(user, perm)
    finding = findings_visible_to(user).filter(pk=pk).select_related("region", "household").first()
    if finding is None:
        raise Http404("没有找到该比对发现。")
    return finding


@policy
def runs_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_FINDINGS):
        return CheckRun.objects.none()
    return scoped(CheckRun.objects.all(), user)


@policy
def access_run(user, pk: int):
    require(user, Perm.VIEW_FINDINGS)
    run = runs_visible_to(user).filter(pk=pk).select_related("region").first()
    if run is None:
        raise Http404("没有找到该比对批次。")
    return run


@policy
def reference_lists_visible_to(user) -> QuerySet:
    """Lists covering the user's region subtree, for those who bring lists or use them."""

    if not (has_perm(user, Perm.UPLOAD_REFERENCES) or has_perm(user, Perm.RUN_CROSSCHECK)):
        return ReferenceList.objects.none()
    lists = scoped(ReferenceList.objects.all(), user)
    if has_perm(user, Perm.RUN_CROSSCHECK):
        return lists
    return lists.filter(kind__in=reference_kinds_for(user))  # a department's own lists


def household_panel(user, household) -> dict:
    """The household page's findings (anju.households.panels), where the user sees them."""
    return {"findings": findings_visible_to(user).filter(household=household)[:50]}
