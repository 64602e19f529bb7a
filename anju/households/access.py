"""Scoping of the household archive: households and their renovations, assessments, visits,
change requests, safety plates, and the clerk's own import uploads."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, policy, require, scoped
from anju.households.models import (
    Assessment,
    ChangeRequest,
    FollowUpVisit,
    Household,
    HouseholdState,
    ImportUpload,
    Renovation,
    SafetyPlate,
)


@policy
def households_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Household.objects.none()
    return scoped(Household.objects.all(), user)


@policy
def households_on_file_visible_to(user) -> QuerySet:
    """Every household the user may see, merged away and withdrawn ones too (their own page,
    the change requests about them); the lists use households_visible_to."""

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Household.everything.none()
    return scoped(Household.everything.all(), user)


@policy
def access_household(user, pk: int, *, perm: Perm = Perm.VIEW_HOUSEHOLDS, retired: bool = False):
    """A household the user may see; for a write (`perm` other than viewing) one on record,
    unless `retired` (undoing a merge or a withdrawal)."""
    require(user, perm)
    household = households_on_file_visible_to(user).filter(pk=pk).select_related("region").first()
    if household is None:
        raise Http404("没有找到该农户。")
    if perm != Perm.VIEW_HOUSEHOLDS and not retired and household.state != HouseholdState.ACTIVE:
        raise Http404("该户已合并或撤销，不能再修改。")
    return household


@policy
def access_renovation(user, pk: int, *, perm: Perm = Perm.EDIT_HOUSEHOLDS):

    require(user, perm)
    renovation = (
        Renovation.objects.filter(pk=pk, household__in=households_visible_to(user))
        .select_related("household")
        .first()
    )
    if renovation is None:
        raise Http404("没有找到该改造记录。")
    return renovation


@policy
def renovations_visible_to(user) -> QuerySet:
    """Renovation records of households the user may see."""

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Renovation.objects.none()
    return scoped(Renovation.objects.all(), user, "household__region")


@policy
def assessments_visible_to(user) -> QuerySet:
    """Danger assessments of the houses of households the user may see."""

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Assessment.objects.none()
    return scoped(Assessment.objects.all(), user, "house__household__region")


@policy
def access_assessment(user, pk: int):
    require(user, Perm.VIEW_HOUSEHOLDS)
    assessment = assessments_visible_to(user).filter(pk=pk).first()
    if assessment is None:
        raise Http404("没有找到该鉴定记录。")
    return assessment


@policy
def visits_visible_to(user) -> QuerySet:
    """Follow-up visits to households the user may see."""

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return FollowUpVisit.objects.none()
    return scoped(FollowUpVisit.objects.all(), user, "household__region")


@policy
def access_visit(user, pk: int):
    require(user, Perm.VIEW_HOUSEHOLDS)
    visit = visits_visible_to(user).filter(pk=pk).first()
    if visit is None:
        raise Http404("没有找到该回访记录。")
    return visit


@policy
def access_change(user, pk: int):

    require(user, Perm.VIEW_HOUSEHOLDS)
    change = (
        ChangeRequest.objects.filter(pk=pk, household__in=households_on_file_visible_to(user))
        .select_related("household", "renovation")
        .first()
    )
    if change is None:
        raise Http404("没有找到该变更申请。")
    return change


@policy
def access_plate(user, pk: int, *, perm: Perm = Perm.VIEW_HOUSEHOLDS):

    require(user, perm)
    plate = (
        SafetyPlate.objects.filter(pk=pk, household__in=households_visible_to(user))
        .select_related("household__region")
        .first()
    )
    if plate is None:
        raise Http404("没有找到该安全状况牌。")
    return plate


@policy
def access_import(user, pk: int):

    require(user, Perm.EDIT_HOUSEHOLDS)
    upload = ImportUpload.objects.filter(pk=pk, uploaded_by=user).first()
    if upload is None:
        raise Http404("没有找到该上传文件。")
    return upload
