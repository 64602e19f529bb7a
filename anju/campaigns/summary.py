"""The campaign summary (专项整治工作总结, seed 003: 11月10日前报送) as a Word document built from
the data: figures per target, the per-township table, spot-check results, problems found and
rectified in the period, and the typical cases chosen in the period."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum

from anju.campaigns.models import Campaign
from anju.campaigns.progress import campaign_progress
from anju.households.models import Assessment, FollowUpVisit, Household, InfoReview
from anju.oversight.choices import ClueStatus, SanctionKind
from anju.oversight.models import Clue, Exposure, RectificationItem, Sanction, TypicalCase
from anju.regions.models import Region, subtree_bounds
from anju.regions.queries import base_villages_within
from anju.reporting.official import OfficialDocument
from anju.spotchecks.models import CheckItem, CheckResult, Outcome, SampledHouse


@dataclass
class Figures:
    items_found: int
    items_done: int
    clues_found: int
    clues_closed: int
    houses_sampled: int
    houses_inspected: int
    failures: dict[str, int]  # checklist item label → 不合格 count


def period_figures(campaign: Campaign, on: date) -> Figures:

    bounds = subtree_bounds(campaign.region_id)
    last = min(on, campaign.end)
    items = RectificationItem.objects.filter(region__code__range=bounds)
    clues = Clue.objects.filter(region__code__range=bounds).exclude(status=ClueStatus.MERGED)
    houses = SampledHouse.objects.filter(
        plan__region__code__range=bounds,
        plan__created_at__date__gte=campaign.start,
        plan__created_at__date__lte=last,
    )
    failed = CheckResult.objects.filter(house__in=houses, outcome=Outcome.FAIL)
    counts = {label: 0 for label in CheckItem.labels}
    for item in failed.values_list("item", flat=True):
        counts[CheckItem(item).label] += 1
    return Figures(
        items_found=items.filter(
            created_at__date__gte=campaign.start, created_at__date__lte=last
        ).count(),
        items_done=items.filter(done_on__gte=campaign.start, done_on__lte=last).count(),
        clues_found=clues.filter(received_on__gte=campaign.start, received_on__lte=last).count(),
        clues_closed=clues.filter(closed_on__gte=campaign.start, closed_on__lte=last).count(),
        houses_sampled=houses.count(),
        houses_inspected=houses.filter(inspected_on__isnull=False).count(),
        failures=counts,
    )


def _percent(cell) -> str:
    return "—" if cell is None or cell.percent is None else f"{cell.percent}%"


@dataclass
class Accountability:
    """执纪问责 over a period: what the three-year summary to the discipline commission totals."""

    by_kind: dict[str, int]  # SanctionKind label → records
    by_form: dict[int, int]  # form 1-4 → persons (each person once per form and clue)
    persons: int
    recovered: Decimal  # 万元, on clues closed in the period
    exposures: int
    exposed_problems: int
    exposed_persons: int


def accountability(campaign: Campaign, last: date) -> Accountability:

    bounds = subtree_bounds(campaign.region_id)
    sanctions = Sanction.objects.filter(
        region__code__range=bounds, decided_on__gte=campaign.start, decided_on__lte=last
    )
    by_kind = {label: 0 for label in SanctionKind.labels}
    for kind in sanctions.values_list("kind", flat=True):
        by_kind[SanctionKind(kind).label] += 1
    persons = {
        (c, n) for c, n in sanctions.exclude(person_name="").values_list("clue", "person_name")
    }
    by_form = {form: 0 for form in (1, 2, 3, 4)}
    for _clue, _name, form in set(
        sanctions.filter(form__isnull=False).values_list("clue", "person_name", "form")
    ):
        by_form[form] += 1
    recovered = Clue.objects.filter(
        region__code__range=bounds, closed_on__gte=campaign.start, closed_on__lte=last
    ).aggregate(total=Sum("recovered"))["total"] or Decimal(0)
    exposures = Exposure.objects.filter(
        region__code__range=bounds, exposed_on__gte=campaign.start, exposed_on__lte=last
    ).aggregate(n=Count("pk"), problems=Sum("problems"), persons=Sum("persons"))
    return Accountability(
        by_kind=by_kind,
        by_form=by_form,
        persons=len(persons),
        recovered=Decimal(recovered).quantize(Decimal("0.01")),
        exposures=exposures["n"] or 0,
        exposed_problems=exposures["problems"] or 0,
        exposed_persons=exposures["persons"] or 0,
    )


def summary_docx(campaign: Campaign, on: date, number: str = "") -> bytes:
    """The summary in GB/T 9704 layout. For a campaign already over, the figures and the
    "统计截至" line stop at its end date, not at the day the document is printed."""

    as_of = min(on, campaign.end)
    progress = campaign_progress(campaign, as_of)
    figures = period_figures(campaign, as_of)
    doc = OfficialDocument(
        title=f"{campaign.name}工作总结", issuer=campaign.lead_unit, number=number
    )
    doc.paragraph(
        f"实施范围：{campaign.region.name}。整治期间：{campaign.start:%Y年%m月%d日}至"
        f"{campaign.end:%Y年%m月%d日}。统计截至：{as_of:%Y年%m月%d日}。"
    )
    if campaign.lead_unit:
        doc.paragraph(f"牵头单位：{campaign.lead_unit}。")

    doc.heading("一、总体完成情况")
    for target in progress.targets:
        cell = progress.totals.get(target.pk)
        if cell is None:
            continue
        doc.item(
            f"{target.name}：完成 {cell.done} 户，应完成 {cell.total} 户，完成率 {_percent(cell)}"
            f"（目标 {target.goal_percent}%，时限 {target.due:%Y年%m月%d日}，{cell.status}）。"
        )
    phases = list(campaign.phases.all())
    if phases:
        doc.paragraph("工作安排：")
        for i, phase in enumerate(phases, 1):
            doc.item(
                f"{i}．{phase.name}（{phase.start:%m月%d日}—{phase.end:%m月%d日}）：{phase.tasks}"
            )

    doc.heading("二、各乡镇（街道）进展")
    rows = []
    for township, cells in progress.rows():
        rows.append(
            [township.name]
            + [
                "—"
                if cell is None
                else f"{_percent(cell)}（{cell.done}/{cell.total}）{cell.status}"
                for cell in cells
            ]
        )
    total = ["合计"]
    for target in progress.targets:
        cell = progress.totals.get(target.pk)
        total.append("—" if cell is None else f"{_percent(cell)}（{cell.done}/{cell.total}）")
    doc.table(["乡镇（街道）", *[t.name for t in progress.targets]], [*rows, total])

    doc.heading("三、督导抽查核实情况")
    doc.paragraph(
        f"整治期间共抽取 {figures.houses_sampled} 户，已核查 {figures.houses_inspected} 户。"
    )
    failing = [(label, n) for label, n in figures.failures.items() if n]
    if failing:
        doc.paragraph(
            "核查不合格事项：" + "；".join(f"{label} {n} 户" for label, n in failing) + "。"
        )
    else:
        doc.paragraph("核查中未发现不合格事项。")

    doc.heading("四、发现问题和整改情况")
    doc.paragraph(
        f"乡镇问题清单新增问题 {figures.items_found} 个，完成整改 {figures.items_done} 个；"
        f"问题线索台账受理线索 {figures.clues_found} 条，销号 {figures.clues_closed} 条。"
    )

    doc.heading("五、执纪问责情况")
    acc = accountability(campaign, as_of)
    kinds = "，".join(f"{label} {n} 起" for label, n in acc.by_kind.items() if n) or "无"
    doc.paragraph(f"整治期间问责处理：{kinds}；受处理处分共 {acc.persons} 人。")
    doc.paragraph(
        "运用监督执纪“四种形态”："
        + "，".join(f"第{'一二三四'[form - 1]}种形态 {n} 人" for form, n in acc.by_form.items())
        + "。"
    )
    doc.paragraph(
        f"追缴资金 {acc.recovered} 万元；通报曝光 {acc.exposures} 次，"
        f"涉及问题 {acc.exposed_problems} 个、{acc.exposed_persons} 人。"
    )

    doc.heading("六、典型案例")
    cases = TypicalCase.objects.filter(
        region__code__range=subtree_bounds(campaign.region_id),
        month__gte=campaign.start.replace(day=1),
        month__lte=as_of,
    ).order_by("month", "pk")
    listed = 0
    for case in cases:
        listed += 1
        doc.item(f"{listed}．{case.month:%Y年%m月}：{case.text}")
    if not listed:
        doc.paragraph("整治期间未选报典型案例。")
    return doc.save()


def base_village_survey(campaign: Campaign, on: date) -> list[tuple[str, str, int, int, int]]:
    """Seed 003 (四): the survey of the revolutionary base villages (革命基点村) within the
    campaign, per township: (township code, name, households in base villages, surveyed, i.e.
    reviewed (复核) or visited during the campaign by `on`, assessed by `on`). Empty when the
    campaign's region holds no base village."""
    return survey_progress(campaign.region, campaign.start, on)


