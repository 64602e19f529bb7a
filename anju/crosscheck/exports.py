"""Findings to xlsx: streamed in constant memory, formula-safe, watermarked, IDs masked unless
the role may unmask and asks for it."""

import tempfile

import xlsxwriter

from anju.crosscheck.choices import FindingStatus, Rule
from anju.reporting.layout import safe_text

COLUMNS = [
    "规则代码",
    "问题类型",
    "区划代码",
    "区划",
    "姓名",
    "身份证号",
    "改造年度",
    "涉及金额(元)",
    "证据",
    "核实状态",
]


def write_findings(findings, *, unmasked: bool, watermark: str = "", path=None):
    """The workbook in a temporary file (or at `path`); returns (file or path, rows)."""
    target = path or tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    book = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = book.add_worksheet("比对发现")
    bold = book.add_format({"bold": True})
    row = 0
    if watermark:
        sheet.write_string(0, 0, safe_text(watermark))
        row = 1
    for col, name in enumerate(COLUMNS):
        sheet.write_string(row, col, name, bold)
    row += 1
    count = 0
    labels = dict(Rule.choices)
    statuses = dict(FindingStatus.choices)
    # Full IDs decrypted only for a role that may see them; the stored masks otherwise.
    values = findings.values_list(
        "rule",
        "region_id",
        "region__name",
        "name",
        "renovation_year",
        "amount_fen",
        "evidence",
        "status",
        "id_number" if unmasked else "id_number_masked",
    )
    for rule, code, region, name, year, amount, evidence, status, number in values.iterator(
        chunk_size=5000
    ):
        sheet.write_string(row, 0, rule)
        sheet.write_string(row, 1, labels.get(rule, rule))
        sheet.write_string(row, 2, code)
        sheet.write_string(row, 3, safe_text(region))
        sheet.write_string(row, 4, safe_text(name))
        sheet.write_string(row, 5, number)
        if year:
            sheet.write_number(row, 6, year)
        sheet.write_number(row, 7, amount / 100)
        sheet.write_string(row, 8, safe_text(evidence))
        sheet.write_string(row, 9, statuses.get(status, status))
        row += 1
        count += 1
    book.close()
    if path is None:
        target.seek(0)
    return target, count
