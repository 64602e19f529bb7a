"""Information reviews (复核): one household from its page, or a village's list at once."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    has_perm,
    requested_region,
    staff_view,
)
from anju.actions import form_errors, run
from anju.households import reviews
from anju.households.access import access_household, households_visible_to
from anju.households.models import InfoReview, ReviewResult
from anju.regions.models import Level

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="复核日期", widget=DATE)
    result = forms.ChoiceField(label="复核结果", choices=ReviewResult.choices)
    note = forms.CharField(label="说明", max_length=300, required=False)


def _refused(request, form) -> None:
    """The errors, each naming its field; what was typed kept for the household page."""
    form_errors(request, form)


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def review_add(request, pk: int):
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect(item)
    d = form.cleaned_data
    return run(
        request,
        lambda: reviews.review_record(actor=request.user, household=item, **d),
        "信息复核已记录。",
        item,
    )


@staff_view(Perm.VIEW_HOUSEHOLDS)
def village_reviews(request):
    """A village's households with their last review; the checked ones reviewed at once."""
    region = requested_region(request)
    if region.level != Level.VILLAGE:
        return render(request, "households/reviews.html", {"region": region, "village": False})
    households = list(
        households_visible_to(request.user)
        .filter(region=region)
        .defer("head_id", "account_number")
        .order_by("head_name", "pk")
    )
    last = {}
    for review in InfoReview.objects.filter(household__in=households).order_by("reviewed_on"):
        last[review.household_id] = review
    form = ReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST":
        if not has_perm(request.user, Perm.EDIT_HOUSEHOLDS):
            raise PermissionDenied
        if form.is_valid():
            chosen = [int(v) for v in request.POST.getlist("household") if v.isdigit()]
            d = form.cleaned_data
            return run(
                request,
                lambda: reviews.reviews_for_village(
                    actor=request.user, village=region, household_ids=chosen, **d
                ),
                f"已记录 {len(chosen)} 户的信息复核。",
                f"{request.path}?region={region.code}",
            )
        _refused(request, form)
    return render(
        request,
        "households/reviews.html",
        {
            "region": region,
            "village": True,
            "rows": [(h, last.get(h.pk)) for h in households],
            "form": form,
            "can_edit": has_perm(request.user, Perm.EDIT_HOUSEHOLDS),
        },
    )
