from django import forms
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    access_region,
    active_region,
    has_perm,
    scope_to_region,
    staff_view,
)
from anju.actions import ask_export_reason, export_reason, run
from anju.assessments import exports, queries, services
from anju.assessments.access import tasks_visible_to
from anju.assessments.models import TaskStatus
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crosscheck.choices import PRIORITY_KINDS
from anju.downloads import dated_name, watermark
from anju.pagination import paginate
from anju.regions.models import Level

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUSES = [("open", "未完成"), ("overdue", "已逾期"), ("done", "已鉴定"), ("all", "全部")]


class FilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUSES, required=False)
    kind = forms.ChoiceField(choices=[("", "全部名单"), *PRIORITY_KINDS.items()], required=False)
    q = forms.CharField(max_length=50, required=False)


def _filtered(request):
    today = timezone.localdate()
    tasks = scope_to_region(tasks_visible_to(request.user), active_region(request))
    form = FilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "open"
    tasks = queries.by_status(tasks, status, today)
    if data.get("kind"):
        tasks = tasks.filter(kind=data["kind"])
    if data.get("q"):
        tasks = tasks.filter(household__head_name__contains=data["q"])
    return tasks, status, today


@staff_view(Perm.VIEW_TASKS)
def tasks(request):
    rows, status, today = _filtered(request)
    region = active_region(request)
    rows = queries.with_status(rows, today).select_related(
        "region", "household__region", "reference"
    )
    page = paginate(request, rows.order_by("due_on", "pk"))
    return render(
        request,
        "assessments/tasks.html",
        {
            "page": page,
            "form": FilterForm(request.GET or None, initial={"status": status}),
            "status": status,
            "statuses": STATUSES,
            "counts": queries.counts(
                scope_to_region(tasks_visible_to(request.user), region), today
            ),
            "labels": {s.value: s.label for s in TaskStatus},
            "kinds": PRIORITY_KINDS,
            "region": region,
            "can_escalate": region.level == Level.TOWNSHIP
            and has_perm(request.user, Perm.MANAGE_TASKS)
            and has_perm(request.user, Perm.MANAGE_ITEMS),
        },
    )


@staff_view(Perm.VIEW_TASKS)
def export(request):
    reason = export_reason(request)
    if reason is None:
        return ask_export_reason(request, "鉴定任务")
    rows, _status, today = _filtered(request)
    mark = watermark(request.user, reason)
    handle, count = exports.write_tasks(rows.order_by("due_on", "pk"), today=today, watermark=mark)
    audit(
        actor=request.user,
        action=Action.EXPORT,
        obj="assessments.assessmenttask",
        region_code=active_region(request).code,
        note=f"导出鉴定任务 {count} 条（号码已脱敏），用途：{reason}，"
        f"条件：{request.GET.urlencode()}",
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=dated_name("鉴定任务", "xlsx", active_region(request).name),
        content_type=XLSX,
    )


@require_POST
@staff_view(Perm.MANAGE_TASKS)
def escalate(request):
    region = access_region(request.user, request.POST.get("region_code", ""))
    return run(
        request,
        lambda: services.tasks_escalate(actor=request.user, region=region),
        "逾期鉴定任务已列入本乡镇问题清单。",
        "assessments:tasks",
    )
