"""Household archive pages: the list, one household, unmasking, import, export, template."""

from django import forms
from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    access_region,
    active_region,
    has_perm,
    requested_region,
    scope_to_region,
    staff_view,
)
from anju.actions import (
    ask_export_reason,
    errors_onto,
    export_full,
    export_reason,
    form_errors,
    keep,
    kept,
    run_form,
)
from anju.audit.models import Action
from anju.audit.services import audit
from anju.downloads import dated_name, watermark
from anju.formfields import MoneyField
from anju.households import (
    changes,
    exports,
    merge_views,
    merges,
    panels,
    plates,
    queries,
    renovations,
    tasks,
    template_file,
    visits,
)
from anju.households.access import (
    access_change,
    access_household,
    access_import,
    access_plate,
    access_renovation,
    households_on_file_visible_to,
    households_visible_to,
)
from anju.households.case_views import case_context
from anju.households.cases import subsidy_text
from anju.households.choices import Category, Grade, Method, Structure
from anju.households.models import (
    ChangeField,
    ChangeRequest,
    ChangeStatus,
    Finding,
    HouseholdState,
    ImportUpload,
)
from anju.households.visit_file import HEADERS as VISIT_HEADERS
from anju.pagination import paginate, paginate_by_key
from anju.regions.models import Level, Region
from anju.regions.picker import RegionField, limit_regions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024


def _place(request):
    """The region the list is of: the village or township picked in its selects (404 outside
    the user's region), else `?region=` or the active region."""
    g = request.GET
    code = g.get("village", "").strip() or g.get("township", "").strip()
    return access_region(request.user, code) if code else requested_region(request)


def _filtered(request):
    region = _place(request)
    visible = households_visible_to(request.user)
    if region != request.user.region:
        visible = scope_to_region(visible, region)
    g = request.GET
    return queries.household_list(
        visible,
        q=g.get("q", ""),
        category=g.get("category", ""),
        grade=g.get("grade", ""),
        year=g.get("year", ""),
        method=g.get("method", ""),
        assessed=g.get("assessed", ""),
        accepted=g.get("accepted", ""),
        payment=g.get("payment", ""),
        base_village=g.get("base_village", ""),
        pending=g.get("pending", ""),
        plate=g.get("plate", ""),
        size=g.get("size", ""),
        structure=g.get("structure", ""),
        visit=g.get("visit", ""),
    )


def _without(query, *names) -> str:
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


# The overview's filters (anju.dashboard), kept when the list is searched further.
KEPT_FILTERS = {
    "assessed": {"0": "未鉴定", "1": "已鉴定"},
    "accepted": {"0": "有未验收的改造", "1": "已验收"},
    "payment": {"late": "补助未按时发放"},
}


def _places(region) -> tuple[list, list]:
    """The township and village choices of the list's plain selects: the townships of the
    county (or of the user's township) the list is in, and the villages of its township."""
    if region.level >= Level.TOWNSHIP:
        township = Region.objects.get(code=region.code[:9] + "000")
        townships = [township]
    elif region.level == Level.COUNTY:
        township, townships = None, list(region.children.order_by("code"))
    else:
        return [], []
    villages = list(township.children.order_by("code")) if township else []
    return townships, villages


