"""Reading a filled Annex 1 or 2 back, however it was filled by hand.

District offices fill the seed's tables in their own way: the header two to five rows deep,
merged or not, labels with spaces, line breaks or full-width punctuation; a row of column numbers
(栏次) under it; numbers typed as text with full-width digits or U+3000 padding; "—", "/", "无"
or nothing for zero; money with or without "万元"; Annex 2's persons in one cell separated by
、，,; or over merged sub-rows. The header is found by what it says, never by where it is, and
each column by the labels above it; the data are the rows between the header and 备注 (Annex 1)
or 说明 (Annex 2). What cannot be read is a problem (the file is refused with all of them);
what is odd but readable is a warning.

Three steps, each its own function: `load` opens the file into a `Grid` (the only place a file is
opened), `locate_header`/`column_paths` find the table, `read_annex1`/`read_annex2` read it.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from anju.reporting.annexes import (
    ANNEX1_COLUMNS,
    DISPOSALS,
    FORM_LEVELS,
    FORMS,
    MONEY_COLUMNS,
    PERSON_LEVELS,
    SANCTION_LEVELS,
    SOURCE_CHANNELS,
    SUMMARY_LIMIT,
)
from anju.tabular.limits import limits_for
from anju.tabular.safety import UnsafeFile
from anju.tabular.sheets import open_workbook
from anju.tabular.text import clean

_SPACE = re.compile(r"[\s\u3000\u00a0\u200b]+")
# Punctuation people vary freely inside header labels (after NFKC).
_PUNCT = re.compile(r"[()\[\]【】〔〕<>《》:：·・.。,，、;；\"'“”‘’*＊]")
# Matched after NFKC and `norm`, which fold （） to () and drop spaces.
_TITLE = re.compile(r"^(?P<district>.*?)农村危房改造.*?\((?P<month>[^)]*?)月份?\)")
_FILED = re.compile(r"(\d{4})年(\d{1,2})月")
_NAME_SPLIT = re.compile(r"[、，,；;/\n\r]+")
_NOBODY = {"", "无", "—", "-", "/", "不详", "待查", "暂无", "未查明", "暂未查明", "待核实"}
_ZERO = {"", "—", "-", "/", "无", "——", "--", "空", "0"}

# Levels as people write them -> the drop-down's wording.
_LEVEL_ALIASES = {
    "处级": "县处级",
    "县处": "县处级",
    "科级": "乡科级",
    "乡科": "乡科级",
    "一般干部": "乡科级以下",
    "科级以下": "乡科级以下",
    "村干部": "村社干部",
    "村两委": "村社干部",
    "村社区干部": "村社干部",
    "其他": "其他人员",
    "群众": "其他人员",
}


class ReadError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def norm(value: object) -> str:
    """Cell text for comparison: NFKC (full-width folded), every kind of space removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACE.sub("", text)


def label(value: object) -> str:
    """A header label for matching: `norm` without the punctuation people vary."""
    return _PUNCT.sub("", norm(value))


def text(value: object) -> str:
    """Cell text for keeping: full-width spaces trimmed, a protective leading apostrophe dropped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    out = clean(value.replace("\u3000", " ") if isinstance(value, str) else value)
    if out.startswith("'") and out[1:2] in ("=", "+", "-", "@"):
        out = out[1:]
    return out


@dataclass
class Grid:
    rows: list[list[object]]
    # (row, col) of every cell hidden under a merged range -> the range's top-left cell
    covered: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # top-left (row, col) of every merged range -> its bottom-right
    spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def get(self, r: int, c: int) -> object:
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return ""

    def shown(self, r: int, c: int) -> object:
        """What a reader sees at (r, c): a merged range's value over all its cells."""
        return self.get(*self.covered.get((r, c), (r, c)))

    def find(self, wanted: str) -> tuple[int, int] | None:
        """The first cell whose label is `wanted` (or starts with it)."""
        for r, row in enumerate(self.rows):
            for c, value in enumerate(row):
                if label(value).startswith(wanted):
                    return r, c
        return None

    def find_prefix(self, prefix: str, start: int = 0) -> int | None:
        for r in range(start, len(self.rows)):
            for value in self.rows[r]:
                if label(value).startswith(prefix):
                    return r
        return None

    def blank_row(self, r: int, cols: range | None = None) -> bool:
        cols = cols if cols is not None else range(len(self.rows[r]))
        return all(norm(self.get(r, c)) == "" for c in cols)


