"""Writing Annexes 1-3 in the seed's layout (merged headers, notes, signature line), print-ready."""

import io
from decimal import Decimal

import xlsxwriter

from anju.reporting.annexes import (
    ANNEX1_CASES_HINT,
    ANNEX1_NOTES,
    ANNEX1_TITLE,
    ANNEX2_NOTES,
    ANNEX2_TITLE,
    ANNEX3_NOTE,
    ANNEX3_TITLE,
    DISPOSALS,
    FORM_LEVELS,
    FORMS,
    MONEY_COLUMNS,
    PERSON_LEVELS,
    SANCTION_LEVELS,
    SOURCE_CHANNELS,
    Annex1,
    Annex2,
    Contact,
    Signature,
)

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> str:
    """Text no spreadsheet takes for a formula (a leading apostrophe, as Excel users do)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS_START) else text


def month_label(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}"


class _Sheet:
    """A worksheet with the formats every annex uses."""

    def __init__(self, book: xlsxwriter.Workbook, name: str):
        self.book = book
        self.ws = book.add_worksheet(name)
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        self.title = book.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.plain = book.add_format(base)
        self.head = book.add_format(
            {**base, "bold": True, "align": "center", "border": 1, "text_wrap": True}
        )
        self.cell = book.add_format({**base, "border": 1, "text_wrap": True})
        self.num = book.add_format({**base, "border": 1, "align": "center", "num_format": "0"})
        self.money = book.add_format({**base, "border": 1, "align": "center", "num_format": "0.00"})
        self.label = book.add_format(
            {**base, "border": 1, "bold": True, "align": "center", "text_wrap": True}
        )
        self.note = book.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})

    def merge(self, r1, c1, r2, c2, text, fmt):
        if (r1, c1) == (r2, c2):
            self.ws.write_string(r1, c1, safe_text(text), fmt)
        else:
            self.ws.merge_range(r1, c1, r2, c2, safe_text(text), fmt)

    def print_setup(self, header_rows: tuple[int, int], last_col: int):
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.repeat_rows(*header_rows)
        self.ws.fit_to_pages(1, 0)
        self.ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        self.ws.print_area(0, 0, 10_000, last_col)

    def top_lines(self, title: str, sig: Signature, last_col: int, unit_label="填报单位"):
        self.merge(0, 0, 0, last_col, title, self.title)
        self.ws.set_row(0, 30)
        half = last_col // 2
        unit = sig.unit or "（加盖公章）"
        self.merge(1, 0, 1, half, f"{unit_label}：{unit}", self.plain)
        self.merge(
            1, half + 1, 1, last_col, f"填报时间：{sig.filled_on or '    年   月   日'}", self.plain
        )

    def signature_line(self, row: int, sig: Signature, last_col: int):
        third = (last_col + 1) // 3
        self.merge(row, 0, row, third - 1, f"填表人：{sig.filled_by}", self.plain)
        self.merge(row, third, row, 2 * third - 1, f"联系电话：{sig.phone}", self.plain)
        self.merge(row, 2 * third, row, last_col, f"单位分管负责人：{sig.leader}", self.plain)


def _annex1_header(s: _Sheet, top: int) -> None:
    r0, r1, r2, r3 = top, top + 1, top + 2, top + 3
    h = s.head
    s.merge(r0, 0, r3, 0, "当月发现问题数", h)
    s.merge(r0, 1, r3, 1, "当月完成整改和查处问题数", h)
    s.merge(r0, 2, r0, 29, "执纪问责情况", h)
    s.merge(r1, 2, r1, 3, "单位", h)
    s.merge(r2, 2, r3, 2, "检查", h)
    s.merge(r2, 3, r3, 3, "通报", h)
    s.merge(r1, 4, r1, 29, "个人受处分或处理情况", h)
    s.merge(r2, 4, r3, 4, "受处理处分总人数", h)
    for start, label in ((5, "党纪处分\n（人次）"), (8, "政务处分\n（人次）")):
        s.merge(r2, start, r2, start + 2, label, h)
        for i, level in enumerate(SANCTION_LEVELS):
            s.merge(r3, start + i, r3, start + i, level, h)
    s.merge(r2, 11, r3, 11, "诫勉谈话\n（人次）", h)
    s.merge(r2, 12, r3, 12, "组织调整或处理（人次）", h)
    s.merge(r2, 13, r3, 13, "移送司法\n数", h)
    for f, form in enumerate(FORMS):
        start = 14 + 4 * f
        s.merge(r2, start, r2, start + 3, form, h)
        for i, level in enumerate(FORM_LEVELS):
            s.merge(r3, start + i, r3, start + i, level, h)
    s.merge(r0, 30, r2, 32, "通报曝光情况（含单位被通报曝光的情况）", h)
    for i, label in enumerate(("次数", "问题数", "涉及人数")):
        s.merge(r3, 30 + i, r3, 30 + i, label, h)
    s.merge(r0, 33, r3, 33, "涉及金额（万元）", h)


def write_annex1(data: Annex1) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    s = _Sheet(book, "附件1")
    last = 33
    s.ws.set_column(0, 1, 9)
    s.ws.set_column(2, 32, 5.2)
    s.ws.set_column(33, 33, 9)
    title = ANNEX1_TITLE.format(district=data.district, month=month_label(data.month))
    s.top_lines(title, data.signature, last)
    _annex1_header(s, 2)
    s.ws.set_row(4, 30)
    s.ws.set_row(5, 42)
    row = 6
    for col, value in enumerate(data.values):
        if col in MONEY_COLUMNS:
            s.ws.write_number(row, col, float(Decimal(value)), s.money)
        else:
            s.ws.write_number(row, col, int(value), s.num)
    s.merge(7, 0, 7, 1, "备 注", s.label)
    s.merge(7, 2, 7, last, data.remarks, s.note)
    s.ws.set_row(7, 36)
    s.merge(8, 0, 8, 1, "当月查处或整改的问题典型案例（报了结案例1—3个）", s.label)
    cases = "\n".join(f"{i}. {text}" for i, text in enumerate(data.typical_cases, 1))
    s.merge(8, 2, 8, last, cases or ANNEX1_CASES_HINT, s.note)
    s.ws.set_row(8, max(60, 15 * (1 + len(cases) // 90)))
    s.merge(9, 0, 9, 1, "说 明", s.label)
    s.merge(9, 2, 9, last, ANNEX1_NOTES, s.note)
    s.ws.set_row(9, 64)
    s.signature_line(10, data.signature, last)
    s.print_setup((2, 5), last)
    book.close()
    return out.getvalue()


def write_annex2(
    data: Annex2,
    *,
    title: str | None = None,
    summary: list[tuple[str, int]] | None = None,
    notes: str = ANNEX2_NOTES,
    district_column: bool = False,
) -> bytes:
    """Annex 2; with `title`, `notes` and `summary` also the quarterly clue report (a 汇总 sheet
    added); with `district_column` the city's merged table, a 区县 column before 序号."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    s = _Sheet(book, "附件2" if title is None else "问题线索")
    o = 1 if district_column else 0  # every seed column moves right by the 区县 column
    last = 11 + o
    widths = (5, 11, 14, 8, 10, 10, 40, 9, 12, 24, 9, 7)
    for col, width in enumerate(((10,) if o else ()) + widths):
        s.ws.set_column(col, col, width)
    title = title or ANNEX2_TITLE.format(district=data.district, month=month_label(data.month))
    s.top_lines(title, data.signature, last)
    h = s.head
    if o:
        s.merge(2, 0, 3, 0, "区县", h)
    for col, label in (
        (0, "序号"),
        (1, "来源渠道"),
        (2, "涉及地方或单位"),
        (6, "问题线索摘要\n（300字以内）"),
        (7, "涉及资金（万元）"),
        (8, "处置\n情况"),
    ):
        s.merge(2, col + o, 3, col + o, label, h)
    s.merge(2, 3 + o, 2, 5 + o, "被反映主要对象", h)
    s.merge(2, 9 + o, 2, 11 + o, "整改情况", h)
    for col, label in (
        (3, "姓名"),
        (4, "职务"),
        (5, "级别"),
        (9, "具体情况"),
        (10, "追缴资金（万元）"),
        (11, "问责（人）"),
    ):
        s.merge(3, col + o, 3, col + o, label, h)
    row = 4
    for number, item in enumerate(data.rows, 1):
        persons = item.persons or []
        span = max(1, len(persons))
        end = row + span - 1
        shared = [
            (0, number, s.num),
            (1, item.source, s.cell),
            (2, item.place, s.cell),
            (6, item.summary, s.cell),
            (7, item.funds, s.money),
            (8, item.disposal, s.cell),
            (9, item.rectification, s.cell),
            (10, item.recovered, s.money),
            (11, item.accountable, s.num),
        ]
        shared = [(col + o, value, fmt) for col, value, fmt in shared]
        if o:
            shared.insert(0, (0, item.district, s.cell))
        for col, value, fmt in shared:
            if span > 1:
                s.ws.merge_range(row, col, end, col, None, fmt)
            if isinstance(value, (int, Decimal)) and fmt is not s.cell:
                s.ws.write_number(row, col, float(value), fmt)
            else:
                s.ws.write_string(row, col, safe_text(value), fmt)
        for i in range(span):
            person = persons[i] if i < len(persons) else None
            s.ws.write_string(row + i, 3 + o, safe_text(person.name if person else ""), s.cell)
            s.ws.write_string(row + i, 4 + o, safe_text(person.post if person else ""), s.cell)
            s.ws.write_string(row + i, 5 + o, safe_text(person.level if person else ""), s.cell)
        row = end + 1
    first_data, last_data = 4, max(row - 1, 4) + 200  # room for hand additions
    for col, choices in ((1, SOURCE_CHANNELS), (5, PERSON_LEVELS), (8, DISPOSALS)):
        s.ws.data_validation(
            first_data,
            col + o,
            last_data,
            col + o,
            {
                "validate": "list",
                "source": list(choices),
                "error_title": "请从下拉序列选择",
                "error_message": "该栏须从下拉序列中选择。",
            },
        )
    s.ws.data_validation(
        first_data,
        6 + o,
        last_data,
        6 + o,
        {
            "validate": "length",
            "criteria": "<=",
            "value": 300,
            "error_message": "问题线索摘要不超过300字。",
        },
    )
    s.merge(row, 0, row, 1, "说 明", s.label)
    s.merge(row, 2, row, last, notes, s.note)
    s.ws.set_row(row, 70)
    s.signature_line(row + 1, data.signature, last)
    s.print_setup((2, 3), last)
    if summary:
        sheet = _Sheet(book, "汇总")
        sheet.ws.set_column(0, 0, 30)
        sheet.ws.set_column(1, 1, 12)
        sheet.merge(0, 0, 0, 1, "汇总", sheet.title)
        for i, (label, count) in enumerate(summary, 1):
            sheet.ws.write_string(i, 0, safe_text(label), sheet.cell)
            sheet.ws.write_number(i, 1, count, sheet.num)
    book.close()
    return out.getvalue()


def write_annex3(contacts: list[Contact], sig: Signature) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    s = _Sheet(book, "附件3")
    last = 3
    for col, width in enumerate((16, 12, 36, 16)):
        s.ws.set_column(col, col, width)
    s.top_lines(ANNEX3_TITLE, sig, last, unit_label="填报区")
    for col, label in enumerate(("地区", "姓名", "单位及职务", "手机")):
        s.ws.write_string(2, col, label, s.head)
    row = 3
    for contact in contacts:
        for col, value in enumerate(
            (contact.region, contact.name, contact.unit_post, contact.mobile)
        ):
            s.ws.write_string(row, col, safe_text(value), s.cell)
        row += 1
    s.merge(row, 0, row, last, ANNEX3_NOTE, s.note)
    s.ws.set_row(row, 45)
    s.print_setup((2, 2), last)
    book.close()
    return out.getvalue()
