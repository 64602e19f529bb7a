"""The archive export imports back unchanged: the same headers and value forms as the import,
one row per household and renovation year, so the file goes in again adding and altering
nothing (run on SQLite and on PostgreSQL)."""

import io
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from urllib.parse import unquote

from django.urls import reverse
from django.utils import timezone

from anju.cli import main
from anju.households.imports import RENOVATION_FIELDS, import_households
from anju.households.models import (
    Assessment,
    CategoryRecord,
    House,
    Household,
    Person,
    Renovation,
)
from anju.households.services import household_create
from anju.reporting.reader import load
from tests.base import AnjuTestCase
from tests.households.files import HEADER, rid, row, xlsx


def snapshot() -> dict:
    """Everything the import writes, as plain values (keys included: nothing may be re-made)."""
    return {
        "households": sorted(
            Household.objects.values_list(
                "pk",
                "region_id",
                "head_name",
                "head_id",
                "head_id_valid",
                "size",
                "account_number",
                "account_holder",
                "batch_id",
                "grades",
                "category_codes",
                "renovation_years",
                "renovation_methods",
                "has_accepted",
                "has_unaccepted",
            )
        ),
        "people": sorted(Person.objects.values_list("pk", "household_id", "name", "id_number")),
        "houses": sorted(House.objects.values_list("pk", "household_id", "structure", "is_new")),
        "assessments": sorted(
            Assessment.objects.values_list("pk", "house_id", "grade", "assessed_on")
        ),
        "categories": sorted(
            CategoryRecord.objects.values_list("pk", "household_id", "category", "start")
        ),
        "renovations": sorted(
            Renovation.objects.values_list(
                "pk",
                "household_id",
                "year",
                *RENOVATION_FIELDS,
                "batch_id",
            )
        ),
    }


def archive_as_departments_write_it() -> bytes:
    """Quirks the export must not carry back as differences: full-width digits, a 15-digit
    ID, 万元-free amounts with separators, dates in every form, two years of one household,
    a township-level household, a blank grade, no toilet answer, an area with decimals."""
    old_id = "350881500101123"  # 15 digits: stored as 18
    rows = [
        row(1),
        row(2, **{"改造年度": 2020, "审批日期": "2020-04-01", "改造方式": "修缮加固"}),
        row(
            2,
            **{
                "改造年度": 2022,
                "审批日期": "2022年5月6日",
                "验收日期": "",
                "补助金额(元)": "12,345.67",
            },
        ),
        row(3, 户主身份证号=old_id, 行政村="", 危险等级="", 鉴定日期="", 有无卫生厕所=""),
        row(4, 农户类别="五保、残疾人家庭", 房屋结构="砖木", 改造后建筑面积=72.5, 一卡通账号=""),
        row(5, 户主身份证号=rid(5).replace("3", "３"), 家庭人口=None, 验收日期=""),
    ]
    return xlsx(rows)


def import_file(content: bytes, name: str):
    return import_households(actor="t", data=content, file_name=name)