def load(data: bytes | str) -> Grid:
    """Open the first sheet (the one step that opens a file; checks on the file belong here)."""
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
        grid.spans[(r1, c1)] = (r2, c2)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    grid.covered[(r, c)] = (r1, c1)
    return grid


# Numbers ------------------------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"(人次|人|次|个|件|起|条|名)$")


def _number(
    value: object, where: str, problems: list[str], money: bool, warnings: list[str] | None = None
) -> Decimal:
    """A count or an amount in 万元 as people type it; blank, "—", "/" and "无" are 0."""
    if value is None or (isinstance(value, str) and norm(value) in _ZERO):
        return Decimal(0)
    if isinstance(value, bool):
        problems.append(f"{where}：不是数字「{value}」")
        return Decimal(0)
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        raw = norm(value).replace(",", "").replace("，", "")
        yuan = False
        if money:
            if raw.endswith("万元") or raw.endswith("万"):
                raw = raw.removesuffix("元").removesuffix("万")
            elif raw.endswith("元"):
                raw, yuan = raw.removesuffix("元"), True
        else:
            raw = _UNIT_SUFFIX.sub("", raw)
        try:
            number = Decimal(raw)
        except InvalidOperation:
            problems.append(f"{where}：不是数字「{text(value)}」")
            return Decimal(0)
        if not number.is_finite():
            problems.append(f"{where}：不是数字「{text(value)}」")
            return Decimal(0)
        if yuan:
            number = number / 10000
            if warnings is not None:
                warnings.append(f"{where}：「{text(value)}」按元填写，已折算为 {number:.2f} 万元")
    if number < 0:
        problems.append(f"{where}：不能为负数「{number}」")
    if not money and number != number.to_integral_value():
        problems.append(f"{where}：应为整数「{number}」")
    return number.quantize(Decimal("0.01")) if money else number.to_integral_value()


# Title, month, district ---------------------------------------------------------------------


def _title(grid: Grid, top: int, problems: list[str], warnings: list[str]) -> tuple[str, str]:
    """District and YYYY-MM from the title above the header (and the 填报时间 line)."""
    district, month, found = "", "", False
    filed = None
    unit = ""
    for r in range(min(top, len(grid.rows))):
        for value in grid.rows[r]:
            key = norm(value)
            if not key:
                continue
            match = _TITLE.match(key)
            if match and not found:
                district, month, found = match["district"], match["month"], True
            elif "农村危房改造" in key and not found:
                district, found = key.split("农村危房改造")[0], True
            if "填报时间" in key:
                when = _FILED.search(key)
                if when:
                    filed = (int(when[1]), int(when[2]))
            if key.startswith("填报单位") or key.startswith("填报区"):
                unit = re.sub(r"^填报(单位|区)[:：]?", "", key)
    district = re.sub(r"^[\d.、]+", "", district)
    if district in ("区", "县", "市", "区县"):
        district = ""  # the seed's blank before 区 left unfilled
    if not district and unit:
        head = re.match(r"^(.+?[市区县])", unit.replace("(加盖公章)", ""))
        district = head[1] if head else ""
    year_month = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})", month or "")
    if not year_month:
        if filed:
            year, mon = filed[0], filed[1] - 1
            if mon == 0:
                year, mon = year - 1, 12
            warnings.append(f"标题中没有月份，按填报时间的上月（{year}年{mon}月）读取")
            return district, f"{year:04d}-{mon:02d}"
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


