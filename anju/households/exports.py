"""Household lists to xlsx: streamed from a temporary file written in constant memory, and
formula-safe (text cells are written as text, and text starting with = + - @ is neutralised)."""

import tempfile

import xlsxwriter

from anju.reporting.layout import safe_text
from anju.tabular.limits import limits_for
from anju.tabular.sheets import find_header, read_rows

COLUMNS = ["行政区划代码", "行政村", "户主姓名", "户主身份证号", "家庭人口", "一卡通账号"]


# Excel holds 1,048,576 rows a sheet; a bigger export goes on to 农户(2), 农户(3), ...
SHEET_ROWS = 1_000_000


def write_households(households, *, unmasked: bool, watermark: str):
    """A temporary file holding the workbook; rows are streamed from the database and written in
    constant memory (a 1,000,000-row export peaks under 100 MB: `make bench`)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    bold = book.add_format({"bold": True})

    def new_sheet(number: int):
        sheet = book.add_worksheet("农户" if number == 1 else f"农户({number})")
        sheet.write_string(0, 0, safe_text(watermark))
        for col, name in enumerate(COLUMNS):
            sheet.write_string(1, col, name, bold)
        return sheet

    sheets = 1
    sheet = new_sheet(sheets)
    row = 2
    count = 0
    # Full numbers decrypted only for a role that may see them; the stored masks otherwise.
    values = households.values_list(
        "region_id",
        "region__name",
        "head_name",
        "head_id" if unmasked else "head_id_masked",
        "size",
        "account_number" if unmasked else "account_number_masked",
    )
    rows = values.iterator(chunk_size=5000)
    for code, village, name, number, size, account_shown in rows:
        if row - 2 == SHEET_ROWS:
            sheets += 1
            sheet = new_sheet(sheets)
            row = 2
        sheet.write_string(row, 0, code)
        sheet.write_string(row, 1, safe_text(village))
        sheet.write_string(row, 2, safe_text(name))
        sheet.write_string(row, 3, number)
        if size is not None:
            sheet.write_number(row, 4, size)
        sheet.write_string(row, 5, account_shown)
        row += 1
        count += 1
    book.close()
    handle.seek(0)
    return handle, count


def write_template() -> bytes:
    import io

    from anju.households.archive_file import LABELS, TEMPLATE

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("农户档案")
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    text = book.add_format({"num_format": "@"})
    for col, field in enumerate(TEMPLATE):
        sheet.write_string(0, col, LABELS[field], bold)
        sheet.set_column(col, col, 14, text)  # text cells: IDs and accounts keep every digit
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def _by_row(items: list[dict]) -> dict[int, str]:
    by_row: dict[int, list[str]] = {}
    for item in items:
        by_row.setdefault(item["row"], []).append(f"{item['column']}：{item['message']}")
    return {row: "；".join(texts) for row, texts in by_row.items()}


def write_errors_workbook(data: bytes, errors: list[dict], warnings: list[dict] = ()):
    """The uploaded rows again, with a column 错误 naming what is wrong on each row and a column
    警告 naming what looks wrong: a temporary file written in constant memory (row by row), for
    a FileResponse to stream."""
    from anju.households.archive_file import HEADERS

    rows = read_rows(data, limits_for("households"))
    by_row = _by_row(errors)
    warned = _by_row(list(warnings))
    found = find_header(rows, HEADERS)
    header_at = found[0] if found else 0
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = book.add_worksheet("农户档案")
    red = book.add_format({"font_color": "#B91C1C"})
    amber = book.add_format({"font_color": "#92400E"})
    width = max((len(r) for r in rows), default=0)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            elif value not in (None, ""):
                sheet.write_string(r, c, safe_text(value))
        if r == header_at:
            sheet.write_string(r, width, "错误（系统添加）", red)
            sheet.write_string(r, width + 1, "警告（系统添加）", amber)
            continue
        if r + 1 in by_row:
            sheet.write_string(r, width, safe_text(by_row[r + 1]), red)
        if r + 1 in warned:
            sheet.write_string(r, width + 1, safe_text(warned[r + 1]), amber)
    book.close()
    handle.seek(0)
    return handle