class RoundTripTests(AnjuTestCase):
    def setUp(self):
        first = import_file(archive_as_departments_write_it(), "原档案.xlsx")
        self.assertTrue(first.ok, first.errors)
        # A household entered by hand: no renovation yet.
        household_create(
            actor=self.alice,
            region=self.regions["350881100203"],
            head_name="手工户",
            head_id=rid(9),
            size=2,
            categories=["subsistence"],
            structure="earth",
        )

    def assert_imports_back_unchanged(self, content: bytes):
        before = snapshot()
        again = import_file(content, "导出的档案.xlsx")
        self.assertTrue(again.ok, [str(e) for e in again.errors])
        self.assertEqual(again.households_created, 0)
        self.assertEqual(again.households_updated, 0)
        self.assertEqual(again.renovations_created, 0)
        self.assertEqual(again.renovations_updated, 0)
        self.assertEqual(snapshot(), before)
        return again

    def test_the_command_line_export_imports_back_with_no_change_and_no_duplicate(self):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "农户档案.xlsx"
            with redirect_stdout(io.StringIO()) as said, redirect_stderr(io.StringIO()):
                code = main(["export", "households", "--region", "350881", "--out", str(out)])
            self.assertEqual(code, 0)
            self.assertIn("农户 6 户", said.getvalue())
            content = out.read_bytes()
        grid = load(content)
        header = grid.rows[1]
        self.assertEqual(header[: len(HEADER[:3])], HEADER[:3])  # the import's own headers
        body = [r for r in grid.rows[2:] if any(v not in (None, "") for v in r)]
        self.assertEqual(len(body), 7)  # 6 households, one of them with two years
        again = self.assert_imports_back_unchanged(content)
        self.assertEqual(again.rows, 7)

    def test_the_page_exports_the_filtered_households_in_the_archive_form(self):
        self.login(self.rita)  # the county reviewer may export full numbers
        response = self.client.post(
            reverse("households:export") + "?year=2022", {"reason": "复核", "full": "1"}
        )
        today = timezone.localdate().isoformat()
        self.assertIn(f"农户档案_漳平市_{today}.xlsx", unquote(response["Content-Disposition"]))
        content = b"".join(response.streaming_content)
        grid = load(content)
        body = [r for r in grid.rows[2:] if any(v not in (None, "") for v in r)]
        # The one household renovated in 2022, with both its years.
        self.assertEqual(len(body), 2)
        self.assertEqual({r[grid.rows[1].index("户主身份证号")] for r in body}, {rid(2)})
        self.assert_imports_back_unchanged(content)

    def test_a_masked_export_says_so_and_holds_no_full_number(self):
        self.login(self.carol)
        response = self.client.post(reverse("households:export"), {"reason": "抽查"})
        cells = [v for r in load(b"".join(response.streaming_content)).rows for v in r]
        self.assertNotIn(rid(1), cells)
        self.assertTrue(any(str(v).startswith("350881") and "*" in str(v) for v in cells))


class TemplateTests(AnjuTestCase):
    def template(self) -> bytes:
        self.login(self.alice)
        response = self.client.get(reverse("households:template"))
        today = timezone.localdate().isoformat()
        self.assertIn(f"农户档案导入模板_{today}.xlsx", unquote(response["Content-Disposition"]))
        return response.content

    def test_every_closed_list_has_a_drop_down(self):
        import zipfile

        from anju.households.archive_file import LABELS, TEMPLATE
        from anju.households.template_file import CLOSED

        content = self.template()
        sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
        self.assertEqual(sheet.count("<dataValidation "), len(CLOSED))
        for field, values in CLOSED.items():
            column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[TEMPLATE.index(field)]
            with self.subTest(field=LABELS[field]):
                self.assertIn(f'sqref="{column}2:{column}20001"', sheet)
                self.assertIn('"' + ",".join(values) + '"', sheet)

    def test_the_guide_names_every_column_its_aliases_and_an_example_that_imports(self):
        from python_calamine import CalamineWorkbook

        from anju.households.archive_file import HEADERS, LABELS, TEMPLATE

        book = CalamineWorkbook.from_filelike(io.BytesIO(self.template()))
        self.assertEqual(book.sheet_names, ["农户档案", "填写说明"])
        guide = book.get_sheet_by_name("填写说明").to_python()
        by_name = {r[0]: r for r in guide[2 : len(TEMPLATE) + 2]}
        for field in TEMPLATE:
            with self.subTest(field=field):
                self.assertIn(LABELS[field], by_name)
                for alias in HEADERS[field] - {LABELS[field]}:
                    self.assertIn(alias, by_name[LABELS[field]][1])
        self.assertIn("造福工程搬迁（也可写 搬迁", by_name["改造方式"][2])
        # The example, header and row, put in a file of its own, imports as one household.
        at = next(i for i, r in enumerate(guide) if r[0].startswith("示例")) + 1
        example = xlsx([guide[at + 1][: len(TEMPLATE)]], header=guide[at][: len(TEMPLATE)])
        result = import_file(example, "示例.xlsx")
        self.assertTrue(result.ok, [str(e) for e in result.errors])
        self.assertEqual(Household.objects.get().head_name, "张三")
