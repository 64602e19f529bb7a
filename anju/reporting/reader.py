"""Reading a filled Annex 1 or 2 back, however faithfully it was filled by hand.

Merged cells, blank rows, full-width spaces (U+3000), numbers typed as text, blank meaning 0,
trailing notes and a title above are all normal. What cannot be read is listed as a problem.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from anju.reporting.annexes import (
    ANNEX1_COLUMNS,
    DISPOSALS,
    MONEY_COLUMNS,
    PERSON_LEVELS,
    SOURCE_CHANNELS,
    SUMMARY_LIMIT,
)
from anju.tabular.text import clean

_SPACE = re.compile(r"[\s\u3000\u00a0]+")
# Matched after NFKC, which folds （） to ().
_TITLE = re.compile(r"^(?P<district>.*?)农村危房改造.*?\((?P<month>[^)]*)月份\)")
_FILED = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_NAME_SPLIT = re.compile(r"[、，,；;/\n]+")


class ReadError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def norm(value: object) -> str:
    """Cell text for comparison: NFKC (full-width folded), every kind of space removed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACE.sub("", text)


def text(value: object) -> str:
    """Cell text for keeping: full-width spaces trimmed, a protective leading apostrophe dropped."""
    out = clean(value.replace("\u3000", " ") if isinstance(value, str) else value)
    if out.startswith("'") and out[1:2] in ("=", "+", "-", "@"):
        out = out[1:]
    return out


@dataclass
class Grid:
    rows: list[list[object]]
    # (row, col) of every cell hidden under a merged range -> the range's top-left cell
    covered: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    def get(self, r: int, c: int) -> object:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return ""

    def find(self, label: str) -> tuple[int, int] | None:
        for r, row in enumerate(self.rows):
            for c, value in enumerate(row):
                if norm(value) == label:
                    return r, c
        return None

    def find_prefix(self, prefix: str, start: int = 0) -> int | None:
        for r in range(start, len(self.rows)):
            for value in self.rows[r]:
                if norm(value).startswith(prefix):
                    return r
        return None

    def blank_row(self, r: int) -> bool:
        return all(norm(v) == "" for v in self.rows[r])


def load(data: bytes | str) -> Grid:
    from pathlib import Path

    from anju.tabular.limits import limits_for
    from anju.tabular.safety import UnsafeFile
    from anju.tabular.sheets import open_workbook

    if isinstance(data, str):
        data = Path(data).read_bytes()
    try:  # checked before calamine sees it (anju.tabular.sheets); a damaged file is refused
        sheet = open_workbook(data, limits_for("reports")).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except UnsafeFile as error:
        raise ReadError([str(error)]) from None
    except Exception:  # calamine's own errors (XmlError, ...)
        raise ReadError(["无法读取：文件已损坏，或不是 Excel 工作簿"]) from None
    grid = Grid(rows=[list(r) for r in rows])
    for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    grid.covered[(r, c)] = (r1, c1)
    return grid


def _number(value: object, where: str, problems: list[str], money: bool) -> Decimal:
    if value is None or (isinstance(value, str) and norm(value) in ("", "—", "-", "/", "无")):
        return Decimal(0)
    if isinstance(value, bool):
        problems.append(f"{where}：不是数字「{value}」")
        return Decimal(0)
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        raw = norm(value).replace(",", "")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            problems.append(f"{where}：不是数字「{text(value)}」")
            return Decimal(0)
    if number < 0:
        problems.append(f"{where}：不能为负数「{number}」")
    if not money and number != number.to_integral_value():
        problems.append(f"{where}：应为整数「{number}」")
    return number.quantize(Decimal("0.01")) if money else number.to_integral_value()


def _title(grid: Grid, problems: list[str]) -> tuple[str, str]:
    district, month = "", ""
    for r in range(min(4, len(grid.rows))):
        for value in grid.rows[r]:
            match = _TITLE.match(norm(value))
            if match:
                district = match["district"]
                month = match["month"]
                break
        if district or month:
            break
    filed = None
    for r in range(min(4, len(grid.rows))):
        for value in grid.rows[r]:
            if "填报时间" in norm(value):
                found = _FILED.search(norm(value))
                if found:
                    filed = (int(found[1]), int(found[2]))
    year_month = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})", month or "")
    if not year_month:
        problems.append(f"标题：无法读出月份「{month}」")
        return district, ""
    mon = int(year_month[2])
    if year_month[1]:
        year = int(year_month[1])
    elif filed:
        year = filed[0] if mon <= filed[1] else filed[0] - 1
    else:
        problems.append("标题和填报时间都没有年份，无法确定所属年月")
        return district, ""
    if not 1 <= mon <= 12:
        problems.append(f"标题：月份不对「{month}」")
        return district, ""
    return district, f"{year:04d}-{mon:02d}"