@staff_view(Perm.VIEW_HOUSEHOLDS)
def households(request):
    region = _place(request)
    sort = request.GET.get("sort", "")
    small = region.level >= Level.TOWNSHIP  # a township's list sorts by any column
    items, sort = queries.sorted_list(_filtered(request), sort, small=small)
    # Shown masked from the stored masks: nothing on the page is decrypted.
    page = paginate_by_key(
        request, queries.with_list_columns(items.defer("head_id", "account_number"))
    )
    page.object_list = queries.list_rows(page.object_list)
    rows = [(h, h.head_id_masked) for h in page.object_list]
    townships, villages = _places(region)
    g = request.GET
    kept = [(k, g[k]) for k in ("region", *KEPT_FILTERS) if g.get(k)]
    labels = [KEPT_FILTERS[k][v] for k, v in kept if v in KEPT_FILTERS.get(k, {})]
    return render(
        request,
        "households/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": request.GET,
            "categories": Category.choices,
            "grades": Grade.choices,
            "methods": Method.choices,
            "structures": Structure.choices,
            "sizes": [("1", "1人"), ("2", "2人"), ("3", "3人"), ("4", "4人"), ("5", "5人及以上")],
            "can_import": has_perm(request.user, Perm.EDIT_HOUSEHOLDS),
            "region": region,
            "kept": kept,
            "kept_labels": labels,
            "townships": townships,
            "villages": villages,
            "sort": sort,
            "small": small,
            "sort_query": _without(g, "sort", "page"),
        },
    )


@staff_view(Perm.VIEW_HOUSEHOLDS)
def household(request, pk: int):
    item = access_household(request.user, pk)
    people = list(item.people.all())
    done = renovations.STEPS
    rows = list(item.renovations.prefetch_related("payments"))
    for r in rows:
        r.subsidy_text = subsidy_text(r)
        r.done_steps = [f for f, _, _ in done if getattr(r, f)]
        r.next_step, r.next_label = next(
            ((f, label) for f, label, _ in done if not getattr(r, f)), ("", "")
        )
    visit_rows = list(item.visits.select_related("visitor"))
    for v in visit_rows:
        v.needs_case = bool(set(v.findings) & {"back_to_danger", "still_in_old"})
    return render(
        request,
        "households/detail.html",
        {
            "household": item,
            "masked_id": item.head_id_masked,
            "masked_account": item.account_number_masked,
            "people": [(p, p.id_number_masked) for p in people],
            "categories": item.categories.all(),
            "houses": item.houses.prefetch_related("assessments"),
            "renovations": rows,
            "timeline": queries.timeline(item),
            "can_unmask": has_perm(request.user, Perm.UNMASK),
            "visits": visit_rows,
            "visit_form": kept(request, VisitForm, initial={"visited_on": timezone.localdate()}),
            # Merged away or withdrawn: read only (undoing it is proposed below).
            "can_edit": has_perm(request.user, Perm.EDIT_HOUSEHOLDS)
            and item.state == HouseholdState.ACTIVE,
            "can_propose": has_perm(request.user, Perm.EDIT_HOUSEHOLDS),
            "steps": renovations.STEPS,
            "structures": Structure.choices,
            "change_form": kept(request, ChangeForm),
            "step_form": kept(request, StepForm),
            "payment_form": kept(request, PaymentForm),
            "plates": item.plates.defer("photo"),
            "person_form": kept(request, PersonForm),
            "assessment_form": kept(request, AssessmentForm),
            "changes": item.changes.select_related("proposed_by")[:20],
            # The findings, assessment tasks and observations of the apps above
            **panels.context(request.user, item),
            **case_context(request, item),
            **merge_views.household_context(request, item),
        },
    )


@require_POST
@staff_view(Perm.UNMASK)
def unmask(request, pk: int):
    """Show the full ID and account numbers once; every showing is audited."""
    item = access_household(request.user, pk, perm=Perm.UNMASK)
    audit(
        actor=request.user,
        action=Action.UNMASK,
        obj=item,
        note=f"查看完整证件号和账号：{item.head_id_masked}",
    )
    return render(request, "households/_unmasked.html", {"household": item})


class UploadForm(forms.Form):
    file = forms.FileField(label="农户档案（.xlsx / .xls / .csv）")
    stop_on_warnings = forms.BooleanField(
        label="有警告时不导入（身份证号校验不通过、日期顺序不对、面积超标、疑似重复户等）",
        required=False,
    )


