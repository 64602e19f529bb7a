"""Warnings at import: rows that go in but look wrong are named on the result page, in the
annotated workbook's 警告 column and by `anju import households`, and the clerk may stop on them."""

import io
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anju.cli import main
from anju.households.imports import import_households
from anju.households.models import Household, ImportUpload
from anju.reporting.reader import load
from tests.base import AnjuTestCase
from tests.households.files import rid, row, xlsx
from tests.households.test_import import run


def bad_check_digit(n: int) -> str:
    """An ID with the form of one whose last digit is wrong (GB 11643 fails)."""
    good = rid(n)
    return good[:-1] + ("1" if good[-1] != "1" else "2")


def suspicious_file() -> bytes:
    """One good row and one of each kind of warning, as a clerk would type them."""
    return xlsx(
        [
            row(1),
            row(2, **{"户主身份证号": bad_check_digit(2)}),
            row(3, **{"开工日期": "2019-10-01", "竣工日期": "2019-06-30"}),
            row(4, **{"改造后建筑面积": 120}),
            # Same village, head name and year as row 1 but another ID: the same family twice?
            row(5, **{"户主姓名": "农户1"}),
        ]
    )


class CommandLineWarningTests(AnjuTestCase):
    def test_each_warning_printed_with_row_column_and_count_and_the_rows_imported(self):
        code, text = run(suspicious_file())
        self.assertEqual(code, 0, text)
        self.assertEqual(Household.objects.count(), 5)
        lines = [line for line in text.splitlines() if "警告 " in line and line.startswith("row")]
        self.assertEqual(len(lines), 4, text)
        self.assertIn(f"row 5: 户主身份证号: 警告 「{bad_check_digit(2)}」未通过 GB 11643", text)
        self.assertIn("row 6: 竣工日期: 警告 「2019-06-30」早于开工日期「2019-10-01」", text)
        self.assertIn("row 7: 改造后建筑面积: 警告 「120」㎡ 超出 3 人户的标准", text)
        self.assertIn("row 8: 户主身份证号: 警告 与第 4 行同村、同户主姓名「农户1」", text)
        self.assertIn("警告 4 处", text)
        self.assertFalse(Household.objects.get(head_name="农户2").head_id_valid)

    def test_stop_on_warnings_writes_nothing_and_exits_1(self):
        path = Path(tempfile.mkdtemp()) / "档案.xlsx"
        path.write_bytes(suspicious_file())
        out = io.StringIO()
        with redirect_stdout(out), redirect_stderr(out):
            code = main(["import", "households", str(path), "--stop-on-warnings"])
        self.assertEqual(code, 1)
        self.assertIn("未导入：有 4 处警告", out.getvalue())
        self.assertFalse(Household.objects.exists())

    def test_a_clean_file_has_no_warnings(self):
        code, text = run(xlsx([row(1), row(2)]))
        self.assertEqual(code, 0, text)
        self.assertNotIn("row", text)
        self.assertIn("警告 0 处", text)

    def test_a_household_like_one_on_record_is_warned_with_its_twin(self):
        import_households(actor="test", file_name="a.xlsx", data=xlsx([row(1)]))
        first = Household.objects.get()
        # The same family again, the head's ID typed differently (a wrong check digit).
        result = import_households(
            actor="test",
            file_name="b.xlsx",
            data=xlsx([row(1, **{"户主身份证号": bad_check_digit(1)})]),
        )
        self.assertTrue(result.ok)
        twins = [w for w in result.warnings if w.household]
        self.assertEqual([w.household for w in twins], [first.pk])
        self.assertIn("可能是同一户重复建档", twins[0].message)


class ImportPageWarningTests(AnjuTestCase):
    def upload(self, content: bytes, **extra):
        return self.client.post(
            reverse("households:import"),
            {"file": SimpleUploadedFile("档案.xlsx", content), **extra},
            follow=True,
        )

    def test_warnings_on_the_result_page_and_in_the_workbooks_warning_column(self):
        self.login(self.alice)
        response = self.upload(suspicious_file())
        self.assertContains(response, "导入完成")
        self.assertContains(response, '<strong data-testid="warning-count">4</strong>', html=False)
        self.assertContains(response, "早于开工日期")
        upload = ImportUpload.objects.get()
        self.assertEqual(upload.status, ImportUpload.Status.DONE)
        # The number quoted in a stored warning is masked.
        self.assertNotIn(bad_check_digit(2), str(upload.warnings))
        download = self.client.get(reverse("households:import_errors", args=[upload.pk]))
        self.assertEqual(download.status_code, 200)
        workbook = load(b"".join(download.streaming_content))
        header = workbook.rows[2]
        self.assertIn("警告（系统添加）", header)
        column = header.index("警告（系统添加）")
        self.assertIn("竣工日期：「2019-06-30」早于开工日期", workbook.rows[5][column])
        self.assertIn(workbook.rows[3][column], ("", None))

    def test_stop_if_there_are_warnings(self):
        self.login(self.alice)
        response = self.upload(suspicious_file(), stop_on_warnings="on")
        self.assertContains(response, "按您的选择未导入任何数据")
        self.assertContains(response, "超出 3 人户的标准")
        self.assertEqual(ImportUpload.objects.get().status, ImportUpload.Status.WARNED)
        self.assertFalse(Household.objects.exists())
        # A clean file goes in even with the box ticked.
        response = self.upload(xlsx([row(1)]), stop_on_warnings="on")
        self.assertContains(response, "导入完成")
        self.assertEqual(Household.objects.count(), 1)
