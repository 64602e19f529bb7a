"""办理时限: deadlines per state, in calendar or working days.

Working days follow China's statutory holidays and make-up working days (调休) as published by
the State Council, through the chinese-calendar package; for a year the package does not know
yet, Monday to Friday is assumed. Defaults follow common practice; ANJU_CLUE_DEADLINES overrides
them, e.g. {"verifying": [20, "working"]}.
"""

from datetime import date, timedelta

import chinese_calendar
from django.conf import settings

from anju.oversight.choices import ClueStatus

WORKING, CALENDAR = "working", "calendar"

DEFAULT_DEADLINES: dict[str, tuple[int, str]] = {
    ClueStatus.REGISTERED: (5, WORKING),  # assign to a handling unit
    ClueStatus.ASSIGNED: (5, WORKING),  # start verification
    ClueStatus.VERIFYING: (15, WORKING),  # preliminary verification: 15 working days
    ClueStatus.DISPOSING: (30, CALENDAR),  # e.g. a written inquiry closed within 30 days
    ClueStatus.RECTIFYING: (60, CALENDAR),
    ClueStatus.PENDING_CLOSE: (10, WORKING),  # the reviewer approves or sends it back
}
TRANSFER_REPLY = (15, WORKING)
AT_RISK_DAYS = 3


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year beyond the package's published calendars
        return day.weekday() < 5


def add_days(start: date, days: int, kind: str) -> date:
    """`days` calendar or working days after `start` (the start day itself not counted)."""
    if kind == CALENDAR:
        return start + timedelta(days=days)
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def rule(status: str) -> tuple[int, str] | None:
    overrides = getattr(settings, "ANJU_CLUE_DEADLINES", {}) or {}
    if status in overrides:
        days, kind = overrides[status]
        return int(days), kind
    return DEFAULT_DEADLINES.get(ClueStatus(status))


def due_for(status: str, since: date) -> date | None:
    found = rule(status)
    return add_days(since, *found) if found else None


def urgency(due: date | None, today: date) -> str:
    """'overdue', 'at_risk' (due within three days) or '' (in time, or no deadline)."""
    if due is None:
        return ""
    if today > due:
        return "overdue"
    if (due - today).days <= AT_RISK_DAYS:
        return "at_risk"
    return ""
