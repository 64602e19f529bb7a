"""Pages of the report workflow and the city's timeliness board."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    access_region,
    active_region,
    has_perm,
    scope_to_region,
    staff_view,
    unit_bound,
    unit_of,
)
from anju.audit.models import Action
from anju.audit.services import audit
from anju.pagination import paginate
from anju.regions.models import Level
from anju.regions.picker import RegionField, limit_regions
from anju.reporting import workflow
from anju.reporting.access import access_report, reports_visible_to
from anju.reporting.annexes import ANNEX1_COLUMNS
from anju.reporting.deadlines import add_months, parse_month, period_start
from anju.reporting.duties import owes
from anju.reporting.models import ReportKind, ReportStatus
from anju.reporting.queries import board as board_rows
from anju.reporting.queries import rates

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PrepareForm(forms.Form):
    region_code = RegionField(label="区县或乡镇", levels=(Level.COUNTY, Level.TOWNSHIP))
    kind = forms.ChoiceField(label="报表", choices=ReportKind.choices)
    month = forms.CharField(label="所属月份", max_length=7, help_text="例如 2026-10")
    remarks = forms.CharField(
        label="备注", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    narrative = forms.CharField(
        label="突出问题处理情况",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="仅月度整治工作进展：本月发现的突出问题怎样处理、处理到哪一步。",
    )

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


def _fail(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _default_month() -> str:
    return f"{add_months(timezone.localdate().replace(day=1), -1):%Y-%m}"


@staff_view(Perm.VIEW_REPORTS)
def reports(request):
    region = active_region(request)
    items = reports_visible_to(request.user).select_related("region")
    items = scope_to_region(items, region).order_by("-period", "region_id", "kind", "-version")
    kind = request.GET.get("kind", "")
    if kind in ReportKind.values:
        items = items.filter(kind=kind)
    form = limit_regions(
        PrepareForm(initial={"region_code": region.code, "month": _default_month()}),
        request.user.region,
    )
    owed = _owed_kinds(request.user, region)
    form.fields["kind"].choices = [(k, ReportKind(k).label) for k in owed]
    if owed == [ReportKind.PROGRESS]:  # the progress report covers the month itself
        form.initial["month"] = f"{timezone.localdate():%Y-%m}"
    return render(
        request,
        "reporting/reports.html",
        {
            "page": paginate(request, items),
            "form": form,
            "kind": kind,
            "kinds": ReportKind.choices,
            "can_prepare": bool(owed),
            "can_upload": has_perm(request.user, Perm.PREPARE_REPORTS)
            and region.level == Level.COUNTY
            and not unit_bound(request.user),
            "progress_only": owed == [ReportKind.PROGRESS],
            "offers_progress": ReportKind.PROGRESS in owed,
            "unit": unit_of(request.user) if unit_bound(request.user) else None,
        },
    )


def _owed_kinds(user, region) -> list[str]:
    """The report kinds the user's own district, township or unit owes (its duties)."""
    if not has_perm(user, Perm.PREPARE_REPORTS):
        return []
    if unit_bound(user):
        unit = unit_of(user)
        return [k for k in ReportKind.values if unit and owes(k, unit.region, unit)]
    if region.code != user.region_id:
        return []
    return [k for k in ReportKind.values if owes(k, region)]


@require_POST
@staff_view(Perm.PREPARE_REPORTS)
def prepare(request):
    form = limit_regions(PrepareForm(request.POST), request.user.region)
    if not form.is_valid():
        errors = [f"{form.fields[n].label}：{e}" for n, errs in form.errors.items() for e in errs]
        messages.error(request, "未编制：" + " ".join(errors))
        return redirect("reporting:reports")
    data = form.cleaned_data
    unit = unit_of(request.user) if unit_bound(request.user) else None
    region = unit.region if unit else access_region(request.user, data["region_code"])
    period = data["month"]
    if data["kind"] == ReportKind.CLUE_QUARTERLY:
        period = period_start(data["kind"], period.year, period.month)
    try:
        report = workflow.report_prepare(
            actor=request.user,
            region=region,
            kind=data["kind"],
            period=period,
            remarks=data["remarks"],
            narrative=data["narrative"],
            unit=unit,
        )
    except ValidationError as error:
        _fail(request, error)
        return redirect("reporting:reports")
    if workflow.needs_sign_off(report):
        messages.success(request, "已按台账编制，请核对后送审核人审核。")
    else:
        messages.success(request, f"已编制，请核对后报送{report.recipient}。")
    return redirect("reporting:report", pk=report.pk)


