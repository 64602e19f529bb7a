"""Scoping of reporting: contacts, reports and their uploaded files."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import (
    Perm,
    has_perm,
    policy,
    require,
    scope_to_unit,
    scoped,
    unit_bound,
)
from anju.reporting.models import (
    Contact,
    Report,
    ReportKind,
    ReportStatus,
    ReportUpload,
    UnitClueReport,
)


@policy
def contacts_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_CONTACTS):
        return Contact.objects.none()
    return scoped(Contact.objects.all(), user)


@policy
def reports_visible_to(user) -> QuerySet:
    """Reports in the user's region; for those who only receive the quarterly clue report (the
    discipline commission), those reports once sent, and nothing else."""

    if not has_perm(user, Perm.VIEW_REPORTS):
        return Report.objects.none()
    if unit_bound(user):
        # A department's user: their own unit's reports, never the region's.
        return scope_to_unit(Report.objects.all(), user)
    reports = scoped(Report.objects.all(), user)
    works_on_reports = has_perm(user, Perm.PREPARE_REPORTS) or has_perm(user, Perm.RETURN_REPORTS)
    if not works_on_reports:
        if not has_perm(user, Perm.RECEIVE_CLUE_REPORTS):
            return Report.objects.none()
        reports = reports.filter(
            kind=ReportKind.CLUE_QUARTERLY,
            status__in=[
                ReportStatus.SUBMITTED,
                ReportStatus.ACKNOWLEDGED,
                ReportStatus.RETURNED,
                ReportStatus.SUPERSEDED,
            ],
        )
    return reports


@policy
def access_report(user, pk: int):
    require(user, Perm.VIEW_REPORTS)
    report = reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise Http404("没有找到该报表。")
    return report


@policy
def access_report_upload(user, pk: int):

    require(user, Perm.PREPARE_REPORTS)
    upload = scoped(ReportUpload.objects.all(), user).filter(pk=pk).first()
    if upload is None:
        raise Http404("没有找到该上传文件。")
    return upload


@policy
def unit_reports_visible_to(user) -> QuerySet:
    """The participating units' quarterly clue reports: a department's user sees their own
    unit's; the lead unit, the county's offices and discipline inspection those of the region."""
    if not has_perm(user, Perm.VIEW_UNIT_REPORTS):
        return UnitClueReport.objects.none()
    if unit_bound(user):
        return scope_to_unit(UnitClueReport.objects.all(), user)
    return scoped(UnitClueReport.objects.all(), user)


@policy
def access_unit_report(user, pk: int):
    require(user, Perm.VIEW_UNIT_REPORTS)
    found = unit_reports_visible_to(user).filter(pk=pk).select_related("unit").first()
    if found is None:
        raise Http404("没有找到该部门季度报告。")
    return found
