"""Annexes 1 and 2 counted from the ledger (统计口径 in docs/ledger.md), registered as the
reporting workflow's sources."""

from collections import Counter
from datetime import date
from decimal import Decimal

from anju.accounts.models import Unit, UnitKind
from anju.oversight.choices import (
    ANNEX2_LEVEL,
    FORM_SCHEME,
    SANCTION_SCHEME,
    ClueStatus,
    SanctionKind,
    TransferTarget,
)
from anju.oversight.models import Clue, Exposure, Sanction, TypicalCase
from anju.regions.models import Region, subtree_bounds
from anju.reporting import sources
from anju.reporting.annexes import (
    FORM_LEVELS,
    QUARTERLY_NOTES,
    QUARTERLY_TITLE,
    SANCTION_LEVELS,
    Annex1,
    Annex2,
    Annex2Row,
    Person,
    Signature,
)
from anju.reporting.deadlines import add_months
from anju.reporting.layout import write_annex1, write_annex2
from anju.reporting.models import UNIT_REPORT_FIGURES, UnitClueReport

# 统计口径: how each Annex 1 column is counted for district D and month M (shown in the UI and
# written out in docs/ledger.md). "In D" means the clue's place, or the record's region, lies in
# D's region subtree; "in M" means the date named falls within the calendar month M.
DEFINITIONS: list[tuple[str, str]] = [
    (
        "第1栏 当月发现问题数",
        "收到日期在当月、涉及地方在本区县的问题线索条数；重复件并入后只计一次。"
        "附件2 逐条列出的正是这些线索，故第1栏应等于附件2的条数。",
    ),
    ("第2栏 当月完成整改和查处问题数", "销号日期在当月的线索条数（不论何时发现）。"),
    ("第3—4栏 单位·检查、通报", "处理日期在当月、处理方式为“单位·检查”“单位·通报”的问责记录数。"),
    (
        "第5栏 受处理处分总人数",
        "当月对个人作出的问责（党纪、政务处分，诫勉谈话，组织调整或处理，移送司法）"
        "涉及的人数，同一线索中的同一人只计一次。",
    ),
    (
        "第6—11栏 党纪处分、政务处分（人次）",
        "按人次计。级别按被处分人的细分级别折算：县处级→县处级，"
        "乡科级→乡科级，一般干部、村社干部、其他人员→乡科级以下。",
    ),
    ("第12—14栏 诫勉谈话、组织调整或处理（人次），移送司法数", "按当月该类问责记录计数。"),
    (
        "第15—30栏 四种形态",
        "当月个人问责记录所标注的形态，每人每种形态计一次。级别折算：县处级→县处级，"
        "乡科级和一般干部→乡科级及以下，村社干部→村社干部，其他人员→其他人员。",
    ),
    (
        "第31—33栏 通报曝光",
        "曝光日期在当月的通报曝光记录：次数为记录条数，问题数、涉及人数为各记录所填之和"
        "（含单位被通报曝光）。",
    ),
    ("第34栏 涉及金额（万元）", "第1栏所计线索的涉及资金之和，应等于附件2“涉及资金”合计。"),
    (
        "附件2 处置情况",
        "线索已移送纪检监察机关→已移送纪检监察机关；已移送其他区县或业务部门→已转业务单位；"
        "已销号→已了结；其余→正在核查。",
    ),
    (
        "附件2 级别",
        "县处级、乡科级、乡科级以下（一般干部）、村社干部、其他人员，取自被反映人的细分级别。",
    ),
    ("典型案例", "当月从已销号线索中选出的 1—3 个案例，每个不超过 300 字。"),
]

PERSON_KINDS = (
    SanctionKind.PARTY,
    SanctionKind.GOVERNMENT,
    SanctionKind.ADMONISH,
    SanctionKind.ORGANISATIONAL,
    SanctionKind.JUDICIARY,
)


def _month(period: date) -> tuple[date, date]:
    return period, add_months(period, 1)


def found_in_month(district: Region, period: date):
    """Column 1 and Annex 2's rows: clues concerning the district received in the month,
    each registered once (merged duplicates are not counted again)."""
    start, end = _month(period)
    return Clue.objects.filter(
        region__code__range=subtree_bounds(district.code),
        received_on__gte=start,
        received_on__lt=end,
    ).exclude(status=ClueStatus.MERGED)


