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


def progress_source(district: Region, period: date, remarks: str) -> sources.Content:
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
    sheet.write_string(len(rows) + 3, 0, safe_text(f"备注：{remarks}" if remarks else "备注："))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, len(COLUMNS) - 1, 14)
    sheet.set_landscape()
    sheet.set_paper(9)
    book.close()
    return sources.Content(values={"columns": COLUMNS, "rows": rows}, xlsx=out.getvalue())


sources.register("progress", progress_source)
