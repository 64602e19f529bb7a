"""A corpus of Annex 1 and Annex 2 files filled by hand the ways district offices fill them.

Each generator writes its workbook with XlsxWriter directly, cell by cell as a clerk would in
Excel (never through anju's own layout writer): headers two to five rows deep, merged or not,
labels with trailing spaces, line breaks and full-width punctuation, a row of column numbers,
full-width digits, U+3000 padding, "—", "/", "无", blanks, money with or without 万元, persons in
one cell or over merged sub-rows, a record with nobody named. The expected reading of each file
is kept beside it as tests/reporting/corpus/<name>.json.

`python -m tests.reporting.corpus DIR` writes the files into DIR to try them by hand.
"""

import io
import sys
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

EXPECTED = Path(__file__).parent / "corpus"

SANCTION = ["县处级", "乡科级", "乡科级以下"]
FORM = ["县处级", "乡科级及以下", "村社干部", "其他人员"]
FORMS = ["第一种形态", "第二种形态", "第三种形态", "第四种形态"]


class Sheet:
    """A worksheet written as by hand: `merged=False` writes a merged range's text in its first
    cell only and leaves the rest blank, as people do who never merge."""

    def __init__(self, merged: bool = True):
        self.out = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.out, {"in_memory": True})
        self.ws = self.book.add_worksheet("Sheet1")
        self.merged = merged

    def put(self, r1, c1, r2, c2, value):
        if (r1, c1) != (r2, c2) and self.merged:
            self.ws.merge_range(r1, c1, r2, c2, value)
        elif isinstance(value, (int, float)):
            self.ws.write_number(r1, c1, value)
        elif value is not None:
            self.ws.write_string(r1, c1, value)

    def cell(self, r, c, value):
        self.put(r, c, r, c, value)

    def row(self, r, c, values):
        for i, value in enumerate(values):
            if value is not None:
                self.cell(r, c + i, value)

    def bytes(self) -> bytes:
        self.book.close()
        return self.out.getvalue()


# Annex 1 ------------------------------------------------------------------------------------


def annex1_header_4(s: Sheet, top: int, c0: int = 0, *, pad: str = " ", person="（人次）"):
    """The seed's four-row header (单位 over 检查/通报, 党纪处分 over three levels, ...), with
    the trailing spaces the seed itself has after 乡科级以下."""
    r0, r1, r2, r3 = top, top + 1, top + 2, top + 3
    s.put(r0, c0, r3, c0, "当月发现问题数")
    s.put(r0, c0 + 1, r3, c0 + 1, "当月完成整改和查处问题数")
    s.put(r0, c0 + 2, r0, c0 + 29, "执纪问责情况")
    s.put(r0, c0 + 30, r2, c0 + 32, "通报曝光情况（含单位被通报曝光的情况）")
    s.put(r0, c0 + 33, r3, c0 + 33, "涉及金额（万元）")
    s.put(r1, c0 + 2, r1, c0 + 3, "单位")
    s.put(r1, c0 + 4, r1, c0 + 29, "个人受处分或处理情况")
    s.put(r2, c0 + 2, r3, c0 + 2, "检查")
    s.put(r2, c0 + 3, r3, c0 + 3, "通报")
    s.put(r2, c0 + 4, r3, c0 + 4, "受处理处分总人数")
    s.put(r2, c0 + 5, r2, c0 + 7, f"党纪处分\n{person}")
    s.put(r2, c0 + 8, r2, c0 + 10, f"政务处分\n{person}")
    s.put(r2, c0 + 11, r3, c0 + 11, f"诫勉谈话\n{person}")
    s.put(r2, c0 + 12, r3, c0 + 12, f"组织调整或处理{person}")
    s.put(r2, c0 + 13, r3, c0 + 13, "移送司法\n数")
    s.row(r3, c0 + 5, [lv.replace("以下", "以下" + pad) for lv in SANCTION] * 2)
    for f, form in enumerate(FORMS):
        s.put(r2, c0 + 14 + 4 * f, r2, c0 + 17 + 4 * f, form)
        s.row(r3, c0 + 14 + 4 * f, FORM)
    s.row(r3, c0 + 30, ["次数", "问题数", "涉及人数"])


