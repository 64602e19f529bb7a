"""Pages for making dangerous houses safe: the township's list of renovation cases, opening a
case or a renovation from the household page (or from a visit's finding in one step), relocation
steps, and completing or placing a pending household (待建档)."""

from decimal import Decimal

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    access_region,
    active_region,
    requested_region,
    scope_to_region,
    staff_view,
)
from anju.actions import form_errors, kept, run
from anju.formfields import MoneyField
from anju.households import cases, pending
from anju.households.access import access_household, households_visible_to
from anju.households.choices import Method, Structure
from anju.households.models import CaseKind, OldHouse, RenovationCase
from anju.households.review_views import ReviewForm
from anju.pagination import paginate
from anju.regions.models import Level
from anju.regions.picker import RegionField, limit_regions

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YUAN = {"unit": "元", "max_digits": 12, "required": False}


def _refused(request, form) -> None:
    """The form's errors, each naming its field, as one message; what was typed kept."""
    form_errors(request, form)


class RenovationForm(forms.Form):
    year = forms.IntegerField(label="改造年度", min_value=2000, max_value=2100)
    method = forms.ChoiceField(label="改造方式", choices=Method.choices)
    applied_on = forms.DateField(label="农户申请日期", widget=DATE)
    subsidy_central_fen = MoneyField(label="中央补助（元）", **YUAN)
    subsidy_province_fen = MoneyField(label="省级补助（元）", **YUAN)
    subsidy_city_fen = MoneyField(label="市级补助（元）", **YUAN)
    subsidy_county_fen = MoneyField(label="县级补助（元）", **YUAN)

    def subsidies(self) -> dict[str, int]:
        return {
            field: int((self.cleaned_data[field] or Decimal(0)) * 100) for field, _ in cases.LEVELS
        }


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label="整改类型", choices=CaseKind.choices)
    method = forms.ChoiceField(label="拟改造方式", choices=Method.choices)
    note = forms.CharField(label="说明", max_length=300, required=False)


class RelocationForm(forms.Form):
    step = forms.ChoiceField(
        label="搬迁环节", choices=[(f, label) for f, label, _ in cases.RELOCATION_STEPS]
    )
    on = forms.DateField(label="日期", widget=DATE)
    destination = forms.CharField(label="安置地点", max_length=100, required=False)
    old_house = forms.ChoiceField(
        label="旧房处置", choices=[("", "—"), *OldHouse.choices], required=False
    )


class CompleteForm(forms.Form):
    region_code = RegionField(label="所在行政村")
    head_name = forms.CharField(label="户主姓名", max_length=50)
    size = forms.IntegerField(label="家庭人口", min_value=1, max_value=30)
    structure = forms.ChoiceField(label="房屋结构", choices=Structure.choices)


class PlaceForm(forms.Form):
    region_code = RegionField(label="乡镇或行政村", levels=(Level.TOWNSHIP, Level.VILLAGE))