@staff_view(Perm.EDIT_HOUSEHOLDS)
def import_page(request):
    """Upload a file; the import runs in the background and its page shows the progress."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", "文件超过 20 MB，请分批导入或用命令行导入。")
        else:
            queued = tasks.queue_import(
                user=request.user,
                file_name=upload.name,
                data=upload.read(),
                stop_on_warnings=form.cleaned_data["stop_on_warnings"],
            )
            return redirect("households:import_status", pk=queued.pk)
    recent = ImportUpload.objects.filter(
        uploaded_by=request.user, kind=ImportUpload.Kind.HOUSEHOLDS
    ).order_by("-pk")[:10]
    return render(request, "households/import.html", {"form": form, "recent": recent})


ERRORS_PER_PAGE = 100


@staff_view(Perm.EDIT_HOUSEHOLDS)
def import_status(request, pk: int):
    """One upload: progress while it runs (htmx polls the panel), then the outcome, its row
    errors a page at a time."""
    upload = access_import(request.user, pk)
    context = {
        "upload": upload,
        "progress": tasks.progress_of(upload),
        "worker_silent": tasks.worker_silent(upload),
        "errors_page": paginate(request, upload.errors, ERRORS_PER_PAGE),
        "errors_left_out": max(0, upload.error_count - len(upload.errors)),
        "warnings_page": paginate(request, upload.warnings, ERRORS_PER_PAGE),
        "warnings_left_out": max(0, upload.warning_count - len(upload.warnings)),
        "retention_days": settings.UPLOAD_RETENTION_DAYS,
    }
    if request.htmx:
        return render(request, "households/_import_status.html", context)
    return render(request, "households/import_status.html", context)


@staff_view(Perm.EDIT_HOUSEHOLDS)
def import_errors(request, pk: int):
    """The uploaded rows again with an error column, streamed from a temporary file. Only for a
    file that was read: a refused one is never parsed again, and a dropped one is gone (410)."""
    upload = access_import(request.user, pk)
    annotated = upload.status == ImportUpload.Status.REJECTED or upload.warnings
    data = tasks.upload_file(upload) if annotated else None
    if upload.refused or data is None:
        if upload.refused:
            message = "该文件在读取前即被拒收（见导入结果页的原因），没有可标注错误的表格。"
        elif upload.expired_at:
            message = (
                f"原文件已按保留期限（{settings.UPLOAD_RETENTION_DAYS} 天）删除，"
                "无法再生成标注错误的文件；导入结果页仍列出各处错误。"
            )
        else:
            message = "只有有错误或有警告的上传才有标注的文件。"
        back = reverse("households:import_status", args=[upload.pk])
        context = {"title": "没有标注错误的文件", "message": message, "back": back}
        return render(request, "errors/gone.html", context, status=410)
    if upload.kind == ImportUpload.Kind.VISITS:
        handle = exports.write_errors_workbook(
            data, upload.errors, headers=VISIT_HEADERS, sheet_name="季度回访"
        )
    else:
        handle = exports.write_errors_workbook(data, upload.errors, upload.warnings)
    return FileResponse(handle, as_attachment=True, filename="errors.xlsx", content_type=XLSX)


@staff_view(Perm.VIEW_HOUSEHOLDS)
def template(request):
    response = HttpResponse(template_file.write_template(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, dated_name("农户档案导入模板", "xlsx")
    )
    return response


@staff_view(Perm.VIEW_HOUSEHOLDS)
def export(request):
    """The filtered list as xlsx, masked unless the role may unmask and asks for it."""
    reason = export_reason(request)
    if reason is None:
        return ask_export_reason(
            request, "农户档案", can_unmask=has_perm(request.user, Perm.UNMASK)
        )
    unmasked = export_full(request) and has_perm(request.user, Perm.UNMASK)
    mark = watermark(request.user, reason)
    handle, count = exports.write_households(_filtered(request), unmasked=unmasked, watermark=mark)
    audit(
        actor=request.user,
        action=Action.EXPORT,
        obj="households.household",
        region_code=active_region(request).code,
        note=f"导出农户 {count} 户（{'完整号码' if unmasked else '号码已脱敏'}），用途：{reason}，"
        f"条件：{request.GET.urlencode()}",
    )
    name = dated_name("农户档案", "xlsx", active_region(request).name)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label="回访日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    findings = forms.MultipleChoiceField(
        label="发现问题",
        choices=Finding.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="情况说明", max_length=300, required=False)


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def visit_add(request, pk: int):
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    form = VisitForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(item)
    try:
        visit = visits.visit_record(
            actor=request.user,
            household=item,
            visited_on=form.cleaned_data["visited_on"],
            findings=form.cleaned_data["findings"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        keep(request, form, item)
    else:
        if visit.findings:
            messages.success(request, "回访已记录；发现的问题已列入本乡镇问题清单，请限期整改。")
        else:
            messages.success(request, "回访已记录。")
    return redirect(item)


@staff_view(Perm.VIEW_HOUSEHOLDS)
def visits_due(request):
    today = timezone.localdate()
    region = requested_region(request)
    visible = households_visible_to(request.user)
    if region != request.user.region:
        visible = scope_to_region(visible, region)
    only_overdue = request.GET.get("overdue") == "1"
    listed = visits.overdue if only_overdue else visits.due_this_quarter
    due = listed(visible, today).select_related("region").order_by("region_id", "head_name")
    page = paginate(request, due)
    overdue_count = visits.overdue(visible, today).count()
    return render(
        request,
        "households/visits_due.html",
        {
            "page": page,
            "overdue_count": overdue_count,
            "today": today,
            "quarter": visits.quarter_start(today),
            "limit": today - timezone.timedelta(days=visits.INTERVAL_DAYS),
            "only_overdue": only_overdue,
            "region": region,
            "can_edit": has_perm(request.user, Perm.EDIT_HOUSEHOLDS),
        },
    )


class StepForm(forms.Form):
    step = forms.ChoiceField(
        label="环节", choices=[(f, label) for f, label, _ in renovations.STEPS]
    )
    on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    inspector = forms.CharField(label="验收人", max_length=50, required=False)
    area_ok = forms.BooleanField(required=False)
    safe = forms.BooleanField(required=False)
    quality = forms.BooleanField(required=False)
    toilet = forms.BooleanField(required=False)
    new_structure = forms.ChoiceField(
        label="新房结构", choices=[("", "砖混（默认）"), *Structure.choices], required=False
    )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label="发放日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = MoneyField(label="发放金额（元）", unit="元", max_digits=12)
    account_number = forms.CharField(label="一卡通账号", max_length=40)
    account_holder = forms.CharField(label="账户名", max_length=50)


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def renovation_step(request, pk: int):

    renovation = access_renovation(request.user, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(renovation.household)
    data = form.cleaned_data
    checklist = None
    if data["step"] == "accepted_on":
        checklist = {k: data[k] for k in ("area_ok", "safe", "quality", "toilet")}
        checklist["inspector"] = data["inspector"]
        checklist["new_structure"] = data["new_structure"]
    return run_form(
        request,
        form,
        lambda _: renovations.renovation_step(
            actor=request.user,
            renovation=renovation,
            step=data["step"],
            on=data["on"],
            checklist=checklist,
        ),
        f"已记录「{renovations.STEP_LABELS[data['step']]}」。",
        renovation.household,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def payment_add(request, pk: int):

    renovation = access_renovation(request.user, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(renovation.household)
    data = form.cleaned_data
    return run_form(
        request,
        form,
        lambda _: renovations.payment_record(
            actor=request.user,
            renovation=renovation,
            paid_on=data["paid_on"],
            amount_fen=int(data["amount"] * 100),
            account_number=data["account_number"],
            account_holder=data["account_holder"],
        ),
        "补助发放已记录。",
        renovation.household,
    )


class ChangeForm(forms.Form):
    # Merging and withdrawing have their own screen (merge_views).
    field = forms.ChoiceField(
        label="变更事项",
        choices=[c for c in ChangeField.choices if c[0] not in merges.RECORD_CHANGES],
    )
    renovation = forms.IntegerField(label="改造记录", required=False)
    new_value = forms.CharField(label="新值", max_length=200)
    reason = forms.CharField(label="变更理由", max_length=300)


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def change_propose(request, pk: int):
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    form = ChangeForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(item)
    data = form.cleaned_data
    renovation = (
        item.renovations.filter(pk=data["renovation"]).first() if data["renovation"] else None
    )
    try:
        changes.change_propose(
            actor=request.user,
            household=item,
            field=data["field"],
            new_value=data["new_value"],
            reason=data["reason"],
            renovation=renovation,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        keep(request, form, item)
    else:
        messages.success(request, "变更申请已提交，经区县审核人同意后才生效。")
    return redirect(item)


def _side_by_side(change, unmasked: bool) -> tuple[str, str]:
    if unmasked:
        return change.old_value, change.new_value
    return changes._shown(change.field, change.old_value), changes._shown(
        change.field, change.new_value
    )


@staff_view(Perm.VIEW_HOUSEHOLDS)
def change_list(request):
    region = active_region(request)
    # Requests about households merged away or withdrawn too (undoing them is one).
    visible = households_on_file_visible_to(request.user)
    if region != request.user.region:
        visible = scope_to_region(visible, region)
    status = request.GET.get("status", "pending")
    items = ChangeRequest.objects.filter(household__in=visible).select_related(
        "household", "proposed_by", "decided_by", "renovation"
    )
    if status in ChangeStatus.values:
        items = items.filter(status=status)
    page = paginate(request, items)
    unmasked = has_perm(request.user, Perm.UNMASK)
    if unmasked and page.object_list:
        audit(
            actor=request.user,
            action=Action.UNMASK,
            obj="households.changerequest",
            region_code=region.code,
            note=f"变更审核列表显示完整号码 {len(page.object_list)} 条",
        )
    rows = [(c, *_side_by_side(c, unmasked)) for c in page.object_list]
    return render(
        request,
        "households/changes.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "can_decide": has_perm(request.user, Perm.APPROVE_CHANGES),
        },
    )


@require_POST
@staff_view(Perm.APPROVE_CHANGES)
def change_decide(request, pk: int):
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    change = access_change(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        changes.change_decide(
            actor=request.user, request=change, approve=approve, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "已同意，变更已生效。" if approve else "已驳回。")
    return redirect("households:changes")


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def plate_issue(request, pk: int):
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    try:
        plate = plates.plate_issue(actor=request.user, household=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"已制牌 {plate.number}，请在 {plate.deadline} 前挂牌上墙。")
    return redirect(item)


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def plate_installed(request, pk: int):
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    plate = access_plate(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    photo = request.FILES.get("photo")
    try:
        on = forms.DateField().clean(request.POST.get("installed_on"))
        plates.plate_installed(
            actor=request.user, plate=plate, installed_on=on, photo=photo.read() if photo else b""
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "已记录挂牌上墙。")
    return redirect(plate.household)


@staff_view(Perm.VIEW_HOUSEHOLDS)
def plate_pdf(request, pk: int):
    plate = access_plate(request.user, pk)
    check = request.build_absolute_uri(reverse("portal:plate", args=[plate.public_token]))
    response = HttpResponse(plates.plate_pdf(plate, check), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, dated_name(f"安全状况牌_{plate.household.head_name}", "pdf")
    )
    return response


@staff_view(Perm.VIEW_HOUSEHOLDS)
def plates_missing(request):
    region = requested_region(request)
    visible = households_visible_to(request.user)
    if region != request.user.region:
        visible = scope_to_region(visible, region)
    items = plates.missing_plates(visible, timezone.localdate()).select_related("region")
    return render(
        request,
        "households/plates.html",
        {"page": paginate(request, items.order_by("region_id", "head_name")), "region": region},
    )


@staff_view(Perm.VIEW_HOUSEHOLDS)
def archive_pdf(request, pk: int):
    """一户一档 as PDF: masked unless the role may unmask and asks for it (audited then)."""
    from anju.households.archive_pdf import household_pdf

    item = access_household(request.user, pk)
    # Full numbers only from the page's form (POST with the CSRF token), never from a link.
    unmasked = export_full(request) and has_perm(request.user, Perm.UNMASK)
    audit(
        actor=request.user,
        action=Action.UNMASK if unmasked else Action.EXPORT,
        obj=item,
        note="打印一户一档" + ("（完整号码）" if unmasked else ""),
    )
    data = household_pdf(
        item,
        unmasked=unmasked,
        printed_by=str(request.user),
        printed_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, dated_name(f"一户一档_{item.head_name}", "pdf")
    )
    return response


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdForm(forms.Form):
    region_code = RegionField(label="行政村")
    head_name = forms.CharField(label="户主姓名", max_length=50)
    head_id = forms.CharField(label="户主身份证号", max_length=30)
    id_note = forms.CharField(
        label="号码校验不通过的说明（号码通过校验时不填）",
        max_length=200,
        required=False,
        help_text="身份证号未通过 GB 11643 校验而确实如此时（如证件本身有误），写明原因；"
        "该号码将被标记为校验不通过。",
    )
    size = forms.IntegerField(label="家庭人口", min_value=1, max_value=30, required=False)
    categories = forms.MultipleChoiceField(
        label="农户类别",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    structure = forms.ChoiceField(label="房屋结构", choices=Structure.choices)


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30)
    relation = forms.CharField(label="与户主关系", max_length=20)
    deceased_on = forms.DateField(label="死亡日期（在世不填）", required=False, widget=DATE_WIDGET)


class AssessmentForm(forms.Form):
    house = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ChoiceField(
        label="危险等级", choices=[("", "——请选择鉴定结论——"), *Grade.choices]
    )
    assessed_on = forms.DateField(label="鉴定日期", widget=DATE_WIDGET)
    assessor = forms.CharField(label="鉴定人/机构", max_length=100)
    method = forms.CharField(label="鉴定方法", max_length=100, required=False)


@staff_view(Perm.EDIT_HOUSEHOLDS)
def household_new(request):
    from django.core.exceptions import ValidationError

    from anju.households import services

    form = limit_regions(HouseholdForm(request.POST or None), request.user.region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.household_create(
                actor=request.user,
                region=access_region(request.user, data["region_code"]),
                head_name=data["head_name"],
                head_id=data["head_id"],
                size=data["size"],
                categories=data["categories"],
                structure=data["structure"],
                id_note=data["id_note"],
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            return redirect(item)
    return render(request, "households/new.html", {"form": form})


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def person_add(request, pk: int):
    from anju.households import services

    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    return run_form(
        request,
        PersonForm(request.POST),
        lambda d: services.person_add(
            actor=request.user,
            household=item,
            name=d["name"],
            id_number=d["id_number"],
            relation=d["relation"],
            deceased_on=d["deceased_on"],
        ),
        "家庭成员已添加。",
        item,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def assessment_add(request, pk: int):
    from django.http import Http404

    from anju.households import services

    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    house = item.houses.filter(pk=request.POST.get("house") or 0).first()
    if house is None:
        raise Http404("没有找到该房屋。")
    return run_form(
        request,
        AssessmentForm(request.POST),
        lambda d: services.assessment_add(
            actor=request.user,
            house=house,
            grade=d["grade"],
            assessed_on=d["assessed_on"],
            assessor=d["assessor"],
            method=d["method"],
        ),
        "鉴定已记录。",
        item,
    )
