"""Scoping of the household archive: households and their renovations, assessments, visits,
change requests, safety plates, and the clerk's own import uploads."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, require, scoped


def households_visible_to(user) -> QuerySet:
    from anju.households.models import Household

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Household.objects.none()
    return scoped(Household.objects.all(), user)


def access_household(user, pk: int, *, perm: Perm = Perm.VIEW_HOUSEHOLDS):
    require(user, perm)
    household = households_visible_to(user).filter(pk=pk).select_related("region").first()
    if household is None:
        raise Http404("没有找到该农户。")
    return household


def access_renovation(user, pk: int, *, perm: Perm = Perm.EDIT_HOUSEHOLDS):
    from anju.households.models import Renovation

    require(user, perm)
    renovation = (
        Renovation.objects.filter(pk=pk, household__in=households_visible_to(user))
        .select_related("household")
        .first()
    )
    if renovation is None:
        raise Http404("没有找到该改造记录。")
    return renovation


def renovations_visible_to(user) -> QuerySet:
    """Renovation records of households the user may see."""
    from anju.households.models import Renovation

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Renovation.objects.none()
    return scoped(Renovation.objects.all(), user, "household__region")


def assessments_visible_to(user) -> QuerySet:
    """Danger assessments of the houses of households the user may see."""
    from anju.households.models import Assessment

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Assessment.objects.none()
    return scoped(Assessment.objects.all(), user, "house__household__region")


def access_assessment(user, pk: int):
    require(user, Perm.VIEW_HOUSEHOLDS)
    assessment = assessments_visible_to(user).filter(pk=pk).first()
    if assessment is None:
        raise Http404("没有找到该鉴定记录。")
    return assessment


def visits_visible_to(user) -> QuerySet:
    """Follow-up visits to households the user may see."""
    from anju.households.models import FollowUpVisit

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return FollowUpVisit.objects.none()
    return scoped(FollowUpVisit.objects.all(), user, "household__region")


def access_visit(user, pk: int):
    require(user, Perm.VIEW_HOUSEHOLDS)
    visit = visits_visible_to(user).filter(pk=pk).first()
    if visit is None:
        raise Http404("没有找到该回访记录。")
    return visit


def access_change(user, pk: int):
    from anju.households.models import ChangeRequest

    require(user, Perm.VIEW_HOUSEHOLDS)
    change = (
        ChangeRequest.objects.filter(pk=pk, household__in=households_visible_to(user))
        .select_related("household", "renovation")
        .first()
    )
    if change is None:
        raise Http404("没有找到该变更申请。")
    return change


def access_plate(user, pk: int, *, perm: Perm = Perm.VIEW_HOUSEHOLDS):
    from anju.households.models import SafetyPlate

    require(user, perm)
    plate = (
        SafetyPlate.objects.filter(pk=pk, household__in=households_visible_to(user))
        .select_related("household__region")
        .first()
    )
    if plate is None:
        raise Http404("没有找到该安全状况牌。")
    return plate


def access_import(user, pk: int):
    from anju.households.models import ImportUpload

    require(user, Perm.EDIT_HOUSEHOLDS)
    upload = ImportUpload.objects.filter(pk=pk, uploaded_by=user).first()
    if upload is None:
        raise Http404("没有找到该上传文件。")
    return upload
