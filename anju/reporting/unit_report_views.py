"""The participating units' quarterly clue reports: each unit files its own; the lead unit (and
discipline inspection) sees who filed, who is late, and the totals it consolidates into its
quarterly clue report to the discipline commission."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    active_region,
    has_perm,
    scope_to_region,
    staff_view,
    unit_bound,
    unit_of,
    units_visible_to,
)
from anju.accounts.models import UnitKind
from anju.reporting import unit_reports
from anju.reporting.access import access_unit_report, unit_reports_visible_to
from anju.reporting.deadlines import add_months, unit_report_due
from anju.reporting.models import UNIT_REPORT_FIGURES, UnitReportSource


class UnitReportForm(forms.Form):
    q = forms.CharField(widget=forms.HiddenInput)
    found = forms.IntegerField(label=UNIT_REPORT_FIGURES[0][1], min_value=0, required=False)
    transferred = forms.IntegerField(label=UNIT_REPORT_FIGURES[1][1], min_value=0, required=False)
    received = forms.IntegerField(label=UNIT_REPORT_FIGURES[2][1], min_value=0, required=False)
    closed = forms.IntegerField(label=UNIT_REPORT_FIGURES[3][1], min_value=0, required=False)
    accountable = forms.IntegerField(label=UNIT_REPORT_FIGURES[4][1], min_value=0, required=False)
    remarks = forms.CharField(
        label="情况说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label="或上传填好的表格（.xlsx，代替上面各项）", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("file"):
            for name, label in UNIT_REPORT_FIGURES:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, f"{label}：请填写 0 或正整数。")
        return data


def _quarter(text: str | None) -> date:
    """`2026-4` → the quarter's first day; by default the quarter just ended (the one due)."""
    try:
        year, number = (int(x) for x in (text or "").split("-"))
        if 2000 <= year <= 2999 and 1 <= number <= 4:
            return date(year, 3 * number - 2, 1)
    except ValueError:
        pass
    return add_months(unit_reports.quarter_start(timezone.localdate()), -3)


def _key(quarter: date) -> str:
    return f"{quarter.year}-{(quarter.month - 1) // 3 + 1}"


def _context(request, quarter: date, form=None) -> dict:
    user = request.user
    reports = unit_reports_visible_to(user).select_related("unit", "filed_by")
    own = unit_of(user) if has_perm(user, Perm.FILE_UNIT_REPORTS) else None
    mine = reports.filter(unit=own, quarter=quarter).first() if own else None
    if own is not None and form is None:
        initial = {"q": _key(quarter)}
        if mine is not None:
            initial.update({n: getattr(mine, n) for n, _ in UNIT_REPORT_FIGURES})
            initial["remarks"] = mine.remarks
        form = UnitReportForm(initial=initial)
    board, totals = [], dict.fromkeys((n for n, _ in UNIT_REPORT_FIGURES), 0)
    if not unit_bound(user):
        region = active_region(request)
        filed = {r.unit_id: r for r in scope_to_region(reports, region).filter(quarter=quarter)}
        units = scope_to_region(units_visible_to(user), region).exclude(is_lead=True)
        # The discipline commission receives the consolidated report; it files none.
        for unit in units.exclude(kind=UnitKind.DISCIPLINE):
            report = filed.get(unit.pk)
            board.append((unit, report))
            for name in totals:
                totals[name] += getattr(report, name) if report else 0
    today = timezone.localdate()
    return {
        "quarter": quarter,
        "quarter_key": _key(quarter),
        "quarter_label": f"{quarter.year}年第{(quarter.month - 1) // 3 + 1}季度",
        "previous": _key(add_months(quarter, -3)),
        "next": _key(add_months(quarter, 3)) if add_months(quarter, 3) <= today else "",
        "due": unit_report_due(quarter),
        "own": own,
        "mine": mine,
        "form": form,
        "history": reports.filter(unit=own)[:12] if own else [],
        "board": board,
        "filed_count": sum(1 for _, r in board if r),
        "totals": totals,
        "figures": UNIT_REPORT_FIGURES,
        "can_prepare": has_perm(user, Perm.PREPARE_REPORTS),
        "today": today,
    }


@staff_view(Perm.VIEW_UNIT_REPORTS)
def unit_reports_page(request):
    quarter = _quarter(request.GET.get("q"))
    return render(request, "reporting/unit_reports.html", _context(request, quarter))


@require_POST
@staff_view(Perm.FILE_UNIT_REPORTS)
def unit_report_file(request):
    form = UnitReportForm(request.POST, request.FILES)
    quarter = _quarter(request.POST.get("q"))
    if form.is_valid():
        data = form.cleaned_data
        figures = {n: data.get(n) for n, _ in UNIT_REPORT_FIGURES}
        remarks, source = data["remarks"], UnitReportSource.ENTERED
        try:
            if data.get("file"):
                read = unit_reports.read_table(data["file"].read())
                if read.problems:
                    raise ValidationError(read.problems)
                figures, remarks = read.figures, read.remarks or remarks
                source = UnitReportSource.IMPORTED
            report = unit_reports.unit_report_file(
                actor=request.user,
                quarter=quarter,
                figures=figures,
                remarks=remarks,
                source=source,
            )
        except ValidationError as error:
            messages.error(request, "未报送：" + "；".join(error.messages))
        else:
            late = "（已超过报送截止日）" if report.late else ""
            messages.success(request, f"已向牵头单位报送{report.quarter_label}问题线索情况{late}。")
            return redirect(reverse("reporting:unit_reports") + f"?q={_key(quarter)}")
    else:
        messages.error(request, "未报送：请按提示修改标红的项目。")
    return render(
        request, "reporting/unit_reports.html", _context(request, quarter, form), status=400
    )


@staff_view(Perm.VIEW_UNIT_REPORTS)
def unit_report(request, pk: int):
    item = access_unit_report(request.user, pk)
    rows = [(label, getattr(item, name)) for name, label in UNIT_REPORT_FIGURES]
    return render(
        request,
        "reporting/unit_report.html",
        {"report": item, "rows": rows, "quarter_key": _key(item.quarter)},
    )
