"""Reads for spot checks: how often each checklist item fails, per level and per township.

口径: the failure rate of an item is 不合格 / (合格 + 不合格) among inspected houses; houses where
the item could not be verified (无法核实) are counted apart and left out of the rate."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from anju.accounts.access import scope_to_region
from anju.regions.models import Level, Region
from anju.spotchecks.access import spot_check_plans_visible_to
from anju.spotchecks.models import CheckItem, CheckResult, Outcome, PlanStatus, SampledHouse


@dataclass
class Rate:
    passed: int = 0
    failed: int = 0
    unverifiable: int = 0

    @property
    def checked(self) -> int:
        return self.passed + self.failed

    @property
    def percent(self) -> float | None:
        return round(100 * self.failed / self.checked, 1) if self.checked else None


@dataclass
class RateRow:
    level: int
    township: str
    township_name: str
    houses: int = 0
    rates: dict[str, Rate] = field(default_factory=lambda: {i: Rate() for i in CheckItem.values})

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    def cells(self) -> list[Rate]:
        return [self.rates[i] for i in CheckItem.values]


def failure_rates(results: QuerySet[CheckResult]) -> tuple[list[RateRow], list[RateRow]]:
    """Rows per (level, township) and one total row per level, from the results given (already
    scoped to what the user may see)."""
    counted = results.values(
        "house__plan__level", "house__township_id", "item", "outcome"
    ).annotate(n=Count("pk"))
    houses = results.values("house__plan__level", "house__township_id").annotate(
        n=Count("house_id", distinct=True)
    )
    names = {}
    rows: dict[tuple[int, str], RateRow] = {}
    totals: dict[int, RateRow] = {}
    for row in counted:
        key = (row["house__plan__level"], row["house__township_id"])
        names[key[1]] = ""
        target = rows.setdefault(key, RateRow(level=key[0], township=key[1], township_name=""))
        total = totals.setdefault(key[0], RateRow(level=key[0], township="", township_name="合计"))
        for r in (target, total):
            rate = r.rates[row["item"]]
            if row["outcome"] == Outcome.PASS:
                rate.passed += row["n"]
            elif row["outcome"] == Outcome.FAIL:
                rate.failed += row["n"]
            else:
                rate.unverifiable += row["n"]
    for row in houses:
        key = (row["house__plan__level"], row["house__township_id"])
        if key in rows:
            rows[key].houses = row["n"]
            totals[key[0]].houses += row["n"]
    named = dict(Region.objects.filter(code__in=names).values_list("code", "name"))
    for row in rows.values():
        row.township_name = named.get(row.township, row.township)
    ordered = sorted(rows.values(), key=lambda r: (r.level, r.township))
    return ordered, [totals[k] for k in sorted(totals)]


def item_failures(results: QuerySet[CheckResult]) -> dict[str, int]:
    """不合格 counts per item."""
    counts = defaultdict(int)
    for item, n in results.filter(outcome=Outcome.FAIL).values_list("item").annotate(n=Count("pk")):
        counts[item] = n
    return {i: counts[i] for i in CheckItem.values}


def plans_for(user, region: Region) -> QuerySet:
    """The plans over the region the user is looking at, and the plans the user inspects for
    wherever they are (a township clerk sent to a county's spot check finds it here)."""
    visible = spot_check_plans_visible_to(user)
    over = scope_to_region(visible, region).values("pk")
    mine = visible.filter(inspectors=user).values("pk")
    return (
        visible.model.objects.filter(pk__in=over) | visible.model.objects.filter(pk__in=mine)
    ).select_related("region", "unit")


def houses_to_inspect(user) -> QuerySet[SampledHouse]:
    """Houses assigned to the user in plans still being checked, not yet recorded."""
    return SampledHouse.objects.filter(
        inspector=user, inspected_on__isnull=True, plan__status=PlanStatus.DRAWN
    ).select_related("plan", "household__region", "township")
