import io
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from decimal import Decimal
from pathlib import Path

from anju.audit.models import AuditEntry
from anju.cli import main
from anju.households.imports import import_households
from anju.households.models import (
    Assessment,
    CategoryRecord,
    Household,
    ImportBatch,
    Renovation,
)
from tests.base import AnjuTestCase
from tests.households.files import HEADER, csv, rid, row, xlsx


def run(content: bytes, name="档案.xlsx") -> tuple[int, str]:
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(content)
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        code = main(["import", "households", str(path)])
    return code, out.getvalue()


class ImportTests(AnjuTestCase):
    def test_it_reads_every_value_quirk(self):
        code, text = run(
            xlsx(
                [
                    row(
                        1,
                        **{
                            "户主身份证号": rid(1).lower(),
                            "户主姓名": "张　小 明",
                            "补助金额(元)": "40,000",
                        },
                    )
                ]
            )
        )
        self.assertEqual(code, 0, text)
        household = Household.objects.get()
        self.assertEqual((household.head_name, household.head_id), ("张小明", rid(1)))
        self.assertEqual(household.region_id, "350881100203")
        self.assertEqual(household.account_number, "6217001234567890")
        renovation = Renovation.objects.get()
        self.assertEqual(renovation.year, 2019)
        self.assertEqual(renovation.approved_on, date(2019, 4, 1))
        self.assertEqual(renovation.started_on, date(2019, 5, 6))
        self.assertEqual(renovation.completed_on, date(2019, 9, 30))
        self.assertEqual(renovation.accepted_on, date(2019, 10, 15))
        self.assertEqual(renovation.subsidy_fen, 4_000_000)
        self.assertEqual((renovation.method, renovation.has_toilet), ("rebuild", True))
        self.assertEqual(renovation.built_area, Decimal("60"))
        self.assertEqual(
            sorted(CategoryRecord.objects.values_list("category", flat=True)),
            ["registered_poor", "subsistence"],
        )
        self.assertEqual(Assessment.objects.get().grade, "D")

    def test_every_header_alias(self):
        aliases = [
            "区县",
            "街道",
            "村(社区)",
            "姓名",
            "公民身份号码",
            "人口数",
            "户类型",
            "原房屋结构",
            "房屋危险等级",
            "鉴定时间",
            "批准日期",
            "改造方式",
            "年度",
            "开工日期",
            "竣工日期",
            "验收日期",
            "建筑面积（平方米）",
            "卫生厕所",
            "补助资金（万元）",
            "社保卡号",
        ]
        values = row(2, **{"补助金额(元)": "4"})
        code, text = run(xlsx([values], header=aliases))
        self.assertEqual(code, 0, text)
        self.assertEqual(Renovation.objects.get().subsidy_fen, 4_000_000)  # 万元 → 元

    def test_other_aliases_and_a_region_code_that_wins(self):
        header = [
            "县(市、区)",
            "乡镇",
            "村",
            "行政区划代码",
            "户主姓名",
            "身份证号码",
            "家庭人口数",
            "对象类别",
            "房屋结构",
            "鉴定等级",
            "鉴定日期",
            "批复日期",
            "改造方式",
            "改造年度",
            "开工日期",
            "竣工日期",
            "验收日期",
            "建筑面积(㎡)",
            "有无卫生厕所",
            "补助资金(元)",
            "银行账号",
        ]
        values = row(3)
        values.insert(3, "350881101201")
        code, text = run(xlsx([values], header=header, title=None))
        self.assertEqual(code, 0, text)
        self.assertEqual(Household.objects.get().region_id, "350881101201")

    def test_dates_in_every_form_and_excel_serials(self):
        rows = [
            row(10 + i, **{"验收日期": value})
            for i, value in enumerate(
                ["2019-03-05", "2019/3/5", "2019.3.5", "2019年3月5日", "20190305", 43529]
            )
        ]
        code, text = run(xlsx(rows))
        self.assertEqual(code, 0, text)
        self.assertEqual(
            set(Renovation.objects.values_list("accepted_on", flat=True)), {date(2019, 3, 5)}
        )

    def test_fifteen_digit_ids_and_csv_in_gbk(self):
        old = rid(20)[:6] + rid(20)[8:17]
        code, text = run(csv([row(20, **{"户主身份证号": old})], encoding="gbk"), name="a.csv")
        self.assertEqual(code, 0, text)
        self.assertEqual(Household.objects.get().head_id, rid(20))

    def test_a_bad_check_digit_is_kept_and_flagged_not_refused(self):
        bad = rid(30)[:-1] + ("0" if rid(30)[-1] != "0" else "1")
        code, text = run(xlsx([row(30, **{"户主身份证号": bad})]))
        self.assertEqual(code, 0, text)
        household = Household.objects.get()
        self.assertEqual((household.head_id, household.head_id_valid), (bad, False))

    def test_bad_rows_write_nothing_and_name_row_column_and_value(self):
        rows = [
            row(40),
            row(41, **{"户主身份证号": "12345"}),
            row(42, **{"验收日期": "2019-02-30"}),
            row(43, **{"行政村": "不存在村"}),
            row(44, **{"危险等级": "E"}),
            row(45, **{"农户类别": "富裕户"}),
        ]
        code, text = run(xlsx(rows))
        self.assertEqual(code, 1)
        self.assertIn("row 5: 户主身份证号: 不是身份证号「12345」", text)
        self.assertIn("row 6: 验收日期: 日期不存在「2019-02-30」", text)
        self.assertIn("row 7: 行政村: 不在已载入的区划中", text)
        self.assertIn("row 8: 危险等级:", text)
        self.assertIn("row 9: 农户类别: 不认识的农户类别「富裕户」", text)
        self.assertFalse(Household.objects.exists())

    def test_an_id_stored_as_a_number_is_a_row_error(self):
        code, text = run(xlsx([row(50, **{"户主身份证号": 350881195001011234.0})]))
        self.assertEqual(code, 1)
        self.assertIn("被存成了数字", text)

    def test_a_bad_row_near_the_end_of_ten_thousand_leaves_the_database_unchanged(self):
        rows = [
            row(i, **{"户主身份证号": rid(i, 1930 + i // 1000), "户主姓名": f"户{i}"})
            for i in range(10000)
        ]
        rows[9998][HEADER.index("改造年度")] = "二〇一九"
        code, text = run(csv(rows), name="big.csv")
        self.assertEqual(code, 1)
        self.assertIn("row 10000: 改造年度:", text)
        self.assertFalse(Household.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action="import").exists())

    def test_importing_the_same_file_twice_creates_no_duplicates(self):
        content = xlsx([row(60), row(61), row(60, **{"改造年度": 2020, "审批日期": "2020-04-01"})])
        self.assertEqual(run(content)[0], 0)
        code, text = run(content)
        self.assertEqual(code, 0, text)
        self.assertEqual(Household.objects.count(), 2)
        self.assertEqual(Renovation.objects.count(), 3)
        self.assertEqual(CategoryRecord.objects.count(), 4)
        self.assertEqual(Assessment.objects.count(), 2)

    def test_the_import_is_audited_once_with_the_file_hash(self):
        import hashlib

        content = xlsx([row(70), row(71)])
        result = import_households(actor=self.carol, data=content, file_name="x.xlsx")
        entry = AuditEntry.objects.get(action="import")
        self.assertEqual(entry.changes["after"]["sha256"], hashlib.sha256(content).hexdigest())
        self.assertEqual(entry.changes["after"]["households_created"], 2)
        self.assertEqual(result.batch.rows, 2)

    def test_a_repeated_row_in_one_file_is_an_error(self):
        code, text = run(xlsx([row(80), row(80)]))
        self.assertEqual(code, 1)
        self.assertIn("与第 4 行重复", text)

    def test_not_a_spreadsheet(self):
        code, text = run(b"\x00\x01binary junk", name="x.xlsx")
        self.assertEqual(code, 1)
        self.assertIn("表头", text)


class ReimportTests(AnjuTestCase):
    def test_an_unchanged_reimport_rewrites_nothing_and_a_changed_row_is_updated(self):
        content = xlsx([row(1), row(2)])
        import_households(actor="t", data=content, file_name="a.xlsx")
        again = import_households(actor="t", data=content, file_name="a.xlsx")
        self.assertEqual((again.households_updated, again.renovations_updated), (0, 0))
        changed = import_households(
            actor="t", file_name="b.xlsx", data=xlsx([row(1, **{"家庭人口": 5}), row(2)])
        )
        self.assertEqual(changed.households_updated, 1)
        self.assertEqual(Household.objects.get(head_id=rid(1)).size, 5)


class FailureInsideTheImportTests(AnjuTestCase):
    def test_a_database_error_mid_import_surfaces_and_leaves_nothing(self):
        from unittest import mock

        from django.db import DatabaseError, connection

        from anju.households import imports

        def failing(*args, **kwargs):
            with connection.cursor() as cursor:  # a real error: PostgreSQL aborts the transaction
                cursor.execute("SELECT * FROM no_such_table_here")

        with (
            mock.patch.object(imports, "insert_rows", side_effect=failing),
            self.assertRaisesRegex(DatabaseError, "no_such_table_here"),
        ):
            imports.import_households(actor="t", data=xlsx([row(1)]), file_name="a.xlsx")
        self.assertFalse(Household.objects.exists())
        self.assertFalse(ImportBatch.objects.exists())
