"""Rows of a spreadsheet or CSV as lists of cell values (calamine for .xlsx and .xls).

Every spreadsheet is opened through `open_workbook`, which checks the file (anju.tabular.safety:
type by content, zip bombs, DTDs) and its used area against the caps of its kind
(anju.tabular.limits) before calamine sees it."""

import io

from python_calamine import CalamineWorkbook

from anju.tabular.limits import Limits
from anju.tabular.safety import OLE_MAGIC, UnsafeFile, check_extent, check_spreadsheet
from anju.tabular.text import header_key, iter_csv

UNREADABLE = "无法读取：文件已损坏，或不是 .xlsx、.xls、.csv 文件"


def open_workbook(data: bytes, limits: Limits, *, allow_xls: bool = True) -> CalamineWorkbook:
    """The workbook of `data`, once its bytes, structure and used area are checked; UnsafeFile
    (a message for the user) otherwise."""
    kind = check_spreadsheet(data, allow_xls=allow_xls)
    check_extent(data, kind, limits)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine's own errors (XmlError, ZipError, ...): a damaged file
        raise UnsafeFile(UNREADABLE) from None


def read_rows(data: bytes, limits: Limits) -> list[list[object]]:
    """Every row of the first sheet (.xlsx, .xls) or of a CSV file, by content, not name;
    UnsafeFile for a file refused or over the caps of `limits`."""
    if data.startswith(b"PK\x03\x04") or data.startswith(OLE_MAGIC):
        book = open_workbook(data, limits)
        try:
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)  # a list of lists
        except Exception:
            raise UnsafeFile(UNREADABLE) from None
    rows: list[list[object]] = []
    width = 0
    for row in iter_csv(data):
        rows.append(row)
        width = max(width, len(row))
        if (limits.rows is not None and len(rows) > limits.rows) or (
            limits.columns is not None and width > limits.columns
        ):
            raise UnsafeFile(limits.over(len(rows), width).replace("用到第", "至少用到第", 1))
    return rows


def find_header(
    rows: list[list[object]], aliases: dict[str, set[str]], *, minimum: int = 3, scan: int = 20
) -> tuple[int, dict[str, int]] | None:
    """The row index of the header (the first with `minimum` known columns) and field → column."""
    keyed = {field: {header_key(a) for a in names} for field, names in aliases.items()}
    for index, row in enumerate(rows[:scan]):
        found: dict[str, int] = {}
        for column, cell in enumerate(row):
            key = header_key(cell)
            for field, names in keyed.items():
                if key in names and field not in found:
                    found[field] = column
        if len(found) >= minimum:
            return index, found
    return None