# The header ---------------------------------------------------------------------------------


def locate_header(grid: Grid, anchor: tuple[int, int], is_label, depth: int = 6) -> int:
    """The last header row: the rows from the anchor's down that hold header labels (or lie
    under a merged header cell), at most `depth` rows."""
    top, c0 = anchor
    bottom = top
    end = grid.spans.get(anchor, anchor)[0]
    for r in range(top, min(top + depth, len(grid.rows))):
        cells = [grid.get(r, c) for c in range(c0, grid.width)]
        if any(is_label(label(v)) for v in cells if norm(v)):
            bottom = r
        elif r > end:
            break
    return max(bottom, min(end, top + depth - 1))


def column_paths(grid: Grid, top: int, bottom: int, cols: range) -> dict[int, list[str]]:
    """Each column's header labels top-down, merged ranges spread over their cells and blank
    cells of unmerged headers taken from the left when they share the parent above."""
    filled: list[list[str]] = []
    for r in range(top, bottom + 1):
        line = []
        for i, c in enumerate(cols):
            value = label(grid.shown(r, c))
            if not value and i > 0 and r < bottom and (r, c) not in grid.covered:
                left = line[i - 1]
                same_parent = r == top or filled[-1][i] == filled[-1][i - 1]
                left_is_own = (r, cols[i - 1]) not in grid.covered or grid.covered[
                    (r, cols[i - 1])
                ][0] == r
                if left and same_parent and left_is_own and _spreads_right(grid, r, c, bottom):
                    value = left
            line.append(value)
        filled.append(line)
    paths = {}
    for i, c in enumerate(cols):
        path: list[str] = []
        for line in filled:
            if line[i] and (not path or path[-1] != line[i]):
                path.append(line[i])
        paths[c] = path
    return paths


def _spreads_right(grid: Grid, r: int, c: int, bottom: int) -> bool:
    """An unmerged blank header cell belongs to the label on its left when the rows below it
    carry labels of their own (a group's sub-columns), not when it sits under nothing."""
    return any(label(grid.shown(rr, c)) for rr in range(r + 1, bottom + 1))


# Annex 1 ------------------------------------------------------------------------------------

# Each column as the labels that name it: (group prefix or None, leaf, leaf matched exactly?).
_A1_SPEC: list[tuple[str | None, str, bool]] = [
    (None, "当月发现问题", False),
    (None, "当月完成整改", False),
    ("单位", "检查", True),
    ("单位", "通报", True),
    (None, "受处理处分总人数", False),
    *(("党纪处分", lv, True) for lv in SANCTION_LEVELS),
    *(("政务处分", lv, True) for lv in SANCTION_LEVELS),
    (None, "诫勉谈话", False),
    (None, "组织调整或处理", False),
    (None, "移送司法", False),
    *((form, lv, True) for form in FORMS for lv in FORM_LEVELS),
    ("通报曝光", "次数", True),
    ("通报曝光", "问题数", True),
    ("通报曝光", "涉及人数", True),
    (None, "涉及金额", False),
]
_A1_LABELS = {
    "当月发现问题",
    "当月完成整改",
    "执纪问责情况",
    "单位",
    "检查",
    "通报",
    "个人受处分",
    "受处理处分总人数",
    "党纪处分",
    "政务处分",
    "诫勉谈话",
    "组织调整或处理",
    "移送司法",
    *FORMS,
    *SANCTION_LEVELS,
    *FORM_LEVELS,
    "通报曝光",
    "次数",
    "问题数",
    "涉及人数",
    "涉及金额",
}


def _is_a1_label(key: str) -> bool:
    return any(key.startswith(lbl) for lbl in _A1_LABELS)


def _a1_column(path: list[str]) -> int | None:
    if not path:
        return None
    leaf = path[-1]
    for i, (group, want, exact) in enumerate(_A1_SPEC):
        hit = leaf == want if exact else leaf.startswith(want)
        if not hit:
            continue
        if group is None:
            return i
        if group == "单位":
            if "单位" in path[:-1]:
                return i
        elif any(p.startswith(group) for p in path[:-1]):
            return i
    return None


