"""Assessment tasks to xlsx: formula-safe, watermarked, IDs masked."""

import tempfile
from datetime import date

import xlsxwriter

from anju.assessments.models import TaskStatus
from anju.crosscheck.choices import PRIORITY_KINDS
from anju.identity import mask_id
from anju.reporting.layout import safe_text

COLUMNS = [
    "乡镇",
    "行政村",
    "户主姓名",
    "名单人员",
    "身份证号",
    "来源名单",
    "收到日期",
    "应鉴定日期",
    "状态",
    "鉴定完成日期",
]


def write_tasks(tasks, *, today: date, watermark: str):
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("鉴定任务")
    sheet.write_string(0, 0, safe_text(watermark))
    for col, name in enumerate(COLUMNS):
        sheet.write_string(1, col, name, bold)
    rows = tasks.values_list(
        "region__name",
        "household__region__name",
        "household__head_name",
        "name",
        "id_number",
        "kind",
        "received_on",
        "due_on",
        "done_on",
    )
    count = 0
    for row, values in enumerate(rows.iterator(chunk_size=5000), start=2):
        town, village, head, name, number, kind, received, due, done = values
        if done is not None:
            status = TaskStatus.DONE.label
        else:
            status = (TaskStatus.OVERDUE if today > due else TaskStatus.OPEN).label
        cells = [
            town,
            village,
            head,
            name,
            mask_id(number),
            PRIORITY_KINDS.get(kind, kind),
            received.isoformat(),
            due.isoformat(),
            status,
            done.isoformat() if done else "",
        ]
        for col, text in enumerate(cells):
            sheet.write_string(row, col, safe_text(text))
        count += 1
    book.close()
    handle.seek(0)
    return handle, count
