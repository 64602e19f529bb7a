from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from anju.accounts.access import Perm, active_region, perms_of, public_view, staff_view
from anju.regions.models import Level
from anju.regions.queries import children_of, subtree_counts
from anju.reporting.queries import reminders


@public_view
@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def _clue_counts(request, region):
    from django.utils import timezone

    from anju.accounts.access import clues_visible_to, scope_to_region
    from anju.oversight.queries import urgency_counts

    visible = clues_visible_to(request.user)
    if region != request.user.region:
        visible = scope_to_region(visible, region)
    return urgency_counts(visible, timezone.localdate())


@staff_view()
def home(request):
    perms = perms_of(request.user)
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
                counts=[
                    (Level(level).label, counts.get(level, 0))
                    for level in Level
                    if level > region.level
                ],
            )
    return render(request, "home.html", context)
