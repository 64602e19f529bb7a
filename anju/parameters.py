"""The business parameters the rules, the registry's lists and the overview share (payment
within 30 days, visits every quarter, ...): defaults from the documents that fix them, any of them
overridden by settings.ANJU_CROSSCHECK. Read at call time, never at import."""

from django.conf import settings

# Parameters (settings.ANJU_CROSSCHECK overrides any of them).
DEFAULTS = {
    # 财社〔2022〕42号: subsidies paid within 30 days of acceptance.
    "payment_days": 30,
    # A completed renovation is accepted within this many days.
    "acceptance_days": 30,
    # Seed 003: a new poor household is assessed within one month of its list arriving.
    "assessment_window_months": 1,
    # Seed 003 (一经鉴定为危房，即行整改): a grade C/D house of a priority household is to have
    # its renovation begun (applied for) within this many days of the assessment
    # (NOT_RENOVATED; the renovation case's start_by).
    "not_renovated_days": 30,
    # Seed 003: earth, earth-timber and brick-timber houses revisited every quarter.
    "visit_interval_days": 92,
    # The national built-area standard: 1-3 persons at least 20/30/40 m², at most 60 m²; more
    # than 3 persons 13-18 m² a person.
    "area_standard": {"1": [20, 60], "2": [30, 60], "3": [40, 60], "per_person": [13, 18]},
    # Townships whose problem-list items, once closed, wait for a second person's review
    # (待复核) before they count as done: region codes or their leading digits (a county's six
    # for all its townships), "*" for every township; none by default.
    "item_close_review": [],
}


def item_close_review(township_code: str) -> bool:
    """Whether the township's problem list asks for a second person's review of a close-out."""
    wanted = parameters()["item_close_review"]
    if wanted == "*" or "*" in wanted:
        return True
    return any(township_code.startswith(str(code).rstrip("0") or "-") for code in wanted)


def parameters() -> dict:
    return {**DEFAULTS, **getattr(settings, "ANJU_CROSSCHECK", {})}


def payment_days() -> int:
    return int(parameters()["payment_days"])
