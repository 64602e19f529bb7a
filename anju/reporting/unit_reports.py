"""The participating units' quarterly clue reports (seed 003): each unit files its quarter's
figures, entered or read from a filled-in table, with the lead unit; re-filing before the lead
unit has consolidated replaces them (audited with what was there before)."""

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, require, unit_of
from anju.audit.models import Action
from anju.audit.services import audit
from anju.reporting.deadlines import unit_report_due
from anju.reporting.models import UNIT_REPORT_FIGURES, UnitClueReport
from anju.tabular.limits import limits_for
from anju.tabular.safety import UnsafeFile
from anju.tabular.sheets import read_rows

FIGURES = [name for name, _ in UNIT_REPORT_FIGURES]


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def unit_report_file(
    *, actor, quarter: date, figures: dict, remarks: str = "", source: str = "entered"
) -> UnitClueReport:
    require(actor, Perm.FILE_UNIT_REPORTS)
    unit = unit_of(actor)
    if unit is None:
        raise ValidationError("您的账号未归属任何单位，请联系安全管理员。")
    quarter = quarter_start(quarter)
    if quarter > quarter_start(timezone.localdate()):
        raise ValidationError("季度：不能报送尚未开始的季度。")
    for name, label in UNIT_REPORT_FIGURES:
        value = figures.get(name)
        if value is None or int(value) < 0:
            raise ValidationError(f"{label}：请填写 0 或正整数。")
    with transaction.atomic():
        report = (
            UnitClueReport.objects.select_for_update().filter(unit=unit, quarter=quarter).first()
        )
        before = {f: getattr(report, f) for f in FIGURES} if report else None
        if report is None:
            report = UnitClueReport(
                unit=unit,
                region_id=unit.region_id,
                quarter=quarter,
                due_on=unit_report_due(quarter),
            )
        for name in FIGURES:
            setattr(report, name, int(figures[name]))
        report.remarks = (remarks or "").strip()[:2000]
        report.source = source
        report.filed_by, report.filed_at = actor, timezone.now()
        report.save()
        audit(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=report,
            before=before,
            after={f: getattr(report, f) for f in FIGURES},
            note=f"{unit.name}报送{report.quarter_label}问题线索情况",
            region_code=unit.region_id,
        )
    return report


# Reading a filled-in table ---------------------------------------------------------------------

# The words people write for each figure (the first that a cell contains wins).
ALIASES = {
    "found": ("发现问题线索", "发现线索", "排查发现", "新发现"),
    "received": ("收到移送", "接收移送", "移入", "收到线索"),
    "transferred": ("移送住建", "移送纪检", "移送线索", "移出", "移送"),
    "closed": ("已办结", "办结", "已核查处置"),
    "accountable": ("问责处理", "问责", "处理人数"),
}


@dataclass
class ReadTable:
    figures: dict
    remarks: str
    problems: list[str]


def _number(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and value >= 0 else -1
    text = unicodedata.normalize("NFKC", str(value)).strip().rstrip("条人件个")
    text = text.replace(",", "").strip()
    if text in ("", "-", "—", "/", "无"):
        return 0 if text == "无" else None
    try:
        number = float(text)
    except ValueError:
        return -1
    return int(number) if number.is_integer() and number >= 0 else -1


def read_table(data: bytes) -> ReadTable:
    """The figures of a filled-in table (.xlsx, .xls or .csv): a label cell naming each figure,
    its number in the next filled cell to the right (or, for a header row, a number in the cell
    below). Title rows, merged cells, full-width digits and a trailing 条/人 are taken as people
    write them; a label left without a number is named, never read as 0."""
    try:
        grid = read_rows(data, limits_for("reports"))
    except UnsafeFile as error:
        raise ValidationError(f"文件：{error}") from None
    figures: dict = {}
    blank: set[str] = set()
    remarks = ""
    problems: list[str] = []
    labels = dict(UNIT_REPORT_FIGURES)
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            text = unicodedata.normalize("NFKC", cell).replace(" ", "")
            if "情况说明" in text or text.startswith("备注"):
                rest = [v for v in row[c + 1 :] if v not in (None, "")]
                remarks = str(rest[0]).strip() if rest else remarks
                continue
            name = next(
                (
                    n
                    for n, words in ALIASES.items()
                    if n not in figures and any(w in text for w in words)
                ),
                None,
            )
            if name is None:
                continue
            right = [v for v in row[c + 1 :] if v not in (None, "")]
            below = grid[r + 1][c] if r + 1 < len(grid) and c < len(grid[r + 1]) else None
            value = _number(right[0]) if right else _number(below)
            if not right and value == -1:
                value = None  # the cell below is the next label, not this one's number
            if value is None:
                blank.add(name)
                continue
            if value < 0:
                problems.append(f"{labels[name]}：“{right[0] if right else below}”不是非负整数。")
                figures[name] = None
                continue
            figures[name] = value
    for name, label in UNIT_REPORT_FIGURES:
        if name in figures:
            continue
        if name in blank:
            problems.append(f"{label}：没有填写数字（没有请填 0）。")
        else:
            problems.append(f"{label}：表格中没有找到这一项。")
    return ReadTable(figures=figures, remarks=remarks, problems=problems)
