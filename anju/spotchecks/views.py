"""Spot-check pages. Thin: access, a form, one service call, a redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    access_region,
    active_region,
    has_perm,
    scope_to_region,
    staff_view,
    unit_bound,
    unit_of,
)
from anju.actions import form_errors, kept, run, run_form
from anju.audit.models import Action
from anju.audit.services import audit
from anju.pagination import paginate
from anju.regions.models import Region
from anju.regions.picker import limit_regions
from anju.spotchecks import exports, queries, services
from anju.spotchecks.access import (
    access_check_photo,
    access_check_result,
    access_sampled_house,
    access_spot_check_plan,
    check_results_visible_to,
)
from anju.spotchecks.forms import AssignForm, FollowUpForm, InspectionForm, PlanForm
from anju.spotchecks.models import CheckItem, PlanStatus, items_for_unit


@staff_view(Perm.VIEW_SPOT_CHECKS)
def plans(request):
    region = active_region(request)
    rows = queries.plans_for(request.user, region)
    return render(
        request,
        "spotchecks/plans.html",
        {
            "page": paginate(request, rows.order_by("-created_at", "-pk")),
            "form": limit_regions(
                kept(
                    request,
                    PlanForm,
                    initial={
                        "region_code": region.code,
                        "share_percent": 5,
                        "items": items_for_unit(unit_of(request.user)),
                    },
                ),
                request.user.region,
            ),
            "unit": unit_of(request.user) if unit_bound(request.user) else None,
            "can_plan": has_perm(request.user, Perm.PLAN_SPOT_CHECKS),
            "region": region,
            "to_inspect": queries.houses_to_inspect(request.user)[:200],
        },
    )


@require_POST
@staff_view(Perm.PLAN_SPOT_CHECKS)
def plan_new(request):
    form = limit_regions(PlanForm(request.POST), request.user.region)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("spotchecks:plans")
    d = form.cleaned_data
    try:
        plan = services.plan_create(
            actor=request.user,
            region=access_region(request.user, d["region_code"]),
            name=d["name"],
            population=d["population"],
            share_percent=d["share_percent"],
            count_per_township=d["count_per_township"],
            weight_findings=d["weight_findings"] or 0,
            weight_clues=d["weight_clues"] or 0,
            seed=d["seed"],
            items=d["items"] or None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("spotchecks:plans")
    messages.success(request, f"已建立抽查，随机种子 {plan.seed}。")
    return redirect(plan)


@staff_view(Perm.VIEW_SPOT_CHECKS)
def plan(request, pk: int):
    item = access_spot_check_plan(request.user, pk)
    houses = item.houses.select_related("household__region", "township", "inspector")
    page = paginate(request, houses.order_by("township_id", "rank"), per_page=100)
    names = dict(Region.objects.filter(code__in=list(item.strata)).values_list("code", "name"))
    strata = [(code, names.get(code, code), s) for code, s in sorted(item.strata.items())]
    can_plan = has_perm(request.user, Perm.PLAN_SPOT_CHECKS)
    users = services.eligible_inspectors(item) if can_plan else []
    return render(
        request,
        "spotchecks/plan.html",
        {
            "plan": item,
            "page": page,
            "houses": page.object_list,
            "strata": strata,
            "can_plan": can_plan,
            "assign": AssignForm(
                users=users,
                initial={"inspectors": [str(u.pk) for u in item.inspectors.all()]},
            ),
            "inspectors": item.inspectors.all(),
        },
    )


@require_POST
@staff_view(Perm.PLAN_SPOT_CHECKS)
def plan_draw(request, pk: int):
    item = access_spot_check_plan(request.user, pk, perm=Perm.PLAN_SPOT_CHECKS)
    return run(
        request,
        lambda: services.plan_draw(actor=request.user, plan=item),
        "已按随机种子抽取农户。",
        item,
    )


@require_POST
@staff_view(Perm.VIEW_SPOT_CHECKS)
def plan_verify(request, pk: int):
    item = access_spot_check_plan(request.user, pk)
    try:
        result = services.plan_verify(item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(item)
    audit(
        actor=request.user,
        action=Action.VIEW,
        obj=item,
        note="核验抽取",
        result="ok" if result.ok else "mismatch",
    )
    if result.ok:
        text = "核验通过：按记录的抽样框和随机种子重新抽取，结果与记录一致。"
        if result.population_changed:
            text += "（抽取后抽样范围内的农户已有变化，不影响本次核验。）"
        messages.success(request, text)
    else:
        messages.error(request, "核验未通过：重新抽取的结果与记录不一致，请报告管理员。")
    return redirect(item)


@require_POST
@staff_view(Perm.PLAN_SPOT_CHECKS)
def plan_assign(request, pk: int):
    item = access_spot_check_plan(request.user, pk, perm=Perm.PLAN_SPOT_CHECKS)
    users = services.eligible_inspectors(item)
    form = AssignForm(request.POST, users=users)
    chosen = {str(u.pk): u for u in users}
    return run_form(
        request,
        form,
        lambda d: services.plan_assign(
            actor=request.user, plan=item, inspectors=[chosen[k] for k in d["inspectors"]]
        ),
        "已分配检查人员。",
        item,
    )


@require_POST
@staff_view(Perm.PLAN_SPOT_CHECKS)
def plan_close(request, pk: int):
    item = access_spot_check_plan(request.user, pk, perm=Perm.PLAN_SPOT_CHECKS)
    return run(
        request, lambda: services.plan_close(actor=request.user, plan=item), "抽查已结束。", item
    )


@staff_view(Perm.VIEW_SPOT_CHECKS)
def house(request, pk: int):
    item = access_sampled_house(request.user, pk)
    results = list(item.results.select_related("problem", "clue"))
    order = {v: i for i, v in enumerate(CheckItem.values)}
    results.sort(key=lambda r: order[r.item])
    can_record = (
        item.inspected_on is None
        and item.plan.status == PlanStatus.DRAWN
        and item.plan.inspectors.filter(pk=request.user.pk).exists()
    )
    return render(
        request,
        "spotchecks/house.html",
        {
            "house": item,
            "results": results,
            "photos": item.photos.defer("data"),
            "form": InspectionForm(
                initial={"inspected_on": timezone.localdate()}, items=item.plan.check_items()
            ),
            "can_record": can_record and has_perm(request.user, Perm.INSPECT),
            "follow_up": FollowUpForm.for_department()
            if unit_bound(request.user)
            else kept(request, FollowUpForm),
            "can_follow_up": has_perm(request.user, Perm.INSPECT),
        },
    )


@require_POST
@staff_view(Perm.INSPECT)
def house_record(request, pk: int):
    item = access_sampled_house(request.user, pk, perm=Perm.INSPECT)
    form = InspectionForm(request.POST, items=item.plan.check_items())
    photos = [f.read() for f in request.FILES.getlist("photos")]
    return run_form(
        request,
        form,
        lambda d: services.inspection_record(
            actor=request.user,
            house=item,
            results=form.results(),
            inspected_on=d["inspected_on"],
            photos=photos,
        ),
        "核查结果已登记。",
        item,
    )


@staff_view(Perm.VIEW_SPOT_CHECKS)
def photo(request, pk: int):
    found = access_check_photo(request.user, pk)
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_view(Perm.INSPECT)
def follow_up(request, pk: int):
    result = access_check_result(request.user, pk)
    return run_form(
        request,
        FollowUpForm(request.POST),
        lambda d: services.result_follow_up(
            actor=request.user,
            result=result,
            kind=d["kind"],
            owner=d["owner"],
            deadline=d["deadline"],
            person_name=d["person_name"],
        ),
        "已转入问题清单或线索台账。",
        result.house,
    )


def _results(request):
    region = active_region(request)
    results = scope_to_region(
        check_results_visible_to(request.user), region, "house__household__region"
    )
    return region, queries.failure_rates(results)


@staff_view(Perm.VIEW_SPOT_CHECKS)
def results(request):
    region, (rows, totals) = _results(request)
    return render(
        request,
        "spotchecks/results.html",
        {"region": region, "rows": rows, "totals": totals, "items": CheckItem.labels},
    )


@staff_view(Perm.VIEW_SPOT_CHECKS)
def results_export(request):
    region, (rows, totals) = _results(request)
    audit(
        actor=request.user, action=Action.EXPORT, obj="spotchecks.results", region_code=region.code
    )
    handle = exports.write_rates(region, rows, totals)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"抽查结果_{region.code}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
