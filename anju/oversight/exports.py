"""The ledger and the township problem lists to xlsx: the filters applied, formula-safe (text
written as text, a leading = + - @ neutralised), watermarked, in a temporary file written in
constant memory. ID numbers in the clues' text are stored masked; the full numbers the text
named (ClueLink) are added only for a role that may unmask and asks for them."""

import tempfile
from collections import defaultdict
from datetime import date
from decimal import Decimal

import xlsxwriter

from anju.oversight.choices import ClueStatus, Disposal, ItemSource, ItemStatus, ProblemKind
from anju.oversight.choices import SourceChannel as Channel
from anju.oversight.models import ClueLink, CluePerson
from anju.reporting.layout import safe_text

LEDGER = [
    "台账编号",
    "收到日期",
    "来源渠道",
    "涉及地方或单位",
    "问题类别",
    "被反映主要对象",
    "问题线索摘要",
    "涉及资金（万元）",
    "状态",
    "当前环节办理时限",
    "承办单位",
    "经办人",
    "处置方式",
    "整改情况",
    "追缴资金（万元）",
    "问责人数",
    "重点督办",
    "关联档案",
    "销号日期",
]
ITEMS = ["乡镇", "来源", "问题", "整改措施", "责任人", "整改时限", "状态", "完成日期"]
CHUNK = 2000


def _cell(sheet, row: int, col: int, value) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "")
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, date):
        sheet.write_string(row, col, value.isoformat())
    else:
        sheet.write_string(row, col, safe_text(value))


def _table(name: str, columns: list[str], rows, watermark: str):
    """(temporary file, row count) of one sheet: the watermark, the header, the rows."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, safe_text(watermark))
    for col, title in enumerate(columns):
        sheet.write_string(1, col, title, bold)
    count = 0
    for count, values in enumerate(rows, 1):
        for col, value in enumerate(values):
            _cell(sheet, count + 1, col, value)
    book.close()
    handle.seek(0)
    return handle, count


def ledger_rows(clues, *, unmasked: bool):
    """Each clue of `clues` (filtered, ordered) as a row of LEDGER (and the full numbers last
    when `unmasked`); persons and links read a chunk of clues at a time."""
    labels = {
        "channel": dict(Channel.choices),
        "category": dict(ProblemKind.choices),
        "status": dict(ClueStatus.choices),
        "disposal": dict(Disposal.choices),
    }
    batch = []

    def flush():
        keys = [c.pk for c in batch]
        persons = defaultdict(list)
        for clue_id, name, post in (
            CluePerson.objects.filter(clue_id__in=keys)
            .order_by("clue_id", "ordinal", "pk")
            .values_list("clue_id", "name", "post")
        ):
            persons[clue_id].append(f"{name}（{post}）" if post else name)
        numbers = defaultdict(list)
        if unmasked:
            for link in ClueLink.objects.filter(clue_id__in=keys).order_by("pk"):
                numbers[link.clue_id].append(link.id_number)
        for c in batch:
            row = [
                c.number,
                c.received_on,
                labels["channel"].get(c.source_channel, c.source_channel),
                c.place,
                labels["category"].get(c.category, c.category),
                "、".join(persons[c.pk]),
                c.summary,
                c.funds,
                labels["status"].get(c.status, c.status),
                c.deadline if c.is_open else None,
                c.handling_unit,
                c.handler.full_name or c.handler.get_username() if c.handler else "",
                labels["disposal"].get(c.disposal, ""),
                c.rectification,
                c.recovered,
                c.accountable,
                c.supervised,
                c.links,
                c.closed_on,
            ]
            if unmasked:
                row.append("、".join(dict.fromkeys(numbers[c.pk])))
            yield row
        batch.clear()

    for clue in clues.select_related("handler").iterator(chunk_size=CHUNK):
        batch.append(clue)
        if len(batch) == CHUNK:
            yield from flush()
    if batch:
        yield from flush()


def write_ledger(clues, *, unmasked: bool, watermark: str):
    columns = [*LEDGER, "所涉完整身份证号"] if unmasked else LEDGER
    return _table("问题线索台账", columns, ledger_rows(clues, unmasked=unmasked), watermark)


def write_items(items, *, watermark: str):
    sources, statuses = dict(ItemSource.choices), dict(ItemStatus.choices)
    rows = (
        (
            i.region.name,
            sources.get(i.source, i.source),
            i.description,
            i.measure,
            i.owner,
            i.deadline,
            statuses.get(i.status, i.status),
            i.done_on,
        )
        for i in items.select_related("region").iterator(chunk_size=CHUNK)
    )
    return _table("问题清单", ITEMS, rows, watermark)
