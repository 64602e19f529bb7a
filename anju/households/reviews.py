"""Information reviews (信息审核录入, seed 003 (三)): a record per household of who checked its
housing-safety information, when, and what they found; one by one from the household page or for
a village's list at once."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.models import Household, InfoReview, ReviewResult
from anju.regions.models import Level, Region


def _check(reviewed_on: date, result: str, note: str) -> None:
    if reviewed_on > timezone.localdate():
        raise ValidationError("复核日期不能晚于今天。")
    if result not in ReviewResult.values:
        raise ValidationError("请选择复核结果。")
    if result != ReviewResult.CONSISTENT and not note.strip():
        raise ValidationError("复核结果不是“信息一致”时，请在说明中写明不一致或更正的内容。")


def review_record(
    *, actor, household: Household, reviewed_on: date, result: str, note: str = ""
) -> InfoReview:
    require(actor, Perm.EDIT_HOUSEHOLDS)
    _check(reviewed_on, result, note)
    with transaction.atomic():
        review = InfoReview.objects.create(
            household=household,
            reviewed_on=reviewed_on,
            reviewer=actor,
            result=result,
            note=note.strip()[:300],
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=review,
            region_code=household.region_id,
            after={"household": household.pk, "reviewed_on": str(reviewed_on), "result": result},
        )
    return review


def reviews_for_village(
    *,
    actor,
    village: Region,
    household_ids: list[int],
    reviewed_on: date,
    result: str,
    note: str = "",
) -> int:
    """The same review for the chosen households of one village's list; one audit entry."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if village.level != Level.VILLAGE or not region_visible(actor, village.code):
        raise ValidationError("请选择本人所辖的行政村。")
    _check(reviewed_on, result, note)
    chosen = list(
        Household.objects.filter(region=village, pk__in=household_ids).values_list("pk", flat=True)
    )
    if not chosen:
        raise ValidationError("请至少勾选一户。")
    with transaction.atomic():
        InfoReview.objects.bulk_create(
            [
                InfoReview(
                    household_id=pk,
                    reviewed_on=reviewed_on,
                    reviewer=actor,
                    result=result,
                    note=note.strip()[:300],
                )
                for pk in chosen
            ]
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj="households.inforeview",
            region_code=village.code,
            note=f"{village.name}整村信息复核 {len(chosen)} 户",
            after={"households": chosen[:1000], "reviewed_on": str(reviewed_on), "result": result},
        )
    return len(chosen)