@staff_view(Perm.VIEW_REPORTS)
def report(request, pk: int):
    item = access_report(request.user, pk)
    values = item.values.get("values") if item.kind == ReportKind.ANNEX1 else None
    columns = list(zip(ANNEX1_COLUMNS, values, strict=False)) if values else []
    user = request.user
    S = ReportStatus
    signed = workflow.needs_sign_off(item)
    mine = workflow.is_reporter(user, item)
    return render(
        request,
        "reporting/report.html",
        {
            "report": item,
            "columns": columns,
            "events": item.events.select_related("actor"),
            "problems": item.values.get("problems") or [],
            "reason_form": ReasonForm(),
            "last_note": _return_note(item),
            "can_sign": signed
            and mine
            and has_perm(user, Perm.SIGN_OFF_REPORTS)
            and item.status in (S.DRAFT, S.SIGNED_OFF),
            "can_submit": mine
            and has_perm(user, Perm.PREPARE_REPORTS)
            and item.status in ((S.SIGNED_OFF,) if signed else (S.DRAFT, S.SIGNED_OFF)),
            "can_return": has_perm(user, Perm.RETURN_REPORTS)
            and workflow.receives(user, item)
            and item.status in (S.SUBMITTED, S.ACKNOWLEDGED),
            "can_acknowledge": has_perm(user, Perm.RECEIVE_CLUE_REPORTS)
            and item.kind == ReportKind.CLUE_QUARTERLY
            and item.status == S.SUBMITTED,
            "can_correct": mine
            and has_perm(user, Perm.PREPARE_REPORTS)
            and item.status in (S.SUBMITTED, S.ACKNOWLEDGED, S.RETURNED),
            "signed": signed,
        },
    )


