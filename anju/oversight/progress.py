"""Seed 003's monthly progress report (各责任单位每月23日前向住建局报送本月整治工作进展情况
和突出问题处理情况): for a township, per village (for a district, per township) the month's
assessments, plates put on the wall, follow-up visits, and problems found and rectified; for a
responsible unit, the clues transferred to it and answered; then how major problems were
handled."""

import io
from datetime import date

import xlsxwriter

from anju.households.models import Assessment, FollowUpVisit, SafetyPlate
from anju.oversight.models import Clue, RectificationItem, Transfer
from anju.regions.models import CODE_LENGTH, PREFIX_LENGTH, Level, Region, subtree_bounds
from anju.reporting import sources
from anju.reporting.deadlines import add_months
from anju.reporting.layout import safe_text

COLUMNS = [
    "乡镇（街道）",  # "村（社区）" in a township's own report
    "完成危险性鉴定（户）",
    "安全状况牌挂牌上墙（户）",
    "跟踪回访（户次）",
    "发现问题（个）",
    "完成整改（个）",
]


def _part_of(code: str, level: int) -> str:
    """The code of the region at `level` that `code` lies in."""
    n = PREFIX_LENGTH[level]
    return code[:n] + "0" * (CODE_LENGTH - n)


def progress_rows(district: Region, period: date) -> list[list]:
    """One row per township of a district, or per village of a township, and the total."""
    part = district.level + 1

    def _count_by_township(queryset, code_field: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for code in queryset.values_list(code_field, flat=True):
            key = (
                _part_of(code, part) if len(code) == CODE_LENGTH and part <= Level.VILLAGE else code
            )
            counts[key] = counts.get(key, 0) + 1
        return counts

    start, end = period, add_months(period, 1)
    bounds = subtree_bounds(district.code)
    in_month = {"__gte": start, "__lt": end}

    def dated(field):
        return {f"{field}{k}": v for k, v in in_month.items()}

    assessed = _count_by_township(
        Assessment.objects.filter(
            house__household__region__code__range=bounds, **dated("assessed_on")
        ),
        "house__household__region_id",
    )
    plated = _count_by_township(
        SafetyPlate.objects.filter(household__region__code__range=bounds, **dated("installed_on")),
        "household__region_id",
    )
    visited = _count_by_township(
        FollowUpVisit.objects.filter(household__region__code__range=bounds, **dated("visited_on")),
        "household__region_id",
    )
    found_items = _count_by_township(
        RectificationItem.objects.filter(
            region__code__range=bounds, created_at__date__gte=start, created_at__date__lt=end
        ),
        "region_id",
    )
    found_clues = _count_by_township(
        Clue.objects.filter(region__code__range=bounds, **dated("received_on")).exclude(
            status="merged"
        ),
        "region_id",
    )
    done_items = _count_by_township(
        RectificationItem.objects.filter(region__code__range=bounds, **dated("done_on")),
        "region_id",
    )
    done_clues = _count_by_township(
        Clue.objects.filter(region__code__range=bounds, **dated("closed_on")), "region_id"
    )
    rows = []
    for township in Region.objects.filter(parent=district, level=part).order_by("code"):
        code = township.code
        rows.append(
            [
                township.name,
                assessed.get(code, 0),
                plated.get(code, 0),
                visited.get(code, 0),
                found_items.get(code, 0) + found_clues.get(code, 0),
                done_items.get(code, 0) + done_clues.get(code, 0),
            ]
        )
    # What lies on the township (or district) itself, in no village (township), gets its own
    # row, so that the rows add up to the total.
    every = (assessed, plated, visited, found_items, found_clues, done_items, done_clues)
    a, p, v, fi, fc, di, dc = (sum(c.values()) for c in every)
    total = [a, p, v, fi + fc, di + dc]
    rest = [t - sum(r[i] for r in rows) for i, t in enumerate(total, 1)]
    if any(rest):
        rows.append([f"{district.name}本级", *rest])
    rows.append(["合计", *total])
    return rows


HANDLED_COLUMNS = ["乡镇（街道）", "问题", "处理情况", "责任人", "完成日期"]


def handled_problems(district: Region, period: date) -> list[list[str]]:
    """突出问题处理情况 (seed 003: 每月23日前报送本月整治工作进展情况和突出问题处理情况): each
    problem-list item rectified and each clue struck off in the month, with what was done."""
    start, end = period, add_months(period, 1)
    bounds = subtree_bounds(district.code)
    part = min(district.level + 1, Level.VILLAGE)
    names = dict(Region.objects.filter(code__range=bounds, level=part).values_list("code", "name"))
    out = []
    items = RectificationItem.objects.filter(
        region__code__range=bounds, done_on__gte=start, done_on__lt=end
    ).order_by("done_on", "pk")
    for item in items:
        township = names.get(_part_of(item.region_id, part), district.name)
        out.append(
            [township, item.description, item.measure or "已整改", item.owner, f"{item.done_on}"]
        )
    clues = Clue.objects.filter(
        region__code__range=bounds, closed_on__gte=start, closed_on__lt=end
    ).order_by("closed_on", "pk")
    for clue in clues:
        township = names.get(_part_of(clue.region_id, part), district.name)
        out.append(
            [
                township,
                f"线索{clue.number}：{clue.summary}",
                clue.rectification or "已销号",
                "",
                f"{clue.closed_on}",
            ]
        )
    return out


UNIT_COLUMNS = ["单位", "收到移送的问题线索（条）", "已办理反馈（条）"]


def unit_progress(unit, period: date) -> tuple[list[list], list[list[str]]]:
    """A responsible unit's month: the clues transferred to it, those it answered, and what it
    answered (its 突出问题处理情况)."""
    start, end = period, add_months(period, 1)
    received = Transfer.objects.filter(receiver=unit, sent_on__gte=start, sent_on__lt=end).count()
    answered = list(
        Transfer.objects.filter(receiver=unit, reported_on__gte=start, reported_on__lt=end)
        .select_related("clue")
        .order_by("reported_on", "pk")
    )
    rows = [[unit.name, received, len(answered)]]
    handled = [
        [unit.name, f"线索{t.clue.number}：{t.clue.summary}", t.report, "", f"{t.reported_on}"]
        for t in answered
    ]
    return rows, handled


def progress_source(
    district: Region,
    period: date,
    remarks: str,
    signature=None,
    *,
    unit=None,
    narrative: str = "",
) -> sources.Content:
    if unit is not None:
        rows, handled = unit_progress(unit, period)
        columns, name = UNIT_COLUMNS, unit.name
    else:
        rows, handled = progress_rows(district, period), handled_problems(district, period)
        columns = list(COLUMNS)
        if district.level == Level.TOWNSHIP:
            columns[0] = "村（社区）"
        name = district.name
    return sources.Content(
        values={"columns": columns, "rows": rows, "handled": handled, "narrative": narrative},
        xlsx=_progress_xlsx(name, period, columns, rows, handled, narrative, remarks, signature),
    )


def _progress_xlsx(name, period, columns, rows, handled, narrative, remarks, signature) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("整治进展")
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True})
    cell = book.add_format({"border": 1})
    width = len(HANDLED_COLUMNS)
    sheet.merge_range(
        0,
        0,
        0,
        width - 1,
        f"{name}贫困户住房安全专项整治工作进展（{period.year}年{period.month}月）",
        title,
    )
    sheet.write_row(1, 0, columns, head)
    for r, values in enumerate(rows, 2):
        sheet.write_string(r, 0, safe_text(values[0]), cell)
        for c, value in enumerate(values[1:], 1):
            sheet.write_number(r, c, value, cell)
    at = len(rows) + 3
    sheet.merge_range(at, 0, at, width - 1, "突出问题处理情况", head)
    sheet.write_row(at + 1, 0, HANDLED_COLUMNS, head)
    for i, line in enumerate(handled or [["本月无", "", "", "", ""]], at + 2):
        for c, value in enumerate(line):
            sheet.write_string(i, c, safe_text(value), cell)
    at += 2 + max(1, len(handled))
    if narrative:
        sheet.merge_range(
            at, 0, at, width - 1, safe_text(f"突出问题处理情况说明：{narrative}"), cell
        )
        sheet.set_row(at, 64)
        at += 1
    note = f"情况说明：{remarks}" if remarks else "情况说明："
    sheet.merge_range(at, 0, at, width - 1, safe_text(note), cell)
    sheet.set_row(at, 48)
    if signature is not None:
        sheet.write_string(
            at + 1,
            0,
            safe_text(
                f"填表人：{signature.filled_by}　联系电话：{signature.phone}　"
                f"单位分管负责人：{signature.leader}　填报时间：{signature.filled_on}"
            ),
        )
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, width - 1, 14)
    sheet.set_landscape()
    sheet.set_paper(9)
    book.close()
    return out.getvalue()


sources.register("progress", progress_source)
