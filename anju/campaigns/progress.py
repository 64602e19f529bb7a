"""Progress against each target, per township: the value, the goal, the due date, and whether
it is 已完成 / 按进度 / 滞后 / 逾期 (or 无应完成对象 when the township has none to do).

An unfinished target is 按进度 when its value is at least the straight-line share of the goal
for the time elapsed between the campaign start and the due date, 滞后 otherwise, and 逾期 once
the due date has passed."""

from dataclasses import dataclass
from datetime import date

from anju.campaigns.measures import REGISTRY
from anju.campaigns.models import Campaign, Target
from anju.regions.models import Level, Region, subtree_bounds

DONE, ON_TRACK, BEHIND, OVERDUE, NO_UNITS = "已完成", "按进度", "滞后", "逾期", "无应完成对象"
NOT_STARTED = "未开始"


@dataclass
class Cell:
    done: int
    total: int
    goal: int
    status: str

    @property
    def todo(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> float | None:
        return round(100 * self.done / self.total, 1) if self.total else None


def status_of(percent: float | None, *, goal: int, start: date, due: date, on: date) -> str:
    if on < start:
        return NOT_STARTED
    if percent is None:
        return NO_UNITS
    if percent >= goal:
        return DONE
    if on > due:
        return OVERDUE
    span = max((due - start).days, 1)
    expected = goal * min(max((on - start).days, 0), span) / span
    return ON_TRACK if percent >= expected else BEHIND


@dataclass
class Progress:
    targets: list[Target]
    townships: list[Region]
    cells: dict[tuple[int, str], Cell]  # (target pk, township code)
    totals: dict[int, Cell]

    def rows(self):
        for township in self.townships:
            yield township, [self.cells.get((t.pk, township.code)) for t in self.targets]

    def linked_rows(self):
        """As `rows`, each cell with its target (the page links each figure to its households)."""
        for township in self.townships:
            yield township, [(t, self.cells.get((t.pk, township.code))) for t in self.targets]


def as_of(campaign: Campaign, today: date) -> date:
    """The day a campaign's figures are counted to: today, or its end once it is over."""
    return min(today, campaign.end)


def _cell(done: int, total: int, target: Target, campaign: Campaign, on: date) -> Cell:
    percent = round(100 * done / total, 1) if total else None
    return Cell(
        done=done,
        total=total,
        goal=target.goal_percent,
        status=status_of(
            percent, goal=target.goal_percent, start=campaign.start, due=target.due, on=on
        ),
    )


def campaign_progress(campaign: Campaign, on: date) -> Progress:
    """Every target measured as of `on` (capped at each target's due date once it has passed:
    a target is judged on what was done by its deadline)."""
    targets = list(campaign.targets.all())
    region = campaign.region
    if region.level == Level.TOWNSHIP:
        townships = [region]
    else:
        townships = list(
            Region.objects.filter(
                code__range=subtree_bounds(region.code), level=Level.TOWNSHIP
            ).order_by("code")
        )
    cells: dict[tuple[int, str], Cell] = {}
    totals: dict[int, Cell] = {}
    for target in targets:
        measure = REGISTRY.get(target.measure)
        if measure is None:
            continue
        as_of = min(on, target.due)
        counts = measure.compute(campaign=campaign, on=as_of)
        done_all = total_all = 0
        for township in townships:
            done, total = counts.get(township.code, (0, 0))
            done_all, total_all = done_all + done, total_all + total
            cells[(target.pk, township.code)] = _cell(done, total, target, campaign, on)
        totals[target.pk] = _cell(done_all, total_all, target, campaign, on)
    return Progress(targets=targets, townships=townships, cells=cells, totals=totals)