def annex1_header_2(s: Sheet, top: int, c0: int = 0):
    """Two rows: the groups (单位, 党纪处分, the four forms, 通报曝光) over their leaves, the
    single columns merged down; 执纪问责情况 and 个人受处分 left out."""
    r0, r1 = top, top + 1
    for c, text in (
        (0, "当月发现问题数"),
        (1, "当月完成整改和查处问题数"),
        (4, "受处理处分总人数"),
        (11, "诫勉谈话(人次)"),
        (12, "组织调整或处理(人次)"),
        (13, "移送司法数"),
        (33, "涉及金额(万元)"),
    ):
        s.put(r0, c0 + c, r1, c0 + c, text)
    s.put(r0, c0 + 2, r0, c0 + 3, "单位")
    s.row(r1, c0 + 2, ["检查", "通报"])
    s.put(r0, c0 + 5, r0, c0 + 7, "党纪处分(人次)")
    s.put(r0, c0 + 8, r0, c0 + 10, "政务处分(人次)")
    s.row(r1, c0 + 5, SANCTION * 2)
    for f, form in enumerate(FORMS):
        s.put(r0, c0 + 14 + 4 * f, r0, c0 + 17 + 4 * f, form)
        s.row(r1, c0 + 14 + 4 * f, FORM)
    s.put(r0, c0 + 30, r0, c0 + 32, "通报曝光情况")
    s.row(r1, c0 + 30, ["次数", "问题数", "涉及人数"])


def annex1_tail(s: Sheet, r: int, c0: int = 0, remarks: str = "　"):
    s.put(r, c0, r, c0 + 1, "备　注")
    s.put(r, c0 + 2, r, c0 + 33, remarks)
    s.put(r + 1, c0, r + 1, c0 + 1, "当月查处或整改的问题典型案例（报了结案例1—3个）")
    s.put(r + 1, c0 + 2, r + 1, c0 + 33, "（每案例控制在300字以内，当月没有可不填写。）")
    s.put(r + 2, c0, r + 2, c0 + 1, "说 明")
    s.put(r + 2, c0 + 2, r + 2, c0 + 33, "1.本表统计上月全区专项治理相关数据。")
    s.cell(r + 3, c0, "填表人：林某某")
    s.cell(r + 3, c0 + 12, "联系电话：0597-7832121")
    s.cell(r + 3, c0 + 24, "单位分管负责人：郑某某")


def a1_seed_four_rows() -> bytes:
    """The issue's own file: the seed's four merged header rows, trailing spaces after 乡科级以下,
    numbers typed as numbers."""
    s = Sheet()
    s.put(0, 0, 0, 33, "漳平市农村危房改造腐败和作风问题查处整改情况统计表（10月份）")
    s.put(1, 0, 1, 16, "填报单位：漳平市住房和城乡建设局（加盖公章）")
    s.put(1, 17, 1, 33, "填报时间：2026年11月3日")
    annex1_header_4(s, 2)
    s.row(6, 0, [4, 2, 1, 0, 3, 0, 1, 1, 0, 0, 1, 1, 0, 0] + [0, 1, 0, 0] * 2 + [0] * 8)
    s.row(6, 30, [1, 2, 3, 12.5])
    annex1_tail(s, 7, remarks="本月新发现问题4个")
    return s.bytes()


def a1_unmerged_text_numbers() -> bytes:
    """Never merged: each group's label in its first cell only; numbers typed as text with
    full-width digits and U+3000 padding, zeros written —, /, 无 or left blank."""
    s = Sheet(merged=False)
    s.cell(0, 0, "　漳平市农村危房改造腐败和作风问题查处整改情况统计表（２０２６年９月份）")
    s.cell(1, 0, "填报单位：漳平市住建局")
    s.cell(1, 20, "填报时间：　2026年10月20日")
    annex1_header_4(s, 2, pad="　")
    values = ["　６", "３", "—", "/", "２", "无", "1", "１", "", "", "", "", "", ""]
    values += ["", "１", "", "", "", "１", "", "", "", "", "", "", "", "", "", ""]
    values += ["０", "/", "—", "　３.５０　"]
    s.row(6, 0, values)
    annex1_tail(s, 7)
    return s.bytes()


def a1_two_rows() -> bytes:
    """A two-row header, the groups over their leaves, and money written with 万元."""
    s = Sheet()
    s.put(0, 0, 0, 33, "漳平市农村危房改造腐败和作风问题查处整改情况统计表（8月份）")
    s.cell(1, 0, "填报单位：（加盖公章）")
    s.cell(1, 25, "填报时间：2026年9月22日")
    annex1_header_2(s, 2)
    s.row(4, 0, ["2", "2", "0", "1", "1", "0", "0", "1"] + ["0"] * 6)
    s.row(4, 14, ["0"] * 4 + ["0", "1", "0", "0"] + ["0"] * 8)
    s.row(4, 30, ["1", "1", "1", "0.8万元"])
    annex1_tail(s, 5)
    return s.bytes()


