"""Cross-check pages: findings by rule and region, one finding and its triage, runs, the lists."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    active_region,
    has_perm,
    region_visible,
    scope_to_region,
    staff_view,
)
from anju.actions import ask_export_reason, export_full, export_reason, form_errors, keep, kept
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crosscheck import tasks, triage
from anju.crosscheck.access import (
    access_finding,
    access_run,
    findings_visible_to,
    reference_kinds_for,
    reference_lists_visible_to,
    runs_visible_to,
)
from anju.crosscheck.choices import DEPARTMENT, FindingStatus, Kind, Rule
from anju.crosscheck.exports import write_findings
from anju.crosscheck.list_templates import write_list_template
from anju.crosscheck.references import import_reference
from anju.crosscheck.runs import start_run
from anju.downloads import dated_name, watermark
from anju.oversight.access import clues_visible_to
from anju.oversight.choices import CadreLevel
from anju.oversight.services import PersonInput
from anju.pagination import paginate
from anju.regions.models import PREFIX_LENGTH, Level, Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024


def _in_region(request, qs):
    region = active_region(request)
    if region is not None and region != request.user.region:
        qs = scope_to_region(qs, region)
    return qs


def _filtered(request):
    g = request.GET
    qs = _in_region(request, findings_visible_to(request.user))
    if g.get("rule") in Rule.values:
        qs = qs.filter(rule=g["rule"])
    if g.get("status") in FindingStatus.values:
        qs = qs.filter(status=g["status"])
    q = g.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(id_number=q.upper()))
    return qs


@staff_view(Perm.VIEW_FINDINGS)
def findings(request):
    qs = _filtered(request)
    counts = dict(
        _in_region(request, findings_visible_to(request.user))
        .filter(status=FindingStatus.PENDING)
        .values_list("rule")
        .annotate(n=Count("pk"))
        .values_list("rule", "n")
    )
    page = paginate(request, qs.select_related("region").order_by("rule", "region_id", "pk"))
    by_area = _by_area(request, qs)
    latest = _in_region(request, runs_visible_to(request.user)).first()
    return render(
        request,
        "crosscheck/findings.html",
        {
            "page": page,
            "rows": [(f, f.id_number_masked) for f in page.object_list],
            "filters": request.GET,
            "rules": [(code, label, counts.get(code, 0)) for code, label in Rule.choices],
            "statuses": FindingStatus.choices,
            "latest": latest,
            "can_run": has_perm(request.user, Perm.RUN_CROSSCHECK),
            "by_area": by_area,
        },
    )


def _by_area(request, qs) -> list[tuple]:
    """The filtered findings counted per region one level down (townships of a county, ...),
    worst first: where to look."""
    region = active_region(request)
    if region is None or region.level >= Level.VILLAGE:
        return []
    width = PREFIX_LENGTH[Level(region.level + 1)]
    counts = (
        qs.annotate(area=Substr("region_id", 1, width))
        .values_list("area")
        .annotate(n=Count("pk"))
        .values_list("area", "n")
    )
    counted = {area.ljust(12, "0"): n for area, n in counts}
    names = dict(Region.objects.filter(code__in=counted).values_list("code", "name"))
    return sorted(
        ((code, names.get(code, code), n) for code, n in counted.items()), key=lambda x: -x[2]
    )


@staff_view(Perm.VIEW_FINDINGS)
def export(request):
    reason = export_reason(request)
    if reason is None:
        return ask_export_reason(
            request, "比对疑点", can_unmask=has_perm(request.user, Perm.UNMASK)
        )
    unmasked = export_full(request) and has_perm(request.user, Perm.UNMASK)
    mark = watermark(request.user, reason)
    handle, count = write_findings(
        _filtered(request).order_by("rule", "region_id", "pk"),
        unmasked=unmasked,
        watermark=mark,
    )
    audit(
        actor=request.user,
        action=Action.EXPORT,
        obj="crosscheck.finding",
        region_code=active_region(request).code,
        note=f"导出比对发现 {count} 条（{'完整号码' if unmasked else '号码已脱敏'}），"
        f"用途：{reason}，条件：{request.GET.urlencode()}",
    )
    name = dated_name("比对发现", "xlsx", active_region(request).name)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


class ConfirmForm(forms.Form):
    person_name = forms.CharField(label="被反映主要对象", max_length=50)
    person_post = forms.CharField(label="职务", max_length=50, required=False)
    person_level = forms.ChoiceField(label="级别", choices=CadreLevel.choices)
    note = forms.CharField(label="核实情况", max_length=200, required=False)
    confirm_new = forms.BooleanField(required=False)
    merge_into = forms.IntegerField(required=False)


class DismissForm(forms.Form):
    reason = forms.CharField(label="不属实的理由", max_length=300)


def _case(request, finding) -> list:
    """The finding's case as this user sees it (same household and renovation year)."""
    return triage.case_of(finding, findings_visible_to(request.user))


