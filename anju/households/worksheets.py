"""Village worksheets (回访工作表): a village's or township's houses due for the quarterly visit, as
a printable A4 field form and as one entry screen saved in one transaction.

Each row of a sheet is either left alone (the house was not visited on this round), or ticked:
one or more findings, or 未发现问题 explicitly. A row with a note but nothing ticked, or with
未发现问题 and a finding, is refused with the row's own message; one refused row keeps the whole
sheet unsaved, so the clerk fixes it and saves again with everything still as typed."""

import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.households import visits
from anju.households.choices import REVISITED, Structure
from anju.households.events import registry_changed
from anju.households.models import Finding, FollowUpVisit, House, Household
from anju.pdffont import chinese_font
from anju.regions.models import Level

NO_PROBLEM = "none"
NO_PROBLEM_LABEL = "未发现问题"
# Columns of the form, in the order of the issue's list (seed 003's 回头看 findings).
BOXES = [
    (Finding.BACK_TO_DANGER, "返危"),
    (Finding.LEAKY, "漏雨透风"),
    (Finding.STILL_IN_OLD, "仍住危房"),
    (Finding.JOINT_HAZARD, "联体房隐患"),
    (NO_PROBLEM, NO_PROBLEM_LABEL),
]
MAX_ROWS = 2000  # a township's revisited houses; more is a county and needs a township picked


def sheet_region_ok(region) -> bool:
    """Worksheets are per village or per township (the field unit), never a whole county."""
    return region is not None and region.level >= Level.TOWNSHIP


def villages_of(region) -> list:
    """A township's villages, to narrow its sheet (or plates) to one of them."""
    if region.level != Level.TOWNSHIP:
        return []
    return list(region.children.order_by("code"))


def sheet_households(households: QuerySet, today: date) -> QuerySet:
    """The houses due this quarter (overdue included) in village and head-name order, with the
    revisited house's structure and the last visit."""
    return (
        visits.due_this_quarter(households, today)
        .annotate(structure=_structure())
        .select_related("region", "region__parent")
        .order_by("region_id", "head_name", "pk")
    )


def _structure() -> Subquery:
    return Subquery(
        House.objects.filter(household=OuterRef("pk"), structure__in=list(REVISITED))
        .order_by("is_new", "pk")
        .values("structure")[:1]
    )


def sheet_households_by_id(households: QuerySet, ids: list[int]) -> dict[int, Household]:
    """The posted rows' households (any revisited one in scope, due or not: a house visited by
    someone else since the sheet was opened may be visited again)."""
    found = (
        visits.revisited(households)
        .filter(pk__in=ids)
        .annotate(structure=_structure(), last_visit=Max("visits__visited_on"))
        .select_related("region", "region__parent")
    )
    return {h.pk: h for h in found}


@dataclass
class SheetRow:
    household: Household
    ticks: list[str] = field(default_factory=list)
    note: str = ""
    error: str = ""

    @property
    def findings(self) -> list[str]:
        return [t for t in self.ticks if t != NO_PROBLEM]

    @property
    def structure_label(self) -> str:
        structure = getattr(self.household, "structure", "")
        return Structure(structure).label if structure else ""

    @property
    def visited(self) -> bool:
        return bool(self.ticks)


def check_row(row: SheetRow) -> str:
    """The row's error in Chinese, or "" when it is a valid visit or untouched."""
    known = {value for value, _ in BOXES}
    if set(row.ticks) - known:
        return "发现问题须从表头的选项中勾选。"
    if NO_PROBLEM in row.ticks and row.findings:
        return f"已勾选“{NO_PROBLEM_LABEL}”，不能同时勾选问题：请只保留其一。"
    if not row.ticks and row.note.strip():
        return f"填写了情况说明但未勾选：请勾选发现的问题，或勾选“{NO_PROBLEM_LABEL}”。"
    if len(row.note) > 300:
        return "情况说明不能超过 300 字。"
    return ""


