"""The failure rates as xlsx, formula-safe (text through safe_text, numbers as numbers)."""

import io

import xlsxwriter

from anju.reporting.layout import safe_text
from anju.spotchecks.models import CheckItem


def write_rates(region, rows, totals) -> io.BytesIO:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("抽查不合格率")
    bold = book.add_format({"bold": True, "border": 1})
    sheet.write_string(
        0, 0, safe_text(f"{region.name} 抽查核查结果：各检查事项不合格率（%）"), bold
    )
    head = ["抽查层级", "乡镇（街道）", "核查户数"]
    for label in CheckItem.labels:
        head += [f"{label}不合格", f"{label}不合格率(%)", f"{label}无法核实"]
    for col, name in enumerate(head):
        sheet.write_string(1, col, name, bold)
    r = 2
    for row in [*rows, *totals]:
        sheet.write_string(r, 0, safe_text(row.level_label))
        sheet.write_string(r, 1, safe_text(row.township_name))
        sheet.write_number(r, 2, row.houses)
        col = 3
        for rate in row.cells():
            sheet.write_number(r, col, rate.failed)
            if rate.percent is not None:
                sheet.write_number(r, col + 1, rate.percent)
            sheet.write_number(r, col + 2, rate.unverifiable)
            col += 3
        r += 1
    book.close()
    out.seek(0)
    return out
