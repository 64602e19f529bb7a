from django.contrib.staticfiles import finders
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache

from anju.accounts.access import (
    Perm,
    active_region,
    perms_of,
    public_view,
    scope_to_region,
    staff_view,
)
from anju.assessments.access import tasks_visible_to
from anju.assessments.queries import counts
from anju.cadres.access import observations_visible_to
from anju.oversight.access import clues_visible_to
from anju.oversight.queries import urgency_counts
from anju.regions.models import Level
from anju.regions.queries import children_of, subtree_counts
from anju.reporting.queries import reminders
from anju.workbench.views import render_workbench


@public_view
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: the same icon, not a 404."""
    icon = finders.find("anju/favicon.svg")
    with open(icon, "rb") as fh:
        return HttpResponse(fh.read(), content_type="image/svg+xml")


@public_view
@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def _clue_counts(request, region):
    from django.utils import timezone

    visible = clues_visible_to(request.user)
    if region != request.user.region:
        visible = scope_to_region(visible, region)
    return urgency_counts(visible, timezone.localdate())


def _township_work(request, region, perms) -> dict:
    """For township clerks: open and overdue assessment tasks, new cadres' observations."""
    from django.utils import timezone

    today = timezone.localdate()
    work = {}
    if Perm.MANAGE_TASKS in perms:
        work["task_counts"] = counts(scope_to_region(tasks_visible_to(request.user), region), today)
    if Perm.HANDLE_OBSERVATIONS in perms:
        new = scope_to_region(observations_visible_to(request.user), region).filter(status="new")
        work["observation_counts"] = {
            "new": new.count(),
            "overdue": new.filter(respond_by__lt=today).count(),
        }
    return work


@staff_view()
def home(request):
    perms = perms_of(request.user)
    if Perm.CADRE_VISIT in perms and Perm.VIEW_REGIONS not in perms:
        from django.shortcuts import redirect

        return redirect("cadres:mine")  # the cadre's whole work: their households
    if Perm.VIEW_REGIONS in perms and request.user.region_id:
        return render_workbench(request)  # every business role's home: their own to-do list
    context = {}
    if Perm.VIEW_REGIONS in perms:
        region = active_region(request)
        if region is not None:
            counts = subtree_counts(region)
            context.update(
                region=region,
                children=children_of(region),
                reminders=reminders(region) if Perm.VIEW_REPORTS in perms else [],
                clue_counts=_clue_counts(request, region) if Perm.VIEW_CLUES in perms else None,
                **_township_work(request, region, perms),
                counts=[
                    (Level(level).label, counts.get(level, 0))
                    for level in Level
                    if level > region.level
                ],
            )
    return render(request, "home.html", context)
