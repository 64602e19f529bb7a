"""Annexes 1 and 2 counted from the ledger (统计口径 in docs/ledger.md), registered as the
reporting workflow's sources."""

from collections import Counter
from datetime import date
from decimal import Decimal

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
    SANCTION_LEVELS,
    Annex1,
    Annex2,
    Annex2Row,
    Person,
)
from anju.reporting.deadlines import add_months
from anju.reporting.layout import write_annex1, write_annex2

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


def annex2_rows(district: Region, period: date) -> list[Annex2Row]:
    clues = (
        found_in_month(district, period)
        .select_related("region")
        .prefetch_related("persons", "transfers")
        .order_by("received_on", "pk")
    )
    return [
        Annex2Row(
            source=clue.get_source_channel_display(),
            place=clue.place or clue.region.name,
            persons=[Person(p.name, p.post, ANNEX2_LEVEL[p.level]) for p in clue.persons.all()],
            summary=clue.summary,
            funds=clue.funds,
            disposal=disposal_label(clue),
            rectification=clue.rectification,
            recovered=clue.recovered,
            accountable=clue.accountable,
        )
        for clue in clues
    ]


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


def annex1_source(district: Region, period: date, remarks: str) -> sources.Content:
    values = annex1_values(district, period)
    rows = annex2_rows(district, period)
    data = Annex1(
        district=district.name,
        month=f"{period:%Y-%m}",
        values=values,
        remarks=remarks,
        typical_cases=_typical(district, period),
    )
    return sources.Content(
        values={"values": [str(v) for v in values]},
        xlsx=write_annex1(data),
        problems=consistency(values, rows),
    )


def annex2_source(district: Region, period: date, remarks: str) -> sources.Content:
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
    data = Annex2(district=district.name, month=f"{period:%Y-%m}", rows=rows)
    return sources.Content(
        values={"rows": plain}, xlsx=write_annex2(data), problems=consistency(values, rows)
    )


sources.register("annex1", annex1_source)
sources.register("annex2", annex2_source)
