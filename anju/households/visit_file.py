"""Quarterly visits from a file (xlsx, xls, csv) with the archive import's rules: header aliases
found below any title rows, full-width digits and stray spaces folded, every bad row's errors
collected as `row N: column: message` quoting the value (ID numbers masked), all or nothing, an
annotated workbook of a refused file, and a template whose 发现问题 column has a drop-down.

Each row is one visit: the household by its head's ID number (and name, when given, must agree),
the date, the findings (several separated by 、, or 未发现问题 explicitly: a blank is refused, a
visit is never recorded by an empty cell), and a note."""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit_many
from anju.crypto import blinder
from anju.households.events import registry_changed
from anju.households.models import Finding, FollowUpVisit, Household
from anju.households.visits import announce_findings
from anju.identity import mask_id, parse_id
from anju.tabular.errors import RowError
from anju.tabular.limits import limits_for, max_errors
from anju.tabular.safety import UnsafeFile
from anju.tabular.sheets import find_header, read_rows
from anju.tabular.text import clean, squeeze
from anju.tabular.values import BadValue, is_blank, parse_date

HEADERS: dict[str, set[str]] = {
    "head_id": {"户主身份证号", "身份证号", "身份证号码", "公民身份号码", "证件号码"},
    "head_name": {"户主姓名", "姓名", "户主"},
    "visited_on": {"回访日期", "走访日期", "回访时间", "走访时间"},
    "findings": {"发现问题", "回访发现", "存在问题", "回访情况", "发现的问题"},
    "note": {"情况说明", "备注", "说明"},
}
LABELS = {
    "head_id": "户主身份证号",
    "head_name": "户主姓名",
    "visited_on": "回访日期",
    "findings": "发现问题",
    "note": "情况说明",
}
REQUIRED = ("head_id", "visited_on", "findings")
NO_PROBLEM = "未发现问题"
_NONE_WORDS = {NO_PROBLEM, "无", "无问题", "没有问题", "未发现", "正常", "无异常"}
_FINDING_WORDS = {squeeze(label): value for value, label in Finding.choices} | {
    "返贫返危": Finding.BACK_TO_DANGER,
    "漏雨": Finding.LEAKY,
    "透风": Finding.LEAKY,
    "仍住老房": Finding.STILL_IN_OLD,
    "联体房": Finding.JOINT_HAZARD,
}
_SPLIT = "、,，;；/ "
EARLIEST = date(2000, 1, 1)
CHUNK = 2000


@dataclass
class VisitRow:
    number: int
    household_id: int
    visited_on: date
    findings: list[str]
    note: str


@dataclass
class VisitImport:
    rows: int = 0
    saved: int = 0
    with_findings: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def findings_of(value: object) -> list[str]:
    """The finding codes of a cell ([] for 未发现问题); BadValue for a blank, an unknown word,
    or 未发现问题 beside a problem."""
    if is_blank(value):
        raise BadValue(f"不能为空：没有问题请填“{NO_PROBLEM}”")
    text = clean(value)
    for sep in _SPLIT:
        text = text.replace(sep, ",")
    found: list[str] = []
    none = False
    for word in filter(None, (squeeze(w) for w in text.split(","))):
        if word in _NONE_WORDS:
            none = True
        elif word in _FINDING_WORDS:
            found.append(_FINDING_WORDS[word])
        else:
            raise BadValue(f"不认识的发现问题「{word}」")
    if none and found:
        raise BadValue(f"“{NO_PROBLEM}”不能与问题同时填写「{clean(value)}」")
    return sorted(set(found))


def _cell(row: list, at: int | None) -> object:
    return row[at] if at is not None and at < len(row) else None


