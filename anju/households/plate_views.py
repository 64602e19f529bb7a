"""Plates by the village: issue for every unplated priority household at once, print them as one
PDF in village and house order, and record hanging for many at once (see plates.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, has_perm, requested_region, scope_to_region, staff_view
from anju.audit.models import Action
from anju.audit.services import audit
from anju.downloads import dated_name
from anju.households import plates, worksheets
from anju.households.access import households_visible_to
from anju.households.models import SafetyPlate
from anju.households.sheet_views import pick_township

MAX_PLATES = 5000  # one PDF; a county's plates are printed township by township


def _scope(request):
    region = requested_region(request)
    if not worksheets.sheet_region_ok(region):
        return region, None
    return region, scope_to_region(households_visible_to(request.user), region)


def _editable_scope(request):
    """A batch write is per township or village; wider regions have no form to post from."""
    region, households = _scope(request)
    if households is None:
        raise PermissionDenied
    return region, households


def not_hung(households) -> list:
    """The plates issued and not yet on the wall, in village and house order."""
    return list(
        SafetyPlate.objects.filter(household__in=households, installed_on__isnull=True)
        .defer("photo")
        .select_related("household", "household__region")
        .order_by("household__region_id", "household__head_name", "household_id", "pk")[:MAX_PLATES]
    )


@staff_view(Perm.VIEW_HOUSEHOLDS)
def plates_batch(request):
    region, households = _scope(request)
    if households is None:
        return pick_township(request, region, "按村制牌、挂牌")
    return _page(request, region, households)


def _page(request, region, households, *, typed=None, status=200):
    typed = typed or {}
    return render(
        request,
        "households/plates_batch.html",
        {
            "region": region,
            "unplated": list(plates.unplated_priority(households).select_related("region")),
            "waiting": not_hung(households),
            "villages": worksheets.villages_of(region),
            "can_edit": has_perm(request.user, Perm.EDIT_HOUSEHOLDS),
            "today": f"{timezone.localdate():%Y-%m-%d}",
            "typed": typed,
            "ticked": {int(p) for p in typed.get("p", []) if str(p).isdigit()},
        },
        status=status,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def plates_issue_batch(request):
    region, households = _editable_scope(request)
    back = f"{reverse('households:plates_batch')}?region={region.code}"
    todo = list(plates.unplated_priority(households).select_related("region"))
    # The button names the count the clerk saw: a list that changed since is shown again first.
    if request.POST.get("expected") != str(len(todo)):
        messages.error(request, "名单已有变化，未制牌：请核对下面的名单后再点“制牌”。")
        return redirect(back)
    try:
        issued = plates.plates_issue_many(actor=request.user, households=todo)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"已为 {len(issued)} 户制牌（牌号 {issued[0].number} 至 {issued[-1].number}），"
            f"请在 {issued[0].deadline:%Y-%m-%d} 前挂牌上墙。",
        )
    return redirect(back)


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def plates_hung_batch(request):
    region, households = _editable_scope(request)
    ids = {int(p) for p in request.POST.getlist("p") if p.isdigit()}
    chosen = [p for p in not_hung(households) if p.pk in ids]
    typed = {
        "installed_on": request.POST.get("installed_on", ""),
        "installer": request.POST.get("installer", ""),
        "p": request.POST.getlist("p"),
    }
    try:
        on = forms.DateField(error_messages={"required": "请填写挂牌日期。"}).clean(
            typed["installed_on"]
        )
        photos = {
            p.pk: request.FILES[f"photo-{p.pk}"].read()
            for p in chosen
            if f"photo-{p.pk}" in request.FILES
        }
        count = plates.plates_hung(
            actor=request.user,
            plates=chosen,
            installed_on=on,
            installer=typed["installer"],
            photos=photos,
        )
    except ValidationError as error:
        messages.error(request, "未保存：" + " ".join(error.messages))
        return _page(request, region, households, typed=typed, status=400)
    messages.success(request, f"已记录 {count} 块牌挂牌上墙（{on:%Y-%m-%d}）。")
    return redirect(f"{reverse('households:plates_batch')}?region={region.code}")


@staff_view(Perm.VIEW_HOUSEHOLDS)
def plates_batch_pdf(request):
    region, households = _scope(request)
    if households is None:
        return pick_township(request, region, "按村制牌、挂牌")
    waiting = not_hung(households)
    if not waiting:
        messages.info(request, "本区划没有待挂牌的安全状况牌。")
        return redirect(f"{reverse('households:plates_batch')}?region={region.code}")
    two = request.GET.get("layout") == "a4"
    audit(
        actor=request.user,
        action=Action.EXPORT,
        region_code=region.code,
        note=f"打印安全状况牌 {len(waiting)} 块" + ("（A4 每页两块）" if two else "（A5）"),
    )
    data = plates.plates_pdf(
        waiting,
        lambda p: request.build_absolute_uri(reverse("portal:plate", args=[p.public_token])),
        two_per_a4=two,
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, dated_name(f"安全状况牌_{region.name}_{len(waiting)}块", "pdf")
    )
    return response