def _finding_page(request, finding, **extra):
    household = None
    if finding.household_id and has_perm(request.user, Perm.VIEW_HOUSEHOLDS):
        household = finding.household
    case = _case(request, finding)
    pending = [f for f in case if f.status == FindingStatus.PENDING]
    return render(
        request,
        "crosscheck/finding.html",
        {
            "finding": finding,
            "case": [(f, Rule(f.rule).label) for f in case],
            "pending": [(f, Rule(f.rule).label) for f in pending],
            "reasons": triage.reasons(case),
            "masked": finding.id_number_masked,
            "household": household,
            "can_triage": has_perm(request.user, Perm.TRIAGE_FINDINGS) and bool(pending),
            "confirm_form": extra.pop("confirm_form", None)
            or kept(
                request,
                ConfirmForm,
                initial={
                    "person_name": finding.name,
                    "person_post": "农户",
                    "person_level": "other",
                },
            ),
            "dismiss_form": DismissForm(),
            "levels": CadreLevel.choices,
            **extra,
        },
    )


@staff_view(Perm.VIEW_FINDINGS)
def finding(request, pk: int):
    return _finding_page(request, access_finding(request.user, pk))


@require_POST
@staff_view(Perm.TRIAGE_FINDINGS)
def confirm(request, pk: int):
    item = access_finding(request.user, pk, perm=Perm.TRIAGE_FINDINGS)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("crosscheck:finding", pk=item.pk)
    data = form.cleaned_data
    merge_into = None
    if data["merge_into"]:
        merge_into = clues_visible_to(request.user).filter(pk=data["merge_into"]).first()
        if merge_into is None:
            messages.error(request, "没有找到要并入的线索。")
            return redirect("crosscheck:finding", pk=item.pk)
    case = [f for f in _case(request, item) if f.status == FindingStatus.PENDING]
    try:
        clue, duplicates = triage.confirm(
            actor=request.user,
            finding=item,
            persons=[
                PersonInput(
                    name=data["person_name"], post=data["person_post"], level=data["person_level"]
                )
            ],
            note=data["note"],
            confirm_new=data["confirm_new"],
            merge_into=merge_into,
            case=case,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        keep(request, form, reverse("crosscheck:finding", args=[item.pk]))
        return redirect("crosscheck:finding", pk=item.pk)
    if clue is None:
        return _finding_page(request, item, confirm_form=form, duplicates=duplicates)
    named = f"（{triage.reasons(case)}）" if len(case) > 1 else ""
    messages.success(request, f"已核实为属实，登记为问题线索 {clue.number}{named}。")
    return redirect("crosscheck:finding", pk=item.pk)


@require_POST
@staff_view(Perm.TRIAGE_FINDINGS)
def dismiss(request, pk: int):
    item = access_finding(request.user, pk, perm=Perm.TRIAGE_FINDINGS)
    case = [f for f in _case(request, item) if f.status == FindingStatus.PENDING] or [item]
    # One reason per finding of the case (`reason-<pk>`); a case of one may send `reason`.
    shared = request.POST.get("reason", "") if len(case) == 1 else ""
    reasons = {f: request.POST.get(f"reason-{f.pk}", shared) for f in case}
    try:
        triage.dismiss_case(actor=request.user, reasons=reasons)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "已核实为不属实，理由已记录。")
    return redirect("crosscheck:finding", pk=item.pk)


