"""Other departments' lists (`anju import reference KIND FILE` and the upload page).

Read like the household archive: header aliases, title rows, the ID forms and date forms
departments really write; all or nothing, every bad row named. Each upload is a versioned dataset;
the newest list of a kind for a region supersedes the older ones for new runs.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anju.audit.models import Action
from anju.audit.services import audit
from anju.crosscheck.access import reference_kinds_for
from anju.crosscheck.choices import DEPARTMENT, PRIORITY_KINDS, Kind
from anju.crosscheck.events import reference_list_imported
from anju.crosscheck.models import ReferenceList, ReferenceRecord
from anju.households.choices import CATEGORY_DEPARTMENT
from anju.households.pending import UNNAMED_HEAD, Listed, pending_from_list
from anju.identity import parse_id
from anju.regions.models import Region, subtree_bounds
from anju.sealed import Sealer
from anju.tabular.errors import RowError
from anju.tabular.inserts import insert_rows
from anju.tabular.limits import Limits, limits_for, max_errors
from anju.tabular.safety import UnsafeFile
from anju.tabular.sheets import find_header, read_rows
from anju.tabular.text import clean, squeeze
from anju.tabular.values import BadValue, folded, is_blank, parse_date, parse_decimal

ID_ALIASES = {"身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"}
COMMON: dict[str, set[str]] = {
    "name": {"姓名", "人员姓名", "死者姓名", "对象姓名"},
    "head_name": {"户主姓名"},
    "id": ID_ALIASES,
    "head_id": {"户主身份证号", "户主身份证号码"},
}
# Where a person lives, on the priority lists (placing a person the archive lacks: 待建档).
PLACE: dict[str, set[str]] = {
    "region_code": {"行政区划代码", "区划代码"},
    "township": {"乡镇(街道)", "乡镇", "街道", "乡镇街道"},
    "village": {"行政村", "村", "村(社区)", "村居"},
    "address": {"地址", "住址", "家庭住址", "现住址", "居住地址", "户籍地址", "家庭地址"},
}
EXTRA: dict[str, dict[str, set[str]]] = {
    Kind.DEATHS: {"start": {"死亡日期", "死亡时间"}},
    Kind.POVERTY: {
        "start": {"识别日期", "纳入日期", "识别时间"},
        "end": {"退出日期", "脱贫日期", "脱贫时间"},
    },
    Kind.SUBSISTENCE: {
        "start": {"起始日期", "开始日期", "纳入日期"},
        "end": {"终止日期", "结束日期", "退出日期"},
    },
    Kind.EXTREME_POOR: {
        "start": {"起始日期", "开始日期", "纳入日期"},
        "end": {"终止日期", "结束日期", "退出日期"},
    },
    Kind.DISABLED: {"detail": {"残疾类别", "残疾类型"}, "level": {"残疾等级"}},
    Kind.VETERANS: {"detail": {"优抚类别", "优抚对象类别"}},
    Kind.PAYMENTS: {
        "account": {"账号", "一卡通账号", "社保卡号", "银行账号"},
        "holder": {"户名", "账户名", "开户人"},
        "amount": {"金额(元)", "金额", "发放金额", "发放金额(元)"},
        "start": {"发放日期", "发放时间"},
        "detail": {"项目", "补贴项目", "项目名称"},
    },
}
LABELS = {
    "name": "姓名",
    "head_name": "户主姓名",
    "id": "身份证号",
    "head_id": "户主身份证号",
    "start": "日期",
    "end": "终止日期",
    "detail": "类别",
    "level": "等级",
    "account": "账号",
    "holder": "户名",
    "amount": "金额(元)",
}
START_LABEL = {
    Kind.DEATHS: "死亡日期",
    Kind.POVERTY: "识别日期",
    Kind.SUBSISTENCE: "起始日期",
    Kind.EXTREME_POOR: "起始日期",
    Kind.PAYMENTS: "发放日期",
}
# Columns a list of that kind cannot do without.
REQUIRED = {
    Kind.DEATHS: ("start",),
    Kind.PAYMENTS: ("account", "amount", "start"),
}


@dataclass(slots=True)
class Entry:
    row: int
    name: str
    id_number: str
    id_valid: bool
    head_id: str = ""
    start: date | None = None
    end: date | None = None
    detail: str = ""
    account_number: str = ""
    account_holder: str = ""
    amount_fen: int | None = None
    region_code: str = ""
    township: str = ""
    village: str = ""
    address: str = ""


@dataclass
class ReferenceResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    reference: ReferenceList | None = None
    pending: int = 0  # households created 待建档
    tasks: int = 0  # assessment tasks opened
    # How many errors there were in all: `errors` keeps the first IMPORT_MAX_ERRORS of them.
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors_left_out(self) -> int:
        return max(0, self.error_count - len(self.errors))


def _aliases(kind: str) -> dict[str, set[str]]:
    return {**COMMON, **EXTRA.get(kind, {}), **(PLACE if kind in PRIORITY_KINDS else {})}


def _resident(raw, number: int, column: str, errors: list[RowError]):
    if isinstance(raw, float):
        errors.append(
            RowError(number, column, f"被存成了数字「{raw:.0f}」，末几位已丢失：请设为文本后重填")
        )
        return None
    found = parse_id(raw)
    if found is None:
        errors.append(RowError(number, column, f"不是身份证号「{clean(raw)}」"))
    return found


def _code(value) -> str:
    """A region code as written: text, or a number (Excel keeps 12 digits exactly)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return folded(value)


