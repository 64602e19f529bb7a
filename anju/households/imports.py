"""`anju import households FILE` and the upload page: the household archive file (CONTRACT.md),
one row per renovation record, all or nothing, every bad row named as `row N: column: message`."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.choices import (
    CATEGORY_DEPARTMENT,
    CATEGORY_WORDS,
    METHOD_WORDS,
    Category,
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
from anju.tabular.errors import RowError
from anju.tabular.inserts import fast_insert
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


@dataclass
class Record:
    """One good row, ready to write."""

    row: int
    region: str
    head_name: str
    head_id: str
    id_valid: bool
    size: int | None
    categories: list[str]
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
    if text not in Grade.values:
        raise BadValue(f"危险等级应为 A、B、C、D，而不是「{clean(value)}」")
    return text


def _read_row(number: int, cell, regions: RegionIndex, errors: list[RowError]) -> Record | None:
    start = len(errors)

    def get(name, parse):
        try:
            return parse(cell(name))
        except BadValue as error:
            errors.append(RowError(number, LABELS[name], str(error)))
            return None

    region = ""
    code = folded(cell("region_code"))
    if code:
        code = code.ljust(12, "0") if code.isdigit() and len(code) in (9, 12) else code
        if code not in regions.codes:
            errors.append(RowError(number, "行政区划代码", f"不在已载入的区划中「{code}」"))
        region = code
    else:
        region = (
            regions.find(clean(cell("county")), clean(cell("township")), clean(cell("village")))
            or ""
        )
        if not region:
            place = "".join(clean(cell(n)) for n in ("county", "township", "village"))
            errors.append(RowError(number, "行政村", f"不在已载入的区划中「{place or '空'}」"))
    head_name = squeeze(cell("head_name"))
    if not head_name:
        errors.append(RowError(number, "户主姓名", "不能为空"))
    raw_id = cell("head_id")
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
        resident = parse_id(raw_id)
        if resident is None:
            errors.append(RowError(number, "户主身份证号", f"不是身份证号「{clean(raw_id)}」"))
    size = get("size", parse_int)
    categories = get("categories", lambda v: _words(v, _CATEGORY_LOOKUP, "农户类别")) or []
    structure = get("structure", lambda v: _one(v, _STRUCTURE_LOOKUP, "房屋结构")) or ""
    grade = get("grade", _grade) or ""
    method = get("method", lambda v: _one(v, _METHOD_LOOKUP, "改造方式")) or ""
    dates = {
        n: get(n, parse_date)
        for n in ("assessed_on", "approved_on", "started_on", "completed_on", "accepted_on")
    }
    year = get("year", parse_int)
    if year is None and dates["approved_on"]:
        year = dates["approved_on"].year
    if year is None and not any(e.column == "改造年度" for e in errors[start:]):
        errors.append(RowError(number, "改造年度", "不能为空（也没有审批日期可推算）"))
    elif year is not None and not 2000 <= year <= 2100:
        errors.append(RowError(number, "改造年度", f"年份不对「{year}」"))
    area = get("built_area", parse_decimal)
    toilet = get("toilet", parse_yes_no)
    yuan = get("subsidy_yuan", parse_decimal)
    wan = get("subsidy_wan", parse_decimal)
    subsidy = yuan if yuan is not None else (wan * 10000 if wan is not None else Decimal(0))
    if subsidy is not None and subsidy < 0:
        errors.append(RowError(number, "补助金额(元)", "不能为负数"))
    account = folded(cell("account"))
    if isinstance(cell("account"), float):
        errors.append(
            RowError(number, "一卡通账号", "被存成了数字，末几位已丢失：请设为文本后重填")
        )
    if len(errors) > start:
        return None
    return Record(
        row=number,
        region=region,
        head_name=head_name,
        head_id=resident.number,
        id_valid=resident.valid,
        size=size,
        categories=categories,
        structure=structure,
        grade=grade,
        method=method,
        year=year,
        built_area=area,
        toilet=toilet,
        subsidy_fen=int((subsidy * 100).to_integral_value()),
        account=account,
        **dates,
    )


def parse_archive(data: bytes) -> tuple[list[Record], list[RowError]]:
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
    regions = RegionIndex()
    records: list[Record] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, int], int] = {}
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        if all(is_blank(v) for v in row):
            continue

        def cell(name, row=row):
            column = columns.get(name)
            return row[column] if column is not None and column < len(row) else None

        record = _read_row(index + 1, cell, regions, errors)
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


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i : i + size]


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


def _locked_changes(records: list[Record]) -> list[RowError]:
    """Once a renovation is approved, its household's account and its subsidy change only
    through a change request (a second pair of eyes): an import may not alter them."""
    ids = list({r.head_id for r in records})
    households: dict[str, Household] = {}
    for chunk in _chunks(ids):
        households.update({h.head_id: h for h in Household.objects.filter(head_id__in=chunk)})
    approved: dict[tuple[int, int], int] = {}
    for chunk in _chunks([h.pk for h in households.values()]):
        for household_id, year, subsidy in Renovation.objects.filter(
            household_id__in=chunk, approved_on__isnull=False
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


def import_households(
    *, actor, data: bytes, file_name: str, progress=lambda done, total: None
) -> ImportResult:
    """Read the whole file first; write only if every row is good, in one transaction."""
    records, errors = parse_archive(data)
    result = ImportResult(rows=len(records) + len({e.row for e in errors}), errors=errors)
    if errors:
        return result
    result.errors = _locked_changes(records)
    if result.errors:
        return result
    actor_name = actor if isinstance(actor, str) else actor.get_username()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=file_name[:200],
            rows=len(records),
            sha256=hashlib.sha256(data).hexdigest(),
            actor_name=actor_name,
        )
        ids = list({r.head_id for r in records})
        existing: dict[str, Household] = {}
        for chunk in _chunks(ids):
            existing.update({h.head_id: h for h in Household.objects.filter(head_id__in=chunk)})
        latest: dict[str, Record] = {}
        for record in records:  # the household's particulars from its latest row
            current = latest.get(record.head_id)
            if current is None or (record.year, record.row) > (current.year, current.row):
                latest[record.head_id] = record
        new, changed, dirty = [], [], []  # new; already there; already there and altered
        for head_id, record in latest.items():
            household = existing.get(head_id)
            values = {
                "region_id": record.region,
                "head_name": record.head_name,
                "head_id_valid": record.id_valid,
                "size": record.size,
            }
            if record.account:
                values.update(account_number=record.account, account_holder=record.head_name)
            if household is None:
                new.append(Household(head_id=head_id, batch=batch, **values))
            else:
                changed.append(household)
                if _assign(household, {k: v for k, v in values.items() if v is not None}):
                    household.batch = batch
                    dirty.append(household)
        fast_insert(new)
        for chunk in _chunks(new):
            keys = dict(
                Household.objects.filter(head_id__in=[h.head_id for h in chunk]).values_list(
                    "head_id", "pk"
                )
            )
            for household in chunk:
                household.pk = keys[household.head_id]
        Household.objects.bulk_update(
            dirty,
            [
                "region_id",
                "head_name",
                "head_id_valid",
                "size",
                "account_number",
                "account_holder",
                "batch",
            ],
            batch_size=2000,
        )
        progress(len(records) // 3, len(records))
        households = {h.head_id: h for h in [*new, *changed]}
        households_by_pk = {h.pk: h for h in changed}
        fast_insert(
            [
                Person(
                    household=h,
                    name=h.head_name,
                    id_number=h.head_id,
                    id_valid=h.head_id_valid,
                    relation="户主",
                )
                for h in new
            ]
        )
        houses = [House(household=h, structure=latest[h.head_id].structure) for h in new]
        fast_insert(houses)
        by_household = {h.household_id: h for h in houses}
        for chunk in _chunks(list(by_household)):
            for pk, household_id in House.objects.filter(
                household_id__in=chunk, is_new=False
            ).values_list("pk", "household_id"):
                by_household[household_id].pk = pk
        old_house = {h.household.head_id: h for h in houses}
        for chunk in _chunks([h.pk for h in changed]):
            for house in House.objects.filter(household_id__in=chunk, is_new=False).order_by("pk"):
                old_house.setdefault(households_by_pk[house.household_id].head_id, house)
        missing_house = [
            House(household=h, structure=latest[h.head_id].structure)
            for h in changed
            if h.head_id not in old_house
        ]
        House.objects.bulk_create(missing_house, batch_size=2000)
        old_house.update({h.household.head_id: h for h in missing_house})

        categories, assessments = [], []
        known_categories, known_assessments = set(), set()
        for chunk in _chunks([h.pk for h in changed]):
            known_categories.update(
                CategoryRecord.objects.filter(household_id__in=chunk).values_list(
                    "household_id", "category"
                )
            )
            known_assessments.update(
                Assessment.objects.filter(house__household_id__in=chunk).values_list(
                    "house_id", "grade", "assessed_on"
                )
            )
        for record in records:
            household = households[record.head_id]
            for category in record.categories:
                if (household.pk, category) not in known_categories:
                    known_categories.add((household.pk, category))
                    categories.append(
                        CategoryRecord(
                            household=household,
                            category=category,
                            department=CATEGORY_DEPARTMENT[Category(category)],
                            start=record.approved_on or record.assessed_on,
                        )
                    )
            if record.grade:
                house = old_house[record.head_id]
                key = (house.pk, record.grade, record.assessed_on)
                if key not in known_assessments:
                    known_assessments.add(key)
                    assessments.append(
                        Assessment(house=house, grade=record.grade, assessed_on=record.assessed_on)
                    )
        fast_insert(categories)
        fast_insert(assessments)
        progress(2 * len(records) // 3, len(records))

        existing_renovations = {}
        for chunk in _chunks([h.pk for h in changed]):
            for renovation in Renovation.objects.filter(household_id__in=chunk):
                existing_renovations[(renovation.household_id, renovation.year)] = renovation
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
        new_renovations, changed_renovations = [], []
        for record in records:
            household = households[record.head_id]
            values = {
                "method": record.method,
                "approved_on": record.approved_on,
                "started_on": record.started_on,
                "completed_on": record.completed_on,
                "accepted_on": record.accepted_on,
                "built_area": record.built_area,
                "has_toilet": record.toilet,
                "subsidy_fen": record.subsidy_fen,
            }
            renovation = existing_renovations.get((household.pk, record.year))
            if renovation is None:
                new_renovations.append(
                    Renovation(household=household, year=record.year, batch=batch, **values)
                )
            elif _assign(renovation, values):
                renovation.batch = batch
                changed_renovations.append(renovation)
        fast_insert(new_renovations)
        Renovation.objects.bulk_update(changed_renovations, [*fields, "batch"], batch_size=2000)

        batch.created = len(new) + len(new_renovations)
        batch.updated = len(dirty) + len(changed_renovations)
        batch.save(update_fields=["created", "updated"])
        audit(
            actor=actor,
            action=Action.IMPORT,
            obj=batch,
            region_code="",
            after={
                "file": batch.file_name,
                "sha256": batch.sha256,
                "rows": len(records),
                "households_created": len(new),
                "households_updated": len(dirty),
                "renovations_created": len(new_renovations),
                "renovations_updated": len(changed_renovations),
            },
        )
    progress(len(records), len(records))
    result.households_created, result.households_updated = len(new), len(dirty)
    result.renovations_created = len(new_renovations)
    result.renovations_updated = len(changed_renovations)
    result.batch = batch
    return result
