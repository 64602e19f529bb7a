"""Reads of the household archive."""

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from anju.households.facts import GRADES, late_payment, listed_contains
from anju.households.models import Household, Renovation
from anju.identity import parse_id
from anju.parameters import payment_days


def household_list(
    households: QuerySet,
    *,
    q: str = "",
    category: str = "",
    grade: str = "",
    year: str = "",
    method: str = "",
    assessed: str = "",
    accepted: str = "",
    payment: str = "",
    base_village: str = "",
    pending: str = "",
    today: date | None = None,
) -> QuerySet:
    """Filtered households; each filter is a condition on the household's row (its name, ID and
    list facts, all in the list's index) or an EXISTS, never a join that multiplies rows."""
    q = q.strip()
    if q:
        resident = parse_id(q)
        if resident is not None:
            households = households.filter(head_id=resident.number)
        else:
            households = households.filter(head_name__contains=q.replace(" ", ""))
    # What the filters ask of assessments, renovations, payments and categories is kept on the
    # household's row (anju.households.facts) and held by the list's index.
    if category:
        households = households.filter(category_codes__contains=listed_contains(category))
    if grade:  # a letter of `grades`; anything else matches nothing, as no assessment has it
        households = (
            households.filter(grades__contains=grade) if grade in GRADES else households.none()
        )
    if year.isdigit():
        households = households.filter(renovation_years__contains=listed_contains(int(year)))
    if method:
        households = households.filter(renovation_methods__contains=listed_contains(method))
    if year.isdigit() and method:
        # Both in one renovation: asked of the renovations, for the households the facts let by.
        households = households.filter(
            Exists(
                Renovation.objects.filter(household=OuterRef("pk"), year=int(year), method=method)
            )
        )
    if assessed == "1":
        households = households.exclude(grades="")
    elif assessed == "0":
        households = households.filter(grades="")
    if accepted == "1":
        households = households.filter(has_accepted=True)
    elif accepted == "0":
        households = households.filter(has_unaccepted=True)
    if payment == "late":
        households = households.filter(late_payment(payment_days(), today or timezone.localdate()))
    if base_village == "1":  # lives in a revolutionary base village (革命基点村)
        households = households.filter(region__is_base_village=True)
    if pending == "1":
        households = households.filter(pending=True)
    return households.select_related("region").order_by("region_id", "head_name", "pk")


def timeline(household: Household) -> list[tuple]:
    """Everything that happened to the household, oldest first: (date, kind, text)."""
    events = []
    for record in household.categories.all():
        events.append(
            (
                record.start,
                "类别",
                f"{record.get_category_display()}（{record.department}认定）"
                + (f"，{record.end} 退出" if record.end else ""),
            )
        )
    for house in household.houses.all():
        for assessment in house.assessments.all():
            events.append(
                (
                    assessment.assessed_on,
                    "鉴定",
                    f"{'新房' if house.is_new else '原房'}鉴定为 {assessment.get_grade_display()}",
                )
            )
    for renovation in household.renovations.all():
        method = renovation.get_method_display() or "改造"
        for day, step in (
            (renovation.approved_on, "审批"),
            (renovation.started_on, "开工"),
            (renovation.completed_on, "竣工"),
            (renovation.accepted_on, "验收"),
        ):
            if day:
                events.append((day, step, f"{renovation.year}年度{method}{step}"))
        for payment in renovation.payments.all():
            events.append((payment.paid_on, "发放", f"补助 {payment.amount_fen / 100:,.2f} 元"))
    for visit in household.visits.all():
        found = "、".join(visit.finding_labels()) or "未发现问题"
        events.append((visit.visited_on, "回访", found))
    for person in household.people.all():
        if person.deceased_on:
            events.append((person.deceased_on, "死亡", f"{person.name} 死亡"))
    return sorted(events, key=lambda e: (e[0] is None, e[0] or 0))
