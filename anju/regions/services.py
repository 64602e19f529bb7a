"""Writes to the region tree."""

import re
from dataclasses import dataclass, field

from django.db import transaction

from anju.audit.services import audit, audit_many
from anju.regions.models import CODE_LENGTH, Level, Region, level_of, prefix_of
from anju.tabular.errors import RowError
from anju.tabular.text import clean, header_key, read_csv

HEADERS = {
    "code": {"代码", "区划代码", "行政区划代码", "统计用区划代码", "code"},
    "name": {"名称", "区划名称", "name"},
    "parent": {"上级代码", "上级区划代码", "父级代码", "parent", "parentcode", "parent_code"},
    "base_village": {"革命基点村", "是否革命基点村", "base_village"},
}
YES = {"是", "1", "Y", "YES", "TRUE", "√"}
NO = {"", "否", "0", "N", "NO", "FALSE", "×"}
_DIGITS = re.compile(r"^[0-9]+$")


@dataclass
class RegionImportResult:
    created: int = 0
    renamed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    number: int
    code: str
    name: str
    parent: str
    base_village: bool | None


def _normalise_code(raw: str) -> str | None:
    """A 12-digit code; 6- and 9-digit forms (county, township) are padded, as often written."""
    code = raw.replace(" ", "")
    if not _DIGITS.match(code) or len(code) not in (2, 4, 6, 9, 12):
        return None
    return code.ljust(CODE_LENGTH, "0")


def _parse(data: bytes) -> tuple[list[_Row], list[RowError]]:
    rows = read_csv(data)
    errors: list[RowError] = []
    header_at = None
    columns: dict[str, int] = {}
    for index, row in enumerate(rows):
        keys = [header_key(cell).lower() for cell in row]
        found = {
            name: keys.index(alias.lower())
            for name, aliases in HEADERS.items()
            for alias in aliases
            if alias.lower() in keys
        }
        if "code" in found and "name" in found:
            header_at, columns = index, found
            break
    if header_at is None:
        return [], [RowError(1, "表头", "未找到表头：需要「代码,名称,上级代码」三列")]

    parsed: list[_Row] = []
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        number = index + 1

        def cell(name: str, row: list[str] = row) -> str:
            i = columns.get(name)
            return clean(row[i]) if i is not None and i < len(row) else ""

        if not any(clean(c) for c in row):
            continue
        raw_code, name, raw_parent = cell("code"), cell("name"), cell("parent")
        code = _normalise_code(raw_code)
        if code is None:
            errors.append(RowError(number, "代码", f"不是有效的区划代码「{raw_code}」"))
            continue
        if not name:
            errors.append(RowError(number, "名称", "名称不能为空"))
            continue
        parent = ""
        if raw_parent:
            parent = _normalise_code(raw_parent) or ""
            if not parent:
                errors.append(RowError(number, "上级代码", f"不是有效的区划代码「{raw_parent}」"))
                continue
        base_village = None
        if "base_village" in columns:
            flag = cell("base_village").upper()
            if flag in YES:
                base_village = True
            elif flag in NO:
                base_village = False
            else:
                errors.append(RowError(number, "革命基点村", f"应为 是/否，而不是「{flag}」"))
                continue
        parsed.append(_Row(number, code, name[:100], parent, base_village))
    return parsed, errors


def _check_tree(rows: list[_Row], existing: dict[str, Region]) -> list[RowError]:
    errors: list[RowError] = []
    in_file: dict[str, _Row] = {}
    for row in rows:
        if row.code in in_file:
            first = in_file[row.code].number
            errors.append(RowError(row.number, "代码", f"与第 {first} 行重复「{row.code}」"))
            continue
        in_file[row.code] = row
    for row in rows:
        level = level_of(row.code)
        if level == Level.PROVINCE:
            if row.parent:
                errors.append(RowError(row.number, "上级代码", "省级区划不应有上级"))
            continue
        if not row.parent:
            errors.append(RowError(row.number, "上级代码", "除省级外都必须填写上级代码"))
            continue
        if row.parent not in in_file and row.parent not in existing:
            errors.append(
                RowError(row.number, "上级代码", f"上级「{row.parent}」不在文件中也不在已有区划中")
            )
            continue
        parent_level = level_of(row.parent)
        if parent_level >= level or not row.code.startswith(prefix_of(row.parent)):
            errors.append(
                RowError(row.number, "上级代码", f"「{row.code}」不属于上级「{row.parent}」")
            )
    return errors


def regions_import(*, actor, data: bytes, source: str = "") -> RegionImportResult:
    """Load a region file (CSV: 代码,名称,上级代码[,革命基点村]): adds or renames, never deletes.

    All or nothing: any bad row and nothing is written; the result lists every bad row.
    """
    rows, errors = _parse(data)
    result = RegionImportResult(errors=errors)
    if errors:
        return result
    codes = [r.code for r in rows] + [r.parent for r in rows if r.parent]
    existing = Region.objects.in_bulk(set(codes))
    result.errors = _check_tree(rows, existing)
    if result.errors:
        return result

    new: list[Region] = []
    changed: list[tuple[Region, dict, dict]] = []
    for row in sorted(rows, key=lambda r: level_of(r.code)):
        region = existing.get(row.code)
        if region is None:
            new.append(
                Region(
                    code=row.code,
                    name=row.name,
                    level=level_of(row.code),
                    parent_id=row.parent or None,
                    is_base_village=bool(row.base_village),
                )
            )
            continue
        before = {"name": region.name, "is_base_village": region.is_base_village}
        region.name = row.name
        if row.base_village is not None:
            region.is_base_village = row.base_village
        after = {"name": region.name, "is_base_village": region.is_base_village}
        if before != after:
            changed.append((region, before, after))
        else:
            result.unchanged += 1

    with transaction.atomic():
        # Parents before children (sorted by level above), so foreign keys hold at every insert.
        Region.objects.bulk_create(new, batch_size=2000)
        if changed:
            Region.objects.bulk_update(
                [c[0] for c in changed], ["name", "is_base_village"], batch_size=2000
            )
        audit_many(
            actor=actor,
            action="create",
            items=[
                (
                    r,
                    None,
                    {"name": r.name, "parent": r.parent_id, "is_base_village": r.is_base_village},
                )
                for r in new
            ],
            note=source,
        )
        audit_many(actor=actor, action="update", items=changed, note=source)
    result.created = len(new)
    result.renamed = len(changed)
    return result


def region_set_base_village(*, actor, region: Region, value: bool) -> Region:
    """Flag or unflag a village as a revolutionary base village (革命基点村)."""

    with transaction.atomic():
        before = {"is_base_village": region.is_base_village}
        region.is_base_village = value
        region.full_clean()
        region.save(update_fields=["is_base_village"])
        audit(
            actor=actor,
            action="update",
            obj=region,
            before=before,
            after={"is_base_village": value},
        )
    return region
