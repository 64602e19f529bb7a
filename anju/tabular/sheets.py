"""Rows of a spreadsheet or CSV as lists of cell values (calamine for .xlsx and .xls)."""

import io

from python_calamine import CalamineWorkbook

from anju.tabular.safety import OLE_MAGIC, check_spreadsheet
from anju.tabular.text import header_key, read_csv


def read_rows(data: bytes) -> list[list[object]]:
    """Every row of the first sheet (.xlsx, .xls) or of a CSV file, by content, not name."""
    if data.startswith(b"PK\x03\x04") or data.startswith(OLE_MAGIC):
        check_spreadsheet(data)
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)  # a list of lists
    return [list(row) for row in read_csv(data)]


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
