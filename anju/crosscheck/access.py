"""Scoping of the cross-check: findings, runs, and the departments' reference lists."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, policy, require, scoped
from anju.crosscheck.models import CheckRun, Finding, ReferenceList


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
    return scoped(ReferenceList.objects.all(), user)


def household_panel(user, household) -> dict:
    """The household page's findings (anju.households.panels), where the user sees them."""
    return {"findings": findings_visible_to(user).filter(household=household)[:50]}