def case_context(request, household) -> dict:
    """What the household page shows of its cases, and the forms to act on them."""
    today = timezone.localdate()
    rows = []
    for case in household.cases.select_related("renovation").order_by("-opened_on", "-pk"):
        status, late = cases.case_status(case, today)
        rows.append((case, status, late))
    open_case = next((c for c, _, _ in rows if c.closed_on is None), None)
    initial = {"year": today.year, "applied_on": today}
    unnamed = household.pending and household.head_name == pending.UNNAMED_HEAD
    if open_case is not None:
        initial["method"] = open_case.method
    return {
        "cases": rows,
        "open_case": open_case,
        "renovation_form": kept(request, RenovationForm, initial=initial),
        "case_form": kept(request, CaseForm),
        "relocation_form": kept(request, RelocationForm, initial={"on": today}),
        "complete_form": limit_regions(
            kept(
                request,
                CompleteForm,
                initial={
                    "region_code": household.region_id,
                    # A head the list named only by ID: the name is the township's to enter.
                    "head_name": "" if unnamed else household.head_name,
                },
            ),
            request.user.region,
        ),
        "place_form": limit_regions(kept(request, PlaceForm), request.user.region),
        "case_findings": [f.value for f in cases.CASE_FINDINGS],
        "review_form": kept(request, ReviewForm, initial={"reviewed_on": today}),
        "reviews": household.reviews.select_related("reviewer")[:10],
        "levels": cases.LEVELS,
        "unnamed_head": unnamed,
    }


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def renovation_open(request, pk: int):
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    form = RenovationForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect(item)
    d = form.cleaned_data
    return run(
        request,
        lambda: cases.renovation_open(
            actor=request.user,
            household=item,
            year=d["year"],
            method=d["method"],
            subsidies=form.subsidies(),
            applied_on=d["applied_on"],
        ),
        f"已开启{d['year']}年度改造，并记录「农户申请」。下一步：村级评议。",
        item,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def renovation_from_visit(request, pk: int, visit: int):
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    found = item.visits.filter(pk=visit).first()
    if found is None:
        raise Http404("没有找到该次回访。")
    form = RenovationForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect(item)
    d = form.cleaned_data
    return run(
        request,
        lambda: cases.renovation_from_visit(
            actor=request.user,
            visit=found,
            year=d["year"],
            method=d["method"],
            subsidies=form.subsidies(),
            applied_on=d["applied_on"],
        ),
        f"已由回访发现开启{d['year']}年度改造。",
        item,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def case_open(request, pk: int):
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    form = CaseForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect(item)
    d = form.cleaned_data
    return run(
        request,
        lambda: cases.case_open(
            actor=request.user, household=item, kind=d["kind"], method=d["method"], note=d["note"]
        ),
        "已开启危房整改事项。",
        item,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def relocation_step(request, pk: int, case: int):
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    found = item.cases.filter(pk=case).first()
    if found is None:
        raise Http404("没有找到该整改事项。")
    form = RelocationForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect(item)
    d = form.cleaned_data
    return run(
        request,
        lambda: cases.relocation_step(
            actor=request.user,
            case=found,
            step=d["step"],
            on=d["on"],
            destination=d["destination"],
            old_house=d["old_house"],
        ),
        f"已记录「{cases.RELOCATION_LABELS[d['step']]}」。",
        item,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def household_complete(request, pk: int):
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    form = limit_regions(CompleteForm(request.POST), request.user.region)
    if not form.is_valid():
        _refused(request, form)
        return redirect(item)
    d = form.cleaned_data
    return run(
        request,
        lambda: pending.household_complete(
            actor=request.user,
            household=item,
            region=access_region(request.user, d["region_code"]),
            head_name=d["head_name"],
            size=d["size"],
            structure=d["structure"],
        ),
        "已完成建档。下一步：记录房屋危险性鉴定。",
        item,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def household_place(request, pk: int):
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    form = limit_regions(PlaceForm(request.POST), request.user.region)
    if not form.is_valid():
        _refused(request, form)
        return redirect(item)
    return run(
        request,
        lambda: pending.household_place(
            actor=request.user,
            household=item,
            region=access_region(request.user, form.cleaned_data["region_code"]),
        ),
        "已分配乡镇，鉴定任务已转到该乡镇。",
        item,
    )


@staff_view(Perm.VIEW_HOUSEHOLDS)
def case_list(request):
    """The township's list of dangerous houses to make safe, earliest deadline first."""
    today = timezone.localdate()
    region = requested_region(request) or active_region(request)
    visible = households_visible_to(request.user)
    if region != request.user.region:
        visible = scope_to_region(visible, region)
    state = request.GET.get("state", "open")
    rows = RenovationCase.objects.filter(household__in=visible).select_related(
        "household__region", "renovation"
    )
    if state == "open":
        rows = rows.filter(closed_on__isnull=True)
    elif state == "closed":
        rows = rows.filter(closed_on__isnull=False)
    page = paginate(request, rows.order_by("deadline", "pk"))
    page.object_list = [(c, *cases.case_status(c, today)) for c in page.object_list]
    return render(
        request,
        "households/cases.html",
        {"page": page, "region": region, "state": state, "today": today},
    )
