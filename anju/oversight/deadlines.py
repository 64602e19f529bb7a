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
# Besides each stage's own deadline, a clue is overdue whatever its stage once this many
# calendar days have passed since it was received (收到日期); ANJU_CLUE_LIMIT_DAYS overrides.
DEFAULT_LIMIT_DAYS = 90


def limit_days() -> int:
    return int(getattr(settings, "ANJU_CLUE_LIMIT_DAYS", DEFAULT_LIMIT_DAYS) or DEFAULT_LIMIT_DAYS)


def overall_due(received_on: date) -> date:
    """The last day of a clue's overall limit, counted from the day it was received."""
    return received_on + timedelta(days=limit_days())


def effective_due(due_on: date | None, received_on: date) -> date:
    """The earlier of the stage's deadline and the overall limit: what an open clue is late by."""
    overall = overall_due(received_on)
    return min(due_on, overall) if due_on else overall


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


def soon_until(today: date) -> date:
    """The last day that counts as "due soon": three working days from today."""
    return add_days(today, AT_RISK_DAYS, WORKING)


def urgency(due: date | None, today: date) -> str:
    """'overdue', 'at_risk' (due within three working days) or '' (in time, or no deadline)."""
    if due is None:
        return ""
    if today > due:
        return "overdue"
    if due <= soon_until(today):
        return "at_risk"
    return ""


def deadline_definitions() -> list[tuple[str, str]]:
    """The deadline rules as the statistic definitions page states them (with the settings in
    force)."""
    stages = "；".join(
        f"{ClueStatus(status).label} {days} 个{'工作日' if kind == WORKING else '自然日'}"
        for status, (days, kind) in ((s, rule(s)) for s in DEFAULT_DEADLINES)
    )
    return [
        (
            "起算日",
            "线索的办理时限从“收到日期”起算：举报材料上写明的日期，或数据比对发现经核实属实"
            "的日期；不是录入系统的日期。",
        ),
        ("各环节时限", f"{stages}。登记环节自收到日期起算，其后各环节自进入该环节之日起算。"),
        (
            "总时限",
            f"自收到日期起 {limit_days()} 个自然日内应办结销号；超过总时限的未销号线索，"
            "不论处于哪个环节，一律计为“已超期”。",
        ),
        (
            "已超期 / 三个工作日内到期",
            "本环节时限或总时限（取较早者）已过为已超期；较早者在今后三个工作日内（含今天，"
            "按国务院公布的节假日和调休计算）为将到期。已销号、已并入的线索不计。",
        ),
    ]
