import io
import json
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from anju.cli import main
from anju.reporting.annexes import ANNEX1_COLUMNS, Annex1, Annex2, Annex2Row, Person, Signature
from anju.reporting.layout import write_annex1, write_annex2
from anju.reporting.reader import ReadError, load, read_report


def run_read(path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["report", "read", str(path)])
    return code, out.getvalue(), err.getvalue()


VALUES = [Decimal(n) for n in range(1, 34)] + [Decimal("12.35")]


def annex1() -> Annex1:
    return Annex1(
        district="漳平市",
        month="2026-10",
        values=VALUES,
        remarks="本月无特殊情况",
        typical_cases=["2026年9月，某村干部虚报冒领危改补助2万元，给予党内警告处分。"],
        signature=Signature(
            unit="漳平市住房和城乡建设局",
            filled_on="2026年11月20日",
            filled_by="林经办",
            phone="0597-7832121",
            leader="郑审核",
        ),
    )


def assert_annex1_layout(rows, district: str, month: str) -> None:
    """Every header cell, note and label of Annex 1 where the seed puts it."""
    assert rows[0][0] == f"{district}农村危房改造腐败和作风问题查处整改情况统计表（{month}月份）"
    assert rows[1][0].startswith("填报单位：")
    top = {c: v for c, v in enumerate(rows[2]) if v}
    assert top == {
        0: "当月发现问题数",
        1: "当月完成整改和查处问题数",
        2: "执纪问责情况",
        30: "通报曝光情况（含单位被通报曝光的情况）",
        33: "涉及金额（万元）",
    }
    assert {c: v for c, v in enumerate(rows[3]) if v} == {2: "单位", 4: "个人受处分或处理情况"}
    third = {c: v for c, v in enumerate(rows[4]) if v}
    assert third == {
        2: "检查",
        3: "通报",
        4: "受处理处分总人数",
        5: "党纪处分\n（人次）",
        8: "政务处分\n（人次）",
        11: "诫勉谈话\n（人次）",
        12: "组织调整或处理（人次）",
        13: "移送司法\n数",
        14: "第一种形态",
        18: "第二种形态",
        22: "第三种形态",
        26: "第四种形态",
    }
    leaf = [rows[5][c] for c in range(5, 11)] + [rows[5][c] for c in range(14, 33)]
    assert leaf == ["县处级", "乡科级", "乡科级以下"] * 2 + [
        "县处级",
        "乡科级及以下",
        "村社干部",
        "其他人员",
    ] * 4 + ["次数", "问题数", "涉及人数"]
    assert rows[7][0] == "备 注"
    assert rows[8][0].startswith("当月查处或整改的问题典型案例")
    assert rows[9][0] == "说 明" and "每月26日前" in rows[9][2]


def assert_annex2_layout(rows, district: str, month: str) -> None:
    assert rows[0][0] == f"{district}农村危房改造专项治理问题线索统计表（{month}月份）"
    assert [rows[2][c] for c in (0, 1, 2, 3, 6, 7, 8, 9)] == [
        "序号",
        "来源渠道",
        "涉及地方或单位",
        "被反映主要对象",
        "问题线索摘要\n（300字以内）",
        "涉及资金（万元）",
        "处置\n情况",
        "整改情况",
    ]
    assert [rows[3][c] for c in (3, 4, 5, 9, 10, 11)] == [
        "姓名",
        "职务",
        "级别",
        "具体情况",
        "追缴资金（万元）",
        "问责（人）",
    ]


class TestAnnex1Layout:
    def test_every_header_cell_is_where_the_seed_puts_it(self):
        rows = load(write_annex1(annex1())).rows
        assert_annex1_layout(rows, "漳平市", "2026年10")
        assert rows[1][0] == "填报单位：漳平市住房和城乡建设局"
        assert "填报时间：2026年11月20日" in [v for v in rows[1] if v]
        assert [rows[6][c] for c in range(34)] == [float(v) for v in VALUES]
        assert rows[7][2] == "本月无特殊情况"
        assert rows[10][0] == "填表人：林经办"

    def test_the_merges_match_the_seed(self):
        book = CalamineWorkbook.from_filelike(io.BytesIO(write_annex1(annex1())))
        merged = set(book.get_sheet_by_index(0).merged_cell_ranges)
        for expected in [
            ((2, 0), (5, 0)),
            ((2, 2), (2, 29)),
            ((3, 4), (3, 29)),
            ((4, 5), (4, 7)),
            ((4, 14), (4, 17)),
            ((2, 30), (4, 32)),
            ((2, 33), (5, 33)),
        ]:
            assert expected in merged

    def test_it_reads_back_what_it_wrote(self, tmp_path):
        path = tmp_path / "annex1.xlsx"
        path.write_bytes(write_annex1(annex1()))
        code, out, err = run_read(path)
        assert code == 0, err
        result = json.loads(out)
        assert result["kind"] == "annex1"
        assert result["district"] == "漳平市"
        assert result["month"] == "2026-10"
        assert result["values"] == [*range(1, 34), 12.35]
        assert len(result["values"]) == len(ANNEX1_COLUMNS)