def read_visits(data: bytes, households: QuerySet) -> tuple[list[VisitRow], list[RowError], int]:
    """The file's visits, checked; (rows, errors, error count). `households` is the importer's
    scope: an ID number outside it is refused like an unknown one."""
    errors: list[RowError] = []
    count = 0

    def refuse(number: int, column: str, message: str) -> None:
        nonlocal count
        count += 1
        if len(errors) < max_errors():
            errors.append(RowError(number, column, message))

    try:
        rows = read_rows(data, limits_for("households"))
    except UnsafeFile as error:
        return [], [RowError(1, "文件", str(error))], 1
    found = find_header(rows, HEADERS, minimum=2)
    if found is None or any(f not in found[1] for f in REQUIRED):
        have = found[1] if found else {}
        missing = "、".join(LABELS[f] for f in REQUIRED if f not in have)
        return [], [RowError(1, "表头", f"缺少列：{missing}（请使用回访导入模板）")], 1
    header_at, columns = found
    at = {name: columns.get(name) for name in LABELS}
    today = timezone.localdate()
    parsed: list[tuple[int, str, str, object, object, str]] = []
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        if all(is_blank(v) for v in row):
            continue
        number = index + 1
        raw_id = _cell(row, at["head_id"])
        person = parse_id(raw_id)
        if person is None:
            shown = clean(raw_id)
            refuse(
                number, LABELS["head_id"], f"不是身份证号「{mask_id(shown) if shown else '空'}」"
            )
            continue
        try:
            visited_on = parse_date(_cell(row, at["visited_on"]))
            if visited_on is None:
                raise BadValue("不能为空")
            if visited_on > today:
                raise BadValue(f"不能晚于今天「{visited_on:%Y-%m-%d}」")
            if visited_on < EARLIEST:
                raise BadValue(f"早于 2000 年「{visited_on:%Y-%m-%d}」")
        except BadValue as error:
            refuse(number, LABELS["visited_on"], str(error))
            visited_on = None
        try:
            findings = findings_of(_cell(row, at["findings"]))
        except BadValue as error:
            refuse(number, LABELS["findings"], str(error))
            findings = None
        note = clean(_cell(row, at["note"]))
        if len(note) > 300:
            refuse(number, LABELS["note"], f"不能超过 300 字（现有 {len(note)} 字）")
        name = clean(_cell(row, at["head_name"]))
        parsed.append((number, person.number, name, visited_on, findings, note))
    digest = blinder("id")
    digests = {p[1]: digest(p[1]) for p in parsed}
    known: dict[str, tuple[int, str, str]] = {}
    values = list(digests.values())
    for start in range(0, len(values), 5000):
        for pk, head_digest, head_name, region in households.filter(
            head_id_digest__in=values[start : start + 5000]
        ).values_list("pk", "head_id_digest", "head_name", "region_id"):
            known[head_digest] = (pk, head_name, region)
    out: list[VisitRow] = []
    seen: dict[tuple[int, date], int] = {}
    for number, head_id, name, visited_on, findings, note in parsed:
        household = known.get(digests[head_id])
        if household is None:
            refuse(
                number, LABELS["head_id"], f"档案中（本辖区内）没有这个户主「{mask_id(head_id)}」"
            )
            continue
        pk, head_name, _ = household
        if name and squeeze(name) != squeeze(head_name):
            refuse(number, LABELS["head_name"], f"与档案中的户主姓名不一致「{name}」")
            continue
        if visited_on is None or findings is None:
            continue
        first = seen.setdefault((pk, visited_on), number)
        if first != number:
            refuse(number, LABELS["visited_on"], f"与第 {first} 行是同一户同一天的回访")
            continue
        out.append(VisitRow(number, pk, visited_on, findings, note))
    on_record = set()
    ids = sorted({r.household_id for r in out})
    for start in range(0, len(ids), 5000):
        on_record.update(
            FollowUpVisit.objects.filter(household_id__in=ids[start : start + 5000]).values_list(
                "household_id", "visited_on"
            )
        )
    for row in out:
        if (row.household_id, row.visited_on) in on_record:
            refuse(
                row.number,
                LABELS["visited_on"],
                f"该户这一天的回访已有记录「{row.visited_on:%Y-%m-%d}」",
            )
    return out, errors, count