def survey_progress(region, since: date, on: date) -> list[tuple[str, str, int, int, int]]:
    """`base_village_survey` for any region and period (the overview: since 1 January)."""

    villages = list(base_villages_within(region).values_list("code", flat=True))
    if not villages:
        return []
    rows = (
        Household.objects.filter(region_id__in=villages)
        .annotate(
            reviewed=Exists(
                InfoReview.objects.filter(
                    household=OuterRef("pk"), reviewed_on__gte=since, reviewed_on__lte=on
                )
            ),
            visited=Exists(
                FollowUpVisit.objects.filter(
                    household=OuterRef("pk"), visited_on__gte=since, visited_on__lte=on
                )
            ),
            assessed=Exists(
                Assessment.objects.filter(house__household=OuterRef("pk"), assessed_on__lte=on)
            ),
        )
        .values_list("region_id", "reviewed", "visited", "assessed")
    )
    per: dict[str, list[int]] = {}
    for code, reviewed, visited, assessed in rows:
        cell = per.setdefault(code[:9] + "000", [0, 0, 0])
        cell[0] += 1
        cell[1] += bool(reviewed or visited)
        cell[2] += bool(assessed)
    names = dict(Region.objects.filter(code__in=per).values_list("code", "name"))
    return [(code, names.get(code, code), *per[code]) for code in sorted(per)]
