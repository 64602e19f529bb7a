"""Scoping of reporting: contacts, reports and their uploaded files."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, policy, require, scoped
from anju.reporting.models import Contact, Report, ReportUpload


@policy
def contacts_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_CONTACTS):
        return Contact.objects.none()
    return scoped(Contact.objects.all(), user)


@policy
def reports_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_REPORTS):
        return Report.objects.none()
    return scoped(Report.objects.all(), user)


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