def annex1_values(district: Region, period: date) -> list[Decimal]:
    start, end = _month(period)
    bounds = subtree_bounds(district.code)
    found = found_in_month(district, period)
    values = [Decimal(0)] * 34
    values[0] = Decimal(found.count())
    values[1] = Decimal(
        Clue.objects.filter(
            region__code__range=bounds, closed_on__gte=start, closed_on__lt=end
        ).count()
    )
    sanctions = list(
        Sanction.objects.filter(
            region__code__range=bounds, decided_on__gte=start, decided_on__lt=end
        )
    )
    kinds = Counter(s.kind for s in sanctions)
    values[2] = Decimal(kinds[SanctionKind.UNIT_CHECK])
    values[3] = Decimal(kinds[SanctionKind.UNIT_NOTICE])
    persons = [s for s in sanctions if s.kind in PERSON_KINDS]
    values[4] = Decimal(len({(s.clue_id, s.person_name) for s in persons}))
    for offset, kind in ((5, SanctionKind.PARTY), (8, SanctionKind.GOVERNMENT)):
        for s in persons:
            if s.kind == kind:
                values[offset + SANCTION_LEVELS.index(SANCTION_SCHEME[s.level])] += 1
    values[11] = Decimal(kinds[SanctionKind.ADMONISH])
    values[12] = Decimal(kinds[SanctionKind.ORGANISATIONAL])
    values[13] = Decimal(kinds[SanctionKind.JUDICIARY])
    # Each person once per form (人), whatever the number of sanctions under that form.
    for _clue_id, _name, form, level in {
        (s.clue_id, s.person_name, s.form, s.level) for s in persons if s.form
    }:
        values[14 + 4 * (form - 1) + FORM_LEVELS.index(FORM_SCHEME[level])] += 1
    exposures = Exposure.objects.filter(
        region__code__range=bounds, exposed_on__gte=start, exposed_on__lt=end
    )
    for exposure in exposures:
        values[30] += 1
        values[31] += exposure.problems
        values[32] += exposure.persons
    values[33] = sum((c.funds for c in found), Decimal(0)).quantize(Decimal("0.01"))
    return values


def disposal_label(clue: Clue) -> str:
    """Annex 2's 处置情况 drop-down, derived from what the ledger records."""
    targets = {t.target for t in clue.transfers.all()}
    if TransferTarget.DISCIPLINE in targets:
        return "已移送纪检监察机关"
    if targets:
        return "已转业务单位"
    if clue.status == ClueStatus.CLOSED:
        return "已了结"
    return "正在核查"


def _below_district(clue: Clue, district: Region) -> str:
    """The township and village of a clue's place ("新桥镇西埔村"), empty at district level."""
    names = []
    region = clue.region
    while region is not None and region.code != district.code and region.level > district.level:
        names.append(region.name)
        region = region.parent
    return "".join(reversed(names))


def annex2_row(clue: Clue, district: Region) -> Annex2Row:
    """A clue as one line of Annex 2 (its persons, transfers and region prefetched).

    涉及地方 is the district, as the seed's note asks (填到区一级); the township and village stay
    in the summary, in front of it unless the summary names them already."""
    below = _below_district(clue, district)
    summary = clue.summary
    if below and below not in summary:
        summary = f"（{below}）{summary}"
    return Annex2Row(
        source=clue.get_source_channel_display(),
        place=district.name,
        persons=[Person(p.name, p.post, ANNEX2_LEVEL[p.level]) for p in clue.persons.all()],
        summary=summary,
        funds=clue.funds,
        disposal=disposal_label(clue),
        rectification=clue.rectification,
        recovered=clue.recovered,
        accountable=clue.accountable,
    )


def annex2_rows(district: Region, period: date) -> list[Annex2Row]:
    clues = (
        found_in_month(district, period)
        .select_related("region__parent__parent")
        .prefetch_related("persons", "transfers")
        .order_by("received_on", "pk")
    )
    return [annex2_row(clue, district) for clue in clues]


def consistency(values: list[Decimal], rows: list[Annex2Row]) -> list[str]:
    """Disagreements between the two tables, in Chinese (each must be explained in 备注)."""
    problems = []
    if values[0] != len(rows):
        problems.append(f"附件1第1栏当月发现问题数 {values[0]} 与附件2线索 {len(rows)} 条不一致")
    funds = sum((r.funds for r in rows), Decimal(0))
    if values[33] != funds:
        problems.append(
            f"附件1第34栏涉及金额 {values[33]} 万元与附件2涉及资金合计 {funds} 万元不一致"
        )
    forms = sum(values[14:30])
    if values[4] and forms != values[4]:
        problems.append(f"第一至第四种形态合计 {forms} 人与受处理处分总人数 {values[4]} 人不一致")
    for i, row in enumerate(rows, 1):
        if not 1 <= len(row.persons) <= 3:
            problems.append(f"附件2第{i}条被反映主要对象应为 1—3 人")
    return problems


def _typical(district: Region, period: date) -> list[str]:
    return list(
        TypicalCase.objects.filter(region_id=district.code, month=period)
        .order_by("pk")
        .values_list("text", flat=True)[:3]
    )


