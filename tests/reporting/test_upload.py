import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anju.reporting import workflow
from anju.reporting.models import Report, ReportUpload
from anju.tabular.safety import UnsafeFile, check_spreadsheet
from tests.reporting.test_read_write import hand_filled_annex1
from tests.reporting.test_workflow import WorkflowCase


def filled_bytes(tmp, values) -> bytes:
    path = tmp / "filled.xlsx"
    hand_filled_annex1(path, values)
    return path.read_bytes()


class UploadTests(WorkflowCase):
    def setUp(self):
        super().setUp()
        import tempfile
        from pathlib import Path

        self.tmp = Path(tempfile.mkdtemp())

    def post(self, data: bytes, name="表.xlsx"):
        return self.client.post(
            reverse("reporting:upload"),
            {
                "region_code": "350881000000",
                "file": SimpleUploadedFile(name, data),
            },
        )

    def test_a_hand_filled_table_is_compared_with_the_ledger_before_it_is_taken(self):
        self.login(self.carol)
        response = self.post(filled_bytes(self.tmp, ["5", *["0"] * 33]))
        upload = ReportUpload.objects.get()
        self.assertRedirects(response, reverse("reporting:upload_review", args=[upload.pk]))
        page = self.client.get(reverse("reporting:upload_review", args=[upload.pk]))
        self.assertContains(page, "第1栏 当月发现问题数：表中 5，台账 3")
        self.assertFalse(Report.objects.exists())
        self.client.post(reverse("reporting:upload_accept", args=[upload.pk]))
        report = Report.objects.get()
        self.assertEqual(report.values["values"][0], "5")
        self.assertEqual(bytes(report.file), bytes(upload.data))
        self.assertEqual(len(report.values["problems"]), 1)
        with self.assertRaisesMessage(Exception, "须在备注中说明"):
            workflow.report_sign_off(actor=self.rita, report=report)

    def test_a_table_that_agrees_is_taken_without_problems(self):
        self.login(self.carol)
        self.post(filled_bytes(self.tmp, ["3", *["0"] * 33]))
        upload = ReportUpload.objects.get()
        report = workflow.report_accept_upload(actor=self.carol, upload=upload)
        self.assertEqual(report.values["problems"], [])
        workflow.report_sign_off(actor=self.rita, report=report)

    def test_unreadable_cells_are_listed_and_nothing_is_kept(self):
        self.login(self.carol)
        response = self.post(filled_bytes(self.tmp, ["三", *["0"] * 33]))
        self.assertContains(response, "不是数字「三」", status_code=400)
        self.assertFalse(ReportUpload.objects.exists())

    def test_a_file_that_is_not_excel_is_refused_by_content(self):
        self.login(self.carol)
        response = self.post(b"<html>not a workbook</html>", name="fake.xlsx")
        self.assertContains(response, "不是 Excel 文件", status_code=400)

    def test_a_zip_bomb_is_refused_before_opening(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<x/>")
            archive.writestr("xl/worksheets/sheet1.xml", "0" * (50 * 1024 * 1024))
        with self.assertRaisesMessage(UnsafeFile, "压缩炸弹"):
            check_spreadsheet(buffer.getvalue())

    def test_the_city_may_not_upload_for_a_district(self):
        self.login(self.cindy)
        response = self.post(filled_bytes(self.tmp, ["3", *["0"] * 33]))
        self.assertEqual(response.status_code, 403)


class CorpusUploadTests(WorkflowCase):
    """The upload page reads hand-filled files with the same reader as `anju report read`."""

    def test_the_upload_page_reads_every_corpus_file_as_the_command_does(self):
        import json

        from anju.reporting.workflow import _plain
        from tests.reporting.corpus import CORPUS, EXPECTED

        self.login(self.carol)
        for name in ("a1_seed_four_rows", "a2_merged_subrows", "a2_nobody_named"):
            with self.subTest(name):
                response = self.client.post(
                    reverse("reporting:upload"),
                    {
                        "region_code": "350881000000",
                        "file": SimpleUploadedFile(f"{name}.xlsx", CORPUS[name]()),
                    },
                )
                upload = ReportUpload.objects.latest("pk")
                self.assertRedirects(response, reverse("reporting:upload_review", args=[upload.pk]))
                expected = json.loads((EXPECTED / f"{name}.json").read_text())
                parsed = upload.parsed
                if expected["kind"] == "annex1":
                    got = [float(v) for v in parsed["values"]]
                    self.assertEqual(got, [float(v) for v in expected["values"]])
                else:
                    self.assertEqual(len(parsed["rows"]), len(expected["rows"]))
                    for mine, theirs in zip(parsed["rows"], expected["rows"], strict=True):
                        self.assertEqual(mine["persons"], theirs["persons"])
                        self.assertEqual(float(mine["funds"]), float(theirs["funds"]))
                self.assertEqual(parsed["month"], expected["month"])
                for warning in expected["warnings"]:
                    self.assertIn(warning, _plain(parsed)["warnings"])
        page = self.client.get(reverse("reporting:upload_review", args=[upload.pk]))
        self.assertContains(page, "被反映主要对象：未填写")
