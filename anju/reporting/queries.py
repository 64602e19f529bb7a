"""Reads for the monthly reporting."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Min
from django.utils import timezone

from anju.regions.models import Level, Region, subtree_bounds
from anju.reporting.annexes import Contact as ContactRow
from anju.reporting.deadlines import (
    add_months,
    days_late,
    due_date,
    period_label,
    period_start,
)
from anju.reporting.duties import Reporter, owing, reporters_of
from anju.reporting.models import Contact, ContactRole, Report, ReportKind, ReportStatus


def districts_within(region: Region):
    """The districts (county level) at or under `region`."""
    if region.level == Level.COUNTY:
        return Region.objects.filter(code=region.code)
    return Region.objects.within(region).filter(level=Level.COUNTY).order_by("code")


def contact_table(
    region: Region, contacts
) -> list[tuple[Region, list[tuple[str, Contact | None]]]]:
    """Each district under `region` with its four contact slots (None where not yet named)."""
    by_key = {(c.region_id, c.role): c for c in contacts}
    return [
        (district, [(role, by_key.get((district.code, role.value))) for role in ContactRole])
        for district in districts_within(region)
    ]


def annex3_rows(region: Region, contacts) -> list[ContactRow]:
    rows = []
    for district, slots in contact_table(region, contacts):
        for role, contact in slots:
            if contact is not None:
                rows.append(
                    ContactRow(
                        district.name, contact.name, contact.unit_post or role.label, contact.mobile
                    )
                )
    return rows


# The city's board ---------------------------------------------------------------------------


@dataclass
class BoardRow:
    reporter: Reporter
    latest: Report | None
    first_submitted: datetime | None
    due: date
    late_days: int

    @property
    def name(self) -> str:
        return self.reporter.name

    @property
    def state(self) -> str:
        if self.first_submitted is None:
            return "未报（已逾期）" if self.late_days else "未报"
        return f"迟报 {self.late_days} 天" if self.late_days else "按时报送"

    @property
    def on_time(self) -> bool:
        return self.first_submitted is not None and self.late_days == 0


def _in(reports, region: Region):
    """Reports filed within `region`'s subtree (by districts, townships or units)."""
    return reports.filter(region__code__range=subtree_bounds(region.code))


def board(region: Region, kind: str, period: date, today: date | None = None) -> list[BoardRow]:
    """Every district, township or unit under `region` that owes this report (its duty): has it
    submitted it, on time or how late."""
    today = today or timezone.localdate()
    due = due_date(kind, period)
    reporters = reporters_of(kind, region)
    reports = _in(Report.objects.filter(kind=kind, period=period), region)
    first = {
        (row["region"], row["unit"]): row["first"]
        for row in reports.filter(submitted_at__isnull=False)
        .values("region", "unit")
        .annotate(first=Min("submitted_at"))
    }
    latest: dict[tuple, Report] = {}
    for report in reports.order_by("region", "unit", "-version"):
        latest.setdefault((report.region_id, report.unit_id), report)
    rows = []
    for reporter in reporters:
        submitted = first.get(reporter.key)
        late = days_late(due, submitted, today) if submitted or today > due else 0
        rows.append(BoardRow(reporter, latest.get(reporter.key), submitted, due, late))
    return rows


@dataclass
class Rate:
    reporter: Reporter
    expected: int
    reported: int
    on_time: int

    @property
    def name(self) -> str:
        return self.reporter.name

    @property
    def reporting_rate(self) -> float:
        return self.reported / self.expected if self.expected else 1.0

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.expected if self.expected else 1.0


def rates(region: Region, kind: str, periods: list[date], today: date | None = None) -> list[Rate]:
    """Reporting rate and on-time rate per reporter over the periods already due (DHIS2's)."""
    today = today or timezone.localdate()
    due_periods = [p for p in periods if due_date(kind, p) < today]
    result = {r.key: Rate(r, len(due_periods), 0, 0) for r in reporters_of(kind, region)}
    firsts = (
        _in(Report.objects.filter(kind=kind, period__in=due_periods), region)
        .filter(submitted_at__isnull=False)
        .values("region", "unit", "period")
        .annotate(first=Min("submitted_at"))
    )
    for row in firsts:
        rate = result.get((row["region"], row["unit"]))
        if rate is None:  # filed under an earlier duty
            continue
        rate.reported += 1
        if days_late(due_date(kind, row["period"]), row["first"]) == 0:
            rate.on_time += 1
    return list(result.values())


