"""A blank list for each kind of department list (名单模板): the headers the list's import reads
(`anju.crosscheck.references`), ID and account columns as text, and a 填写说明 sheet naming each
column's other accepted headers and whether it is required. Made from the import's own
definitions, so a template cannot ask for a column the import does not read."""

import io

import xlsxwriter

from anju.crosscheck.choices import DEPARTMENT, PRIORITY_KINDS, Kind
from anju.crosscheck.references import COMMON, EXTRA, LABELS, PLACE, REQUIRED, START_LABEL

TEXT = {"id", "head_id", "account", "region_code"}
NOTES = {
    "name": "必填",
    "id": "必填；18 位（旧 15 位也可），该列请设为文本",
    "head_id": "本人不是户主时填写户主的身份证号",
    "head_name": "本人不是户主时填写",
    "start": "2019-03-05、2019/3/5、2019年3月5日、20190305 均可",
    "end": "仍在册的留空",
    "amount": "元，数字（可带千分位）",
    "account": "该列请设为文本",
    "region_code": "可选；12 位统计用区划代码，填了以它为准",
    "township": "名单里有档案中没有的人时，按乡镇、村或地址列为待建档农户",
    "village": "同上",
    "address": "同上",
}


def columns(kind: str) -> list[tuple[str, str, set[str], bool]]:
    """(field, header written, every header accepted, required) of a kind's list, in order."""
    fields = {
        "name": COMMON["name"],
        "id": COMMON["id"],
        **EXTRA.get(kind, {}),
        **(
            {"head_name": COMMON["head_name"], "head_id": COMMON["head_id"], **PLACE}
            if kind in PRIORITY_KINDS
            else {}
        ),
    }
    required = {"name", "id", *REQUIRED.get(kind, ())}
    labels = {**LABELS, "start": START_LABEL.get(kind, ""), "region_code": "行政区划代码"}
    labels.update({"township": "乡镇(街道)", "village": "行政村", "address": "地址"})
    out = []
    for field, accepted in fields.items():
        label = labels.get(field, "")
        if label not in accepted:  # the canonical word of another kind: one this kind reads
            label = sorted(accepted)[0]
        out.append((field, label, accepted, field in required))
    return out


def write_list_template(kind: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(Kind(kind).label[:31])
    guide = book.add_worksheet("填写说明")
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    listed = columns(kind)
    for col, (field, label, _, _) in enumerate(listed):
        sheet.write_string(0, col, label, bold)
        sheet.set_column(col, col, 20 if field in TEXT else 14, text if field in TEXT else None)
    sheet.freeze_panes(1, 0)
    for col, width in enumerate((16, 36, 8, 50)):
        guide.set_column(col, col, width, wrap)
    guide.write_string(
        0, 0, f"{Kind(kind).label}（{DEPARTMENT[Kind(kind)]}）填写说明：一人一行", bold
    )
    guide.write_row(1, 0, ["列名", "也可写作", "必填", "说明"], bold)
    for at, (field, label, accepted, required) in enumerate(listed, 2):
        guide.write_row(
            at,
            0,
            [
                label,
                "、".join(sorted(accepted - {label})),
                "是" if required else "",
                NOTES.get(field, ""),
            ],
        )
    book.close()
    return out.getvalue()