def _column_numbers(cells: list[object]) -> bool:
    """A row of column numbers (栏次) or of the header's own numbering, not data."""
    keys = [norm(v) for v in cells]
    if any(k.startswith("栏次") for k in keys):
        return True
    numbers = [k for k in keys if k]
    return len(numbers) >= 5 and numbers == [str(i) for i in range(1, len(numbers) + 1)]


def read_annex1(grid: Grid) -> dict:
    problems: list[str] = []
    warnings: list[str] = []
    anchor = grid.find("当月发现问题")
    if anchor is None:
        raise ReadError(["没有找到附件1的表头「当月发现问题数」"])
    top, c0 = anchor
    district, month = _title(grid, top, problems, warnings)
    bottom = locate_header(grid, anchor, _is_a1_label)
    cols = range(c0, grid.width)
    where: dict[int, int] = {}
    for c, path in column_paths(grid, top, bottom, cols).items():
        index = _a1_column(path)
        if index is not None and index not in where:
            where[index] = c
    missing = [ANNEX1_COLUMNS[i] for i in range(34) if i not in where]
    in_place = all(c == c0 + i for i, c in where.items())
    if missing and in_place and len(where) >= 2:
        # Labels left out of a header that otherwise sits where the seed puts it (格式不得修改):
        # the unnamed columns are read by position, and the clerk is told.
        for i in range(34):
            where.setdefault(i, c0 + i)
        warnings.append(f"表头中没有这些栏名，按附件1的栏位读取：{'、'.join(missing)}")
        missing = []
    if missing:
        raise ReadError([f"表头中没有找到这些栏：{'、'.join(missing)}"])
    order = [where[i] for i in range(34)]
    if order != sorted(order):
        warnings.append("表头各栏的顺序与附件1不同，已按栏名读取")
    end = grid.find_prefix("备注", bottom + 1)
    for stop in ("当月查处或整改", "说明", "填表人"):
        at = grid.find_prefix(stop, bottom + 1)
        if at is not None and (end is None or at < end):
            end = at
    end = end if end is not None else len(grid.rows)
    data_rows = []
    for r in range(bottom + 1, end):
        cells = [grid.get(r, c) for c in order]
        if all(norm(v) == "" for v in cells) or _column_numbers(cells):
            continue
        data_rows.append((r, cells, "".join(norm(grid.get(r, c)) for c in range(c0))))
    if not data_rows:
        warnings.append("表中没有数据行，各栏按 0 读取")
    totals = [r for r in data_rows if "合计" in r[2] or "小计" in r[2]]
    if len(data_rows) > 1 and totals:
        data_rows = totals[-1:]
    rows_values = []
    for r, cells, _ in data_rows:
        rows_values.append(
            [
                _number(
                    v,
                    f"第{r + 1}行 第{i + 1}栏 {ANNEX1_COLUMNS[i]}",
                    problems,
                    i in MONEY_COLUMNS,
                    warnings,
                )
                for i, v in enumerate(cells)
            ]
        )
    values = [sum((row[i] for row in rows_values), Decimal(0)) for i in range(34)]
    values[33] = values[33].quantize(Decimal("0.01"))
    if len(rows_values) > 1:
        lines = "、".join(str(r + 1) for r, _, _ in data_rows)
        warnings.append(f"表头与备注之间有 {len(rows_values)} 行数据（第{lines}行），已相加读取")
    forms = sum(values[14:30])
    if values[4] and forms and forms != values[4]:
        warnings.append(f"第一至第四种形态合计 {forms} 与受处理处分总人数 {values[4]} 不一致")
    if values[1] > values[0] and values[0]:
        warnings.append("当月完成整改和查处问题数多于当月发现问题数（可能含以前月份发现的问题）")
    remarks = ""
    remarks_at = grid.find_prefix("备注", bottom + 1)
    if remarks_at is not None:
        seen = []
        for c in range(grid.width):
            value = grid.get(remarks_at, c)
            if norm(value) and not label(value).startswith("备注") and text(value) not in seen:
                seen.append(text(value))
        remarks = " ".join(seen)
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


