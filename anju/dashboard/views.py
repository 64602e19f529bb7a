"""总览: the leaders' overview of the active region."""

from django.shortcuts import render
from django.utils import timezone

from anju.accounts.access import Perm, has_perm, requested_region, scope_to_region, staff_view
from anju.campaigns.summary import survey_progress
from anju.dashboard import charts, queries
from anju.oversight.access import clues_visible_to
from anju.regions.models import Level
from anju.regions.queries import children_of
from anju.reporting.deadlines import add_months, period_start
from anju.reporting.models import ReportKind
from anju.reporting.queries import board


@staff_view(Perm.VIEW_DASHBOARD)
def overview(request):
    today = timezone.localdate()
    # The active region, or one below it picked on this page (?region=CODE; 404 outside).
    region = requested_region(request)
    panels = []
    if has_perm(request.user, Perm.VIEW_HOUSEHOLDS):
        panels += queries.household_panels(region, today)
    overdue = []
    if has_perm(request.user, Perm.VIEW_CLUES):
        # Counted by the clue's own region, so each figure equals its filtered clue list.
        clues = scope_to_region(clues_visible_to(request.user), region)
        panels += queries.clue_panels(clues, region, today)
        overdue = queries.overdue_clues(clues, today)
    reporting = None
    if has_perm(request.user, Perm.VIEW_REPORTS):
        last = add_months(today.replace(day=1), -1)
        period = period_start(ReportKind.ANNEX1, last.year, last.month)
        rows = board(region, ReportKind.ANNEX1, period, today)
        reporting = {
            "rows": rows,
            "period": period,
            "on_time": sum(1 for r in rows if r.on_time),
            "submitted": sum(1 for r in rows if r.first_submitted),
        }
    base_villages = []
    if has_perm(request.user, Perm.VIEW_HOUSEHOLDS):
        # Seed 003 (四): this year's survey of the revolutionary base villages, per township.
        base_villages = survey_progress(region, today.replace(month=1, day=1), today)
    charted = [
        (p, charts.bar_chart(p.bars, with_rate=not p.counted), charts.sparkline(p.trend))
        for p in panels
    ]
    return render(
        request,
        "dashboard/overview.html",
        {
            "region": region,
            "today": today,
            "panels": charted,
            "overdue": overdue,
            "reporting": reporting,
            "base_villages": base_villages,
            "child_level": queries.child_level_label(region),
            "drill": list(children_of(region)) if region.level < Level.TOWNSHIP else [],
        },
    )
