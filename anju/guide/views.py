from django.http import Http404
from django.shortcuts import render

from anju.accounts.access import staff_view
from anju.accounts.roles import Role
from anju.guide.content import GUIDES, figure_sections


@staff_view()
def index(request):
    """Every role's guide, the user's own first."""
    mine = request.user.roles
    guides = [GUIDES[r] for r in Role if r in GUIDES]
    own = [g for g in guides if g.role in mine]
    others = [g for g in guides if g.role not in mine]
    return render(request, "guide/index.html", {"own": own, "others": others})


@staff_view()
def role(request, role: str):
    guide = GUIDES.get(role)
    if guide is None:
        raise Http404("没有这个角色的使用说明")
    return render(request, "guide/role.html", {"guide": guide})


@staff_view()
def figures(request):
    """The definition of every figure the screens show, by screen; each has an anchor that the
    screens showing it link to."""
    return render(request, "guide/figures.html", {"sections": figure_sections()})
