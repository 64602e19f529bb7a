"""One household, one record: the merge screen (a household entered twice), and the household
page's requests to withdraw one created by mistake, to undo a merge, to bring a withdrawn one
back. Each is proposed here and decided by a second person on 变更审核 (anju.households.merges)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, staff_view
from anju.actions import errors_onto, kept, run_form
from anju.households import merges
from anju.households.access import access_household, households_visible_to
from anju.households.models import Household, HouseholdMerge, HouseholdState

TEXTAREA = forms.Textarea(attrs={"rows": 2, "maxlength": 300})


class MergeForm(forms.Form):
    other = forms.TypedChoiceField(label="重复的另一户", coerce=int, widget=forms.RadioSelect)
    keep = forms.ChoiceField(
        label="保留哪一户",
        widget=forms.RadioSelect,
        choices=[("this", "保留本户"), ("other", "保留另一户")],
    )
    reason = forms.CharField(label="合并理由", max_length=300, widget=TEXTAREA)
    confirm = forms.BooleanField(
        label="我已核对：两户是同一户",
        error_messages={"required": "请核对后勾选（合并前须确认两户是同一户）。"},
    )

    def __init__(self, *args, candidates: list[Household], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [(h.pk, merges.label(h)) for h in candidates]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="申请理由", max_length=300, widget=TEXTAREA)


class WithdrawForm(ReasonForm):
    confirm = forms.BooleanField(
        label="我确认该户是误建的",
        help_text="撤销后它不再出现在名单、统计和数据比对中；经另一人审核同意后生效，"
        "可以再申请恢复。",
        error_messages={"required": "请核对后勾选（撤销前须确认该户是误建的）。"},
    )


def _facts(household: Household) -> dict:
    """What the merge screen compares, side by side."""
    return {
        "household": household,
        "people": household.people.count(),
        "categories": "、".join(
            sorted({c.get_category_display() for c in household.categories.all()})
        ),
        "years": "、".join(str(r.year) for r in household.renovations.all()) or "—",
        "attached": merges.attached(household),
    }


def _candidates(request, household: Household) -> list[Household]:
    """Households of the same township the user may see that may be the same one: the same
    head's name, the one named by ?with= (from an import's duplicate warning), or the name
    searched for."""
    township = household.region_id[: merges.TOWNSHIP_DIGITS]
    same = (
        households_visible_to(request.user)
        .filter(region__code__range=(township + "000", township + "999"))
        .exclude(pk=household.pk)
        .select_related("region")
    )
    name = " ".join(request.GET.get("name", "").split())[:50]
    wanted = {household.head_name, name} - {""}
    found = list(same.filter(head_name__in=wanted).order_by("region_id", "pk")[:20])
    named = request.GET.get("with", "")
    if named.isdigit() and all(h.pk != int(named) for h in found):
        found = list(same.filter(pk=int(named))) + found
    return found


@staff_view(Perm.EDIT_HOUSEHOLDS)
def merge(request, pk: int):
    """Choose the household this one duplicates and which of the two to keep; the request goes
    to a reviewer."""
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS)
    candidates = _candidates(request, item)
    if request.method == "POST":
        form = MergeForm(request.POST, candidates=candidates)
        if form.is_valid():
            d = form.cleaned_data
            other = next(h for h in candidates if h.pk == d["other"])
            gone, kept = (other, item) if d["keep"] == "this" else (item, other)
            try:
                merges.merge_propose(actor=request.user, gone=gone, kept=kept, reason=d["reason"])
            except ValidationError as error:
                errors_onto(form, error)
            else:
                messages.success(
                    request,
                    f"合并申请已提交：{merges.label(gone)} 并入 {merges.label(kept)}。"
                    "须由另一人在“变更审核”中同意后生效。",
                )
                return redirect(kept)
    else:
        initial = {"other": candidates[0].pk} if len(candidates) == 1 else {}
        form = MergeForm(candidates=candidates, initial=initial)
    return render(
        request,
        "households/merge.html",
        {
            "household": item,
            "form": form,
            "this": _facts(item),
            "others": [_facts(h) for h in candidates],
            "name": request.GET.get("name", ""),
        },
    )


def _request(request, pk: int, form_class, propose, success: str, *, retired: bool):
    item = access_household(request.user, pk, perm=Perm.EDIT_HOUSEHOLDS, retired=retired)
    return run_form(
        request,
        form_class(request.POST),
        lambda d: propose(actor=request.user, household=item, reason=d["reason"]),
        success,
        item,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def withdraw(request, pk: int):
    return _request(
        request,
        pk,
        WithdrawForm,
        merges.withdraw_propose,
        "撤销申请已提交，须由另一人在“变更审核”中同意后生效。",
        retired=False,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def unmerge(request, pk: int):
    return _request(
        request,
        pk,
        ReasonForm,
        lambda *, actor, household, reason: merges.unmerge_propose(
            actor=actor, gone=household, reason=reason
        ),
        "撤销合并的申请已提交，须由另一人在“变更审核”中同意后生效。",
        retired=True,
    )


@require_POST
@staff_view(Perm.EDIT_HOUSEHOLDS)
def restore(request, pk: int):
    return _request(
        request,
        pk,
        ReasonForm,
        merges.restore_propose,
        "恢复申请已提交，须由另一人在“变更审核”中同意后生效。",
        retired=True,
    )


def household_context(request, household: Household) -> dict:
    """The household page's part: its state, its former IDs, and the forms above."""
    return {
        "retired": household.state != HouseholdState.ACTIVE,
        "merge_record": HouseholdMerge.objects.filter(gone=household, undone_at__isnull=True)
        .select_related("kept__region", "request__decided_by")
        .first(),
        "former": list(
            Household.everything.filter(merged_into=household, state=HouseholdState.MERGED)
            .select_related("region")
            .order_by("pk")
        ),
        "withdraw_form": kept(request, WithdrawForm),
        "reason_form": kept(request, ReasonForm),
    }
