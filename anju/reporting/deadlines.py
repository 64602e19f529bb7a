"""When each report is due, and how late a submission was (dates in Asia/Shanghai)."""

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from anju.reporting.models import ReportKind

# Day of the month each report is due; overridable with settings.ANJU_REPORT_DUE_DAYS.
DEFAULT_DUE_DAYS = {
    ReportKind.ANNEX1: 26,  # seed 000: by the 26th, covering the previous month
    ReportKind.ANNEX2: 26,
    ReportKind.PROGRESS: 23,  # seed 003: by the 23rd, covering the month itself
    ReportKind.CLUE_QUARTERLY: 10,  # seed 003: quarterly; by the 10th after the quarter
}


def due_day(kind: str) -> int:
    overrides = getattr(settings, "ANJU_REPORT_DUE_DAYS", {}) or {}
    return int(overrides.get(kind, DEFAULT_DUE_DAYS[ReportKind(kind)]))


def period_start(kind: str, year: int, month: int) -> date:
    if kind == ReportKind.CLUE_QUARTERLY:
        month = 3 * ((month - 1) // 3) + 1
    return date(year, month, 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def due_date(kind: str, period: date) -> date:
    """The last day on which a report for `period` is on time."""
    if kind == ReportKind.PROGRESS:
        month = period
    elif kind == ReportKind.CLUE_QUARTERLY:
        month = add_months(period, 3)
    else:
        month = add_months(period, 1)
    return month.replace(day=due_day(kind))


def period_label(kind: str, period: date) -> str:
    """A period as people name it: 2026年第3季度 for a quarterly report, 2026年10月 otherwise."""
    if kind == ReportKind.CLUE_QUARTERLY:
        return f"{period.year}年第{(period.month - 1) // 3 + 1}季度"
    return f"{period.year}年{period.month}月"


def days_late(due: date, submitted_at: datetime | None, today: date | None = None) -> int:
    """0 if on time; otherwise the calendar days past the due date (to today if not submitted)."""
    if submitted_at is not None:
        end = timezone.localtime(submitted_at).date()
    else:
        end = today or timezone.localdate()
    return max(0, (end - due).days)


def parse_month(text: str) -> date:
    """'2026-10' as the first of that month; ValueError with a Chinese message otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份应写作 YYYY-MM，例如 2026-10，而不是「{text}」") from None


# The participating units report their quarter's clues to the lead unit within this many working
# days after the quarter, so that the lead unit can consolidate them by the 10th (seed 003).
UNIT_REPORT_WORKING_DAYS = 5


def _working(day: date) -> bool:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet: Monday to Friday
        return day.weekday() < 5


def unit_report_due(quarter: date) -> date:
    """The last day a participating unit's quarterly clue report is on time: the 5th working
    day after the quarter (statutory holidays and make-up days counted)."""
    from datetime import timedelta

    day, left = add_months(quarter, 3) - timedelta(days=1), UNIT_REPORT_WORKING_DAYS
    while left:
        day += timedelta(days=1)
        left -= _working(day)
    return day
