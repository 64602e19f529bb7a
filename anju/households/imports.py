"""`anju import households FILE` and the upload page: the household archive file (CONTRACT.md),
one row per renovation record, all or nothing, every bad row named as `row N: column: message`."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter

from django.db import transaction
from django.db.models.expressions import RawSQL

from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.choices import (
    CATEGORY_DEPARTMENT,
    CATEGORY_WORDS,
    METHOD_WORDS,
    Grade,
    Structure,
)
from anju.households.ids import parse_id
from anju.households.models import (
    Assessment,
    CategoryRecord,
    House,
    Household,
    ImportBatch,
    Person,
    Renovation,
)
from anju.regions.models import Level, Region
from anju.sealed import Sealer
from anju.tabular.errors import RowError
from anju.tabular.inserts import (
    bulk_load,
    insert_rows,
    key_table,
    no_gc,
    reserve_ids,
)
from anju.tabular.safety import UnsafeFile
from anju.tabular.sheets import find_header, read_rows
from anju.tabular.text import clean, squeeze
from anju.tabular.values import (
    BadValue,
    folded,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_yes_no,
)

HEADERS: dict[str, set[str]] = {
    "county": {"县(市、区)", "县区", "区县"},
    "township": {"乡镇(街道)", "乡镇", "街道"},
    "village": {"行政村", "村", "村(社区)"},
    "region_code": {"行政区划代码", "区划代码"},
    "head_name": {"户主姓名", "姓名"},
    "head_id": {"户主身份证号", "身份证号", "身份证号码", "公民身份号码", "证件号码"},
    "size": {"家庭人口", "家庭人口数", "人口数"},
    "categories": {"农户类别", "对象类别", "户类型"},
    "structure": {"房屋结构", "原房屋结构"},
    "grade": {"危险等级", "鉴定等级", "房屋危险等级"},
    "assessed_on": {"鉴定日期", "鉴定时间"},
    "approved_on": {"审批日期", "批复日期", "批准日期"},
    "method": {"改造方式"},
    "year": {"改造年度", "年度"},
    "started_on": {"开工日期"},
    "completed_on": {"竣工日期"},
    "accepted_on": {"验收日期"},
    "built_area": {"改造后建筑面积", "建筑面积(㎡)", "建筑面积（平方米）"},
    "toilet": {"有无卫生厕所", "卫生厕所"},
    "subsidy_yuan": {"补助金额(元)", "补助资金(元)"},
    "subsidy_wan": {"补助资金（万元）", "补助资金(万元)", "补助金额(万元)"},
    "account": {"一卡通账号", "社保卡号", "银行账号"},
}
LABELS = {
    "county": "县(市、区)",
    "township": "乡镇(街道)",
    "village": "行政村",
    "region_code": "行政区划代码",
    "head_name": "户主姓名",
    "head_id": "户主身份证号",
    "size": "家庭人口",
    "categories": "农户类别",
    "structure": "房屋结构",
    "grade": "危险等级",
    "assessed_on": "鉴定日期",
    "approved_on": "审批日期",
    "method": "改造方式",
    "year": "改造年度",
    "started_on": "开工日期",
    "completed_on": "竣工日期",
    "accepted_on": "验收日期",
    "built_area": "改造后建筑面积",
    "toilet": "有无卫生厕所",
    "subsidy_yuan": "补助金额(元)",
    "subsidy_wan": "补助资金（万元）",
    "account": "一卡通账号",
}
# The blank template's columns, in the order clerks are used to.
TEMPLATE = [
    "county",
    "township",
    "village",
    "region_code",
    "head_name",
    "head_id",
    "size",
    "categories",
    "structure",
    "grade",
    "assessed_on",
    "approved_on",
    "method",
    "year",
    "started_on",
    "completed_on",
    "accepted_on",
    "built_area",
    "toilet",
    "subsidy_yuan",
    "account",
]

_CATEGORY_LOOKUP = {squeeze(w): c for c, words in CATEGORY_WORDS.items() for w in words}
_METHOD_LOOKUP = {squeeze(w): m for m, words in METHOD_WORDS.items() for w in words}
_STRUCTURE_LOOKUP = {squeeze(label): value for value, label in Structure.choices}
_SPLIT = "、,，;；/"


@dataclass
class ImportResult:
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    renovations_created: int = 0
    renovations_updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class Record:
    """One good row, ready to write."""

    row: int
    region: str
    head_name: str
    head_id: str
    id_valid: bool
    size: int | None
    categories: tuple[str, ...]
    structure: str
    grade: str
    assessed_on: date | None
    approved_on: date | None
    method: str
    year: int
    started_on: date | None
    completed_on: date | None
    accepted_on: date | None
    built_area: Decimal | None
    toilet: bool | None
    subsidy_fen: int
    account: str


class RegionIndex:
    """Region codes by (county, township, village) names, compared without spaces."""

    def __init__(self):
        regions = list(
            Region.objects.filter(level__gte=Level.COUNTY).values_list(
                "code", "name", "level", "parent_id"
            )
        )
        self.codes = {code for code, *_ in regions}
        names = {code: squeeze(name) for code, name, _, _ in regions}
        self.by_path: dict[tuple[str, ...], str] = {}
        for code, name, level, parent in regions:
            if level == Level.VILLAGE and parent:
                county = parent[:6] + "000000"
                self.by_path[(names.get(county, ""), names.get(parent, ""), squeeze(name))] = code
            elif level == Level.TOWNSHIP:
                county = code[:6] + "000000"
                self.by_path[(names.get(county, ""), squeeze(name), "")] = code

    def find(self, county: str, township: str, village: str) -> str | None:
        return self.by_path.get((squeeze(county), squeeze(township), squeeze(village)))


def _words(value: object, lookup: dict[str, str], what: str) -> list[str]:
    text = clean(value)
    for sep in _SPLIT:
        text = text.replace(sep, ",")
    found = []
    for word in filter(None, (squeeze(w) for w in text.split(","))):
        if word not in lookup:
            raise BadValue(f"不认识的{what}「{word}」")
        found.append(lookup[word])
    return list(dict.fromkeys(found))


def _one(value: object, lookup: dict[str, str], what: str) -> str:
    if is_blank(value):
        return ""
    key = squeeze(value)
    if key not in lookup:
        raise BadValue(f"不认识的{what}「{clean(value)}」")
    return lookup[key]


def _grade(value: object) -> str:
    if is_blank(value):
        return ""
    text = folded(value).upper().replace("级", "").replace("危房", "")
    if text not in _GRADES:
        raise BadValue(f"危险等级应为 A、B、C、D，而不是「{clean(value)}」")
    return text


def _categories(value):
    return tuple(_words(value, _CATEGORY_LOOKUP, "农户类别"))


def _structure(value):
    return _one(value, _STRUCTURE_LOOKUP, "房屋结构")


def _method(value):
    return _one(value, _METHOD_LOOKUP, "改造方式")


_GRADES = frozenset(Grade.values)
_DATES = ("assessed_on", "approved_on", "started_on", "completed_on", "accepted_on")
# Columns whose values repeat down the sheet (places, categories, dates, amounts): each distinct
# value is read once. Names, ID numbers and accounts differ row by row and are read every time.
_PARSERS = {
    "size": parse_int,
    "categories": _categories,
    "structure": _structure,
    "grade": _grade,
    "method": _method,
    **dict.fromkeys(_DATES, parse_date),
    "year": parse_int,
    "built_area": parse_decimal,
    "toilet": parse_yes_no,
    "subsidy_yuan": parse_decimal,
    "subsidy_wan": parse_decimal,
}


class _Memo:
    """`parse` applied to each distinct value once; a BadValue is remembered like a result.
    Keyed by type as well as value, so 1, 1.0 and True stay apart."""

    def __init__(self, parse):
        self.parse = parse
        self.seen: dict = {}

    def map(self, values: list) -> list:
        """The parsed value of each of `values`, a BadValue in place of those that fail."""
        seen, parse, out = self.seen, self.parse, []
        append = out.append
        for value in values:
            # Text is its own key; other values carry their type (1, 1.0 and True are equal keys).
            key = value if value.__class__ is str else (value.__class__, value)
            found = seen.get(key, _MISSING)
            if found is _MISSING:
                try:
                    found = parse(value)
                except BadValue as error:
                    found = error
                seen[key] = found
            append(found)
        return out


_MISSING = object()


class _Reader:
    """Turns the sheet's rows into Records, collecting every row's errors. The columns whose
    values repeat are parsed a column at a time (each distinct value once); the rest of each
    row is checked row by row."""

    def __init__(self, columns: dict[str, int], regions: RegionIndex):
        self.columns = columns
        self.width = max(columns.values()) + 1
        self.regions = regions
        # The columns the sheet has, each with its memo; those it lacks are read as empty.
        self.present = [
            (name, columns[name], _Memo(parse))
            for name, parse in _PARSERS.items()
            if name in columns
        ]
        self.absent = {name: parse(None) for name, parse in _PARSERS.items() if name not in columns}
        self.places: dict[tuple, tuple[str, str | None]] = {}
        self.today = date.today()
        # Where the columns read row by row are (None: the sheet lacks it).
        fields = ("region_code", "county", "township", "village", "head_name", "head_id")
        self.at = tuple(columns.get(name) for name in (*fields, "account"))

    def place(self, key: tuple) -> tuple[str, str | None]:
        """(region code, error) for the row's place columns (region code, county, township,
        village), each distinct place looked up once."""
        found = self.places.get(key)
        if found is None:
            found = self.places[key] = self._place(*key)
        return found

    def _place(self, code, county, township, village) -> tuple[str, str | None]:
        code = folded(code)
        if code:
            code = code.ljust(12, "0") if code.isdigit() and len(code) in (9, 12) else code
            if code not in self.regions.codes:
                return code, f"不在已载入的区划中「{code}」"
            return code, None
        region = self.regions.find(clean(county), clean(township), clean(village))
        if not region:
            place = "".join(clean(v) for v in (county, township, village))
            return "", f"不在已载入的区划中「{place or '空'}」"
        return region, None

    def read(self, rows: list[tuple[int, list]], errors: list[RowError]) -> list[Record | None]:
        """A Record (or None, its errors appended to `errors`) for each (row number, cells)."""
        rows = [
            (number, row if len(row) >= self.width else [*row, *([None] * (self.width - len(row)))])
            for number, row in rows
        ]
        names = [name for name, _, _ in self.present]
        parsed = [memo.map([row[column] for _, row in rows]) for _, column, memo in self.present]
        # Each row's parsed values in the order of _PARSERS (the absent columns' constants last).
        given = {name: k for k, name in enumerate(names)}
        absent = tuple(self.absent[name] for name in _PARSERS if name not in given)
        order, at = [], len(names)
        for name in _PARSERS:
            if name in given:
                order.append(given[name])
            else:
                order.append(at)
                at += 1
        pick = itemgetter(*order)
        # The rows holding a value that failed to parse, with those columns (most files: none).
        failed: dict[int, list[int]] = {}
        for k, values in enumerate(parsed):
            if any(isinstance(v, BadValue) for v in values):
                for i, v in enumerate(values):
                    if isinstance(v, BadValue):
                        failed.setdefault(i, []).append(k)
        cells_of = zip(*parsed, strict=True) if parsed else [()] * len(rows)
        records = []
        for i, ((number, row), cells) in enumerate(zip(rows, cells_of, strict=True)):
            start = len(errors)
            if i in failed:
                cells = list(cells)
                for k in failed[i]:
                    errors.append(RowError(number, LABELS[names[k]], str(cells[k])))
                    cells[k] = None
                cells = tuple(cells)
            records.append(self._finish(number, row, pick(cells + absent), errors, start))
        return records

    def _finish(self, number, row, values, errors, start) -> Record | None:
        """The rest of the row's checks; `values`: its parsed values in the order of _PARSERS."""
        (
            size,
            categories,
            structure,
            grade,
            method,
            assessed_on,
            approved_on,
            started_on,
            completed_on,
            accepted_on,
            year,
            built_area,
            toilet,
            yuan,
            wan,
        ) = values
        code, county, township, village, name_at, id_at, account_at = self.at
        place = (
            None if code is None else row[code],
            None if county is None else row[county],
            None if township is None else row[township],
            None if village is None else row[village],
        )
        region, problem = self.place(place)
        if problem:
            column = "行政区划代码" if folded(place[0]) else "行政村"
            errors.append(RowError(number, column, problem))
        head_name = squeeze(row[name_at])
        if not head_name:
            errors.append(RowError(number, "户主姓名", "不能为空"))
        raw_id = row[id_at]
        resident = None
        if isinstance(raw_id, float):
            errors.append(
                RowError(
                    number,
                    "户主身份证号",
                    f"被存成了数字「{raw_id:.0f}」，末几位已丢失：请把该列设为文本后重填",
                )
            )
        else:
            resident = parse_id(raw_id, today=self.today)
            if resident is None:
                errors.append(RowError(number, "户主身份证号", f"不是身份证号「{clean(raw_id)}」"))
        if year is None and approved_on:
            year = approved_on.year
        if year is None and not any(e.column == "改造年度" for e in errors[start:]):
            errors.append(RowError(number, "改造年度", "不能为空（也没有审批日期可推算）"))
        elif year is not None and not 2000 <= year <= 2100:
            errors.append(RowError(number, "改造年度", f"年份不对「{year}」"))
        subsidy = yuan if yuan is not None else (wan * 10000 if wan is not None else Decimal(0))
        if subsidy < 0:
            errors.append(RowError(number, "补助金额(元)", "不能为负数"))
        raw_account = None if account_at is None else row[account_at]
        if isinstance(raw_account, float):
            errors.append(
                RowError(number, "一卡通账号", "被存成了数字，末几位已丢失：请设为文本后重填")
            )
        if len(errors) > start:
            return None
        return Record(
            number,
            region,
            head_name,
            resident.number,
            resident.valid,
            size,
            categories or (),
            structure or "",
            grade or "",
            assessed_on,
            approved_on,
            method or "",
            year,
            started_on,
            completed_on,
            accepted_on,
            built_area,
            toilet,
            int((subsidy * 100).to_integral_value()),
            folded(raw_account),
        )


