from datetime import datetime, time

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from anju.accounts.access import (
    Perm,
    access_audit_entry,
    audit_entries_visible_to,
    perm_label,
    staff_view,
)
from anju.audit.models import Action
from anju.audit.readable import actor_name, changes_of, kind_of
from anju.pagination import paginate


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.ChoiceField(
        label="操作", required=False, choices=[("", "全部"), *Action.choices]
    )
    since = forms.DateField(
        label="起始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@require_safe
@staff_view(Perm.VIEW_AUDIT)
def entries(request):
    form = AuditFilterForm(request.GET or None)
    items = audit_entries_visible_to(request.user).order_by("-seq")
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            items = items.filter(actor_username__icontains=data["actor"])
        if data["action"]:
            items = items.filter(action=data["action"])
        if data["since"]:
            items = items.filter(at__gte=_day_start(data["since"]))
        if data["until"]:
            items = items.filter(at__lt=_day_start(data["until"]) + timezone.timedelta(days=1))
    page = paginate(request, items)
    for e in page.object_list:
        # The person's name beside the account; a refusal names the right in words.
        e.actor_text = actor_name(e)
        e.object_text = (
            f"无权限：{perm_label(e.object_type)}"
            if e.action == Action.DENIED and perm_label(e.object_type) != e.object_type
            else (e.object_repr or kind_of(e.object_type))
        )
    return render(request, "audit/list.html", {"page": page, "form": form})


@require_safe
@staff_view(Perm.VIEW_AUDIT)
def entry(request, pk: int):
    item = access_audit_entry(request.user, pk)
    data = item.changes if isinstance(item.changes, dict) else {}
    return render(
        request,
        "audit/detail.html",
        {
            "entry": item,
            "kind": f"无权限：{perm_label(item.object_type)}"
            if item.action == Action.DENIED and perm_label(item.object_type) != item.object_type
            else kind_of(item.object_type),
            "actor": actor_name(item),
            "changes": changes_of(item),
            "note": data.get("note", ""),
            "has_before": isinstance(data.get("before"), dict),
            "has_after": isinstance(data.get("after"), dict),
        },
    )
