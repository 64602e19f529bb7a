"""Quarterly visits from a file (issue 29, point 2): the archive import's rules (header aliases
below title rows, full-width digits, all or nothing, row/column/value/why, an annotated workbook)
and a template whose 发现问题 column has a drop-down."""

import io
import zipfile
from datetime import timedelta
from unittest.mock import patch

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from anju.audit.models import AuditEntry
from anju.crypto import seal_bytes
from anju.households import tasks, visit_file
from anju.households.imports import import_households
from anju.households.models import FollowUpVisit, Household, ImportUpload
from anju.oversight.models import RectificationItem
from tests.base import AnjuTestCase
from tests.households.files import csv, rid, row, xlsx

HEADER = ["户主姓名", "身份证号码", "回访日期", "发现问题", "备注"]
IMPORT = reverse("households:visits_import")


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


class VisitImportTests(AnjuTestCase):
    def setUp(self):
        import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx(
                [
                    row(1, **{"户主姓名": "陈一"}),
                    row(2, **{"户主姓名": "陈二"}),
                    row(3, **{"户主姓名": "东洋户", "乡镇(街道)": "双洋镇", "行政村": "东洋村"}),
                ]
            ),
        )
        self.day = f"{timezone.localdate() - timedelta(days=3):%Y-%m-%d}"

    def send(self, data: bytes, name="回访.xlsx"):
        """Upload as the clerk does: the file is queued (the tests' task backend runs the worker's
        job at once) and the upload's page shows the outcome."""
        self.login(self.alice)
        queued = self.client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})
        upload = ImportUpload.objects.filter(kind=ImportUpload.Kind.VISITS).latest("pk")
        self.assertRedirects(queued, reverse("households:import_status", args=[upload.pk]))
        return self.client.get(queued.url)

    def test_a_file_with_a_title_row_aliases_and_full_width_digits_imports(self):
        data = xlsx(
            [
                ["陈一", fullwidth(rid(1)), self.day, "未发现问题", ""],
                ["陈二", rid(2), self.day, "漏雨透风、联体房隐患", "东墙裂缝"],
                ["", rid(1).lower(), "2026/1/5", "无", ""],
            ],
            header=HEADER,
            title="新桥镇2026年第四季度回访登记表",
        )
        response = self.send(data)
        self.assertContains(response, "已导入 3 条回访记录。其中 1 户发现问题")
        self.assertEqual(response.context["upload"].status, ImportUpload.Status.DONE)
        self.assertIsNone(response.context["upload"].data)  # imported: the file is dropped
        visits = {
            (v.household.head_name, f"{v.visited_on:%m-%d}"): v.findings
            for v in FollowUpVisit.objects.all()
        }
        self.assertEqual(len(visits), 3)
        self.assertEqual(visits[("陈二", self.day[5:])], ["joint_hazard", "leaky"])
        self.assertEqual(visits[("陈一", "01-05")], [])
        item = RectificationItem.objects.get()
        self.assertIn("东墙裂缝", item.description)
        self.assertEqual(
            AuditEntry.objects.filter(object_type__endswith="followupvisit").count(), 3
        )

    def test_one_bad_row_keeps_everything_out_and_names_row_column_value_why(self):
        data = xlsx(
            [
                ["陈一", rid(1), self.day, "未发现问题", ""],
                ["陈二", rid(2), self.day, "", ""],  # blank: never an empty visit
                ["陈二", rid(2), "2026-02-30", "漏雨", ""],
                ["王五", rid(1), self.day, "返危", ""],  # the name disagrees
                ["", rid(3), self.day, "返危", ""],  # another township's household
                ["", "3508811950", self.day, "返危", ""],
                ["", rid(1), self.day, "未发现问题、返危", ""],
                ["", rid(1), self.day, "房子很好", ""],
            ],
            header=HEADER,
        )
        response = self.send(data)
        self.assertEqual(response.context["upload"].status, ImportUpload.Status.REJECTED)
        self.assertFalse(FollowUpVisit.objects.exists())
        errors = {(e["row"], e["column"]): e["message"] for e in response.context["upload"].errors}
        self.assertIn("没有问题请填“未发现问题”", errors[(5, "发现问题")])
        self.assertIn("日期不存在「2026-02-30」", errors[(6, "回访日期")])
        self.assertIn("不一致「王五」", errors[(7, "户主姓名")])
        self.assertIn("没有这个户主「350881", errors[(8, "户主身份证号")])
        self.assertIn("不是身份证号", errors[(9, "户主身份证号")])
        self.assertIn("不能与问题同时填写", errors[(10, "发现问题")])
        self.assertIn("不认识的发现问题「房子很好」", errors[(11, "发现问题")])
        self.assertNotIn(rid(3), str(errors))  # ID numbers are quoted masked
        self.assertContains(response, "整个文件未导入任何数据")
        self.assertContains(response, "导入季度回访")
        # The same workbook with an error column, from the errors link.
        annotated = self.client.get(
            reverse("households:import_errors", args=[response.context["upload"].pk])
        )
        sheet = (
            CalamineWorkbook.from_filelike(io.BytesIO(b"".join(annotated.streaming_content)))
            .get_sheet_by_index(0)
            .to_python()
        )
        self.assertEqual(sheet[0][0], "漳平市农村危房改造农户档案")  # the title row kept
        self.assertEqual(sheet[2][5], "错误（系统添加）")
        self.assertIn("发现问题：不能为空", sheet[4][5])
        self.assertEqual(sheet[3][5], "")

    def test_the_same_visit_twice_is_refused(self):
        data = csv(
            [["陈一", rid(1), self.day, "未发现问题", ""], ["陈一", rid(1), self.day, "漏雨", ""]],
            header=HEADER,
        )
        response = self.send(data, "回访.csv")
        errors = response.context["upload"].errors
        self.assertEqual(errors[0]["row"], 3)
        self.assertIn("与第 2 行是同一户同一天", errors[0]["message"])
        once = csv([["陈一", rid(1), self.day, "未发现问题", ""]], header=HEADER)
        self.assertContains(self.send(once, "回访.csv"), "已导入 1 条回访记录")
        again = self.send(once, "回访.csv")
        self.assertIn("已有记录", again.context["upload"].errors[0]["message"])
        self.assertEqual(FollowUpVisit.objects.count(), 1)

    def test_missing_columns_are_named(self):
        data = xlsx([["陈一", rid(1), self.day]], header=["户主姓名", "身份证号", "回访日期"])
        response = self.send(data)
        self.assertContains(response, "缺少列：发现问题")
        self.assertTrue(response.context["upload"].refused)

    def test_the_template_has_a_drop_down_of_findings(self):
        self.login(self.alice)
        response = self.client.get(reverse("households:visits_template"))
        book = zipfile.ZipFile(io.BytesIO(response.content))
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn('type="list"', sheet)
        for label in ("返危", "漏雨透风", "仍住危房", "联体房隐患", "未发现问题"):
            self.assertIn(label, sheet)
        header = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
        self.assertEqual(
            header.to_python()[0], ["户主姓名", "户主身份证号", "回访日期", "发现问题", "情况说明"]
        )
        # The template, filled in as a clerk would, imports.
        self.assertEqual(visit_file.findings_of("漏雨透风、仍住危房"), ["leaky", "still_in_old"])

    def test_the_city_cannot_import(self):
        self.login(self.cindy)
        self.assertEqual(self.client.get(IMPORT).status_code, 403)

    def test_scope_is_the_importers_own(self):
        data = xlsx([["", rid(3), self.day, "未发现问题", ""]], header=HEADER)
        self.send(data)
        self.assertFalse(FollowUpVisit.objects.exists())
        self.assertContains(self.send_as_bob(data), "已导入 1 条回访记录")
        self.assertEqual(
            FollowUpVisit.objects.get().household, Household.objects.get(head_name="东洋户")
        )

    def send_as_bob(self, data: bytes):
        self.login(self.bob)
        queued = self.client.post(IMPORT, {"file": SimpleUploadedFile("v.xlsx", data)})
        return self.client.get(queued.url)

    def test_the_upload_page_lists_the_clerks_recent_visit_files(self):
        data = csv([["陈一", rid(1), self.day, "未发现问题", ""]], header=HEADER)
        self.send(data, "十二月回访.csv")
        page = self.client.get(IMPORT)
        self.assertContains(page, "十二月回访.csv")
        self.assertContains(page, "1 条")