def _silent(percent: int, stage: str) -> None:
    pass


def parse_archive(data: bytes, progress=_silent) -> tuple[list[Record], list[RowError]]:
    """Every good row as a Record and every bad one's errors. Progress: reading the file is
    the first 10 %, checking the rows runs to 50 % (the writing takes the rest)."""
    progress(0, "读取文件")
    try:
        rows = read_rows(data)
    except UnsafeFile as error:
        return [], [RowError(1, "文件", str(error))]
    except Exception:  # calamine: not a workbook it can read
        return [], [RowError(1, "文件", "无法读取：请上传 .xlsx、.xls 或 .csv 文件")]
    found = find_header(rows, HEADERS)
    if found is None:
        return [], [RowError(1, "表头", "没有找到农户档案表头（户主姓名、户主身份证号等）")]
    header_at, columns = found
    missing = [LABELS[n] for n in ("head_name", "head_id") if n not in columns]
    if "region_code" not in columns and "village" not in columns and "township" not in columns:
        missing.append("行政村或行政区划代码")
    if missing:
        return [], [RowError(header_at + 1, "表头", f"缺少列：{'、'.join(missing)}")]
    reader = _Reader(columns, RegionIndex())
    errors: list[RowError] = []
    progress(10, "检查数据")
    # Blank lines are skipped (blankness of each distinct first cell looked up once).
    blank: dict = {}
    body = []
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        first = row[0] if row else None
        key = first if first.__class__ is str else (first.__class__, first)
        empty = blank.get(key)
        if empty is None:
            empty = blank[key] = is_blank(first)
        if empty and all(is_blank(v) for v in row):
            continue
        body.append((index + 1, row))
    records: list[Record] = []
    seen: dict[tuple[str, int], int] = {}
    step = 20_000  # rows checked between progress reports
    for at in range(0, len(body), step):
        progress(10 + 40 * at // max(1, len(body)), "检查数据")
        for record in reader.read(body[at : at + step], errors):
            if record is None:
                continue
            key = (record.head_id, record.year)
            if key in seen:
                errors.append(
                    RowError(record.row, "改造年度", f"与第 {seen[key]} 行重复（同一户主同一年度）")
                )
                continue
            seen[key] = record.row
            records.append(record)
    return records, errors


def _assign(instance, values: dict) -> bool:
    """Set `values` on `instance`; True if anything differed (only those rows are rewritten,
    so re-importing an unchanged archive writes almost nothing)."""
    altered = False
    for key, value in values.items():
        current = getattr(instance, key)
        if isinstance(current, Decimal) and value is not None:
            same = current == Decimal(value)
        else:
            same = current == value
        if not same:
            setattr(instance, key, value)
            altered = True
    return altered


def _locked_changes(
    records: list[Record], households: dict[str, Household], known
) -> list[RowError]:
    """Once a renovation is approved, its household's account and its subsidy change only
    through a change request (a second pair of eyes): an import may not alter them."""
    approved: dict[tuple[int, int], int] = {}
    for household_id, year, subsidy in Renovation.objects.filter(
        household__in=known, approved_on__isnull=False
    ).values_list("household_id", "year", "subsidy_fen"):
        approved[(household_id, year)] = subsidy
    locked = {household_id for household_id, _ in approved}
    errors = []
    for record in records:
        household = households.get(record.head_id)
        if household is None or household.pk not in locked:
            continue
        if (
            record.account
            and household.account_number
            and record.account != household.account_number
        ):
            errors.append(
                RowError(record.row, "一卡通账号", "该户改造已审批，账号须通过变更申请修改")
            )
        stored = approved.get((household.pk, record.year))
        if stored is not None and stored != record.subsidy_fen:
            errors.append(
                RowError(
                    record.row,
                    "补助金额(元)",
                    f"{record.year}年度改造已审批（{stored / 100:.2f} 元），金额须通过变更申请修改",
                )
            )
    return errors


def import_households(*, actor, data: bytes, file_name: str, progress=_silent) -> ImportResult:
    """Read the whole file first; write only if every row is good, in one transaction.

    New rows go in as plain tuples with keys reserved up front (anju.tabular.inserts); rows
    already in the archive are compared field by field and only those that differ are updated,
    so re-importing an unchanged archive writes nothing. `progress(percent, stage)` is called
    along the way (outside any transaction's reach: it must not write to the database)."""
    with no_gc():
        return _import(actor=actor, data=data, file_name=file_name, progress=progress)


def _import(*, actor, data: bytes, file_name: str, progress) -> ImportResult:
    records, errors = parse_archive(data, progress)
    result = ImportResult(rows=len(records) + len({e.row for e in errors}), errors=errors)
    if errors:
        return result
    total = len(records)
    progress(50, "写入数据库")
    latest: dict[str, Record] = {}
    for record in records:  # the household's particulars from its latest row
        current = latest.get(record.head_id)
        if current is None or (record.year, record.row) > (current.year, current.row):
            latest[record.head_id] = record
    actor_name = actor if isinstance(actor, str) else actor.get_username()
    # Sealed once per value: ciphertext, blind index and mask of each head's ID and account.
    shared: dict = {}
    heads, people = Sealer(Household, "head_id", shared), Sealer(Person, "id_number", shared)
    accounts = Sealer(Household, "account_number")
    sealed_heads = {head_id: heads(head_id) for head_id in latest}
    head_of = {values[1]: head_id for head_id, values in sealed_heads.items()}
    with bulk_load(), transaction.atomic(), key_table(head_of) as head_digests:
        # The archive's households already on record, found by joining the file's head IDs'
        # blind indexes (the ID itself is known: it is not decrypted).
        known = Household.objects.filter(head_id_digest__in=RawSQL(head_digests, ()))  # noqa: S611 (our own table name)
        existing = {head_of[h.head_id_digest]: h for h in known.defer("head_id")}
        regions_before = {h.region_id for h in existing.values()}
        result.errors = _locked_changes(records, existing, known)
        if result.errors:
            return result
        batch = ImportBatch.objects.create(
            file_name=file_name[:200],
            rows=total,
            sha256=hashlib.sha256(data).hexdigest(),
            actor_name=actor_name,
        )

        # Households: new ones inserted, known ones updated where a value differs.
        dirty = []
        for head_id, household in existing.items():
            record = latest[head_id]
            values = {
                "region_id": record.region,
                "head_name": record.head_name,
                "head_id_valid": record.id_valid,
                "size": record.size,
            }
            if record.account:
                values.update(account_number=record.account, account_holder=record.head_name)
            if _assign(household, {k: v for k, v in values.items() if v is not None}):
                household.batch = batch
                dirty.append(household)
        Household.objects.bulk_update(
            dirty,
            [
                "region_id",
                "head_name",
                "head_id_valid",
                "size",
                "account_number",
                "account_number_digest",
                "account_number_masked",
                "account_holder",
                "batch",
            ],
            batch_size=2000,
        )
        # New households in the order of their IDs' blind index, their keys reserved in that
        # order: then every index the new rows enter (household and person ID digests, the keys,
        # renovations and categories by household, houses and assessments) is entered in key
        # order, a page at a time, instead of at random places all over a million-row B-tree.
        new = sorted(
            (r for head_id, r in latest.items() if head_id not in existing),
            key=lambda r: sealed_heads[r.head_id][1],
        )
        new_keys = reserve_ids(Household, len(new))
        household_pk = {head_id: h.pk for head_id, h in existing.items()}
        household_pk.update(zip((r.head_id for r in new), new_keys, strict=True))

        old_house: dict[str, int] = {}  # the old house (the one assessed) of each household
        known_pks = {h.pk: head_id for head_id, h in existing.items()}
        for pk, household_id in (
            House.objects.filter(household__in=known, is_new=False)
            .order_by("pk")
            .values_list("pk", "household_id")
        ):
            old_house.setdefault(known_pks[household_id], pk)
        homeless = sorted(
            (r for r in latest.values() if r.head_id not in old_house),
            key=lambda r: household_pk[r.head_id],
        )
        house_keys = reserve_ids(House, len(homeless))
        known_categories = set(
            CategoryRecord.objects.filter(household__in=known).values_list(
                "household_id", "category"
            )
        )
        known_assessments = set(
            Assessment.objects.filter(house__household__in=known).values_list(
                "house_id", "grade", "assessed_on"
            )
        )
        existing_renovations = {
            (r.household_id, r.year): r for r in Renovation.objects.filter(household__in=known)
        }
        fields = [
            "method",
            "approved_on",
            "started_on",
            "completed_on",
            "accepted_on",
            "built_area",
            "has_toilet",
            "subsidy_fen",
        ]
        insert_rows(
            Household,
            [
                "id",
                "region_id",
                "head_name",
                *heads.columns,
                "head_id_valid",
                "size",
                *accounts.columns,
                "account_holder",
                "batch_id",
            ],
            (
                (
                    pk,
                    r.region,
                    r.head_name,
                    *sealed_heads[r.head_id],
                    r.id_valid,
                    r.size,
                    *accounts(r.account),
                    r.head_name if r.account else "",
                    batch.pk,
                )
                for pk, r in zip(new_keys, new, strict=True)
            ),
        )
        insert_rows(
            Person,
            ["household_id", "name", *people.columns, "id_valid", "relation"],
            (
                (pk, r.head_name, *people(r.head_id), r.id_valid, "户主")
                for pk, r in zip(new_keys, new, strict=True)
            ),
        )
        progress(65, "写入数据库")
        insert_rows(
            House,
            ["id", "household_id", "structure"],
            (
                (pk, household_pk[r.head_id], r.structure)
                for pk, r in zip(house_keys, homeless, strict=True)
            ),
        )
        old_house.update(zip((r.head_id for r in homeless), house_keys, strict=True))

        # Categories and assessments not already on record.
        categories, assessments = [], []
        # The new households' assessment dates and renovations, for the overview's summary.
        added: dict[int, tuple[list, list]] = {pk: ([], []) for pk in new_keys}
        # By household (stable: a household's own rows keep the file's order), so that the
        # children below go into their indexes in key order too.
        records = sorted(records, key=lambda r: household_pk[r.head_id])
        for record in records:
            pk = household_pk[record.head_id]
            for category in record.categories:
                if (pk, category) not in known_categories:
                    known_categories.add((pk, category))
                    categories.append(
                        (
                            pk,
                            category,
                            CATEGORY_DEPARTMENT[category],
                            record.approved_on or record.assessed_on,
                        )
                    )
            if record.grade:
                key = (old_house[record.head_id], record.grade, record.assessed_on)
                if key not in known_assessments:
                    known_assessments.add(key)
                    assessments.append(key)
                    if pk in added:
                        added[pk][0].append(record.assessed_on)
        insert_rows(
            CategoryRecord,
            ["household_id", "category", "department", "start"],
            categories,
        )
        insert_rows(Assessment, ["house_id", "grade", "assessed_on"], assessments)
        progress(85, "写入数据库")

        # Renovations: one per household and year.
        new_renovations, changed_renovations = [], []
        for record in records:
            pk = household_pk[record.head_id]
            values = (
                record.method,
                record.approved_on,
                record.started_on,
                record.completed_on,
                record.accepted_on,
                record.built_area,
                record.toilet,
                record.subsidy_fen,
            )
            renovation = existing_renovations.get((pk, record.year))
            if renovation is None:
                new_renovations.append((pk, record.year, batch.pk, *values))
                if pk in added:
                    added[pk][1].append((record.accepted_on, record.subsidy_fen))
            elif _assign(renovation, dict(zip(fields, values, strict=True))):
                renovation.batch = batch
                changed_renovations.append(renovation)
        insert_rows(
            Renovation,
            ["household_id", "year", "batch_id", *fields],
            new_renovations,
        )
        Renovation.objects.bulk_update(changed_renovations, [*fields, "batch"], batch_size=2000)

        # The bulk writes bypass the services: recount the overview where households already
        # on record were and are now; the new ones' figures are added from what was written.
        from anju.dashboard.tally import tally_import

        tally_import(
            regions_before | {latest[head_id].region for head_id in existing},
            # (region, structure, assessment dates, renovations): tally.NewHousehold's fields
            ((r.region, r.structure, *added[pk]) for pk, r in zip(new_keys, new, strict=True)),
        )
        batch.created = len(new) + len(new_renovations)
        batch.updated = len(dirty) + len(changed_renovations)
        batch.save(update_fields=["created", "updated"])
        # The assessments just written close the tasks of new poor households: one set-based
        # step after the import's own writes (anju.assessments), nothing per row.
        from anju.assessments.services import tasks_close_assessed

        tasks_close_assessed(actor=actor)
        audit(
            actor=actor,
            action=Action.IMPORT,
            obj=batch,
            region_code="",
            after={
                "file": batch.file_name,
                "sha256": batch.sha256,
                "rows": total,
                "households_created": len(new),
                "households_updated": len(dirty),
                "renovations_created": len(new_renovations),
                "renovations_updated": len(changed_renovations),
            },
        )
    progress(100, "完成")
    result.households_created, result.households_updated = len(new), len(dirty)
    result.renovations_created = len(new_renovations)
    result.renovations_updated = len(changed_renovations)
    result.batch = batch
    return result
