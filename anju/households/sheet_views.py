"""Village worksheets: the quarter's visits of a village or township on one screen, and the same
list as a printable A4 field form (see worksheets.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from anju import offline
from anju.accounts.access import (
    Perm,
    has_perm,
    public_view,
    requested_region,
    scope_to_region,
    staff_view,
)
from anju.audit.models import Action
from anju.audit.services import audit
from anju.downloads import dated_name
from anju.households import tasks, visit_file, visits, worksheets
from anju.households.access import households_visible_to
from anju.households.models import ImportUpload
from anju.regions.models import Level, Region


def _sheet(request):
    """The region asked for and its due houses (None when the region is wider than a township)."""
    region = requested_region(request)
    if not worksheets.sheet_region_ok(region):
        return region, None
    visible = scope_to_region(households_visible_to(request.user), region)
    today = timezone.localdate()
    due = worksheets.sheet_households(visible, today)
    return region, due


def pick_township(request, region, title: str):
    """A county or wider: pick the township whose sheet (or plates) to open."""
    townships = Region.objects.none()
    if region is not None:
        townships = Region.objects.within(region).filter(level=Level.TOWNSHIP).order_by("code")
    return render(
        request,
        "households/pick_township.html",
        {"region": region, "townships": townships, "title": title},
    )


@staff_view(Perm.VIEW_HOUSEHOLDS)
def visit_sheet(request):
    region, due = _sheet(request)
    if due is None:
        if offline.is_queued(request):
            return offline.refused("回访工作表须按乡镇或行政村填写，请刷新后重新填写。", status=409)
        return pick_township(request, region, "跟踪回访工作表")
    households = list(due[: worksheets.MAX_ROWS])
    rows = [worksheets.SheetRow(household=h) for h in households]
    date_text = request.POST.get("visited_on", "").strip()
    error_messages: list[str] = []
    if request.method == "POST":
        if not has_perm(request.user, Perm.EDIT_HOUSEHOLDS):
            raise PermissionDenied
        rows, missing, saved, error_messages = _save_posted(request, region, date_text)
        if offline.is_queued(request):
            return _queued_answer(request, region, rows, missing, saved, error_messages)
        if not error_messages:
            _say_saved(request, saved)
            return redirect(f"{reverse('households:visit_sheet')}?region={region.code}")
    return render(
        request,
        "households/visit_sheet.html",
        {
            "region": region,
            "rows": rows,
            "boxes": worksheets.BOXES,
            "quarter_name": worksheets.quarter_name(visits.quarter_start(timezone.localdate())),
            "visited_on": date_text or f"{timezone.localdate():%Y-%m-%d}",
            "sheet_errors": error_messages,
            "villages": worksheets.villages_of(region),
            "can_edit": has_perm(request.user, Perm.EDIT_HOUSEHOLDS),
            "too_many": len(households) >= worksheets.MAX_ROWS,
        },
        status=400 if error_messages else 200,
    )


def _save_posted(request, region, date_text: str):
    """The posted sheet checked and, when every row passes, saved: (rows, count of listed houses
    no longer in scope, the visits saved, the sheet's error messages)."""
    rows, missing = _posted_rows(request, region)
    error_messages = []
    try:
        visited_on = forms.DateField().clean(date_text) if date_text else None
    except ValidationError:
        visited_on = None
        error_messages.append("回访日期格式不对，请按 年-月-日 填写。")
    if missing:
        error_messages.append(
            f"有 {missing} 户已不在本表的范围内（可能已迁出），请刷新本页后重新填写。"
        )
    saved = []
    if not error_messages:
        key = offline.queue_key(request) if offline.is_queued(request) else ""
        try:
            saved = worksheets.sheet_save(
                actor=request.user, visited_on=visited_on, rows=rows, key=key
            )
        except ValidationError as error:
            error_messages.extend(error.messages)
        except IntegrityError:
            # The same queued sheet delivered twice at once: the other delivery saved it.
            saved = worksheets.sheet_save(
                actor=request.user, visited_on=visited_on, rows=rows, key=key
            )
    return rows, missing, saved, error_messages


def _say_saved(request, saved) -> None:
    found = sum(1 for v in saved if v.findings)
    text = f"已保存 {len(saved)} 户的回访（{saved[0].visited_on:%Y-%m-%d}）。"
    if found:
        text += f"其中 {found} 户发现问题，已列入本乡镇问题清单，请限期整改。"
    messages.success(request, text)


def _queued_answer(request, region, rows, missing, saved, error_messages):
    """A sheet from the phone's queue (filled in offline, perhaps hours ago): the server stays
    the truth. Houses no longer in this user's scope refuse the sheet with 409; a wrong row
    refuses it with 400 and the row named; the phone keeps a refused sheet until dismissed."""
    where = f"{region.name}回访工作表未保存："
    if missing:
        return offline.refused(
            where + f"有 {missing} 户已不在您的管辖范围内（可能已迁出或调整），"
            "请联网打开工作表重新填写。看过后可在手机上删除这条记录。",
            status=409,
        )
    if error_messages:
        bad = [
            f"第 {n} 行 {row.household.head_name}：{row.error}"
            for n, row in enumerate(rows, 1)
            if row.error
        ]
        return offline.refused(where + " ".join(error_messages + bad))
    _say_saved(request, saved)
    return offline.saved(saved=len(saved))


def _posted_rows(request, region):
    """The rows as posted (the houses the form listed), with what the user ticked and typed; the
    count of listed houses no longer visible in this region."""
    ids = []
    for value in request.POST.getlist("h"):
        if value.isdigit():
            ids.append(int(value))
    visible = scope_to_region(households_visible_to(request.user), region)
    found = worksheets.sheet_households_by_id(visible, ids)
    rows = [
        worksheets.SheetRow(
            household=found[pk],
            ticks=request.POST.getlist(f"r{pk}"),
            note=request.POST.get(f"n{pk}", ""),
        )
        for pk in ids
        if pk in found
    ]
    return rows, len(ids) - len(rows)


@staff_view(Perm.VIEW_HOUSEHOLDS)
def visit_sheet_pdf(request):
    region, due = _sheet(request)
    if due is None:
        return pick_township(request, region, "跟踪回访工作表")
    households = list(due[: worksheets.MAX_ROWS])
    audit(
        actor=request.user,
        action=Action.EXPORT,
        region_code=region.code,
        note=f"打印跟踪回访工作表（{len(households)} 户）",
    )
    data = worksheets.sheet_pdf(
        households,
        region_name=region.name,
        quarter=visits.quarter_start(timezone.localdate()),
        printed_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, dated_name(f"回访工作表_{region.name}", "pdf")
    )
    return response


MAX_UPLOAD = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_view(Perm.EDIT_HOUSEHOLDS)
def visits_import(request):
    """Quarterly visits from a file, all or nothing, imported in the background: the upload's
    page shows the progress, then the outcome (a refused file's errors, and, when it could be
    read, the same workbook with an error column)."""
    problem = ""
    if request.method == "POST":
        sent = request.FILES.get("file")
        if sent is None:
            problem = "请选择要导入的回访文件（.xlsx、.xls 或 .csv）。"
        elif sent.size > MAX_UPLOAD:
            problem = f"文件不能超过 {MAX_UPLOAD // 1024 // 1024} MB。"
        else:
            upload = tasks.queue_visit_import(
                user=request.user, file_name=sent.name, data=sent.read()
            )
            return redirect("households:import_status", pk=upload.pk)
    recent = ImportUpload.objects.filter(
        uploaded_by=request.user, kind=ImportUpload.Kind.VISITS
    ).order_by("-pk")[:10]
    return render(
        request,
        "households/visits_import.html",
        {"problem": problem, "recent": recent},
        status=400 if problem else 200,
    )


@staff_view(Perm.VIEW_HOUSEHOLDS)
def visits_template(request):
    response = HttpResponse(visit_file.write_template(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "季度回访导入模板.xlsx")
    return response


@public_view
def service_worker(request):
    """The visit entry's service worker (scope /households/visits/): the township clerk's sheets
    open on a phone without signal."""
    return offline.service_worker()
