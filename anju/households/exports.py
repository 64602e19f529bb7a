"""Household lists to xlsx: streamed from a temporary file written in constant memory, and
formula-safe (text cells are written as text, and text starting with = + - @ is neutralised)."""

import tempfile
from collections import defaultdict
from decimal import Decimal

import xlsxwriter
from django.db.models import F

from anju.households.archive_file import LABELS, TEMPLATE
from anju.households.choices import Category, Method, Structure
from anju.households.imports import RENOVATION_FIELDS
from anju.households.models import Assessment, CategoryRecord, House, Renovation
from anju.regions.models import Level, Region
from anju.reporting.layout import safe_text
from anju.tabular.limits import limits_for
from anju.tabular.sheets import find_header, read_rows

# Excel holds 1,048,576 rows a sheet; a bigger export goes on to 农户(2), 农户(3), ...
SHEET_ROWS = 1_000_000
CHUNK = 2000  # households whose renovations, categories, houses are read in one go each


def _region_names() -> dict[str, tuple[str, int]]:
    return {
        code: (name, level)
        for code, name, level in Region.objects.filter(level__gte=Level.COUNTY).values_list(
            "code", "name", "level"
        )
    }


def _places(code: str, names: dict) -> tuple[str, str, str]:
    """County, township and village names of a household's region code."""
    _, level = names.get(code, ("", 0))
    county = names.get(code[:6] + "000000", ("", 0))[0]
    township = names.get(code[:9] + "000", ("", 0))[0] if level >= Level.TOWNSHIP else ""
    village = names[code][0] if level == Level.VILLAGE else ""
    return county, township, village


def _day(value) -> str:
    return value.isoformat() if value else ""


def _number(value):
    """An amount or area as the number a clerk types (no trailing .00)."""
    if value is None:
        return None
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


class _Chunk:
    """What a chunk of households has below it: renovations by year, categories, the old
    house's structure (the house the import assesses) and its latest assessment."""

    def __init__(self, keys: list[int]):
        self.renovations: dict[int, list] = defaultdict(list)
        for row in (
            Renovation.objects.filter(household_id__in=keys)
            .order_by("household_id", "year")
            .values_list("household_id", "year", *RENOVATION_FIELDS)
        ):
            self.renovations[row[0]].append(row[1:])
        self.categories: dict[int, set] = defaultdict(set)
        for household_id, category in CategoryRecord.objects.filter(
            household_id__in=keys
        ).values_list("household_id", "category"):
            self.categories[household_id].add(category)
        self.house: dict[int, tuple[int, str]] = {}
        for pk, household_id, structure in (
            House.objects.filter(household_id__in=keys, is_new=False)
            .order_by("pk")
            .values_list("pk", "household_id", "structure")
        ):
            self.house.setdefault(household_id, (pk, structure))
        houses = [pk for pk, _ in self.house.values()]
        self.assessment: dict[int, tuple] = {}
        for house_id, grade, day in (
            Assessment.objects.filter(house_id__in=houses)
            .order_by(F("assessed_on").asc(nulls_first=True), "pk")
            .values_list("house_id", "grade", "assessed_on")
        ):
            self.assessment[house_id] = (grade, day)  # the latest wins

    def household_cells(self, pk: int) -> tuple[str, str, str, str]:
        """Categories, structure, grade and assessment date, in the import's value forms."""
        categories = "、".join(
            CATEGORY_LABELS[c] for c in CATEGORY_ORDER if c in self.categories.get(pk, ())
        )
        house, structure = self.house.get(pk, (None, ""))
        grade, day = self.assessment.get(house, ("", None))
        return categories, STRUCTURE_LABELS.get(structure, ""), grade, _day(day)


CATEGORY_ORDER = tuple(Category.values)
CATEGORY_LABELS = dict(Category.choices)
STRUCTURE_LABELS = dict(Structure.choices)
METHOD_LABELS = dict(Method.choices)
TOILET = {True: "有", False: "无", None: ""}