def parse_reference(
    kind: str, data: bytes, limits: Limits | None = None
) -> tuple[list[Entry], list[RowError], int]:
    """The good rows, the first IMPORT_MAX_ERRORS errors, and how many errors in all."""
    if kind not in Kind.values:
        return [], [RowError(1, "名单类型", f"不认识的名单类型「{kind}」")], 1
    try:
        rows = read_rows(data, limits or limits_for("lists"))
    except UnsafeFile as error:
        return [], [RowError(1, "文件", str(error))], 1
    except Exception:  # not a file it can read (an undecodable CSV)
        return [], [RowError(1, "文件", "无法读取：请上传 .xlsx、.xls 或 .csv 文件")], 1
    found = find_header(rows, _aliases(kind), minimum=2)
    if found is None:
        return [], [RowError(1, "表头", "没有找到名单表头（姓名、身份证号等）")], 1
    header_at, columns = found
    # The person's own ID; 户主身份证号 is theirs only when it is the one ID column.
    id_column = columns.get("id", columns.get("head_id"))
    head_column = columns.get("head_id") if "id" in columns else None
    name_column = columns.get("name", columns.get("head_name"))
    missing = []
    if name_column is None:
        missing.append("姓名")
    if id_column is None:
        missing.append("身份证号")
    labels = {**LABELS, "start": START_LABEL.get(kind, "日期")}
    missing += [labels[n] for n in REQUIRED.get(kind, ()) if n not in columns]
    if missing:
        return [], [RowError(header_at + 1, "表头", f"缺少列：{'、'.join(missing)}")], 1

    def cell(row, name):
        column = columns.get(name)
        return row[column] if column is not None and column < len(row) else None

    entries: list[Entry] = []
    errors: list[RowError] = []
    most, dropped = max_errors(), 0
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        if all(is_blank(v) for v in row):
            continue
        if len(errors) > most:  # keep the first ones and count on (a million bad rows)
            dropped += len(errors) - most
            del errors[most:]
        number = index + 1
        start_errors = len(errors)
        name = squeeze(row[name_column] if name_column < len(row) else None)
        if not name:
            errors.append(RowError(number, "姓名", "不能为空"))
        raw_id = row[id_column] if id_column < len(row) else None
        resident = _resident(raw_id, number, "身份证号", errors)
        head = None
        if head_column is not None and not is_blank(cell(row, "head_id")):
            head = _resident(cell(row, "head_id"), number, "户主身份证号", errors)
        values = {}
        for part in ("start", "end"):
            try:
                values[part] = parse_date(cell(row, part))
            except BadValue as error:
                errors.append(RowError(number, labels[part], str(error)))
        for part in REQUIRED.get(kind, ()):
            if is_blank(cell(row, part)):
                errors.append(RowError(number, labels[part], "不能为空"))
        amount = None
        if "amount" in columns:
            try:
                yuan = parse_decimal(cell(row, "amount"))
                amount = None if yuan is None else int((yuan * 100).to_integral_value())
            except BadValue as error:
                errors.append(RowError(number, labels["amount"], str(error)))
        account = folded(cell(row, "account"))
        if isinstance(cell(row, "account"), float):
            errors.append(RowError(number, "账号", "被存成了数字，末几位已丢失：请设为文本后重填"))
        if len(errors) > start_errors:
            continue
        detail = " ".join(filter(None, (clean(cell(row, "detail")), clean(cell(row, "level")))))
        entries.append(
            Entry(
                row=number,
                name=name,
                id_number=resident.number,
                id_valid=resident.valid,
                head_id=head.number if head else "",
                start=values.get("start"),
                end=values.get("end"),
                detail=detail[:100],
                account_number=account,
                account_holder=squeeze(cell(row, "holder")),
                amount_fen=amount,
                region_code=_code(cell(row, "region_code")),
                township=squeeze(cell(row, "township")),
                village=squeeze(cell(row, "village")),
                address=squeeze(cell(row, "address"))[:200],
            )
        )
    return entries, errors, len(errors) + dropped


