"""Reads of the household archive."""

from datetime import date

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from anju.households.choices import Category, Method, Structure
from anju.households.facts import GRADES, late_payment, listed_contains
from anju.households.models import (
    Assessment,
    FollowUpVisit,
    House,
    Household,
    Renovation,
    SafetyPlate,
)
from anju.households.visits import quarter_start, revisited
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
    plate: str = "",
    size: str = "",
    structure: str = "",
    visit: str = "",
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
    if plate in ("0", "1"):
        plated = Exists(SafetyPlate.objects.filter(household=OuterRef("pk")))
        households = households.filter(plated if plate == "1" else ~plated)
    elif plate == "hung":
        households = households.filter(
            Exists(SafetyPlate.objects.filter(household=OuterRef("pk"), installed_on__isnull=False))
        )
    if size.isdigit():  # the family size column: 1-4 exactly, 5 for five and more
        households = (
            households.filter(size__gte=5) if size == "5" else households.filter(size=int(size))
        )
    if structure in Structure.values:  # the old house's structure, as the column shows it
        households = households.filter(
            Exists(
                House.objects.filter(household=OuterRef("pk"), is_new=False, structure=structure)
            )
        )
    if visit in ("done", "due", "never"):
        # The last-visit column: visited this quarter, due and not yet visited, never visited.
        start = quarter_start(today or timezone.localdate())
        visits = FollowUpVisit.objects.filter(household=OuterRef("pk"))
        if visit == "done":
            households = households.filter(Exists(visits.filter(visited_on__gte=start)))
        elif visit == "due":
            households = revisited(households).exclude(Exists(visits.filter(visited_on__gte=start)))
        else:
            households = households.exclude(Exists(visits))
    return households.select_related("region").order_by("region_id", "head_name", "pk")


# The list's sortable columns: those of the household's row (in the list's index), and those
# read from below it, which only a township's or village's list (a few thousand rows) sorts by.
ROW_SORTS = {
    "village": ("region_id", "head_name", "pk"),
    "head": ("head_name", "pk"),
    "size": (F("size").desc(nulls_last=True), "pk"),
}
BELOW_SORTS = {
    "year": (F("latest_year").desc(nulls_last=True), "pk"),
    "visit": (F("last_visit").desc(nulls_last=True), "pk"),
}


def _latest(model, field: str, *order: str, **match):
    return Subquery(
        model.objects.filter(household=OuterRef("pk"), **match).order_by(*order).values(field)[:1]
    )


def with_list_columns(households: QuerySet) -> QuerySet:
    """The list's columns read from below the household, each a correlated subquery on an index
    by household (computed for the page's rows only, as `paginate_by_key` reads the keys
    without them): the old house's structure and latest grade, the latest renovation, the
    latest plate, the last visit."""
    old_house = House.objects.filter(household=OuterRef("pk"), is_new=False).order_by("pk")
    return households.annotate(
        structure=Subquery(old_house.values("structure")[:1]),
        latest_grade=Subquery(
            Assessment.objects.filter(house__household=OuterRef("pk"), house__is_new=False)
            .order_by(F("assessed_on").desc(nulls_last=True), "-pk")
            .values("grade")[:1]
        ),
        latest_year=_latest(Renovation, "year", "-year"),
        latest_renovation=_latest(Renovation, "pk", "-year"),
        plate_number=_latest(SafetyPlate, "number", "-issued_on", "-pk"),
        plate_installed=_latest(SafetyPlate, "installed_on", "-issued_on", "-pk"),
        last_visit=_latest(FollowUpVisit, "visited_on", "-visited_on"),
    )


def sorted_list(households: QuerySet, sort: str, *, small: bool) -> tuple[QuerySet, str]:
    """The list in the asked order (a column below the household only for a small scope);
    returns the order applied."""
    if sort in BELOW_SORTS and small:
        return households.order_by(*BELOW_SORTS[sort]), sort
    if sort in ROW_SORTS:
        return households.order_by(*ROW_SORTS[sort]), sort
    return households, "village"


CATEGORY_LABELS = dict(Category.choices)
STRUCTURE_LABELS = dict(Structure.choices)
METHOD_LABELS = dict(Method.choices)


def renovation_status(r: Renovation) -> str:
    """Where a renovation stands, as the township says it."""
    if r.accepted_on:
        return "已验收"
    if r.completed_on:
        return "已竣工待验收"
    if r.started_on:
        return "在建"
    if r.approved_on:
        return "已审批未开工"
    return "申报中"


def list_rows(households: list[Household]) -> list[Household]:
    """The page's households with what their columns show (one query for the renovations)."""
    renovations = Renovation.objects.in_bulk(
        [h.latest_renovation for h in households if h.latest_renovation]
    )
    for h in households:
        h.category_labels = [
            CATEGORY_LABELS[c]
            for c in h.category_codes.strip(",").split(",")
            if c in CATEGORY_LABELS
        ]
        h.structure_label = STRUCTURE_LABELS.get(h.structure or "", "")
        latest = renovations.get(h.latest_renovation)
        h.renovation = (
            (latest.year, METHOD_LABELS.get(latest.method, ""), renovation_status(latest))
            if latest
            else None
        )
    return households


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
