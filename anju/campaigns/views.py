"""Campaign pages: the list, one campaign with its progress, the summary document."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
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
)
from anju.actions import form_errors, kept, run_form
from anju.audit.models import Action
from anju.audit.services import audit
from anju.campaigns import services
from anju.campaigns.access import access_campaign, campaigns_visible_to
from anju.campaigns.forms import CampaignForm, PhaseForm, TargetForm
from anju.campaigns.measures import REGISTRY, case_breakdown, task_breakdown
from anju.campaigns.progress import as_of, campaign_progress
from anju.campaigns.summary import base_village_survey, period_figures, summary_docx
from anju.households.access import households_visible_to
from anju.pagination import paginate
from anju.regions.picker import limit_regions

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@staff_view(Perm.VIEW_CAMPAIGNS)
def campaigns(request):
    region = active_region(request)
    rows = scope_to_region(campaigns_visible_to(request.user), region).select_related("region")
    return render(
        request,
        "campaigns/list.html",
        {
            "rows": rows,
            "region": region,
            "form": limit_regions(
                kept(request, CampaignForm, initial={"region_code": region.code}),
                request.user.region,
            ),
            "can_manage": has_perm(request.user, Perm.MANAGE_CAMPAIGNS),
        },
    )


@require_POST
@staff_view(Perm.MANAGE_CAMPAIGNS)
def campaign_new(request):
    form = limit_regions(CampaignForm(request.POST), request.user.region)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("campaigns:campaigns")
    d = form.cleaned_data
    phases, targets = services.seed003_plan(d["start"].year) if d["from_seed"] else ([], [])
    try:
        campaign = services.campaign_create(
            actor=request.user,
            region=access_region(request.user, d["region_code"]),
            name=d["name"],
            start=d["start"],
            end=d["end"],
            lead_unit=d["lead_unit"],
            phases=phases,
            targets=targets,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("campaigns:campaigns")
    messages.success(request, "已建立专项整治。")
    return redirect(campaign)


@staff_view(Perm.VIEW_CAMPAIGNS)
def campaign(request, pk: int):
    item = access_campaign(request.user, pk)
    today = timezone.localdate()
    on = as_of(item, today)
    progress = campaign_progress(item, on)
    return render(
        request,
        "campaigns/campaign.html",
        {
            "campaign": item,
            "phases": item.phases.all(),
            "progress": progress,
            "figures": period_figures(item, on),
            "on": on,
            "not_started": today < item.start,
            "tasks": task_breakdown(item, on),
            "cases": case_breakdown(item, on),
            "base_villages": base_village_survey(item, on),
            "bases": [
                (t.name, REGISTRY[t.measure]) for t in progress.targets if t.measure in REGISTRY
            ],
            "today": today,
            "can_manage": has_perm(request.user, Perm.MANAGE_CAMPAIGNS),
            "phase_form": kept(request, PhaseForm),
            "target_form": kept(request, TargetForm),
        },
    )


@require_POST
@staff_view(Perm.MANAGE_CAMPAIGNS)
def phase_add(request, pk: int):
    item = access_campaign(request.user, pk, perm=Perm.MANAGE_CAMPAIGNS)
    return run_form(
        request,
        PhaseForm(request.POST),
        lambda d: services.phase_add(
            actor=request.user, campaign=item, phase=services.PhaseInput(**d)
        ),
        "已添加阶段。",
        item,
    )


@require_POST
@staff_view(Perm.MANAGE_CAMPAIGNS)
def target_add(request, pk: int):
    item = access_campaign(request.user, pk, perm=Perm.MANAGE_CAMPAIGNS)
    return run_form(
        request,
        TargetForm(request.POST),
        lambda d: services.target_add(
            actor=request.user, campaign=item, target=services.TargetInput(**d)
        ),
        "已添加目标任务。",
        item,
    )


@staff_view(Perm.VIEW_CAMPAIGNS)
def summary(request, pk: int):
    item = access_campaign(request.user, pk)
    data = summary_docx(item, timezone.localdate())
    audit(actor=request.user, action=Action.EXPORT, obj=item, note="专项整治工作总结")
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"campaign-{item.pk}.docx\"; filename*=UTF-8''"
        + quote(f"{item.name}工作总结.docx")
    )
    return response


@staff_view(Perm.VIEW_CAMPAIGNS)
def figure_households(request, pk: int, target: int):
    """The households behind one figure: a target's done or not-done households, of one
    township (or the whole campaign), as of the day the figures are counted to."""
    item = access_campaign(request.user, pk)
    row = item.targets.filter(pk=target).first()
    measure = REGISTRY.get(row.measure) if row else None
    if measure is None:
        raise Http404("没有找到该目标任务。")
    on = min(as_of(item, timezone.localdate()), row.due)
    members, done = measure.sets(campaign=item, on=on)
    township = request.GET.get("township", "")
    which = request.GET.get("which", "todo")
    keys = [
        pk
        for pk, code in members.items()
        if (not township or code[:9] + "000" == township) and ((pk in done) == (which == "done"))
    ]
    rows = (
        households_visible_to(request.user)
        .filter(pk__in=keys)
        .select_related("region")
        .defer("head_id", "account_number")
        .order_by("region_id", "head_name", "pk")
    )
    return render(
        request,
        "campaigns/figure_households.html",
        {
            "campaign": item,
            "target": row,
            "measure": measure,
            "on": on,
            "which": which,
            "township": township,
            "page": paginate(request, rows),
            "count": len(keys),
        },
    )
