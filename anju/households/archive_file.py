"""The household archive file (CONTRACT.md): its headers and their aliases, the blank template's
columns, and the sheet's rows turned into checked Records, every bad row's errors collected as
`row N: column: message`. Writing them is `anju.households.imports`."""

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import NamedTuple

from anju.households.choices import CATEGORY_WORDS, METHOD_WORDS, Grade, Structure
from anju.identity import parse_id
from anju.regions.models import Level, Region
from anju.tabular.errors import RowError
from anju.tabular.limits import Limits, limits_for, max_errors
from anju.tabular.parallel import halves
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
    # Optional: the structure of the house built by a rebuild (default 砖混).
    "new_structure": {"新房结构", "新房房屋结构", "改造后房屋结构", "新建房屋结构"},
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
    "new_structure": "新房结构",
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

CATEGORY_LOOKUP = {squeeze(w): c for c, words in CATEGORY_WORDS.items() for w in words}
_METHOD_LOOKUP = {squeeze(w): m for m, words in METHOD_WORDS.items() for w in words}
_STRUCTURE_LOOKUP = {squeeze(label): value for value, label in Structure.choices}
_SPLIT = "、,，;；/"


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
    year: int | None  # None: a household with no renovation (no renovation column filled)
    started_on: date | None
    completed_on: date | None
    accepted_on: date | None
    built_area: Decimal | None
    toilet: bool | None
    subsidy_fen: int
    account: str
    new_structure: str = ""  # the rebuilt house's structure, if the archive says


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


def words(value: object, lookup: dict[str, str], what: str) -> list[str]:
    """The codes of the words in `value` (separated by 、,，;；/), each once; BadValue names
    the first word `lookup` does not know."""
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
    return tuple(words(value, CATEGORY_LOOKUP, "农户类别"))


def _structure(value):
    return _one(value, _STRUCTURE_LOOKUP, "房屋结构")


def _new_structure(value):
    return _one(value, _STRUCTURE_LOOKUP, "新房结构")


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
    "new_structure": _new_structure,
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
            new_structure,
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
        # A row of a household with no renovation (the export writes one for a household
        # entered by hand) leaves every renovation column blank: only then may the year be.
        renovated = (
            any(
                v is not None
                for v in (
                    method or None,
                    started_on,
                    completed_on,
                    accepted_on,
                    built_area,
                    yuan,
                    wan,
                )
            )
            or toilet is not None
        )
        if year is None and renovated and not any(e.column == "改造年度" for e in errors[start:]):
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
            new_structure or "",
        )


def silent(percent: int, stage: str) -> None:
    pass


class Parsed(NamedTuple):
    records: list[Record]
    errors: list[RowError]
    # `also(records)` of each part of the rows checked in one process (parse_archive)
    extras: list
    # The file itself was refused (unsafe, over the caps, unreadable): no row of it was read.
    refused: bool = False
    # Every error found, of which `errors` holds the first IMPORT_MAX_ERRORS (0: len(errors)).
    error_count: int = 0


_RECORD_FIELDS = tuple(f.name for f in fields(Record))
_as_tuple = attrgetter(*_RECORD_FIELDS)


def parse_archive(data: bytes, progress=silent, also=None, limits: Limits | None = None) -> Parsed:
    """Every good row as a Record and every bad one's errors, in row order. Progress: reading
    the file is the first 10 %, checking the rows runs to 50 % (the writing takes the rest).

    A large file's rows are checked in two processes (`anju.tabular.parallel.halves`), each
    half by one. `also`, if given, is called with the good Records of each part in the process
    that checked them (the import seals their ID numbers there); it must return plain values,
    as they cross back through a pipe. `extras` holds its results, one per part."""
    progress(0, "读取文件")
    try:
        rows = read_rows(data, limits or limits_for("households"))
    except UnsafeFile as error:
        return Parsed([], [RowError(1, "文件", str(error))], [], refused=True)
    except Exception:  # not a file it can read (an undecodable CSV)
        return Parsed(
            [], [RowError(1, "文件", "无法读取：请上传 .xlsx、.xls 或 .csv 文件")], [], refused=True
        )
    found = find_header(rows, HEADERS)
    if found is None:
        return Parsed(
            [], [RowError(1, "表头", "没有找到农户档案表头（户主姓名、户主身份证号等）")], []
        )
    header_at, columns = found
    missing = [LABELS[n] for n in ("head_name", "head_id") if n not in columns]
    if "region_code" not in columns and "village" not in columns and "township" not in columns:
        missing.append("行政村或行政区划代码")
    if missing:
        return Parsed([], [RowError(header_at + 1, "表头", f"缺少列：{'、'.join(missing)}")], [])
    reader = _Reader(columns, RegionIndex())
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
    step = 20_000  # rows checked between progress reports

    most = max_errors()

    def check(part, here: bool):
        """The part's good Records (as plain tuples when checked in the child), its first `most`
        errors and how many more it had (a file of a million bad rows keeps a thousand)."""
        errors: list[RowError] = []
        dropped = 0
        good: list[Record] = []
        for at in range(0, len(part), step):
            if here:
                progress(10 + 40 * at // max(1, len(part)), "检查数据")
            good.extend(r for r in reader.read(part[at : at + step], errors) if r is not None)
            if len(errors) > most:
                dropped += len(errors) - most
                del errors[most:]
        extra = also(good) if also is not None and not errors else None
        return (good if here else [_as_tuple(r) for r in good]), errors, extra, dropped

    records: list[Record] = []
    errors: list[RowError] = []
    extras = []
    dropped = 0
    # This process takes a little more than half: the child's part costs it about a fifth more
    # (its pages copied as it touches them, its results pickled), measured on the bench's file.
    for good, part_errors, extra, part_dropped in halves(check, body, share=0.55):
        records.extend(r if r.__class__ is Record else Record(*r) for r in good)
        errors.extend(part_errors)
        extras.append(extra)
        dropped += part_dropped
    # The same household and year twice: the later row is the error (across both parts).
    unique: list[Record] = []
    seen: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.head_id, record.year)
        if key in seen:
            errors.append(
                RowError(record.row, "改造年度", f"与第 {seen[key]} 行重复（同一户主同一年度）")
            )
            continue
        seen[key] = record.row
        unique.append(record)
    errors.sort(key=attrgetter("row"))  # stable: a row's own errors keep their order
    dropped += max(0, len(errors) - most)
    return Parsed(unique, errors[:most], extras, error_count=len(errors[:most]) + dropped)