def _return_note(item) -> str:
    """Why the report came back, for the preparer to read first (the reviewer's comment or the
    city's reason)."""
    if item.status not in (ReportStatus.REVISE, ReportStatus.RETURNED):
        return ""
    event = item.events.filter(to_status=item.status).order_by("-at", "-pk").first()
    return event.note if event else ""


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结论", choices=(("approve", "审核通过"), ("revise", "退回编制人修改"))
    )
    comment = forms.CharField(
        label="审核意见",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="退回修改时必填，写明要改什么。",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "revise" and not (data.get("comment") or "").strip():
            self.add_error("comment", "退回修改须填写审核意见，写明要改什么。")
        return data


class SubmitForm(forms.Form):
    phone = forms.CharField(
        label="联系电话", max_length=30, help_text="填入表尾“联系电话”，填表人的电话。"
    )
    leader = forms.CharField(
        label="单位分管负责人",
        max_length=50,
        required=False,
        help_text="填入表尾“单位分管负责人”，本单位审签这份报告的负责人姓名。",
    )
    scan = forms.FileField(
        label="盖章扫描件",
        required=False,
        help_text="盖章后的扫描件，PDF 或 JPG/PNG 图片，不超过 20 MB。",
    )


def _confirm(request, item, template, form, **extra):
    return render(request, template, {"report": item, "form": form, **extra})


@staff_view(Perm.SIGN_OFF_REPORTS)
def sign_off(request, pk: int):
    """审核: a page that says what approving does, then 审核通过 or 退回编制人 with a comment."""
    item = access_report(request.user, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                workflow.report_sign_off(actor=request.user, report=item, comment=data["comment"])
                messages.success(request, "已审核通过，可以报送。")
            else:
                workflow.report_send_back(actor=request.user, report=item, comment=data["comment"])
                messages.success(request, "已退回编制人修改。")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("reporting:report", pk=item.pk)
    return _confirm(
        request,
        item,
        "reporting/confirm_review.html",
        form,
        problems=item.values.get("problems") or [],
    )


@staff_view(Perm.PREPARE_REPORTS)
def submit(request, pk: int):
    """报送: a page that says what submitting does (freezes the report), the 联系电话 for the
    footer and the stamped scan, then the submission."""
    from anju.reporting.queries import preparer_phone

    item = access_report(request.user, pk)
    if request.method == "POST":
        form = SubmitForm(request.POST, request.FILES)
        if form.is_valid():
            scan = form.cleaned_data["scan"]
            try:
                workflow.report_submit(
                    actor=request.user,
                    report=item,
                    phone=form.cleaned_data["phone"],
                    scan=scan.read() if scan else None,
                    scan_name=scan.name if scan else "",
                    leader=form.cleaned_data["leader"],
                )
            except ValidationError as error:
                for message in error.messages:
                    field = "scan" if message.startswith("盖章扫描件") else None
                    field = "phone" if message.startswith("联系电话") else field
                    field = "leader" if message.startswith("单位分管负责人") else field
                    form.add_error(field, message)
            else:
                messages.success(request, f"已报送{item.recipient}。")
                return redirect("reporting:report", pk=item.pk)
        if form.errors.get("scan") or request.FILES:
            form.scan_again = True  # a chosen file does not survive the round trip
    else:
        form = SubmitForm(initial={"phone": preparer_phone(item)})
    return _confirm(
        request,
        item,
        "reporting/confirm_submit.html",
        form,
        scan_required=item.kind in workflow.SCAN_REQUIRED,
        names_leader=not workflow.needs_sign_off(item),
    )


@staff_view(Perm.RETURN_REPORTS)
def send_back(request, pk: int):
    """退回: a page that says what returning does, with the reason the district will read."""
    item = access_report(request.user, pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "退回原因"
    form.fields["reason"].widget = forms.Textarea(attrs={"rows": 3, "maxlength": 300})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.report_return(
                actor=request.user, report=item, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已退回{item.reporter_name}。")
            return redirect("reporting:report", pk=item.pk)
    return _confirm(request, item, "reporting/confirm_return.html", form)


@require_POST
@staff_view(Perm.RECEIVE_CLUE_REPORTS)
def acknowledge(request, pk: int):
    item = access_report(request.user, pk)
    try:
        workflow.report_acknowledge(actor=request.user, report=item)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, "已签收。")
    return redirect("reporting:report", pk=item.pk)


def _act(request, pk: int, action, success: str, needs_reason=False):
    item = access_report(request.user, pk)
    kwargs = {}
    if needs_reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写原因。")
            return redirect("reporting:report", pk=item.pk)
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        result = action(actor=request.user, report=item, **kwargs)
    except ValidationError as error:
        _fail(request, error)
        return redirect("reporting:report", pk=item.pk)
    messages.success(request, success)
    return redirect("reporting:report", pk=result.pk)


@require_POST
@staff_view(Perm.PREPARE_REPORTS)
def correct(request, pk: int):
    return _act(
        request,
        pk,
        workflow.report_correct,
        "已创建更正版本，请核对后重新审核、报送。",
        needs_reason=True,
    )


@staff_view(Perm.VIEW_REPORTS)
def scan(request, pk: int):
    """The stamped scan sent with the report, as it was sent (PDF or image)."""
    item = access_report(request.user, pk)
    if not item.scan:
        messages.error(request, "该报表没有盖章扫描件。")
        return redirect("reporting:report", pk=item.pk)
    if not item.intact("scan"):
        return _altered(request, item, "盖章扫描件")
    audit(
        actor=request.user, action=Action.EXPORT, obj=item, note=f"下载盖章扫描件 v{item.version}"
    )
    response = HttpResponse(bytes(item.scan), content_type=item.scan_type)
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[item.scan_type]
    name = f"{item.kind}-{item.region_id}-{item.period:%Y%m}-v{item.version}-scan.{ext}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@staff_view(Perm.VIEW_REPORTS)
def download(request, pk: int):
    item = access_report(request.user, pk)
    if not item.file:
        messages.error(request, "该报表没有文件。")
        return redirect("reporting:report", pk=item.pk)
    if not item.intact("file"):
        return _altered(request, item, "报表文件")
    audit(actor=request.user, action=Action.EXPORT, obj=item, note=f"下载报表 v{item.version}")
    response = HttpResponse(bytes(item.file), content_type=XLSX)
    name = f"{item.kind}-{item.region_id}-{item.period:%Y%m}-v{item.version}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def _altered(request, item, what: str):
    """A stored file whose SHA-256 is no longer the one recorded: not handed out; the refusal
    is in the audit log for the administrator to look into."""
    audit(
        actor=request.user,
        action=Action.DENIED,
        obj=item,
        note=f"{what} v{item.version} 与报送时记录的 SHA-256 不一致，未提供下载",
    )
    messages.error(
        request,
        f"该报表的{what}与报送时记录的校验值（SHA-256）不一致，可能已被改动，系统未提供下载。"
        "请联系系统管理员核查。",
    )
    return redirect("reporting:report", pk=item.pk)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@staff_view(Perm.VIEW_REPORTS)
def document(request, pk: int):
    """The progress report as a Word document in the official-document layout (GB/T 9704)."""
    from django.http import Http404

    from anju.reporting.progress_doc import progress_docx

    item = access_report(request.user, pk)
    if item.kind != ReportKind.PROGRESS:
        raise Http404("只有月度整治工作进展有 Word 文档。")
    number = request.GET.get("number", "")[:40]
    audit(actor=request.user, action=Action.EXPORT, obj=item, note=f"下载 Word v{item.version}")
    response = HttpResponse(progress_docx(item, number=number), content_type=DOCX)
    name = f"progress-{item.region_id}-{item.period:%Y%m}-v{item.version}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@staff_view(Perm.VIEW_REPORTS)
def board(request):
    region = active_region(request)
    kind = request.GET.get("kind") or ReportKind.ANNEX1
    if kind not in ReportKind.values:
        kind = ReportKind.ANNEX1
    try:
        period = parse_month(request.GET.get("month") or _default_month())
    except ValueError as error:
        messages.error(request, str(error))
        period = parse_month(_default_month())
    period = period_start(kind, period.year, period.month)
    rows = board_rows(region, kind, period)
    months = [add_months(period, -i) for i in range(6)]
    submitted = sum(1 for r in rows if r.first_submitted)
    on_time = sum(1 for r in rows if r.on_time)
    return render(
        request,
        "reporting/board.html",
        {
            "rows": rows,
            "kind": kind,
            "kinds": ReportKind.choices,
            "month": f"{period:%Y-%m}",
            "rates": rates(region, kind, months),
            "region": region,
            "submitted": submitted,
            "on_time": on_time,
            "total": len(rows),
        },
    )


@staff_view(Perm.VIEW_REPORTS)
def city_summary(request, kind: str):
    """The city's Annex 1 total or merged Annex 2 for a month, from submitted reports."""
    from django.http import Http404

    from anju.reporting.summary import city_annex1, city_annex2

    if kind not in ("annex1", "annex2"):
        raise Http404("没有这种汇总表。")
    region = active_region(request)
    try:
        period = parse_month(request.GET.get("month") or _default_month())
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("reporting:board")
    data = city_annex1(region, period)[0] if kind == "annex1" else city_annex2(region, period)
    audit(
        actor=request.user,
        action=Action.EXPORT,
        obj=f"reporting.city_{kind}",
        region_code=region.code,
        note=f"{region.name} {period:%Y-%m} 汇总",
    )
    response = HttpResponse(data, content_type=XLSX)
    name = f"{kind}-{region.code}-{period:%Y%m}-summary.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


class UploadForm(forms.Form):
    region_code = forms.CharField(widget=forms.HiddenInput, max_length=12)
    file = forms.FileField(label="手工填报的附件1或附件2（.xlsx）")


@staff_view(Perm.PREPARE_REPORTS)
def upload(request):
    region = active_region(request)
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"region_code": region.code}
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        district = access_region(request.user, form.cleaned_data["region_code"])
        data = form.cleaned_data["file"].read()
        try:
            item = workflow.report_upload(actor=request.user, region=district, data=data)
        except ValidationError as error:
            problems = error.messages
        else:
            return redirect("reporting:upload_review", pk=item.pk)
    return render(
        request,
        "reporting/upload.html",
        {"form": form, "problems": problems, "region": region},
        status=400 if problems else 200,  # a refused file is a clear 4xx, never a 500
    )


@staff_view(Perm.PREPARE_REPORTS)
def upload_review(request, pk: int):
    from anju.reporting.access import access_report_upload

    item = access_report_upload(request.user, pk)
    parsed = item.parsed
    counted = workflow.ledger_count(item.region, item.kind, item.period)
    filled = {"values": parsed.get("values", []), "rows": parsed.get("rows", [])}
    rows = []
    if item.kind == ReportKind.ANNEX1:
        theirs = (counted or {}).get("values") or [None] * 34
        for i, (label, mine) in enumerate(zip(ANNEX1_COLUMNS, filled["values"], strict=False)):
            other = theirs[i] if i < len(theirs) else None
            same = other is not None and str(mine) == str(other)
            rows.append((i + 1, label, mine, other, same))
    return render(
        request,
        "reporting/upload_review.html",
        {
            "upload": item,
            "parsed": parsed,
            "rows": rows,
            "has_ledger": counted is not None,
            "differences": workflow.compare(item.kind, filled, counted),
        },
    )


@require_POST
@staff_view(Perm.PREPARE_REPORTS)
def upload_accept(request, pk: int):
    from anju.reporting.access import access_report_upload

    item = access_report_upload(request.user, pk)
    try:
        result = workflow.report_accept_upload(actor=request.user, upload=item)
    except ValidationError as error:
        _fail(request, error)
        return redirect("reporting:upload_review", pk=item.pk)
    messages.success(request, "已采用上传的报表，请送审核人审核。")
    return redirect("reporting:report", pk=result.pk)
