"""The campaign summary (专项整治工作总结, seed 003: 11月10日前报送) as a Word document built from
the data: figures per target, the per-township table, spot-check results, problems found and
rectified in the period, and the typical cases chosen in the period."""

import io
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef

from anju.campaigns.models import Campaign
from anju.campaigns.progress import campaign_progress
from anju.households.models import Assessment, FollowUpVisit, Household, InfoReview
from anju.oversight.choices import ClueStatus
from anju.oversight.models import Clue, RectificationItem, TypicalCase
from anju.regions.models import Region, subtree_bounds
from anju.regions.queries import base_villages_within
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


def summary_docx(campaign: Campaign, on: date) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    on = min(on, campaign.end)  # a finished campaign is summed up as of its end
    progress = campaign_progress(campaign, on)
    figures = period_figures(campaign, on)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    doc.core_properties.title = f"{campaign.name}工作总结"
    title = doc.add_heading(f"{campaign.name}工作总结", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(
        f"实施范围：{campaign.region.name}　　整治期间：{campaign.start:%Y年%m月%d日}至"
        f"{campaign.end:%Y年%m月%d日}　　统计截至：{on:%Y年%m月%d日}"
    )
    if campaign.lead_unit:
        doc.add_paragraph(f"牵头单位：{campaign.lead_unit}")

    doc.add_heading("一、总体完成情况", level=1)
    for target in progress.targets:
        cell = progress.totals.get(target.pk)
        if cell is None:
            continue
        doc.add_paragraph(
            f"{target.name}：完成 {cell.done} 户，应完成 {cell.total} 户，完成率 {_percent(cell)}"
            f"（目标 {target.goal_percent}%，时限 {target.due:%Y年%m月%d日}，{cell.status}）。",
            style="List Bullet",
        )
    phases = list(campaign.phases.all())
    if phases:
        doc.add_paragraph("工作安排：")
        for phase in phases:
            doc.add_paragraph(
                f"{phase.name}（{phase.start:%m月%d日}—{phase.end:%m月%d日}）：{phase.tasks}",
                style="List Number",
            )

    doc.add_heading("二、各乡镇（街道）进展", level=1)
    table = doc.add_table(rows=1, cols=1 + len(progress.targets))
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text = "乡镇（街道）"
    for i, target in enumerate(progress.targets, 1):
        header[i].text = target.name
    for township, cells in progress.rows():
        row = table.add_row().cells
        row[0].text = township.name
        for i, cell in enumerate(cells, 1):
            row[i].text = (
                "—"
                if cell is None
                else f"{_percent(cell)}（{cell.done}/{cell.total}）{cell.status}"
            )
    total = table.add_row().cells
    total[0].text = "合计"
    for i, target in enumerate(progress.targets, 1):
        cell = progress.totals.get(target.pk)
        total[i].text = "—" if cell is None else f"{_percent(cell)}（{cell.done}/{cell.total}）"

    doc.add_heading("三、督导抽查核实情况", level=1)
    doc.add_paragraph(
        f"整治期间共抽取 {figures.houses_sampled} 户，已核查 {figures.houses_inspected} 户。"
    )
    failing = [(label, n) for label, n in figures.failures.items() if n]
    if failing:
        doc.add_paragraph(
            "核查不合格事项：" + "；".join(f"{label} {n} 户" for label, n in failing) + "。"
        )
    else:
        doc.add_paragraph("核查中未发现不合格事项。")

    doc.add_heading("四、发现问题和整改情况", level=1)
    doc.add_paragraph(
        f"乡镇问题清单新增问题 {figures.items_found} 个，完成整改 {figures.items_done} 个；"
        f"问题线索台账受理线索 {figures.clues_found} 条，销号 {figures.clues_closed} 条。"
    )

    doc.add_heading("五、典型案例", level=1)
    cases = TypicalCase.objects.filter(
        region__code__range=subtree_bounds(campaign.region_id),
        month__gte=campaign.start.replace(day=1),
        month__lte=min(on, campaign.end),
    ).order_by("month", "pk")
    listed = 0
    for case in cases:
        listed += 1
        doc.add_paragraph(f"{case.month:%Y年%m月}：{case.text}", style="List Number")
    if not listed:
        doc.add_paragraph("整治期间未选报典型案例。")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


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