def read_annex1(grid: Grid) -> dict:
    problems: list[str] = []
    district, month = _title(grid, problems)
    anchor = grid.find("当月发现问题数")
    if anchor is None:
        raise ReadError(["没有找到附件1的表头「当月发现问题数」"])
    top, c0 = anchor
    leaf = grid.find_prefix("次数", top)
    remarks_at = grid.find_prefix("备注", top)
    if leaf is None:
        raise ReadError(["没有找到表头末行（次数/问题数/涉及人数）"])
    end = remarks_at if remarks_at is not None else len(grid.rows)
    candidates = []
    for r in range(leaf + 1, end):
        cells = [grid.get(r, c0 + i) for i in range(34)]
        if all(norm(v) == "" for v in cells):
            continue
        if [norm(v) for v in cells] == [str(i) for i in range(1, 35)]:
            continue  # a row of column numbers (栏次)
        candidates.append((r, cells))
    if len(candidates) > 1:
        problems.append(f"表头与备注之间有 {len(candidates)} 行数据，附件1只应有一行")
    cells = candidates[0][1] if candidates else [None] * 34
    row_no = (candidates[0][0] + 1) if candidates else leaf + 2
    values = [
        _number(v, f"第{row_no}行 第{i + 1}栏 {ANNEX1_COLUMNS[i]}", problems, i in MONEY_COLUMNS)
        for i, v in enumerate(cells)
    ]
    warnings = []
    forms = sum(values[14:30])
    if values[4] and forms and forms != values[4]:
        warnings.append(f"第一至第四种形态合计 {forms} 与受处理处分总人数 {values[4]} 不一致")
    if values[1] > values[0] and values[0]:
        warnings.append("当月完成整改和查处问题数多于当月发现问题数（可能含以前月份发现的问题）")
    remarks = ""
    if remarks_at is not None:
        remarks = " ".join(
            text(v) for v in grid.rows[remarks_at][1:] if norm(v) and not norm(v).startswith("备注")
        )
    if problems:
        raise ReadError(problems)
    return {
        "kind": "annex1",
        "district": district,
        "month": month,
        "values": values,
        "remarks": remarks,
        "warnings": warnings,
    }


def read_annex2(grid: Grid) -> dict:
    problems: list[str] = []
    district, month = _title(grid, problems)
    anchor = grid.find("序号")
    name_at = grid.find("姓名")
    if anchor is None or name_at is None:
        raise ReadError(["没有找到附件2的表头（序号 / 姓名）"])
    top, c0 = anchor
    leaf = name_at[0]
    headers = {}
    for r in (top, leaf):
        for c, value in enumerate(grid.rows[r]):
            key = norm(value)
            for label, name in (
                ("序号", "no"),
                ("来源渠道", "source"),
                ("涉及地方或单位", "place"),
                ("姓名", "name"),
                ("职务", "post"),
                ("级别", "level"),
                ("问题线索摘要", "summary"),
                ("涉及资金", "funds"),
                ("处置情况", "disposal"),
                ("具体情况", "rectification"),
                ("追缴资金", "recovered"),
                ("问责", "accountable"),
            ):
                if key.startswith(label) and name not in headers:
                    headers[name] = c
    missing = [n for n in ("source", "name", "summary", "disposal") if n not in headers]
    if missing:
        raise ReadError([f"附件2表头缺少列：{', '.join(missing)}"])
    end = grid.find_prefix("说明", leaf + 1)
    end = end if end is not None else len(grid.rows)
    rows: list[dict] = []

    def cell(r, name):
        c = headers.get(name)
        return grid.get(r, c) if c is not None else ""

    for r in range(leaf + 1, end):
        if grid.blank_row(r):
            continue
        no_col = headers.get("no", c0)
        continues = (r, no_col) in grid.covered or (
            rows
            and norm(cell(r, "no")) == ""
            and norm(cell(r, "source")) == ""
            and norm(cell(r, "summary")) == ""
        )
        names = [n for n in _NAME_SPLIT.split(text(cell(r, "name"))) if n]
        posts = [p for p in _NAME_SPLIT.split(text(cell(r, "post"))) if p]
        levels = [lv for lv in _NAME_SPLIT.split(text(cell(r, "level"))) if lv]
        persons = [
            {
                "name": name,
                "post": posts[i] if len(posts) == len(names) else text(cell(r, "post")),
                "level": levels[i] if len(levels) == len(names) else text(cell(r, "level")),
            }
            for i, name in enumerate(names)
        ]
        if continues and rows:
            rows[-1]["persons"].extend(persons)
            continue
        where = f"第{r + 1}行"
        item = {
            "source": text(cell(r, "source")),
            "place": text(cell(r, "place")),
            "persons": persons,
            "summary": text(cell(r, "summary")),
            "funds": _number(cell(r, "funds"), f"{where} 涉及资金", problems, True),
            "disposal": text(cell(r, "disposal")),
            "rectification": text(cell(r, "rectification")),
            "recovered": _number(cell(r, "recovered"), f"{where} 追缴资金", problems, True),
            "accountable": _number(cell(r, "accountable"), f"{where} 问责（人）", problems, False),
            "_row": r + 1,
        }
        rows.append(item)
    for item in rows:
        where = f"第{item.pop('_row')}行"
        if item["source"] not in SOURCE_CHANNELS:
            problems.append(f"{where} 来源渠道：「{item['source']}」不在下拉序列中")
        if item["disposal"] not in DISPOSALS:
            problems.append(f"{where} 处置情况：「{item['disposal']}」不在下拉序列中")
        if len(item["summary"]) > SUMMARY_LIMIT:
            problems.append(f"{where} 问题线索摘要：{len(item['summary'])} 字，超过 300 字")
        if not item["summary"]:
            problems.append(f"{where} 问题线索摘要：不能为空")
        if not 1 <= len(item["persons"]) <= 3:
            problems.append(f"{where} 被反映主要对象：应为 1—3 人，实为 {len(item['persons'])} 人")
        for person in item["persons"]:
            if person["level"] and person["level"] not in PERSON_LEVELS:
                problems.append(f"{where} 级别：「{person['level']}」不在下拉序列中")
    if problems:
        raise ReadError(problems)
    return {"kind": "annex2", "district": district, "month": month, "rows": rows}


def read_report(data: bytes | str) -> dict:
    """Read a filled Annex 1 or Annex 2 (told apart by its header)."""
    grid = load(data)
    if grid.find("当月发现问题数") is not None:
        return read_annex1(grid)
    if grid.find("序号") is not None and grid.find("来源渠道") is not None:
        return read_annex2(grid)
    raise ReadError(["既不是附件1（查处整改情况统计表）也不是附件2（问题线索统计表）"])