def current_lists(region: Region):
    """The lists a new run over `region` uses: per kind and covered area the newest upload, from
    the region itself, the areas above it and the areas within it."""
    code = region.code
    above = {code[:2] + "0" * 10, code[:4] + "0" * 8, code[:6] + "0" * 6, code[:9] + "000", code}
    return ReferenceList.objects.filter(superseded_by__isnull=True).filter(
        Q(region_id__in=above) | Q(region__code__range=subtree_bounds(code))
    )


def import_reference(
    *,
    actor,
    kind: str,
    data: bytes,
    file_name: str,
    region: Region,
    as_of: date | None = None,
    limits: Limits | None = None,
) -> ReferenceResult:
    """All or nothing: every row good, or nothing written and every bad row named. `limits`:
    the caps of the file (default: the settings' for lists)."""
    if not isinstance(actor, str) and kind not in reference_kinds_for(actor):
        return ReferenceResult(
            errors=[RowError(1, "名单类型", "本账号所属部门不报送该类名单")], error_count=1
        )
    entries, errors, error_count = parse_reference(kind, data, limits)
    result = ReferenceResult(
        rows=len(entries) + len({e.row for e in errors}),
        errors=errors[: max_errors()],
        error_count=error_count,
    )
    if errors:
        return result
    if not entries:
        result.errors = [RowError(1, "文件", "名单中没有数据行")]
        return result
    today = timezone.localdate()
    user = None if isinstance(actor, str) else actor
    with transaction.atomic():
        reference = ReferenceList.objects.create(
            kind=kind,
            department=DEPARTMENT[Kind(kind)],
            region=region,
            as_of=as_of or today,
            file_name=file_name[:200],
            sha256=hashlib.sha256(data).hexdigest(),
            rows=len(entries),
            uploaded_by=user,
            actor_name=actor if user is None else user.get_username(),
            received_on=today,
        )
        ids, heads = Sealer(ReferenceRecord, "id_number"), Sealer(ReferenceRecord, "head_id")
        details = Sealer(ReferenceRecord, "detail")
        accounts = Sealer(ReferenceRecord, "account_number")
        insert_rows(
            ReferenceRecord,
            [
                "reference_id",
                "row",
                "name",
                *ids.columns,
                "id_valid",
                *heads.columns,
                "start",
                "end",
                *details.columns,
                *accounts.columns,
                "account_holder",
                "amount_fen",
            ],
            (
                (
                    reference.pk,
                    e.row,
                    e.name,
                    *ids(e.id_number),
                    e.id_valid,
                    *heads(e.head_id),
                    e.start,
                    e.end,
                    *details(e.detail),
                    *accounts(e.account_number),
                    e.account_holder,
                    e.amount_fen,
                )
                for e in entries
            ),
        )
        superseded = ReferenceList.objects.filter(
            kind=kind, region=region, superseded_by__isnull=True
        ).exclude(pk=reference.pk)
        replaced = list(superseded.values_list("pk", flat=True))
        superseded.update(superseded_by=reference)
        # Everyone the archive lacks becomes a pending household first, so that the tasks
        # the announcement opens include theirs.
        pending = _pending_households(actor, reference, entries)
        answers = reference_list_imported.announce(
            actor=actor, reference=reference, previous=replaced
        )
        tasks = sum(answers)
        audit(
            actor=actor,
            action=Action.IMPORT,
            obj=reference,
            region_code=region.code,
            after={
                "kind": kind,
                "file": reference.file_name,
                "sha256": reference.sha256,
                "rows": len(entries),
                "as_of": str(reference.as_of),
                "supersedes": replaced,
                "pending_households": pending,
                "assessment_tasks": tasks,
            },
        )
    result.reference = reference
    result.pending = pending
    result.tasks = tasks
    return result


