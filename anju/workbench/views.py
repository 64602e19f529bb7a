from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, staff_view
from anju.workbench.items import collect, mark_seen


def render_workbench(request):
    """The home page of every business role: the person's own to-do list."""
    items = collect(request.user)
    return render(
        request,
        "workbench/home.html",
        {
            "items": items,
            "overdue": sum(1 for i in items if i.state == "overdue"),
            "soon": sum(1 for i in items if i.state == "soon"),
            "region": request.user.region,
        },
    )


@require_POST
@staff_view(Perm.VIEW_REGIONS)
def seen(request):
    if mark_seen(user=request.user, key=request.POST.get("key", "")[:120]):
        messages.success(request, "已从待办中移除。")
    else:
        messages.error(request, "待办中没有这一项。")
    return redirect("home")
