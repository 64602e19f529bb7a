"""Household archive files as departments make them, for the import tests."""

import io

import xlsxwriter
from stdnum.cn import ric


def rid(n: int, year: int = 1950) -> str:
    body = f"350881{year}0101{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


HEADER = [
    "县(市、区)",
    "乡镇(街道)",
    "行政村",
    "户主姓名",
    "户主身份证号",
    "家庭人口",
    "农户类别",
    "房屋结构",
    "危险等级",
    "鉴定日期",
    "审批日期",
    "改造方式",
    "改造年度",
    "开工日期",
    "竣工日期",
    "验收日期",
    "改造后建筑面积",
    "有无卫生厕所",
    "补助金额(元)",
    "一卡通账号",
]


def row(n: int, **over) -> list:
    values = {
        "县(市、区)": "漳平市",
        "乡镇(街道)": "新桥镇",
        "行政村": "西埔村",
        "户主姓名": f"农户{n}",
        "户主身份证号": rid(n),
        "家庭人口": 3,
        "农户类别": "建档立卡、低保",
        "房屋结构": "土木",
        "危险等级": "D",
        "鉴定日期": "2019-03-05",
        "审批日期": "2019/4/1",
        "改造方式": "拆除重建",
        "改造年度": 2019,
        "开工日期": "2019.5.6",
        "竣工日期": "2019年9月30日",
        "验收日期": "20191015",
        "改造后建筑面积": 60,
        "有无卫生厕所": "有",
        "补助金额(元)": "40,000",
        "一卡通账号": "6217 0012 3456 7890",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def xlsx(
    rows: list[list], header=HEADER, title: str | None = "漳平市农村危房改造农户档案"
) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet()
    r = 0
    if title:
        ws.write_string(0, 0, title)
        r = 2  # a title row and a blank row above the header
    ws.write_row(r, 0, header)
    for i, values in enumerate(rows, r + 1):
        for j, value in enumerate(values):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(i, j, value)
            elif value is None:
                continue
            else:
                ws.write_string(i, j, str(value))
    book.close()
    return out.getvalue()


def csv(rows: list[list], header=HEADER, encoding="utf-8-sig") -> bytes:
    lines = [",".join(header)] + [",".join(f'"{v}"' for v in values) for values in rows]
    return "\n".join(lines).encode(encoding)