def reminders(region: Region, today: date | None = None) -> list[tuple[str, date, int]]:
    """Reports of `region`'s districts due within three days or overdue and not yet submitted:
    (label, due date, days left; negative when overdue)."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    this_quarter = period_start(ReportKind.CLUE_QUARTERLY, today.year, today.month)
    wanted = [
        (ReportKind.ANNEX1, add_months(this_month, -1)),
        (ReportKind.ANNEX2, add_months(this_month, -1)),
        (ReportKind.PROGRESS, this_month),
        (ReportKind.CLUE_QUARTERLY, add_months(this_quarter, -3)),
    ]
    out = []
    for kind, period in wanted:
        due = due_date(kind, period)
        left = (due - today).days
        if left > 3:
            continue
        submitted = set(
            _in(Report.objects.filter(kind=kind, period=period), region)
            .filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.SUPERSEDED])
            .values_list("region", "unit")
        )
        for reporter in reporters_of(kind, region):
            # The region's own reports, and those sent to it (not those its townships send to
            # their county, on the city's page).
            own = reporter.key == (region.code, None)
            if (own or reporter.receiving == region.code) and reporter.key not in submitted:
                label = f"{reporter.name} {ReportKind(kind).label}（{period_label(kind, period)}）"
                out.append((label, due, left))
    return out


def preparer_phone(report: Report) -> str:
    """A phone number to offer for the footer's 联系电话: the preparer's own Annex 3 contact
    entry if they are one of the district's contacts, else what this district wrote last time."""
    name = str(report.prepared_by)
    for contact in Contact.objects.filter(region_id=report.region_id):
        if contact.name == name:
            return contact.mobile
    last = (
        Report.objects.filter(region_id=report.region_id, submitted_at__isnull=False)
        .exclude(footer={})
        .order_by("-submitted_at")
        .first()
    )
    return (last.footer.get("联系电话", "") if last else "") or ""


def due_periods(kind: str, since: date, until: date) -> list[date]:
    """Every period of `kind` from the one containing `since` whose due date is on or before
    `until`, oldest first."""
    step = 3 if kind == ReportKind.CLUE_QUARTERLY else 1
    period = period_start(kind, since.year, since.month)
    out = []
    while due_date(kind, period) <= until:
        out.append(period)
        period = add_months(period, step)
    return out


def unreported(
    districts: list[Region], since: date, until: date
) -> list[tuple[str, date, date, list[Region]]]:
    """For every report kind and period due by `until` (from `since` on): the districts that
    have never submitted it, as (kind, period, due date, districts); any period, not only the
    current one. One query."""
    wanted = {kind: due_periods(kind, since, until) for kind in ReportKind.values}
    earliest = min((p[0] for p in wanted.values() if p), default=None)
    if earliest is None or not districts:
        return []
    done = set(
        Report.objects.filter(
            region__in=[d.code for d in districts],
            unit__isnull=True,
            period__gte=earliest,
            submitted_at__isnull=False,
        )
        .values_list("region", "kind", "period")
        .distinct()
    )
    out = []
    for kind, periods in wanted.items():
        owe = owing(kind, districts)
        for period in periods:
            missing = [d for d in owe if (d.code, kind, period) not in done]
            if missing:
                out.append((kind, period, due_date(kind, period), missing))
    return out


def unreported_to(region: Region, since: date, until: date) -> list[tuple[str, date, date, list]]:
    """For every report kind and period due by `until`: the townships, districts or units that
    report to `region`'s office (their duty's receiving region) and have never submitted it, as
    (kind, period, due date, reporters). A county's housing bureau sees its townships' and units'
    progress reports here."""
    wanted = {kind: due_periods(kind, since, until) for kind in ReportKind.values}
    owing_here = {
        kind: [r for r in reporters_of(kind, region) if r.receiving == region.code]
        for kind in wanted
    }
    earliest = min((p[0] for k, p in wanted.items() if p and owing_here[k]), default=None)
    if earliest is None:
        return []
    done = set(
        _in(Report.objects.filter(period__gte=earliest, submitted_at__isnull=False), region)
        .values_list("region", "unit", "kind", "period")
        .distinct()
    )
    out = []
    for kind, periods in wanted.items():
        for period in periods:
            missing = [r for r in owing_here[kind] if (*r.key, kind, period) not in done]
            if missing:
                out.append((kind, period, due_date(kind, period), missing))
    return out