# Annex 2 ------------------------------------------------------------------------------------

# Leaf label prefixes -> field, first match wins (so 追缴资金 before 涉及资金's "资金").
_A2_FIELDS: list[tuple[str, str]] = [
    ("序号", "no"),
    ("编号", "no"),
    ("区县", "district"),
    ("县市区", "district"),
    ("来源渠道", "source"),
    ("来源", "source"),
    ("涉及地方", "place"),
    ("姓名", "name"),
    ("职务", "post"),
    ("级别", "level"),
    ("问题线索摘要", "summary"),
    ("线索摘要", "summary"),
    ("涉及资金", "funds"),
    ("处置情况", "disposal"),
    ("具体情况", "rectification"),
    ("整改情况", "rectification"),
    ("追缴资金", "recovered"),
    ("问责", "accountable"),
    ("被反映主要对象", "name"),
]


def _a2_field(path: list[str]) -> str | None:
    for part in reversed(path):
        for prefix, name in _A2_FIELDS:
            if part.startswith(prefix):
                return name
    return None


def _is_a2_label(key: str) -> bool:
    return any(key.startswith(prefix) for prefix, _ in _A2_FIELDS)


def _level(value: str) -> str:
    key = label(value)
    return _LEVEL_ALIASES.get(key, key)


def _split(value: object) -> list[str]:
    return [part.strip(" \u3000") for part in _NAME_SPLIT.split(text(value)) if part.strip()]


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _name(value: str) -> str:
    """A Chinese name padded to line up ("张　三") is 张三; other names keep single spaces."""
    parts = value.split()
    return "".join(parts) if _CJK.search(value) else " ".join(parts)


def _persons(names_cell, posts_cell, levels_cell, where: str, warnings: list[str]) -> list[dict]:
    names = [n for n in _split(names_cell) if norm(n) not in _NOBODY]
    if not names:
        return []
    posts, levels = _split(posts_cell), _split(levels_cell)

    def spread(items: list[str], what: str) -> list[str]:
        if len(items) == len(names):
            return items
        if len(items) == 1:
            return items * len(names)
        if items:
            warnings.append(f"{where} {what}：{len(items)} 项，与 {len(names)} 个姓名对不上")
        return (items + [""] * len(names))[: len(names)]

    posts, levels = spread(posts, "职务"), spread(levels, "级别")
    return [
        {"name": _name(name), "post": posts[i], "level": _level(levels[i])}
        for i, name in enumerate(names)
    ]