def sheet_save(*, actor, visited_on: date | None, rows: list[SheetRow], key: str = "") -> list:
    """Check every row; if all pass, record every ticked row as a visit on `visited_on` in one
    transaction (audited, findings on the problem list) and return the visits. Otherwise set each
    bad row's `error`, save nothing and raise ValidationError with the sheet-level message.

    `key`: the phone's idempotency key of a sheet queued offline: sent again, the visits it
    already made are returned and nothing is written (a second delivery racing the first fails
    on the visits' unique key and writes nothing either)."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    key = key.strip()[:64]
    if key:
        made = list(FollowUpVisit.objects.filter(visitor=actor, client_key=key))
        if made:
            return made
    problems = []
    if visited_on is None:
        problems.append("请填写回访日期（整张表一个日期）。")
    elif visited_on > timezone.localdate():
        problems.append("回访日期不能晚于今天。")
    for row in rows:
        row.error = check_row(row)
    bad = [row for row in rows if row.error]
    if bad:
        problems.append(f"有 {len(bad)} 户填写有误（见标红的行），整张表未保存，请改正后再保存。")
    ticked = [row for row in rows if row.visited]
    if not ticked and not bad:
        problems.append(f"没有勾选任何一户：回访过的农户请勾选发现的问题或“{NO_PROBLEM_LABEL}”。")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        saved = [
            visits.write_visit(
                actor=actor,
                household=row.household,
                visited_on=visited_on,
                findings=row.findings,
                note=row.note,
                key=key,
            )
            for row in ticked
        ]
        registry_changed.announce(regions=sorted({row.household.region_id for row in ticked}))
    return saved


def quarter_name(start: date) -> str:
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"


def _place(household: Household) -> str:
    region = household.region
    parent = region.parent
    if parent is not None and region.level > Level.TOWNSHIP:
        return f"{parent.name}{region.name}"
    return region.name


def sheet_pdf(
    households: list[Household], *, region_name: str, quarter: date, printed_at: str
) -> bytes:
    """The A4 (landscape) field form: one line per house with empty boxes to tick, a note and a
    signature column; the header asks for the visit date and the visitors once."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = chinese_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12)
    small = ParagraphStyle("s", fontName=font, fontSize=8, leading=10)
    box = "□"
    head = ["序号", "户主", "地址", "结构", "上次回访", *(label for _, label in BOXES)]
    head += ["情况说明", "户主/回访人签字"]
    rows = [[Paragraph(h, small) for h in head]]
    for number, h in enumerate(households, 1):
        rows.append(
            [
                str(number),
                Paragraph(h.head_name, body),
                Paragraph(_place(h), body),
                SheetRow(household=h).structure_label,
                f"{h.last_visit:%Y-%m-%d}" if h.last_visit else "从未回访",
                *([box] * len(BOXES)),
                "",
                "",
            ]
        )
    widths = [10, 22, 48, 12, 22, 11, 15, 15, 17, 17, 50, 30]
    # Rows tall enough to tick, write a note and sign by hand.
    heights = [None] + [11 * mm] * len(households)
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1, rowHeights=heights)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("FONTSIZE", (5, 1), (9, -1), 20),
                ("ALIGN", (5, 1), (9, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
            ]
        )
    )
    year_quarter = quarter_name(quarter)
    story = [
        Paragraph(f"农村住房跟踪回访工作表（{year_quarter}）", title),
        Spacer(1, 3 * mm),
        Paragraph(
            f"乡镇/行政村：{region_name}　　共 {len(households)} 户　　"
            "回访日期：______年____月____日　　回访人：________________",
            body,
        ),
        Paragraph(
            f"每户必须勾选：发现的问题可多选；没有问题勾选“{NO_PROBLEM_LABEL}”。"
            "未勾选的户视为本次未回访。",
            small,
        ),
        Spacer(1, 2 * mm),
        table,
        Spacer(1, 3 * mm),
        Paragraph(f"打印时间：{printed_at}　仅限工作使用", small),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"跟踪回访工作表 {region_name} {year_quarter}",
    ).build(story)
    return out.getvalue()