# Not in the archive: no member and no head of any household has the person's ID, nor the
# household head the list names (户主身份证号; that household is found by tasks_from_list).
_ABSENT = """
    SELECT r.id_number_digest, r.head_id_digest, MIN(r.row) FROM crosscheck_referencerecord r
    WHERE r.reference_id = %s AND r.id_number_digest <> '' AND (r."end" IS NULL OR r."end" > %s)
      AND NOT EXISTS (SELECT 1 FROM households_person p
                      WHERE p.id_number_digest = r.id_number_digest)
      AND NOT EXISTS (SELECT 1 FROM households_household h
                      WHERE h.head_id_digest = r.id_number_digest)
      AND (r.head_id_digest = '' OR NOT EXISTS (
            SELECT 1 FROM households_household h WHERE h.head_id_digest = r.head_id_digest))
    GROUP BY r.id_number_digest, r.head_id_digest"""


def _families(rows: list[tuple], by_row: dict[int, Entry]) -> list[Listed]:
    """One pending household per family: a person the list names with their household's head
    (户主身份证号, another person) joins that head's household rather than becoming a household
    of their own. The head's own row, if the list has one, gives the head's name and place;
    if not, the household is made under the head's ID with the name to be checked (the
    township enters it when it completes the record)."""
    heads: dict[str, int] = {}  # digest -> row of a person listed as themselves
    families: dict[str, list[int]] = {}  # the head's digest -> rows of the members
    seen: set[str] = set()
    for digest, head, row in sorted(rows, key=lambda r: r[2]):
        if digest in seen:  # listed twice (under two heads): the first row counts
            continue
        seen.add(digest)
        if head and head != digest:
            families.setdefault(head, []).append(row)
        else:
            heads.setdefault(digest, row)
    for digest in heads:
        families.setdefault(digest, [])
    out = []
    for head, members in sorted(families.items(), key=lambda f: heads.get(f[0], min(f[1] or [0]))):
        members = sorted(members)
        if head in heads:
            entry, named = by_row[heads[head]], True
            number, valid, name = entry.id_number, entry.id_valid, entry.name
        else:
            entry, named = by_row[members[0]], False
            number = entry.head_id
            resident = parse_id(number)
            valid = bool(resident and resident.valid)
            name = UNNAMED_HEAD
        out.append(
            Listed(
                id_number=number,
                id_valid=valid,
                name=name,
                start=entry.start,
                region_code=entry.region_code,
                township=entry.township,
                village=entry.village,
                address=entry.address,
                members=tuple(
                    (by_row[r].id_number, by_row[r].id_valid, by_row[r].name) for r in members
                ),
                named=named,
            )
        )
    return out


def _pending_households(actor, reference: ReferenceList, entries: list[Entry]) -> int:
    """Everyone current on a priority list who is in no household of the archive becomes a
    pending household (anju.households.pending), with the family members the list names under
    the same head, in the import's transaction."""
    from django.db import connection

    from anju.crosscheck.rules.base import LIST_OF_CATEGORY

    if reference.kind not in PRIORITY_KINDS:
        return 0
    category = next(c for c, k in LIST_OF_CATEGORY.items() if k == reference.kind)
    with connection.cursor() as cursor:
        cursor.execute(_ABSENT, [reference.pk, reference.as_of])
        rows = cursor.fetchall()
    people = _families(rows, {e.row: e for e in entries})
    created = pending_from_list(
        actor=actor,
        region=reference.region,
        category=category,
        department=CATEGORY_DEPARTMENT[category],
        people=people,
        what=f"{reference.get_kind_display()}名单（{reference.file_name}）",
    )
    return sum(created.values())