def a1_five_rows_column_numbers() -> bytes:
    """Five header rows (a 单位 column on the left and a caption row above the seed's four),
    labels with line breaks and half-width brackets, a 栏次 row, then the data."""
    s = Sheet()
    s.put(0, 0, 0, 34, "新罗区农村危房改造腐败和作风问题查处整改情况统计表（2026年10月份）")
    s.put(1, 0, 1, 17, "填报单位：龙岩市新罗区住房和城乡建设局")
    s.put(1, 18, 1, 34, "填报时间：2026 年 11 月 25 日")
    s.put(2, 0, 7, 0, "填报\n单位")
    s.put(2, 1, 2, 34, "查处整改情况（单位：个、人次、万元）")
    annex1_header_4(s, 3, c0=1, person="(人次)")
    s.cell(7, 0, "栏次")
    s.row(7, 1, [str(i) for i in range(1, 35)])
    s.cell(8, 0, "新罗区")
    s.row(8, 1, [7, 5, 2, 1, 4, 1, 1, 0, 0, 1, 1, 0, 1, 0])
    s.row(8, 15, [1, 1, 0, 0, 0, 1, 1, 0] + [0] * 8 + [2, 3, 4, 20.25])
    annex1_tail(s, 9, c0=1, remarks="含上月结转问题1个")
    return s.bytes()


def a1_townships_and_total() -> bytes:
    """One row per township and a 合计 row: the 合计 is what the district reports."""
    s = Sheet()
    s.put(0, 0, 0, 34, "漳平市农村危房改造腐败和作风问题查处整改情况统计表（10月份）")
    s.cell(1, 0, "填报时间：2026年11月10日")
    s.put(2, 0, 5, 0, "乡镇")
    annex1_header_4(s, 2, c0=1)
    s.cell(6, 0, "新桥镇")
    s.row(6, 1, [1, 1] + [0] * 32)
    s.cell(7, 0, "双洋镇")
    s.row(7, 1, [2, 0] + [0] * 31 + [1.2])
    s.cell(8, 0, "合　计")
    s.row(8, 1, [3, 1] + [0] * 31 + [1.2])
    annex1_tail(s, 9, c0=1)
    return s.bytes()


def a1_month_from_filing_date() -> bytes:
    """The title's ＊＊月份 left as in the template: the month is the one before 填报时间; the
    numbers in yuan converted to 万元."""
    s = Sheet()
    s.put(0, 0, 0, 33, "漳平市农村危房改造腐败和作风问题查处整改情况统计表（＊＊月份）")
    s.put(1, 0, 1, 33, "填报单位：（加盖公章）　　　　　　填报时间：2027年1月21日")
    annex1_header_4(s, 2)
    s.row(6, 0, ["1", "0"] + [""] * 31 + ["32,000元"])
    annex1_tail(s, 7)
    return s.bytes()


def a1_nothing_to_report() -> bytes:
    """A month with nothing found: every cell of the data row left blank or written 无."""
    s = Sheet(merged=False)
    s.cell(0, 0, "漳平市农村危房改造腐败和作风问题查处整改情况统计表（7月份）")
    s.cell(1, 0, "填报单位：漳平市住建局　　填报时间：2026年8月5日")
    annex1_header_2(s, 2)
    s.row(4, 0, ["无", "无"] + ["　"] * 32)
    annex1_tail(s, 5, remarks="本月无新发现问题")
    return s.bytes()


# Annex 2 ------------------------------------------------------------------------------------


def annex2_header(s: Sheet, top: int, c0: int = 0, *, summary="问题线索摘要\n\n（300字以内）"):
    """The seed's two-row header: 被反映主要对象 over 姓名/职务/级别, 整改情况 over three."""
    r0, r1 = top, top + 1
    for c, text in (
        (0, "序号"),
        (1, "来源渠道"),
        (2, "涉及地方或单位"),
        (6, summary),
        (7, "涉及资金（万元）"),
        (8, "处置\n情况"),
    ):
        s.put(r0, c0 + c, r1, c0 + c, text)
    s.put(r0, c0 + 3, r0, c0 + 5, "被反映主要对象")
    s.put(r0, c0 + 9, r0, c0 + 11, "整改情况")
    s.row(r1, c0 + 3, ["姓名", "职务", "级别"])
    s.row(r1, c0 + 9, ["具体情况", "追缴资金（万元）", "问责（人）"])