def annex1_source(
    district: Region, period: date, remarks: str, signature: Signature | None = None, **_
) -> sources.Content:
    values = annex1_values(district, period)
    rows = annex2_rows(district, period)
    data = Annex1(
        district=district.name,
        month=f"{period:%Y-%m}",
        values=values,
        remarks=remarks,
        typical_cases=_typical(district, period),
        signature=signature or Signature(),
    )
    return sources.Content(
        values={"values": [str(v) for v in values]},
        xlsx=write_annex1(data),
        problems=consistency(values, rows),
    )


def annex2_source(
    district: Region, period: date, remarks: str, signature: Signature | None = None, **_
) -> sources.Content:
    values = annex1_values(district, period)
    rows = annex2_rows(district, period)
    plain = [
        {
            "source": r.source,
            "place": r.place,
            "summary": r.summary,
            "funds": str(r.funds),
            "persons": [{"name": p.name, "post": p.post, "level": p.level} for p in r.persons],
            "disposal": r.disposal,
            "rectification": r.rectification,
            "recovered": str(r.recovered),
            "accountable": r.accountable,
        }
        for r in rows
    ]
    data = Annex2(
        district=district.name,
        month=f"{period:%Y-%m}",
        rows=rows,
        signature=signature or Signature(),
    )
    return sources.Content(
        values={"rows": plain}, xlsx=write_annex2(data), problems=consistency(values, rows)
    )


sources.register("annex1", annex1_source)
sources.register("annex2", annex2_source)


def _departments(district: Region, period: date) -> tuple[list[dict], list[str]]:
    """The participating units' own quarterly reports for the quarter (seed 003: 参与单位每季度
    向牵头单位报送), and the names of the units that have not filed: the lead unit's report to
    the discipline commission consolidates them."""
    bounds = subtree_bounds(district.code)
    filed = (
        UnitClueReport.objects.filter(region__code__range=bounds, quarter=period)
        .select_related("unit")
        .order_by("unit__kind", "unit__name")
    )
    rows = [
        {"unit": r.unit.name, **{n: getattr(r, n) for n, _ in UNIT_REPORT_FIGURES}, "late": r.late}
        for r in filed
    ]
    done = {r.unit_id for r in filed}
    missing = [
        u.name
        for u in Unit.objects.filter(region__code__range=bounds, is_lead=False)
        .exclude(kind=UnitKind.DISCIPLINE)  # it receives the report; it files none
        .exclude(pk__in=done)
        .order_by("kind", "name")
    ]
    return rows, missing


def clue_quarterly_source(
    district: Region, period: date, remarks: str, signature: Signature | None = None, **_
) -> sources.Content:
    """Seed 003's quarterly clue report to the discipline commission: every clue received in
    the quarter, in Annex 2's columns, with counts by state and by problem kind."""
    from collections import Counter as Tally

    from anju.oversight.choices import ProblemKind

    start, end = period, add_months(period, 3)
    clues = (
        Clue.objects.filter(
            region__code__range=subtree_bounds(district.code),
            received_on__gte=start,
            received_on__lt=end,
        )
        .exclude(status=ClueStatus.MERGED)
        .select_related("region__parent__parent")
        .prefetch_related("persons", "transfers")
        .order_by("received_on", "pk")
    )
    rows = [annex2_row(c, district) for c in clues]
    states = Tally(c.status for c in clues)
    kinds = Tally(c.category for c in clues)
    summary = [("本季度收到线索（条）", len(rows))]
    summary += [(f"状态：{ClueStatus(k).label}", n) for k, n in sorted(states.items())]
    summary += [(f"类别：{ProblemKind(k).label}", n) for k, n in sorted(kinds.items())]
    departments, missing = _departments(district, period)
    if departments or missing:
        for name, label in UNIT_REPORT_FIGURES:
            total = sum(d[name] for d in departments)
            summary.append((f"各参与单位合计·{label}", total))
        summary += [(f"{d['unit']}·{UNIT_REPORT_FIGURES[0][1]}", d["found"]) for d in departments]
        summary.append(("已报送参与单位（个）", len(departments)))
        summary.append(("未报送参与单位（个）", len(missing)))
    quarter = (period.month - 1) // 3 + 1
    title = QUARTERLY_TITLE.format(district=district.name, year=period.year, quarter=quarter)
    data = Annex2(
        district=district.name,
        month=f"{period:%Y-%m}",
        rows=rows,
        signature=signature or Signature(),
    )
    return sources.Content(
        values={
            "rows": len(rows),
            "summary": summary,
            "quarter": f"{period.year}Q{quarter}",
            "departments": departments,
            "departments_missing": missing,
        },
        xlsx=write_annex2(data, title=title, summary=summary, notes=QUARTERLY_NOTES),
    )


sources.register("clue_quarterly", clue_quarterly_source)
