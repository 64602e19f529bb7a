"""The blank household archive (模板): the import's own headers, a drop-down for every closed
list, text columns for IDs and accounts, and a 填写说明 sheet with each column's other accepted
headers, the values it takes and an example row. Made from the import's own definitions
(`anju.households.archive_file`, `choices`), so the template cannot say what the import does
not read."""

import io

import xlsxwriter

from anju.households.archive_file import HEADERS, LABELS, TEMPLATE
from anju.households.choices import CATEGORY_WORDS, METHOD_WORDS, Category, Grade, Method, Structure

CLOSED = {
    "categories": [label for _, label in Category.choices],
    "structure": [label for _, label in Structure.choices],
    "grade": list(Grade.values),
    "method": [label for _, label in Method.choices],
    "toilet": ["有", "无"],
}
MANY = {"categories"}  # several values joined by 、
WORDS = {"categories": (CATEGORY_WORDS, Category.choices), "method": (METHOD_WORDS, Method.choices)}
DATE_FORMS = "2019-03-05、2019/3/5、2019.3.5、2019年3月5日、20190305 均可"
NOTES = {
    "county": "须与系统区划名称一致；填了行政区划代码时以代码为准",
    "township": "须与系统区划名称一致",
    "village": "须与系统区划名称一致；住在乡镇本级的可空",
    "region_code": "可选；12 位统计用区划代码，填了以它为准",
    "head_name": "必填",
    "head_id": "必填；18 位（旧 15 位也可），该列请设为文本，否则末几位会丢失",
    "size": "整数",
    "categories": "可填多个，用“、”分隔",
    "structure": "原房屋结构",
    "grade": "A、B、C、D（也可写 C级、D级危房）",
    "assessed_on": DATE_FORMS,
    "approved_on": DATE_FORMS,
    "method": "从下拉列表中选择",
    "year": "有改造时必填（空着按审批日期的年份）；尚无改造的户，改造各列都留空",
    "started_on": DATE_FORMS,
    "completed_on": DATE_FORMS,
    "accepted_on": DATE_FORMS,
    "built_area": "平方米，数字",
    "toilet": "有/无（是/否也可）",
    "subsidy_yuan": "元，数字（可带千分位）；按万元填写时列名改为 补助资金（万元）",
    "account": "该列请设为文本",
}
EXAMPLE = {
    "county": "漳平市",
    "township": "新桥镇",
    "village": "西埔村",
    "region_code": "",
    "head_name": "张三",
    "head_id": "350881195001010012",
    "size": 3,
    "categories": "建档立卡贫困户、低保户",
    "structure": "土木",
    "grade": "D",
    "assessed_on": "2019-03-05",
    "approved_on": "2019-04-01",
    "method": "拆除重建",
    "year": 2019,
    "started_on": "2019-05-06",
    "completed_on": "2019-09-30",
    "accepted_on": "2019-10-15",
    "built_area": 60,
    "toilet": "有",
    "subsidy_yuan": 40000,
    "account": "6217001234567890",
}
ROWS = 20_000  # rows of the blank sheet that carry the drop-downs


def accepted_values(field: str) -> str:
    """The values the import reads in a closed column, as a clerk would read them."""
    if field not in WORDS:
        return "、".join(CLOSED[field])
    words, choices = WORDS[field]
    parts = []
    for code, label in choices:
        others = [w for w in words[code] if w != label]
        parts.append(f"{label}（也可写 {'、'.join(others)}）" if others else label)
    return "；".join(parts)


def write_template() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("农户档案")
    guide = book.add_worksheet("填写说明")
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for col, field in enumerate(TEMPLATE):
        sheet.write_string(0, col, LABELS[field], bold)
        sheet.set_column(col, col, 14, text)  # text cells: IDs and accounts keep every digit
        if field in CLOSED:
            many = field in MANY
            sheet.data_validation(
                1,
                col,
                ROWS,
                col,
                {
                    "validate": "list",
                    "source": CLOSED[field],
                    # Several categories joined by 、 are not one item of the list: allowed.
                    "error_type": "information" if many else "stop",
                    "input_title": LABELS[field][:32],
                    "input_message": NOTES[field][:255],
                    "error_title": LABELS[field][:32],
                    "error_message": f"请从下拉列表选择：{'、'.join(CLOSED[field])}"[:255],
                },
            )
    sheet.freeze_panes(1, 0)
    for col, width in enumerate((16, 30, 60, 50)):
        guide.set_column(col, col, width, wrap)
    guide.write_string(0, 0, "农户档案填写说明：一户一个改造年度一行，同一户多个年度写多行", bold)
    guide.write_row(1, 0, ["列名", "也可写作", "可填的值", "说明"], bold)
    for at, field in enumerate(TEMPLATE, 2):
        guide.write_string(at, 0, LABELS[field])
        guide.write_string(at, 1, "、".join(sorted(HEADERS[field] - {LABELS[field]})))
        guide.write_string(at, 2, accepted_values(field) if field in CLOSED else "")
        guide.write_string(at, 3, NOTES[field])
    at = len(TEMPLATE) + 3
    guide.write_string(at, 0, "示例（请勿把示例行填入“农户档案”表，否则会作为真实农户导入）", bold)
    for col, field in enumerate(TEMPLATE):
        guide.write_string(at + 1, col, LABELS[field], bold)
        value = EXAMPLE[field]
        if isinstance(value, int):
            guide.write_number(at + 2, col, value)
        else:
            guide.write_string(at + 2, col, value)
    book.close()
    return out.getvalue()
