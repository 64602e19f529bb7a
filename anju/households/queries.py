"""Reads of the household archive."""

from datetime import date, timedelta

from django.db.models import DateField, Exists, Func, OuterRef, Q, QuerySet

from anju.households.ids import parse_id
from anju.households.models import Assessment, CategoryRecord, Household, Payment, Renovation


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
    today: date | None = None,
) -> QuerySet:
    """Filtered households; each filter is an indexed lookup or an EXISTS, never a join that
    multiplies rows."""
    q = q.strip()
    if q:
        resident = parse_id(q)
        if resident is not None:
            households = households.filter(head_id=resident.number)
        else:
            households = households.filter(head_name__contains=q.replace(" ", ""))
    if category:
        households = households.filter(
            Exists(CategoryRecord.objects.filter(household=OuterRef("pk"), category=category))
        )
    if grade:
        households = households.filter(
            Exists(Assessment.objects.filter(house__household=OuterRef("pk"), grade=grade))
        )
    if year.isdigit() or method:
        renovations = Renovation.objects.filter(household=OuterRef("pk"))
        if year.isdigit():
            renovations = renovations.filter(year=int(year))
        if method:
            renovations = renovations.filter(method=method)
        households = households.filter(Exists(renovations))
    if assessed in ("0", "1"):
        has = Exists(Assessment.objects.filter(house__household=OuterRef("pk")))
        households = households.filter(has) if assessed == "1" else households.exclude(has)
    if accepted in ("0", "1"):
        done = accepted == "1"
        households = households.filter(
            Exists(
                Renovation.objects.filter(household=OuterRef("pk"), accepted_on__isnull=not done)
            )
        )
    if payment == "late":
        households = households.filter(Exists(late_renovations(today)))
    return households.select_related("region").order_by("region_id", "head_name", "pk")


def late_renovations(today: date | None) -> QuerySet:
    """The household's renovations paid late or not at all (the cross-check's PAYMENT_LATE):
    accepted with a subsidy, first paid more than the payment days after acceptance, or unpaid
    once those days have passed.

    Asked as: no payment by the deadline, and either the deadline has passed or a payment came
    after it (the same renovations as comparing the first payment with the deadline). Both are
    index probes on (renovation, paid_on), and the deadline is date arithmetic the database does
    itself (`PlusDays`), not a call back into Python per renovation."""
    from django.utils import timezone

    from anju.crosscheck.rules import parameters

    days = int(parameters()["payment_days"])
    today = today or timezone.localdate()
    deadline = PlusDays(OuterRef("accepted_on"), days)
    payments = Payment.objects.filter(renovation=OuterRef("pk"))
    return (
        Renovation.objects.filter(
            household=OuterRef(OuterRef("pk")), accepted_on__isnull=False, subsidy_fen__gt=0
        )
        .filter(~Exists(payments.filter(paid_on__lte=deadline)))
        .filter(Q(accepted_on__lt=today - timedelta(days=days)) | Exists(payments))
    )


class PlusDays(Func):
    """`expression` (a date) plus a whole number of days, computed in SQL: SQLite's
    date(x, '+N days'), PostgreSQL's date + integer. (A DateField plus a timedelta is, on
    SQLite, a Python function Django registers and calls once per row.)"""

    output_field = DateField()

    def __init__(self, expression, days: int):
        super().__init__(expression)
        self.days = int(days)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, %s)", [*params, f"{self.days:+d} days"]

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} + %s::integer)", [*params, self.days]


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