def annex2_tail(s: Sheet, r: int):
    s.put(r, 0, r, 1, "说 明")
    s.put(r, 2, r, 11, "1.本表对上月全区专项治理相关数据进行统计。\n2.来源渠道：从下拉序列选。")
    s.cell(r + 1, 0, "填表人：")
    s.cell(r + 1, 4, "联系电话：")
    s.cell(r + 1, 8, "单位分管负责人：")


def a2_merged_subrows() -> bytes:
    """Persons over merged sub-rows (the record's other cells merged down), money with 万元."""
    s = Sheet()
    s.put(0, 0, 0, 11, "漳平市农村危房改造专项治理问题线索统计表（10月份）")
    s.put(1, 0, 1, 6, "填报单位：（加盖公章）")
    s.put(1, 7, 1, 11, "填报时间：2026年11月20日")
    annex2_header(s, 2)
    record = [
        (0, 1),
        (1, "信访举报"),
        (2, "漳平市"),
        (6, "反映新桥镇西埔村危改补助被截留。"),
        (7, "2.5万元"),
        (8, "正在核查"),
        (9, "　"),
        (10, "—"),
        (11, ""),
    ]
    for c, value in record:
        s.put(4, c, 5, c, value)
    s.row(4, 3, ["张三", "村主任", "村社干部"])
    s.row(5, 3, ["李四", "报账员", "其他人员"])
    s.row(6, 0, [2, "审计", "漳平市", "王五", "站长", "乡科级以下", "补助资金未按时发放。"])
    s.row(6, 7, [0, "已了结", "已补发", 1.2, 1])
    annex2_tail(s, 7)
    return s.bytes()


def a2_persons_in_one_cell() -> bytes:
    """Several persons in one cell separated by 、 and ，; posts and levels likewise (one level
    for all of them), text amounts with full-width digits."""
    s = Sheet()
    s.put(0, 0, 0, 11, "漳平市农村危房改造专项治理问题线索统计表（２０２６年１０月份）")
    s.cell(1, 0, "填报单位：漳平市住建局")
    s.cell(1, 8, "填报时间：2026年11月21日")
    annex2_header(s, 2)
    s.row(4, 0, ["１", "巡视督查", "漳平市", "张三、李四，王五", "主任、会计，出纳", "村社干部"])
    s.row(4, 6, ["三人合谋虚报危改户2户。", "３.６", "已移送纪检监察机关", "", "", ""])
    s.row(5, 0, ["２", "自查自纠", "漳平市", "赵六;钱七", "副站长；技术员", "乡科级以下;其他人员"])
    s.row(5, 6, ["验收走过场。", "/", "已转业务单位", "已重新验收", "0", "２人"])
    annex2_tail(s, 6)
    return s.bytes()


def a2_nobody_named() -> bytes:
    """The issue's second file: a problem found by inspection with nobody yet identified
    (name left blank, or written 无 or —), read with a warning."""
    s = Sheet()
    s.put(0, 0, 0, 11, "漳平市农村危房改造专项治理问题线索统计表（10月份）")
    s.put(1, 7, 1, 11, "填报时间：2026年11月18日")
    annex2_header(s, 2)
    s.row(4, 0, [1, "日常巡查检查", "漳平市", "", "", "", "双洋镇2户改造房屋无卫生厕所。"])
    s.row(4, 7, [0, "正在核查", "", 0, 0])
    s.row(5, 0, [2, "数据比对", "漳平市", "无", "—", "—", "1名已死亡人员仍领取补助。"])
    s.row(5, 7, [0.8, "正在核查", "", 0, 0])
    s.row(6, 0, [3, "信访举报", "漳平市", "孙八", "村支书", "村社干部", "优亲厚友。"])
    s.row(6, 7, ["", "正在核查"])
    annex2_tail(s, 7)
    return s.bytes()


def a2_three_rows_unmerged() -> bytes:
    """Three header rows never merged (a caption row on top), U+3000 padding everywhere,
    counts with their unit (1人), zeros as —."""
    s = Sheet(merged=False)
    s.cell(0, 0, "漳平市农村危房改造专项治理问题线索统计表（9月份）")
    s.cell(1, 0, "填报单位：漳平市住房和城乡建设局　　　填报时间：2026年10月23日")
    s.cell(2, 0, "问题线索登记")
    s.cell(2, 9, "办理结果")
    annex2_header(s, 3)
    s.row(5, 0, ["　1　", "　媒体舆情　", "　漳平市　", "　周九　", "　村会计　", "　村社干部　"])
    s.row(5, 6, ["　网帖反映补助被克扣。　", "　0.5　", "　已了结　", "　已退还　", "0.5", "1人"])
    s.row(6, 0, ["2", "上级交办", "漳平市", "吴十", "村主任", "村社干部", "房屋质量不达标。"])
    s.row(6, 7, ["—", "正在核查", "—", "—", "—"])
    annex2_tail(s, 8)
    return s.bytes()