def import_visits(
    *,
    actor,
    data: bytes,
    households: QuerySet,
    progress: Callable[[int, str], None] | None = None,
    recorded: Callable[[VisitImport], None] | None = None,
) -> VisitImport:
    """Read and check the whole file; write every visit in one transaction only if no row has
    an error (bulk insert, one audit entry each, a problem-list item for each row with
    findings), nothing otherwise. `progress(percent, stage)` hears how far it is (the background
    worker's page shows it); `recorded(result)` is called inside the transaction once every
    visit is written, so the outcome it keeps commits with the visits or not at all."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    say = progress or (lambda percent, stage: None)
    say(5, "读取并检查文件")
    rows, errors, count = read_visits(data, households)
    result = VisitImport(rows=len(rows), errors=errors, error_count=count)
    if count:
        return result
    if not rows:
        result.errors, result.error_count = [RowError(1, "文件", "没有回访记录行")], 1
        return result
    # The households once (names and villages: each visit's audit entry names its household).
    ids = sorted({r.household_id for r in rows})
    named: dict[int, Household] = {}
    for start in range(0, len(ids), 5000):
        named.update(
            (h.pk, h)
            for h in Household.objects.filter(pk__in=ids[start : start + 5000])
            .only("pk", "head_name", "region_id", "region__name")
            .select_related("region")
        )
    saved = flagged = 0
    say(40, "写入回访记录")
    with transaction.atomic():
        # A chunk at a time in the one transaction: the model instances and audit entries of
        # 100,000 rows at once would hold several hundred MB.
        for start in range(0, len(rows), CHUNK):
            visits = FollowUpVisit.objects.bulk_create(
                [
                    FollowUpVisit(
                        household=named[r.household_id],
                        visited_on=r.visited_on,
                        findings=r.findings,
                        note=r.note,
                        visitor=actor,
                    )
                    for r in rows[start : start + CHUNK]
                ]
            )
            audit_many(
                actor=actor,
                action=Action.CREATE,
                items=[
                    (
                        v,
                        None,
                        {
                            "household": v.household_id,
                            "visited_on": str(v.visited_on),
                            "findings": v.findings,
                        },
                    )
                    for v in visits
                ],
                note="回访导入",
            )
            for v in visits:
                if v.findings:
                    announce_findings(actor=actor, visit=v)
                    flagged += 1
            saved += len(visits)
            say(40 + 59 * saved // len(rows), "写入回访记录")
        registry_changed.announce(regions=sorted({h.region_id for h in named.values()}))
        result.saved, result.with_findings = saved, flagged
        if recorded is not None:
            recorded(result)
    say(100, "导入完成")
    return result


def write_template() -> bytes:
    """The blank template: one visit a row, 发现问题 with a drop-down of the findings (several
    may still be typed, separated by 、: the list warns rather than refuses), dates as dates."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("季度回访")
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    text = book.add_format({"num_format": "@"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    order = ["head_name", "head_id", "visited_on", "findings", "note"]
    widths = {"head_name": 12, "head_id": 22, "visited_on": 14, "findings": 22, "note": 40}
    for col, name in enumerate(order):
        sheet.write_string(0, col, LABELS[name], bold)
        sheet.set_column(col, col, widths[name], day if name == "visited_on" else text)
    choices = [label for _, label in Finding.choices] + [NO_PROBLEM]
    sheet.data_validation(
        1,
        order.index("findings"),
        5000,
        order.index("findings"),
        {
            "validate": "list",
            "source": choices,
            "error_type": "warning",
            "input_title": "发现问题",
            "input_message": "从列表选择；多个问题用“、”分隔；没有问题选“未发现问题”",
            "error_title": "发现问题",
            "error_message": "请从列表选择；多个问题用“、”分隔。确定要这样填写吗？",
        },
    )
    sheet.data_validation(
        1,
        order.index("visited_on"),
        5000,
        order.index("visited_on"),
        {
            "validate": "date",
            "criteria": "between",
            "minimum": EARLIEST,
            "maximum": date(2099, 12, 31),
            "error_type": "warning",
            "input_message": "回访日期，如 2026-10-15",
        },
    )
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
