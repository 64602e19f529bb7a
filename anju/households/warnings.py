"""Warnings of the household archive import: rows that are good enough to import but look wrong
(an ID failing GB 11643, dates out of order, a built area outside the standard, a household that
looks like one already on record). They do not stop the import (unless the clerk asks for it):
they are listed on the result page, in the annotated workbook's 警告 column and on the command
line, each naming row, column, value and why."""

from collections.abc import Iterable
from decimal import Decimal

from anju.households.archive_file import Record
from anju.parameters import parameters
from anju.tabular.errors import RowWarning

# (earlier field, its column, later field, its column): the later date may not come before.
DATE_ORDER = (
    ("approved_on", "审批日期", "started_on", "开工日期"),
    ("started_on", "开工日期", "completed_on", "竣工日期"),
    ("completed_on", "竣工日期", "accepted_on", "验收日期"),
    ("assessed_on", "鉴定日期", "approved_on", "审批日期"),
)


def area_bounds(size: int | None, table: dict | None = None) -> tuple[Decimal, Decimal] | None:
    """The national built-area standard for a household of `size` persons (parameters'
    area_standard, or `table`): (least, most) in m², None when the size is not known."""
    if not size:
        return None
    table = table or parameters()["area_standard"]
    if str(size) in table:
        low, high = table[str(size)]
    else:
        per_low, per_high = table["per_person"]
        low, high = per_low * size, per_high * size
    return Decimal(low), Decimal(high)


def row_warnings(record: Record, bounds_of=area_bounds) -> list[RowWarning]:
    """What looks wrong in one good row on its own (`bounds_of(size)`: the area standard)."""
    found = []
    if not record.id_valid:
        found.append(
            RowWarning(
                record.row,
                "户主身份证号",
                f"「{record.head_id}」未通过 GB 11643 校验（校验码或出生日期不对），"
                "按原样导入并标记为身份证号无效（INVALID_ID）",
            )
        )
    for early, early_label, late, late_label in DATE_ORDER:
        before, after = getattr(record, early), getattr(record, late)
        if before and after and after < before:
            found.append(
                RowWarning(
                    record.row,
                    late_label,
                    f"「{after:%Y-%m-%d}」早于{early_label}「{before:%Y-%m-%d}」，日期顺序不对",
                )
            )
    bounds = bounds_of(record.size) if record.built_area is not None else None
    if bounds and not bounds[0] <= record.built_area <= bounds[1]:
        found.append(
            RowWarning(
                record.row,
                "改造后建筑面积",
                f"「{record.built_area.normalize():f}」㎡ 超出 {record.size} 人户的标准"
                f"（{bounds[0]:f}–{bounds[1]:f} ㎡）",
            )
        )
    return found


def _in_file_twins(records: list[Record]) -> list[RowWarning]:
    """Two rows of the file with the same village, head name and year but different IDs."""
    first: dict[tuple, Record] = {}
    found = []
    for record in records:
        key = (record.region, record.head_name, record.year)
        seen = first.setdefault(key, record)
        if seen is not record and seen.head_id != record.head_id:
            found.append(
                RowWarning(
                    record.row,
                    "户主身份证号",
                    f"与第 {seen.row} 行同村、同户主姓名「{record.head_name}」、同改造年度"
                    f"（{record.year}），身份证号却不同：可能是同一户，请核对",
                )
            )
    return found


def _archive_twins(records: list[Record], new_heads: set[str]) -> list[RowWarning]:
    """Rows of households new to the archive that look like one already on record: the same
    village, head name and renovation year under a different ID. Only the villages that have
    households already are looked at (a first import of a whole county asks one query)."""
    from anju.households.models import Household, Renovation

    new = [r for r in records if r.head_id in new_heads]
    if not new:
        return []
    regions = sorted({r.region for r in new})
    peopled: set[str] = set()
    for at in range(0, len(regions), 500):
        peopled.update(
            Household.objects.filter(region_id__in=regions[at : at + 500])
            .values_list("region_id", flat=True)
            .distinct()
        )
    candidates = [r for r in new if r.region in peopled]
    if not candidates:
        return []
    on_record: dict[tuple, int] = {}
    names = sorted({r.head_name for r in candidates})
    for at in range(0, len(names), 500):
        rows = Renovation.objects.filter(
            household__region_id__in={r.region for r in candidates},
            household__head_name__in=names[at : at + 500],
        ).values_list("household__region_id", "household__head_name", "year", "household_id")
        for region, name, year, household_id in rows:
            on_record.setdefault((region, name, year), household_id)
    found = []
    for record in candidates:
        twin = on_record.get((record.region, record.head_name, record.year))
        if twin is not None:
            found.append(
                RowWarning(
                    record.row,
                    "户主身份证号",
                    f"档案中已有同村、同户主姓名「{record.head_name}」、同改造年度"
                    f"（{record.year}）的一户，身份证号不同：可能是同一户重复建档，"
                    "请打开档案中的那一户核对",
                    household=twin,
                )
            )
    return found


def import_warnings(records: list[Record], new_heads: Iterable[str]) -> list[RowWarning]:
    """Every warning of the file's good rows, in row order (a row's own in column order).
    `new_heads`: the head IDs not yet on record (their households would be created)."""
    table = parameters()["area_standard"]
    bounds: dict = {}

    def bounds_of(size):
        """The standard for each household size, looked up once per import."""
        if size not in bounds:
            bounds[size] = area_bounds(size, table)
        return bounds[size]

    found = [w for record in records for w in row_warnings(record, bounds_of)]
    found += _in_file_twins(records)
    found += _archive_twins(records, set(new_heads))
    found.sort(key=lambda w: w.row)
    return found
