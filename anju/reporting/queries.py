"""Reads for the monthly reporting."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Min
from django.utils import timezone

from anju.regions.models import Level, Region
from anju.reporting.annexes import Contact as ContactRow
from anju.reporting.deadlines import (
    add_months,
    days_late,
    due_date,
    period_label,
    period_start,
)
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
    district: Region
    latest: Report | None
    first_submitted: datetime | None
    due: date
    late_days: int

    @property
    def state(self) -> str:
        if self.first_submitted is None:
            return "未报（已逾期）" if self.late_days else "未报"
        return f"迟报 {self.late_days} 天" if self.late_days else "按时报送"

    @property
    def on_time(self) -> bool:
        return self.first_submitted is not None and self.late_days == 0


def board(region: Region, kind: str, period: date, today: date | None = None) -> list[BoardRow]:
    """Every district under `region`: has it submitted this report, on time or how late."""
    today = today or timezone.localdate()
    due = due_date(kind, period)
    districts = list(districts_within(region))
    reports = Report.objects.filter(
        kind=kind, period=period, region__in=[d.code for d in districts]
    )
    first = dict(
        reports.filter(submitted_at__isnull=False)
        .values("region")
        .annotate(first=Min("submitted_at"))
        .values_list("region", "first")
    )
    latest: dict[str, Report] = {}
    for report in reports.order_by("region", "-version"):
        latest.setdefault(report.region_id, report)
    rows = []
    for district in districts:
        submitted = first.get(district.code)
        late = days_late(due, submitted, today) if submitted or today > due else 0
        rows.append(BoardRow(district, latest.get(district.code), submitted, due, late))
    return rows


@dataclass
class Rate:
    district: Region
    expected: int
    reported: int
    on_time: int

    @property
    def reporting_rate(self) -> float:
        return self.reported / self.expected if self.expected else 1.0

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.expected if self.expected else 1.0


def rates(region: Region, kind: str, periods: list[date], today: date | None = None) -> list[Rate]:
    """Reporting rate and on-time rate per district over the periods already due (DHIS2's)."""
    today = today or timezone.localdate()
    due_periods = [p for p in periods if due_date(kind, p) < today]
    result = {d.code: Rate(d, len(due_periods), 0, 0) for d in districts_within(region)}
    firsts = (
        Report.objects.filter(
            kind=kind, period__in=due_periods, region__in=list(result), submitted_at__isnull=False
        )
        .values("region", "period")
        .annotate(first=Min("submitted_at"))
    )
    for row in firsts:
        rate = result[row["region"]]
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
    districts = list(districts_within(region))
    out = []
    for kind, period in wanted:
        due = due_date(kind, period)
        left = (due - today).days
        if left > 3:
            continue
        submitted = set(
            Report.objects.filter(
                kind=kind,
                period=period,
                region__in=[d.code for d in districts],
                status__in=[ReportStatus.SUBMITTED, ReportStatus.SUPERSEDED],
            ).values_list("region", flat=True)
        )
        for district in districts:
            if district.code not in submitted:
                label = f"{district.name} {ReportKind(kind).label}（{period_label(kind, period)}）"
                out.append((label, due, left))
    return out


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
            period__gte=earliest,
            submitted_at__isnull=False,
        )
        .values_list("region", "kind", "period")
        .distinct()
    )
    out = []
    for kind, periods in wanted.items():
        for period in periods:
            missing = [d for d in districts if (d.code, kind, period) not in done]
            if missing:
                out.append((kind, period, due_date(kind, period), missing))
    return out
