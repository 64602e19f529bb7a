from django.shortcuts import redirect, render

from anju.accounts.access import Perm, access_region, active_region, staff_view
from anju.regions.models import Level, Region
from anju.regions.picker import paths_within
from anju.regions.queries import children_of, subtree_counts


@staff_view(Perm.VIEW_REGIONS)
def browse(request):
    region = active_region(request)
    if region is None:
        return render(request, "regions/no_region.html")
    return redirect(region)


@staff_view(Perm.VIEW_REGIONS)
def detail(request, code: str):
    region = access_region(request.user, code)
    counts = subtree_counts(region)
    root = request.user.region
    ancestors = [r for r in region.ancestors() if root.contains(r.code)]
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "ancestors": ancestors,
            "children": children_of(region),
            "counts": [(Level(lv).label, counts.get(lv, 0)) for lv in Level if lv > region.level],
        },
    )


@staff_view(Perm.VIEW_REGIONS)
def switch(request):
    """Make a region within the user's own the one every page shows (the region picker)."""
    if request.method != "POST":
        return redirect("regions:browse")
    region = access_region(request.user, request.POST.get("code", ""))
    request.session["active_region"] = region.code
    target = request.POST.get("next") or "home"
    from django.utils.http import url_has_allowed_host_and_scheme

    if target != "home" and not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    return redirect(target)


@staff_view(Perm.LOOK_UP_REGIONS)
def tree(request):
    """The administrators' view of the region tree within their own region: browse it a level
    at a time (?at=code), or search it by name or pinyin initials (?q=xqz); names and codes
    only (no business data)."""
    root = request.user.region
    if root is None:
        return render(request, "regions/no_region.html")
    at = root
    wanted = request.GET.get("at", "")
    if wanted and root.contains(wanted):
        at = Region.objects.filter(code=wanted).first() or root
    query = "".join(request.GET.get("q", "").split()).lower()
    found = []
    if query:
        for code, path, initials in paths_within(root, list(Level)):
            words = initials.split()
            flat = path.replace(" / ", "")
            if query in flat or query in "".join(words) or any(w.startswith(query) for w in words):
                found.append((code, path))
            if len(found) >= 200:
                break
    return render(
        request,
        "regions/tree.html",
        {
            "at": at,
            "ancestors": [r for r in at.ancestors() if root.contains(r.code)],
            "children": children_of(at),
            "query": request.GET.get("q", ""),
            "found": found,
        },
    )