def archive_rows(households, *, unmasked: bool):
    """(household count so far, row) for each household and renovation year, in the archive
    file's columns (TEMPLATE): what `parse_archive` reads back to the same values. A household
    with no renovation is one row with the renovation columns blank. Numbers are decrypted only
    for a role that may see them (a masked file cannot be imported back)."""
    names = _region_names()
    values = households.values_list(
        "pk",
        "region_id",
        "head_name",
        "head_id" if unmasked else "head_id_masked",
        "size",
        "account_number" if unmasked else "account_number_masked",
    )
    count = 0
    batch: list[tuple] = []

    def flush():
        nonlocal count
        chunk = _Chunk([h[0] for h in batch])
        for pk, code, name, number, size, account in batch:
            count += 1
            head = (*_places(code, names), code, name, number, size)
            categories, structure, grade, assessed = chunk.household_cells(pk)
            renovations = chunk.renovations.get(pk) or [(None,) * (len(RENOVATION_FIELDS) + 1)]
            for (
                year,
                method,
                approved,
                started,
                completed,
                accepted,
                area,
                toilet,
                fen,
            ) in renovations:
                yield (
                    count,
                    (
                        *head,
                        categories,
                        structure,
                        grade,
                        assessed,
                        _day(approved),
                        METHOD_LABELS.get(method or "", ""),
                        year,
                        _day(started),
                        _day(completed),
                        _day(accepted),
                        _number(area),
                        TOILET[toilet],
                        None if year is None else _number(Decimal(fen) / 100),
                        account,
                    ),
                )
        batch.clear()

    for row in values.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield from flush()
    if batch:
        yield from flush()


def write_households(households, *, unmasked: bool, watermark: str):
    """A temporary file holding the archive (one row per household and renovation year, in the
    import's own headers and value forms, so the file imports back unchanged) and how many
    households it holds; written in constant memory (a 1,000,000-row export: `make bench`)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    bold = book.add_format({"bold": True})

    def new_sheet(number: int):
        sheet = book.add_worksheet("农户" if number == 1 else f"农户({number})")
        sheet.write_string(0, 0, safe_text(watermark))
        for col, field in enumerate(TEMPLATE):
            sheet.write_string(1, col, LABELS[field], bold)
        return sheet

    sheets = 1
    sheet = new_sheet(sheets)
    row = 2
    count = 0
    for count, cells in archive_rows(households, unmasked=unmasked):  # noqa: B007
        if row - 2 == SHEET_ROWS:
            sheets += 1
            sheet = new_sheet(sheets)
            row = 2
        for col, value in enumerate(cells):
            if isinstance(value, (int, float)):
                sheet.write_number(row, col, value)
            elif value:
                sheet.write_string(row, col, safe_text(value))
        row += 1
    book.close()
    handle.seek(0)
    return handle, count


def _by_row(items: list[dict]) -> dict[int, str]:
    by_row: dict[int, list[str]] = {}
    for item in items:
        by_row.setdefault(item["row"], []).append(f"{item['column']}：{item['message']}")
    return {row: "；".join(texts) for row, texts in by_row.items()}


def write_errors_workbook(
    data: bytes,
    errors: list[dict],
    warnings: list[dict] = (),
    *,
    headers=None,
    sheet_name: str = "农户档案",
):
    """The uploaded rows again, with a column 错误 naming what is wrong on each row and a column
    警告 naming what looks wrong: a temporary file written in constant memory (row by row), for
    a FileResponse to stream. `headers`: the file's header aliases (the archive's unless
    given)."""
    from anju.households.archive_file import HEADERS

    headers = headers or HEADERS
    rows = read_rows(data, limits_for("households"))
    by_row = _by_row(errors)
    warned = _by_row(list(warnings))
    found = find_header(rows, headers, minimum=2 if headers is not HEADERS else 3)
    header_at = found[0] if found else 0
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = book.add_worksheet(sheet_name)
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