def hand_filled_annex1(path, values):
    """As a district clerk fills it: own merges, U+3000 padding, numbers typed as text."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    ws.merge_range(0, 0, 0, 33, "　漳平市农村危房改造腐败和作风问题查处整改情况统计表（１０月份）")
    ws.write_string(1, 0, "填报单位：（加盖公章）")
    ws.write_string(1, 20, "填报时间：2026年11月 3日")
    ws.merge_range(2, 0, 5, 0, "当月发现\n问题数")
    ws.merge_range(2, 1, 5, 1, "当月完成整改和查处问题数")
    ws.merge_range(2, 2, 2, 29, "执纪问责情况")
    ws.merge_range(2, 30, 4, 32, "通报曝光情况（含单位被通报曝光的情况）")
    ws.merge_range(2, 33, 5, 33, "涉及金额（万元）")
    for i, label in enumerate(["次数", "问题数", "涉及人数"]):
        ws.write_string(5, 30 + i, label)
    ws.write_row(6, 0, [str(i) for i in range(1, 35)])  # 栏次
    for col, value in enumerate(values):
        ws.write_string(7, col, value)
    ws.merge_range(8, 0, 8, 1, "备　注")
    ws.merge_range(8, 2, 8, 33, "　")
    ws.write_string(9, 0, "说 明")
    book.close()


class TestHandFilledAnnex1:
    def test_it_reads_merged_cells_full_width_spaces_and_numbers_as_text(self, tmp_path):
        values = ["　３　", "2", "", "　", "１0", *["0"] * 28, " 1,234.5 "]
        path = tmp_path / "filled.xlsx"
        hand_filled_annex1(path, values)
        code, out, err = run_read(path)
        assert code == 0, err
        result = json.loads(out)
        assert result["month"] == "2026-10"
        assert result["district"] == "漳平市"
        assert result["values"][:5] == [3, 2, 0, 0, 10]
        assert result["values"][33] == 1234.5

    def test_it_lists_what_it_cannot_read(self, tmp_path):
        values = ["三", "2", "-1", "1.5", *["0"] * 30]
        path = tmp_path / "bad.xlsx"
        hand_filled_annex1(path, values)
        code, _out, err = run_read(path)
        assert code == 1
        assert "第1栏 当月发现问题数：不是数字「三」" in err
        assert "第3栏 单位·检查：不能为负数" in err
        assert "第4栏 单位·通报：应为整数" in err


def annex2() -> Annex2:
    return Annex2(
        district="漳平市",
        month="2026-10",
        rows=[
            Annex2Row(
                source="信访举报",
                place="漳平市新桥镇",
                summary="反映西埔村危改补助被截留。",
                persons=[Person("张三", "村主任", "村社干部"), Person("李四", "会计", "其他人员")],
                funds=Decimal("2.50"),
                disposal="正在核查",
            ),
            Annex2Row(
                source='=HYPERLINK("x")',
                place="漳平市",
                summary="+危改资金未按时发放",
                persons=[Person("王五", "站长", "乡科级以下")],
                funds=Decimal("0"),
                disposal="已了结",
                rectification="已补发",
                recovered=Decimal("1.2"),
                accountable=1,
            ),
        ],
    )


class TestAnnex2:
    def test_it_round_trips_with_merged_person_rows(self, tmp_path):
        data = annex2()
        data.rows[1].source = "审计"
        path = tmp_path / "annex2.xlsx"
        path.write_bytes(write_annex2(data))
        code, out, err = run_read(path)
        assert code == 0, err
        result = json.loads(out)
        assert result["kind"] == "annex2"
        assert len(result["rows"]) == 2
        first, second = result["rows"]
        assert [p["name"] for p in first["persons"]] == ["张三", "李四"]
        assert first["persons"][0] == {"name": "张三", "post": "村主任", "level": "村社干部"}
        assert first["funds"] == 2.5
        assert second["summary"] == "+危改资金未按时发放"
        assert (second["recovered"], second["accountable"]) == (1.2, 1)

    def test_formula_like_text_is_stored_as_text(self):
        grid = load(write_annex2(annex2()))
        cells = [v for row in grid.rows for v in row if isinstance(v, str)]
        assert '\'=HYPERLINK("x")' in cells
        assert "'+危改资金未按时发放" in cells

    def test_it_checks_drop_downs_and_limits(self, tmp_path):
        data = annex2()
        data.rows[0].summary = "长" * 301
        data.rows[0].persons = data.rows[0].persons * 2
        path = tmp_path / "bad2.xlsx"
        path.write_bytes(write_annex2(data))
        with pytest.raises(ReadError) as caught:
            read_report(str(path))
        problems = " ".join(caught.value.problems)
        assert "超过 300 字" in problems
        assert "不在下拉序列中" in problems  # the formula-looking source channel
        assert "1—3" not in problems  # the seed's limit is a warning, below

    def test_more_than_three_persons_is_a_warning_not_a_refusal(self):
        data = annex2()
        data.rows[1].source = "审计"
        data.rows[0].persons = data.rows[0].persons * 2
        result = read_report(write_annex2(data))
        assert len(result["rows"][0]["persons"]) == 4
        assert "第5行 被反映主要对象：限填写1—3人，实为 4 人" in result["warnings"]
