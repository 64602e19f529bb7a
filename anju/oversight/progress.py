"""Seed 003's monthly progress report (每月23日前报送本月整治工作进展): per township, the month's
assessments, plates put on the wall, follow-up visits, and problems found and rectified."""

import io
from datetime import date

import xlsxwriter

from anju.households.models import Assessment, FollowUpVisit, SafetyPlate
from anju.oversight.models import Clue, RectificationItem
from anju.regions.models import Level, Region, subtree_bounds
from anju.reporting import sources
from anju.reporting.deadlines import add_months
from anju.reporting.layout import safe_text

COLUMNS = [
    "乡镇（街道）",
    "完成危险性鉴定（户）",
    "安全状况牌挂牌上墙（户）",
    "跟踪回访（户次）",
    "发现问题（个）",
    "完成整改（个）",
]


def _count_by_township(queryset, code_field: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code in queryset.values_list(code_field, flat=True):
        township = code[:9] + "000"
        counts[township] = counts.get(township, 0) + 1
    return counts


def progress_rows(district: Region, period: date) -> list[list]:
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
    for township in Region.objects.filter(parent=district, level=Level.TOWNSHIP).order_by("code"):
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
    rows.append(["合计", *[sum(r[i] for r in rows) for i in range(1, len(COLUMNS))]])
    return rows


HANDLED_COLUMNS = ["乡镇（街道）", "问题", "处理情况", "责任人", "完成日期"]


def handled_problems(district: Region, period: date) -> list[list[str]]:
    """突出问题处理情况 (seed 003: 每月23日前报送本月整治工作进展情况和突出问题处理情况): each
    problem-list item rectified and each clue struck off in the month, with what was done."""
    start, end = period, add_months(period, 1)
    bounds = subtree_bounds(district.code)
    names = dict(
        Region.objects.filter(code__range=bounds, level=Level.TOWNSHIP).values_list("code", "name")
    )
    out = []
    items = RectificationItem.objects.filter(
        region__code__range=bounds, done_on__gte=start, done_on__lt=end
    ).order_by("done_on", "pk")
    for item in items:
        township = names.get(item.region_id[:9] + "000", district.name)
        out.append(
            [township, item.description, item.measure or "已整改", item.owner, f"{item.done_on}"]
        )
    clues = Clue.objects.filter(
        region__code__range=bounds, closed_on__gte=start, closed_on__lt=end
    ).order_by("closed_on", "pk")
    for clue in clues:
        township = names.get(clue.region_id[:9] + "000", district.name)
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


def progress_source(
    district: Region, period: date, remarks: str, signature=None
) -> sources.Content:
    rows = progress_rows(district, period)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("整治进展")
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True})
    cell = book.add_format({"border": 1})
    sheet.merge_range(
        0,
        0,
        0,
        len(COLUMNS) - 1,
        f"{district.name}贫困户住房安全专项整治工作进展（{period.year}年{period.month}月）",
        title,
    )
    sheet.write_row(1, 0, COLUMNS, head)
    for r, values in enumerate(rows, 2):
        sheet.write_string(r, 0, safe_text(values[0]), cell)
        for c, value in enumerate(values[1:], 1):
            sheet.write_number(r, c, value, cell)
    handled = handled_problems(district, period)
    at = len(rows) + 3
    sheet.merge_range(at, 0, at, len(COLUMNS) - 1, "突出问题处理情况", head)
    sheet.write_row(at + 1, 0, HANDLED_COLUMNS, head)
    for i, line in enumerate(handled or [["本月无", "", "", "", ""]], at + 2):
        for c, value in enumerate(line):
            sheet.write_string(i, c, safe_text(value), cell)
    at += 2 + max(1, len(handled))
    narrative = f"情况说明：{remarks}" if remarks else "情况说明："
    sheet.merge_range(at, 0, at, len(COLUMNS) - 1, safe_text(narrative), cell)
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
    sheet.set_column(1, len(COLUMNS) - 1, 14)
    sheet.set_landscape()
    sheet.set_paper(9)
    book.close()
    return sources.Content(
        values={"columns": COLUMNS, "rows": rows, "handled": handled}, xlsx=out.getvalue()
    )


sources.register("progress", progress_source)