@staff_view(Perm.VIEW_FINDINGS)
def runs(request):
    page = paginate(request, _in_region(request, runs_visible_to(request.user)))
    return render(
        request,
        "crosscheck/runs.html",
        {"page": page, "can_run": has_perm(request.user, Perm.RUN_CROSSCHECK)},
    )


@require_POST
@staff_view(Perm.RUN_CROSSCHECK)
def run_new(request):
    region = active_region(request)
    if region.level < Level.COUNTY and not has_perm(request.user, Perm.SUPERVISE):
        messages.error(request, "请先切换到具体的区县再比对。")
        return redirect("crosscheck:findings")
    queued = start_run(actor=request.user, region=region)
    tasks.run_check.enqueue(queued.pk)
    return redirect("crosscheck:run", pk=queued.pk)


@staff_view(Perm.VIEW_FINDINGS)
def run(request, pk: int):
    item = access_run(request.user, pk)
    labels = dict(Rule.choices)
    rows = [
        (code, labels.get(code, code), item.counts.get(code, 0), item.timings.get(code))
        for code in item.rules
    ]
    context = {
        "run": item,
        "progress": tasks.progress_of(item),
        "rows": rows,
        "lists": item.lists.order_by("kind", "pk"),
    }
    if request.htmx:
        return render(request, "crosscheck/_run_status.html", context)
    return render(request, "crosscheck/run.html", context)


class ListUploadForm(forms.Form):
    kind = forms.ChoiceField(label="名单类型", choices=Kind.choices)
    as_of = forms.DateField(
        label="数据截至日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    file = forms.FileField(label="名单文件（.xlsx / .xls / .csv）")


@staff_view(Perm.UPLOAD_REFERENCES)
def lists(request):
    region = active_region(request)
    kinds = reference_kinds_for(request.user)
    form = ListUploadForm(request.POST or None, request.FILES or None)
    # A department's data clerk is offered (and may send) only their department's kinds.
    form.fields["kind"].choices = [(k, label) for k, label in Kind.choices if k in kinds]
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", "文件超过 20 MB，请分批上传或用命令行导入。")
        elif not region_visible(request.user, region.code):
            form.add_error(None, "只能上传本人所辖区划的名单。")
        else:
            result = import_reference(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                data=upload.read(),
                file_name=upload.name,
                region=region,
                as_of=form.cleaned_data["as_of"],
            )
            if result.ok:
                messages.success(
                    request,
                    f"已导入{result.reference.get_kind_display()} {result.reference.rows} 行，"
                    "新的比对将使用这份名单。"
                    + (
                        f"档案中没有的 {result.pending} 户已列为待建档农户；"
                        if result.pending
                        else ""
                    )
                    + (f"生成鉴定任务 {result.tasks} 条。" if result.tasks else ""),
                )
                return redirect("crosscheck:lists")
    page = paginate(
        request,
        _in_region(request, reference_lists_visible_to(request.user)).select_related("region"),
    )
    templates = [(k, label, DEPARTMENT[Kind(k)]) for k, label in Kind.choices if k in kinds]
    context = {"form": form, "result": result, "page": page, "templates": templates}
    return render(request, "crosscheck/lists.html", context)


@staff_view(Perm.UPLOAD_REFERENCES)
def list_template(request, kind: str):
    """The blank list of one kind, for a user who may send that kind (404 otherwise)."""
    if kind not in reference_kinds_for(request.user):
        raise Http404("没有该类名单模板。")
    response = HttpResponse(write_list_template(kind), content_type=XLSX)
    name = dated_name(f"{Kind(kind).label}模板", "xlsx")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