def read_annex2(grid: Grid) -> dict:
    problems: list[str] = []
    warnings: list[str] = []
    anchor = None
    for r, row in enumerate(grid.rows):
        keys = [label(v) for v in row]
        if any(k.startswith("来源渠道") for k in keys) and any(
            k.startswith("问题线索摘要") or k.startswith("线索摘要") for k in keys
        ):
            c = next(i for i, k in enumerate(keys) if _is_a2_label(k))
            anchor = (r, c)
            break
    if anchor is None:
        raise ReadError(["没有找到附件2的表头（来源渠道 / 问题线索摘要）"])
    top, c0 = anchor
    district, month = _title(grid, top, problems, warnings)
    bottom = locate_header(grid, anchor, _is_a2_label, depth=5)
    headers: dict[str, int] = {}
    for c, path in column_paths(grid, top, bottom, range(c0, grid.width)).items():
        name = _a2_field(path)
        if name and name not in headers:
            headers[name] = c
    missing = [
        lbl
        for lbl, n in (
            ("来源渠道", "source"),
            ("问题线索摘要", "summary"),
            ("处置情况", "disposal"),
        )
        if n not in headers
    ]
    if missing:
        raise ReadError([f"附件2表头缺少列：{'、'.join(missing)}"])
    end = len(grid.rows)
    for stop in ("说明", "填表人"):
        at = grid.find_prefix(stop, bottom + 1)
        if at is not None and at < end:
            end = at
    used = sorted(headers.values())
    rows: list[dict] = []

    def cell(r: int, name: str) -> object:
        c = headers.get(name)
        return grid.get(r, c) if c is not None else ""

    key_cols = [headers[n] for n in ("no", "source", "summary", "place") if n in headers]
    for r in range(bottom + 1, end):
        if grid.blank_row(r, range(used[0], used[-1] + 1)):
            continue
        if _column_numbers([grid.get(r, c) for c in used]):
            continue
        where = f"第{r + 1}行"
        persons = _persons(cell(r, "name"), cell(r, "post"), cell(r, "level"), where, warnings)
        merged_on = any((r, c) in grid.covered for c in key_cols)
        empty_keys = all(norm(grid.get(r, c)) == "" for c in key_cols)
        if rows and (merged_on or empty_keys):
            rows[-1]["persons"].extend(persons)  # a sub-row of the record above
            continue
        item = {
            "source": text(cell(r, "source")),
            "place": text(cell(r, "place")),
            "persons": persons,
            "summary": text(cell(r, "summary")),
            "funds": _number(cell(r, "funds"), f"{where} 涉及资金", problems, True, warnings),
            "disposal": text(cell(r, "disposal")),
            "rectification": text(cell(r, "rectification")),
            "recovered": _number(
                cell(r, "recovered"), f"{where} 追缴资金", problems, True, warnings
            ),
            "accountable": _number(cell(r, "accountable"), f"{where} 问责（人）", problems, False),
            "_row": r + 1,
        }
        if "district" in headers:
            item["district"] = text(cell(r, "district"))
        if norm(item["rectification"]) in ("无", "—", "/", "-"):
            item["rectification"] = ""
        rows.append(item)
    for item in rows:
        where = f"第{item.pop('_row')}行"
        for key, choices, what in (
            ("source", SOURCE_CHANNELS, "来源渠道"),
            ("disposal", DISPOSALS, "处置情况"),
        ):
            folded = label(item[key])
            match = next((choice for choice in choices if label(choice) == folded), None)
            if match:
                item[key] = match
            else:
                problems.append(f"{where} {what}：「{item[key]}」不在下拉序列中")
        if len(item["summary"]) > SUMMARY_LIMIT:
            problems.append(f"{where} 问题线索摘要：{len(item['summary'])} 字，超过 300 字")
        if not item["summary"]:
            problems.append(f"{where} 问题线索摘要：不能为空")
        count = len(item["persons"])
        if count == 0:
            warnings.append(f"{where} 被反映主要对象：未填写（尚未明确对象的线索，照常读取）")
        elif count > 3:
            warnings.append(f"{where} 被反映主要对象：限填写1—3人，实为 {count} 人")
        for person in item["persons"]:
            if person["level"] and person["level"] not in PERSON_LEVELS:
                problems.append(f"{where} 级别：「{person['level']}」不在下拉序列中")
    if problems:
        raise ReadError(problems)
    return {
        "kind": "annex2",
        "district": district,
        "month": month,
        "rows": rows,
        "warnings": warnings,
    }


def read_grid(grid: Grid) -> dict:
    """Annex 1 or Annex 2, told apart by the header's content."""
    if grid.find("当月发现问题") is not None:
        return read_annex1(grid)
    if grid.find("来源渠道") is not None:
        return read_annex2(grid)
    raise ReadError(["既不是附件1（查处整改情况统计表）也不是附件2（问题线索统计表）"])


def read_report(data: bytes | str) -> dict:
    """Read a filled Annex 1 or Annex 2 (told apart by its header)."""
    return read_grid(load(data))
