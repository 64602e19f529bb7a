"""The registry of measures a campaign target can use, each computed from the archive per
township. A measure returns, for every township, (numerator, denominator) as of a date.

口径 (also in docs/campaign.md):
- 贫困户: a household with a category recognition (any of CATEGORY) in force on the date
  (start ≤ date, and no end or end after the date).
- new_poor_assessed 动态新增贫困户完成住房安全鉴定: from the assessment tasks (anju.assessments:
  one per household new to a department's priority list, entered by hand or newly in a
  category): households with a task whose list arrived on or after the campaign's 新增对象起算日期
  and by the date; done when the task was done by its due date (one calendar month) and by
  the date. `task_breakdown` also counts 应完成/按时完成/逾期完成/逾期未完成.
- poor_assessed 贫困户完成住房安全性评定: 贫困户 with any assessment dated by the date.
- poor_plated 贫困户安全状况牌挂牌上墙: 贫困户 with a plate installed by the date.
- info_reviewed 贫困户住房安全信息审核: 贫困户 with an explicit information review (复核, anju
  .households InfoReview) dated between the campaign start and the date.
- renovation_completed 危房改造完成: the renovation cases (anju.households RenovationCase) opened
  between the campaign start and the date; done when completed (accepted, or the relocation's old
  house dealt with) by the case's deadline and by the date.

Every measure gives the households behind its figures (`Measure.sets`: {household: region},
{done households}), so each figure links to them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from anju.assessments.models import AssessmentTask
from anju.households.models import (
    Assessment,
    CategoryRecord,
    InfoReview,
    RenovationCase,
    SafetyPlate,
)
from anju.regions.models import subtree_bounds

Counts = dict[str, tuple[int, int]]


Sets = tuple[dict[int, str], set[int]]  # {household: region code}, {households done}


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    basis: str  # 口径, shown beside the figure
    sets: Callable[..., Sets]

    def compute(self, *, campaign, on: date) -> Counts:
        return _tally(*self.sets(campaign=campaign, on=on))


REGISTRY: dict[str, Measure] = {}


def register(key: str, label: str, basis: str):
    def wrap(fn):
        REGISTRY[key] = Measure(key=key, label=label, basis=basis, sets=fn)
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
        CategoryRecord.objects.filter(
            household__region__code__range=subtree_bounds(region_code), household__state="active"
        )
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
    "新增对象起算日期后名单到达（或乡镇新建档、新增类别）而生成鉴定任务的农户中，"
    "在名单到达后1个月内完成鉴定的比例",
)
def new_poor_assessed(*, campaign, on: date) -> Sets:

    tasks = AssessmentTask.objects.filter(
        household__region__code__range=subtree_bounds(campaign.region_id),
        received_on__gte=campaign.new_since,
        received_on__lte=on,
    ).values_list("household_id", "household__region_id", "due_on", "done_on")
    members, done = {}, set()
    for pk, code, due, finished in tasks:
        members[pk] = code
        if finished is not None and finished <= due and finished <= on:
            done.add(pk)
    return members, done


def task_breakdown(campaign, on: date) -> dict[str, int]:
    """New households' tasks as of `on`: due by then, done on time, done late, overdue."""

    tasks = AssessmentTask.objects.filter(
        household__region__code__range=subtree_bounds(campaign.region_id),
        received_on__gte=campaign.new_since,
        received_on__lte=on,
    ).values_list("due_on", "done_on")
    out = {"tasks": 0, "due": 0, "on_time": 0, "late": 0, "overdue": 0}
    for due, finished in tasks:
        out["tasks"] += 1
        out["due"] += due <= on
        if finished is not None and finished <= on:
            out["on_time" if finished <= due else "late"] += 1
        elif due < on:
            out["overdue"] += 1
    return out


def _poor_share(campaign, on: date, *done) -> Sets:
    """贫困户 on `on`, and those among them found by any of the `done` queries; each query is
    given the subquery of the poor households' keys and returns household keys."""
    members, keys = poor_households(campaign.region_id, on)
    found: set[int] = set()
    for query in done:
        found |= set(query(keys))
    return members, found


@register("poor_assessed", "贫困户完成住房安全性评定", "在册贫困户中已有房屋鉴定记录的比例")
def poor_assessed(*, campaign, on: date) -> Sets:

    return _poor_share(
        campaign,
        on,
        lambda keys: Assessment.objects.filter(
            house__household_id__in=keys, assessed_on__lte=on
        ).values_list("house__household_id", flat=True),
    )


@register("poor_plated", "贫困户安全状况牌挂牌上墙", "在册贫困户中已挂牌上墙（有挂牌日期）的比例")
def poor_plated(*, campaign, on: date) -> Sets:

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
    "在册贫困户中，专项整治开始后有信息复核记录（复核人、日期、结果）的比例",
)
def info_reviewed(*, campaign, on: date) -> Sets:

    return _poor_share(
        campaign,
        on,
        lambda keys: InfoReview.objects.filter(
            household_id__in=keys, reviewed_on__gte=campaign.start, reviewed_on__lte=on
        ).values_list("household_id", flat=True),
    )


@register(
    "renovation_completed",
    "危房改造（搬迁）按时完成",
    "专项整治开始后开启的危房整改事项中，在完成时限内验收（或搬迁后旧房已处置）的比例",
)
def renovation_completed(*, campaign, on: date) -> Sets:

    cases = RenovationCase.objects.filter(
        household__region__code__range=subtree_bounds(campaign.region_id),
        opened_on__gte=campaign.start,
        opened_on__lte=on,
    ).values_list("household_id", "household__region_id", "deadline", "closed_on")
    members, done = {}, set()
    for pk, code, deadline, closed in cases:
        members[pk] = code
        if closed is not None and closed <= deadline and closed <= on:
            done.add(pk)
    return members, done


def case_breakdown(campaign, on: date) -> dict[str, int]:
    """Renovation cases opened in the campaign as of `on`: opened, started (renovation applied
    for or relocation recognised), completed (works finished or moved in), accepted (closed),
    accepted by the deadline."""

    cases = RenovationCase.objects.filter(
        household__region__code__range=subtree_bounds(campaign.region_id),
        opened_on__gte=campaign.start,
        opened_on__lte=on,
    ).select_related("renovation")
    out = {"opened": 0, "started": 0, "completed": 0, "accepted": 0, "in_time": 0}
    for case in cases:
        works = case.renovation
        out["opened"] += 1
        begun = (works and works.applied_on) or case.eligible_on
        finished = (works and works.completed_on) or case.relocated_on
        out["started"] += bool(begun and begun <= on)
        out["completed"] += bool(finished and finished <= on)
        if case.closed_on and case.closed_on <= on:
            out["accepted"] += 1
            out["in_time"] += case.closed_on <= case.deadline
    return out
