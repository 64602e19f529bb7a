"""Reads for the overview: the key figures of a region, one bar per region one level down, the
trend over the last twelve months, and the links to the lists behind each figure.

Household figures come from the maintained summary (Tally) for regions above the township; a
township's own overview (bars per village) is counted straight from its households, a bounded
set. Clue figures are counted from the ledger with its own definitions (anju.oversight.queries),
and the reporting board is anju.reporting.queries.board."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.urls import reverse

from anju.dashboard.models import Figure, Tally
from anju.dashboard.tally import payment_days, recount
from anju.households.visits import INTERVAL_DAYS
from anju.oversight.choices import ClueStatus
from anju.oversight.queries import OPEN, overdue_q
from anju.regions.models import CODE_LENGTH, PREFIX_LENGTH, Level, Region
from anju.regions.queries import children_of
from anju.reporting.deadlines import add_months

MONTHS = 12


@dataclass
class Bar:
    code: str
    name: str
    value: int  # the shortfall the bar shows (higher is worse)
    total: int
    url: str

    @property
    def rate(self) -> float | None:
        return None if not self.total else 1 - self.value / self.total

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.1%}"


@dataclass
class Panel:
    key: str
    title: str
    shortfall: str  # what the bars count, e.g. 未鉴定
    done: int
    total: int
    url: str
    bars: list[Bar]
    trend_title: str
    trend: list[tuple[date, int]] = field(default_factory=list)
    unit: str = "户"
    counted: bool = False  # a plain count (clues), not done-out-of-total

    @property
    def gap(self) -> int:
        return self.total - self.done

    @property
    def rate(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.1%}"

    @property
    def worst(self) -> Bar | None:
        return self.bars[0] if self.bars and self.bars[0].value else None


def last_months(today: date, n: int = MONTHS) -> list[date]:
    this = today.replace(day=1)
    return [add_months(this, -i) for i in range(n - 1, -1, -1)]


def child_prefix(region: Region) -> int:
    return PREFIX_LENGTH[Level(min(region.level + 1, Level.VILLAGE))]


def child_level_label(region: Region) -> str:
    return Level(min(region.level + 1, Level.VILLAGE)).label


def _child_code(code: str, prefix: int) -> str:
    return code[:prefix] + "0" * (CODE_LENGTH - prefix)


def tally_rows(region: Region) -> list[tuple[str, str, date | None, int]]:
    """(child region, figure, day, count) under `region`: from the summary, or for a township
    (whose children are villages, finer than the summary) from its households."""
    prefix = child_prefix(region)
    if region.level >= Level.TOWNSHIP:
        return [
            (_child_code(k, prefix), f, d, n) for k, f, d, n in recount(region.bounds, prefix=12)
        ]
    rows = (
        Tally.objects.filter(region_code__range=region.bounds)
        .annotate(child=Substr("region_code", 1, prefix))
        .values_list("child", "figure", "day")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return [(_child_code(c, prefix), f, d, n) for c, f, d, n in rows]


def link(name: str, code: str, **params) -> str:
    return f"{reverse(name)}?{urlencode({'region': code, **params})}"


def _bars(children, totals: dict, gaps: dict, name: str, **p) -> list[Bar]:
    bars = [
        Bar(c.code, c.name, gaps.get(c.code, 0), totals.get(c.code, 0), link(name, c.code, **p))
        for c in children
    ]
    # The worst first: the largest shortfall, then the lowest rate.
    return sorted(bars, key=lambda b: (-b.value, b.rate if b.rate is not None else 1, b.code))


def _tally_counts(region: Region, today: date):
    """The tally's counts per child region and per figure (with the visits overdue, and the
    renovations payable and paid by the payment deadline), and per figure and day."""
    visit_limit = today - timedelta(days=INTERVAL_DAYS)
    # Paid-on-time counts renovations accepted before the month of (today - payment days): by
    # then every one of them is either paid on time or late (docs/dashboard.md).
    pay_cutoff = (today - timedelta(days=payment_days())).replace(day=1)
    per: dict[str, dict[str, int]] = {f: {} for f in Figure.values}
    per["overdue"], per["payable_due"], per["paid_due"] = {}, {}, {}
    by_month: dict[str, dict[date | None, int]] = {f: {} for f in Figure.values}
    for child, figure, day, n in tally_rows(region):
        per[figure][child] = per[figure].get(child, 0) + n
        by_month[figure][day] = by_month[figure].get(day, 0) + n
        if figure == Figure.REVISITED and (day is None or day < visit_limit):
            per["overdue"][child] = per["overdue"].get(child, 0) + n
        if figure == Figure.PAYABLE and day is not None and day < pay_cutoff:
            per["payable_due"][child] = per["payable_due"].get(child, 0) + n
        if figure == Figure.PAID_ON_TIME and day is not None and day < pay_cutoff:
            per["paid_due"][child] = per["paid_due"].get(child, 0) + n
    return per, by_month


def household_panels(region: Region, today: date) -> list[Panel]:
    """Assessed, plated, revisited on time, accepted, paid on time: totals, bars, trends."""
    children = list(children_of(region))
    months = last_months(today)
    per, by_month = _tally_counts(region, today)

    def total(key):
        return sum(per[key].values())

    def minus(a, b):
        return {c: per[a].get(c, 0) - per[b].get(c, 0) for c in per[a]}

    def cumulative(figure):
        """The count at the end of each month: records dated up to it (undated ones always)."""
        counts = by_month[figure]
        out = []
        for month in months:
            end = add_months(month, 1)
            out.append((month, sum(n for d, n in counts.items() if d is None or d < end)))
        return out

    def monthly(figure):
        return [(m, by_month[figure].get(m, 0)) for m in months]

    on_time_visits = {c: per["revisited"][c] - per["overdue"].get(c, 0) for c in per["revisited"]}
    per["visited_on_time"] = on_time_visits

    def panel(key, title, missing, done, of, url, filters, bars, trend_label, trend):
        """A panel whose headline link and bars open the same list with the same filter."""
        return Panel(
            key,
            title,
            missing,
            done,
            of,
            link(url, region.code, **filters),
            _bars(children, *bars, url, **filters),
            trend_label,
            trend,
        )

    return [
        panel(
            "assessed", "已鉴定农户", "未鉴定", total("assessed"), total("households"),
            "households:list", {"assessed": "0"},
            (per["households"], minus("households", "assessed")),
            "累计已鉴定（户）", cumulative(Figure.ASSESSED),
        ),
        panel(
            "plated", "安全状况牌已挂牌", "未挂牌", total("plated"), total("assessed"),
            "households:plates", {},
            (per["assessed"], minus("assessed", "plated")),
            "累计已挂牌（户）", cumulative(Figure.PLATED),
        ),
        panel(
            "revisited", "按季度回访", "回访逾期", sum(on_time_visits.values()),
            total("revisited"), "households:visits", {"overdue": "1"},
            (per["revisited"], per["overdue"]),
            "每月回访（户次）", monthly(Figure.VISITS),
        ),
        panel(
            "accepted", "改造已验收", "未验收", total("accepted"), total("renovations"),
            "households:list", {"accepted": "0"},
            (per["renovations"], minus("renovations", "accepted")),
            "累计已验收（户）", cumulative(Figure.ACCEPTED),
        ),
        panel(
            "paid", "补助按时发放", "未按时发放", total("paid_due"), total("payable_due"),
            "households:list", {"payment": "late"},
            (per["payable_due"], minus("payable_due", "paid_due")),
            "每月验收后按时发放（户）", monthly(Figure.PAID_ON_TIME),
        ),
    ]  # fmt: skip


def clue_panels(clues, region: Region, today: date) -> list[Panel]:
    """Open, overdue and key-supervised clues per child region, from the ledger itself."""
    prefix = child_prefix(region)
    children = list(children_of(region))
    open_clues = clues.filter(OPEN)
    per = {"open": {}, "overdue": {}, "supervised": {}}
    rows = (
        open_clues.values("region_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=overdue_q(today)),
            supervised=Count("pk", filter=Q(supervised=True)),
        )
        .order_by()
    )
    for row in rows:
        child = _child_code(row["region_id"], prefix)
        for key in per:
            per[key][child] = per[key].get(child, 0) + row[key]
    # Open at the end of each month: received by then and not closed by then (merged never).
    months = last_months(today)
    dated = clues.exclude(status=ClueStatus.MERGED)
    dated = dated.filter(received_on__lt=add_months(months[-1], 1))
    trend_open = {m: 0 for m in months}
    trend_overdue = {m: 0 for m in months}
    for received, closed, due in dated.values_list("received_on", "closed_on", "due_on"):
        for m in months:
            end = add_months(m, 1)
            if received < end and (closed is None or closed >= end):
                trend_open[m] += 1
                if due is not None and due < min(end, today):
                    trend_overdue[m] += 1
    open_total = sum(per["open"].values())
    code = region.code

    def panel(key, title, shortfall, params, trend_title, trend):
        value = sum(per[key].values())
        return Panel(
            key,
            title,
            shortfall,
            value,
            open_total,
            link("oversight:clues", code, **params),
            _bars(children, per["open"], per[key], "oversight:clues", **params),
            trend_title,
            list(trend.items()),
            unit="条",
            counted=True,
        )

    return [
        panel("open", "在办问题线索", "在办", {"urgency": "open"}, "月末在办（条）", trend_open),
        panel(
            "overdue",
            "线索办理逾期",
            "逾期",
            {"urgency": "overdue"},
            "月末逾期（条）",
            trend_overdue,
        ),
        panel(
            "supervised",
            "重点督办",
            "重点督办",
            {"urgency": "open", "supervised": "1"},
            "月末在办（条）",
            trend_open,
        ),
    ]


def overdue_clues(clues, today: date, n: int = 10):
    """The longest overdue open clues (the ledger's urgency=overdue list, oldest due first)."""
    return (
        clues.filter(OPEN, due_on__lt=today).select_related("region").order_by("due_on", "pk")[:n]
    )
