from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju import offline
from anju.accounts.access import (
    Perm,
    active_region,
    public_view,
    scope_to_region,
    staff_view,
)
from anju.actions import form_errors, kept, run, run_form
from anju.cadres import services
from anju.cadres.access import (
    access_assignment,
    access_cadre_household,
    access_observation,
    access_observation_photo,
    assignments_visible_to,
    cadre_households_visible_to,
    cadres_visible_to,
    observations_visible_to,
)
from anju.cadres.models import Observation, ObservationKind, ObservationStatus
from anju.households.access import households_visible_to
from anju.pagination import paginate
from anju.photos import phone_place


class PhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ObservationForm(forms.Form):
    # No default: an untouched form must not file a 仍住危房 report.
    kind = forms.ChoiceField(
        label="发现问题", choices=[("", "——请选择这次走访发现的问题——"), *ObservationKind.choices]
    )
    visited_on = forms.DateField(
        label="走访日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label="情况说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = forms.FileField(
        label="照片",
        required=False,
        widget=PhotoInput(attrs={"accept": "image/jpeg,image/png", "multiple": True}),
    )


class ItemForm(forms.Form):
    owner = forms.CharField(label="责任人", max_length=50)
    deadline = forms.DateField(
        label="整改时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    measure = forms.CharField(label="整改措施", max_length=300, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label="关闭理由", max_length=300)


class AssignForm(forms.Form):
    cadre = forms.IntegerField()
    household = forms.IntegerField()


# The cadre's side: a phone-sized screen ------------------------------------------------------


@staff_view(Perm.CADRE_VISIT)
def mine(request):
    households = cadre_households_visible_to(request.user).select_related("region")
    return render(
        request,
        "cadres/mine.html",
        {"households": households.order_by("region_id", "head_name")},
    )


@staff_view(Perm.CADRE_VISIT)
def household(request, pk: int):
    item = access_cadre_household(request.user, pk)
    mine = Observation.objects.filter(household=item, cadre=request.user)
    return render(
        request,
        "cadres/household.html",
        {
            "household": item,
            "form": kept(request, ObservationForm, initial={"visited_on": timezone.localdate()}),
            "observations": mine[:20],
        },
    )


REFUSED_NOT_ASSIGNED = (
    "该户已不再分配给您（或已迁出），这条报告不能发送。请与乡镇联系；看过后可在手机上删除这条报告。"
)


@require_POST
@staff_view(Perm.CADRE_VISIT)
def observe(request, pk: int):
    if offline.is_queued(request):
        return _observe_queued(request, pk)
    item = access_cadre_household(request.user, pk)
    form = ObservationForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        if request.FILES:
            messages.warning(request, "照片没有保存：改正后请重新选择照片。")
        return redirect("cadres:household", pk=item.pk)
    photos = [f.read() for f in request.FILES.getlist("photos")]
    data = form.cleaned_data
    return run(
        request,
        lambda: services.observation_record(
            actor=request.user,
            household=item,
            kind=data["kind"],
            visited_on=data["visited_on"],
            note=data["note"],
            photos=photos,
            phone=phone_place(request.POST.get("latitude", ""), request.POST.get("longitude", "")),
            key=offline.queue_key(request),
        ),
        "已记录这次走访：未发现问题。"
        if data["kind"] == ObservationKind.NOTHING
        else "已报告乡镇，乡镇将及时处置。",
        "cadres:mine",
    )


def _observe_queued(request, pk: int):
    """A report from the phone's queue, perhaps made offline hours ago and perhaps sent twice
    (its key makes it one report). The server stays the truth: a household no longer assigned
    is refused (409) with a message the phone keeps on screen until the cadre dismisses it."""
    try:
        item = access_cadre_household(request.user, pk)
    except Http404:
        return offline.refused(REFUSED_NOT_ASSIGNED, status=409)
    form = ObservationForm(request.POST)
    if not form.is_valid():
        text = " ".join(e for errors in form.errors.values() for e in errors)
        return offline.refused(f"未能报告：{text}")
    data = form.cleaned_data
    try:
        made = services.observation_record(
            actor=request.user,
            household=item,
            kind=data["kind"],
            visited_on=data["visited_on"],
            note=data["note"],
            photos=[f.read() for f in request.FILES.getlist("photos")],
            phone=phone_place(request.POST.get("latitude", ""), request.POST.get("longitude", "")),
            key=offline.queue_key(request),
        )
    except ValidationError as error:
        return offline.refused("未能报告：" + " ".join(error.messages))
    messages.success(
        request,
        "已记录这次走访：未发现问题。"
        if made.kind == ObservationKind.NOTHING
        else "已报告乡镇，乡镇将及时处置。",
    )
    return offline.saved(id=made.pk, household=item.head_name)


@public_view
def service_worker(request):
    """The cadre pages' service worker (scope /cadres/)."""
    return offline.service_worker()


# The township's side -------------------------------------------------------------------------


@staff_view(Perm.HANDLE_OBSERVATIONS)
def observations(request):
    today = timezone.localdate()
    region = active_region(request)
    rows = scope_to_region(observations_visible_to(request.user), region)
    status = request.GET.get("status", ObservationStatus.NEW)
    if status in ObservationStatus.values:
        rows = rows.filter(status=status)
    rows = rows.select_related("household__region", "cadre").order_by("respond_by", "pk")
    page = paginate(request, rows)
    return render(
        request,
        "cadres/observations.html",
        {
            "page": page,
            "rows": [(o, services.observation_urgency(o, today)) for o in page.object_list],
            "status": status,
            "statuses": ObservationStatus.choices,
            "region": region,
        },
    )


@staff_view(Perm.HANDLE_OBSERVATIONS)
def observation(request, pk: int):
    found = access_observation(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "cadres/observation.html",
        {
            "o": found,
            "urgency": services.observation_urgency(found, today),
            "photos": found.photos.defer("data"),
            "item_form": kept(
                request,
                ItemForm,
                initial={"deadline": today + timedelta(days=30), "owner": request.user.full_name},
            ),
            "close_form": CloseForm(),
        },
    )


@require_POST
@staff_view(Perm.HANDLE_OBSERVATIONS)
def open_item(request, pk: int):
    found = access_observation(request.user, pk)
    return run_form(
        request,
        ItemForm(request.POST),
        lambda d: services.observation_open_item(
            actor=request.user,
            observation=found,
            owner=d["owner"],
            deadline=d["deadline"],
            measure=d["measure"],
        ),
        "已列入本乡镇问题清单。",
        redirect("cadres:observation", pk=found.pk).url,
    )


@require_POST
@staff_view(Perm.HANDLE_OBSERVATIONS)
def close(request, pk: int):
    found = access_observation(request.user, pk)
    return run_form(
        request,
        CloseForm(request.POST),
        lambda d: services.observation_close(
            actor=request.user, observation=found, reason=d["reason"]
        ),
        "走访报告已关闭。",
        redirect("cadres:observation", pk=found.pk).url,
    )


@staff_view(Perm.HANDLE_OBSERVATIONS)
def photo(request, pk: int):
    found = access_observation_photo(request.user, pk)
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_view(Perm.ASSIGN_CADRES)
def assignments(request):
    region = active_region(request)
    cadres = scope_to_region(cadres_visible_to(request.user), region).order_by("username")
    rows = scope_to_region(
        assignments_visible_to(request.user), region, "household__region"
    ).select_related("cadre", "household__region")
    q = " ".join(request.GET.get("q", "").split())[:50]
    found = []
    if q:
        found = (
            scope_to_region(households_visible_to(request.user), region)
            .filter(head_name__contains=q)
            .select_related("region")
            .order_by("region_id", "head_name")[:20]
        )
    return render(
        request,
        "cadres/assignments.html",
        {
            "cadres": list(cadres),
            "page": paginate(request, rows.order_by("cadre__username", "household__head_name")),
            "q": q,
            "found": found,
            "region": region,
        },
    )


@require_POST
@staff_view(Perm.ASSIGN_CADRES)
def assign(request):
    form = AssignForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("cadres:assignments")
    cadre = cadres_visible_to(request.user).filter(pk=form.cleaned_data["cadre"]).first()
    target = households_visible_to(request.user).filter(pk=form.cleaned_data["household"]).first()
    if cadre is None or target is None:
        raise Http404("没有找到该帮扶责任人或农户。")
    return run(
        request,
        lambda: services.assignment_create(actor=request.user, cadre=cadre, household=target),
        f"已将{target.head_name}户分配给{cadre}。",
        "cadres:assignments",
    )


@require_POST
@staff_view(Perm.ASSIGN_CADRES)
def unassign(request, pk: int):
    found = access_assignment(request.user, pk)
    return run(
        request,
        lambda: services.assignment_delete(actor=request.user, assignment=found),
        "已解除帮扶关系。",
        "cadres:assignments",
    )