class VisitImportInTheBackgroundTests(AnjuTestCase):
    """The visits file goes to the worker like an archive file: queued, progress, once."""

    def setUp(self):
        import_households(
            actor="test", file_name="t.xlsx", data=xlsx([row(n) for n in range(1, 4)])
        )
        self.day = f"{timezone.localdate() - timedelta(days=3):%Y-%m-%d}"
        self.data = csv(
            [["", rid(n), self.day, "未发现问题", ""] for n in range(1, 4)], header=HEADER
        )

    def test_the_upload_is_queued_and_imported_once_with_progress_to_the_end(self):
        heard = []
        upload = ImportUpload.objects.create(
            kind=ImportUpload.Kind.VISITS,
            uploaded_by=self.alice,
            file_name="v.csv",
            data=seal_bytes(self.data, ImportUpload.DATA_PURPOSE),
        )
        page = self.client
        self.login(self.alice)
        waiting = page.get(reverse("households:import_status", args=[upload.pk]))
        self.assertContains(waiting, 'hx-trigger="every 1s"')  # polls while it waits
        self.assertContains(waiting, "排队等待")
        with patch("anju.households.tasks.cache.set", lambda k, v, t: heard.append(v["percent"])):
            self.assertEqual(tasks.run_visit_import.call(upload.pk), ImportUpload.Status.DONE)
        self.assertEqual(heard[0], 5)
        self.assertEqual(heard[-1], 100)
        self.assertEqual(heard, sorted(heard))
        self.assertEqual(FollowUpVisit.objects.count(), 3)
        self.assertEqual(tasks.run_visit_import.call(upload.pk), "already taken")
        self.assertEqual(FollowUpVisit.objects.count(), 3)
        done = page.get(reverse("households:import_status", args=[upload.pk]))
        self.assertContains(done, "已导入 3 条回访记录")
        self.assertNotContains(done, "hx-trigger")

    def test_an_import_that_crashes_is_marked_failed_with_nothing_written(self):
        upload = ImportUpload.objects.create(
            kind=ImportUpload.Kind.VISITS,
            uploaded_by=self.alice,
            file_name="v.csv",
            data=seal_bytes(self.data, ImportUpload.DATA_PURPOSE),
        )
        with (
            patch("anju.households.visit_file.audit_many", side_effect=RuntimeError("disk")),
            self.assertRaises(RuntimeError),
        ):
            tasks.run_visit_import.call(upload.pk)
        upload.refresh_from_db()
        self.assertEqual(upload.status, ImportUpload.Status.FAILED)
        self.assertFalse(FollowUpVisit.objects.exists())
