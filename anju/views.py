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
                counts=[
                    (Level(level).label, counts.get(level, 0))
                    for level in Level
                    if level > region.level
                ],
            )
    return render(request, "home.html", context)
