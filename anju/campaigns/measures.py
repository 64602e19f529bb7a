"""The registry of measures a campaign target can use, each computed from the archive per
township. A measure returns, for every township, (numerator, denominator) as of a date.

口径 (also in docs/campaign.md):
- 贫困户: a household with a category recognition (any of CATEGORY) in force on the date
  (start ≤ date, and no end or end after the date).
- new_poor_assessed 动态新增贫困户完成住房安全鉴定: households first recognised on or after the
  campaign's 新增对象起算日期 and by the date; done when an assessment is dated on or after that
  first recognition and by the date.
- poor_assessed 贫困户完成住房安全性评定: 贫困户 with any assessment dated by the date.
- poor_plated 贫困户安全状况牌挂牌上墙: 贫困户 with a plate installed by the date.
- info_reviewed 贫困户住房安全信息审核: 贫困户 whose record was reviewed between the campaign start
  and the date: a follow-up visit, or a change request decided, in that period.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Min, Q

from anju.households.models import (
    Assessment,
    CategoryRecord,
    ChangeRequest,
    FollowUpVisit,
    SafetyPlate,
)
from anju.regions.models import subtree_bounds

Counts = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    basis: str  # 口径, shown beside the figure
    compute: Callable[..., Counts]


REGISTRY: dict[str, Measure] = {}


def register(key: str, label: str, basis: str):
    def wrap(fn):
        REGISTRY[key] = Measure(key=key, label=label, basis=basis, compute=fn)
        return fn

    return wrap


def choices() -> list[tuple[str, str]]:
    return [(m.key, m.label) for m in REGISTRY.values()]


def _township(code: str) -> str:
    return code[:9] + "000"


def _tally(members: dict[int, str], done: set[int]) -> Counts:
    out: dict[str, list[int]] = {}
    for pk, code in members.items():
        cell = out.setdefault(_township(code), [0, 0])
        cell[1] += 1
        if pk in done:
            cell[0] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def poor_records(region_code: str, on: date):
    """Category recognitions in force on `on` in the region (a household may have several)."""

    return (
        CategoryRecord.objects.filter(household__region__code__range=subtree_bounds(region_code))
        .filter(Q(start__isnull=True) | Q(start__lte=on))
        .filter(Q(end__isnull=True) | Q(end__gt=on))
    )


def poor_households(region_code: str, on: date) -> tuple[dict[int, str], object]:
    """{household pk: region code} of households in a category on `on`, and a subquery of
    their keys for the database to join (no long IN lists)."""
    records = poor_records(region_code, on)
    members = dict(records.values_list("household_id", "household__region_id"))
    return members, records.values("household_id")


@register(
    "new_poor_assessed",
    "动态新增贫困户完成住房安全鉴定",
    "新增对象起算日期后首次认定为贫困户的农户中，认定后已鉴定的比例",
)
def new_poor_assessed(*, campaign, on: date) -> Counts:

    first = (
        CategoryRecord.objects.filter(
            household__region__code__range=subtree_bounds(campaign.region_id)
        )
        .values("household_id", "household__region_id")
        .annotate(first=Min("start"))
        .filter(first__gte=campaign.new_since, first__lte=on)
    )
    members = {r["household_id"]: r["household__region_id"] for r in first}
    since = {r["household_id"]: r["first"] for r in first}
    assessed = Assessment.objects.filter(
        house__household__region__code__range=subtree_bounds(campaign.region_id),
        assessed_on__gte=campaign.new_since,
        assessed_on__lte=on,
    ).values_list("house__household_id", "assessed_on")
    done = {pk for pk, day in assessed if pk in since and day >= since[pk]}
    return _tally(members, done)


def _poor_share(campaign, on: date, *done) -> Counts:
    """贫困户 on `on`, and those among them found by any of the `done` queries; each query is
    given the subquery of the poor households' keys and returns household keys."""
    members, keys = poor_households(campaign.region_id, on)
    found: set[int] = set()
    for query in done:
        found |= set(query(keys))
    return _tally(members, found)


@register("poor_assessed", "贫困户完成住房安全性评定", "在册贫困户中已有房屋鉴定记录的比例")
def poor_assessed(*, campaign, on: date) -> Counts:

    return _poor_share(
        campaign,
        on,
        lambda keys: Assessment.objects.filter(
            house__household_id__in=keys, assessed_on__lte=on
        ).values_list("house__household_id", flat=True),
    )


@register("poor_plated", "贫困户安全状况牌挂牌上墙", "在册贫困户中已挂牌上墙（有挂牌日期）的比例")
def poor_plated(*, campaign, on: date) -> Counts:

    return _poor_share(
        campaign,
        on,
        lambda keys: SafetyPlate.objects.filter(
            household_id__in=keys, installed_on__lte=on
        ).values_list("household_id", flat=True),
    )


@register(
    "info_reviewed",
    "贫困户住房安全信息审核",
    "在册贫困户中，专项整治开始后有跟踪回访或档案变更审核记录的比例",
)
def info_reviewed(*, campaign, on: date) -> Counts:

    return _poor_share(
        campaign,
        on,
        lambda keys: FollowUpVisit.objects.filter(
            household_id__in=keys, visited_on__gte=campaign.start, visited_on__lte=on
        ).values_list("household_id", flat=True),
        lambda keys: ChangeRequest.objects.filter(
            household_id__in=keys, decided_at__date__gte=campaign.start, decided_at__date__lte=on
        ).values_list("household_id", flat=True),
    )