def a2_unmerged_subrows() -> bytes:
    """Persons on sub-rows that are not merged: the record's other cells blank below it; labels
    with full-width brackets and line breaks."""
    s = Sheet(merged=False)
    s.cell(0, 0, "漳平市农村危房改造专项治理问题线索统计表（10月份）")
    s.cell(1, 8, "填报时间：2026年11月2日")
    annex2_header(s, 2, summary="问题线索\n摘要（300字以内）")
    s.row(4, 0, [1, "纪检监察", "漳平市", "郑一", "镇长", "乡科级", "截留补助资金。", 5])
    s.row(4, 8, ["已移送纪检监察机关"])
    s.row(5, 3, ["冯二", "副镇长", "乡科级"])
    s.row(6, 3, ["陈三", "站长", "乡科级以下"])
    s.row(7, 0, [2, "信访举报", "漳平市", "褚四", "村主任", "村社干部", "吃拿卡要。", 0.3])
    s.row(7, 8, ["已了结", "已退还", 0.3, 1])
    annex2_tail(s, 8)
    return s.bytes()


def a2_city_with_district_column() -> bytes:
    """The city's merged table as a city clerk keeps it: a 区县 column before 序号."""
    s = Sheet()
    s.put(0, 0, 0, 12, "龙岩市农村危房改造专项治理问题线索统计表（10月份）")
    s.cell(1, 9, "填报时间：2026年11月28日")
    s.put(2, 0, 3, 0, "区县")
    annex2_header(s, 2, c0=1)
    s.row(4, 0, ["漳平市", 1, "信访举报", "漳平市", "张三", "村主任", "村社干部", "截留补助。"])
    s.row(4, 8, [1, "正在核查"])
    s.row(5, 0, ["新罗区", 1, "审计", "新罗区", "李四", "站长", "乡科级以下", "资金拨付滞后。"])
    s.row(5, 8, [0, "已了结", "已整改", 0, 0])
    s.put(6, 0, 6, 1, "说 明")
    s.put(6, 2, 6, 12, "1.汇总各区县报送的问题线索统计表。")
    return s.bytes()


def a2_aliases_and_padding() -> bytes:
    """Names padded to line up (张　三), levels as people say them (科级, 村干部), a drop-down
    value typed with a space in it."""
    s = Sheet()
    s.put(0, 0, 0, 11, "漳平市农村危房改造专项治理问题线索统计表（11月份）")
    s.cell(1, 8, "填报时间：2026年12月5日")
    annex2_header(s, 2)
    s.row(4, 0, [1, "信访 举报", "漳平市", "张　三", "村委主任", "村干部", "违规纳入非贫困户。"])
    s.row(4, 7, ["1.0", "正在 核查"])
    s.row(5, 0, [2, "日常巡查检查", "漳平市", "欧阳 明", "所长", "科级", "验收走过场。"])
    s.row(5, 7, ["0", "已转业务单位"])
    annex2_tail(s, 6)
    return s.bytes()


CORPUS: dict[str, Callable[[], bytes]] = {
    "a1_seed_four_rows": a1_seed_four_rows,
    "a1_unmerged_text_numbers": a1_unmerged_text_numbers,
    "a1_two_rows": a1_two_rows,
    "a1_five_rows_column_numbers": a1_five_rows_column_numbers,
    "a1_townships_and_total": a1_townships_and_total,
    "a1_month_from_filing_date": a1_month_from_filing_date,
    "a1_nothing_to_report": a1_nothing_to_report,
    "a2_merged_subrows": a2_merged_subrows,
    "a2_persons_in_one_cell": a2_persons_in_one_cell,
    "a2_nobody_named": a2_nobody_named,
    "a2_three_rows_unmerged": a2_three_rows_unmerged,
    "a2_unmerged_subrows": a2_unmerged_subrows,
    "a2_city_with_district_column": a2_city_with_district_column,
    "a2_aliases_and_padding": a2_aliases_and_padding,
}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-out")
    target.mkdir(parents=True, exist_ok=True)
    for name, make in CORPUS.items():
        (target / f"{name}.xlsx").write_bytes(make())
    print(f"{len(CORPUS)} files in {target}")
