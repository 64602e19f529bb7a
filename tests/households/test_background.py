"""Large imports run in the background: the real database queue and worker, progress, and what
a clerk sees when the worker is missing or dies."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from anju.households import tasks
from anju.households.imports import import_households
from anju.households.models import Household, ImportUpload
from tests.base import AnjuTestCase, make_cast, make_regions, verified_login
from tests.households.files import row, xlsx

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=DATABASE_QUEUE)
class DatabaseQueueTests(TransactionTestCase):
    """The upload only queues the file; `anju worker` (db_worker) imports it."""

    def setUp(self):
        make_regions()
        self.cast = make_cast()
        verified_login(self.client, self.cast["alice"])

    def test_queued_then_imported_by_the_worker(self):
        content = xlsx([row(1), row(2)])
        response = self.client.post(
            reverse("households:import"), {"file": SimpleUploadedFile("档案.xlsx", content)}
        )
        upload = ImportUpload.objects.get()
        self.assertRedirects(response, reverse("households:import_status", args=[upload.pk]))
        page = self.client.get(response.url)
        self.assertContains(page, "排队中")
        self.assertContains(page, 'hx-trigger="every 1s"')  # the panel polls while it waits
        self.assertFalse(Household.objects.exists())

        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

        upload.refresh_from_db()
        self.assertEqual(upload.status, ImportUpload.Status.DONE)
        self.assertEqual(Household.objects.count(), 2)
        panel = self.client.get(response.url, headers={"HX-Request": "true"})
        self.assertContains(panel, "农户新增 2")
        self.assertNotContains(panel, "hx-trigger")  # finished: polling stops
        self.assertNotContains(panel, "<html")  # the htmx request gets the panel only

    def test_a_file_with_errors_is_rejected_by_the_worker_and_nothing_written(self):
        content = xlsx([row(1), row(2, **{"户主身份证号": "bad"})])
        self.client.post(
            reverse("households:import"), {"file": SimpleUploadedFile("档案.xlsx", content)}
        )
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        upload = ImportUpload.objects.get()
        self.assertEqual(upload.status, ImportUpload.Status.REJECTED)
        self.assertEqual(upload.errors[0]["message"], "不是身份证号「bad」")
        self.assertFalse(Household.objects.exists())


class ProgressTests(AnjuTestCase):
    def test_progress_rises_to_one_hundred_through_the_stages(self):
        seen = []
        content = xlsx([row(n) for n in range(1, 30)])
        import_households(
            actor="test",
            data=content,
            file_name="t.xlsx",
            progress=lambda p, s: seen.append((p, s)),
        )
        percents = [p for p, _ in seen]
        self.assertEqual(percents, sorted(percents))
        self.assertEqual(seen[0], (0, "读取文件"))
        self.assertEqual(seen[-1], (100, "完成"))
        self.assertIn("检查数据", {s for _, s in seen})
        self.assertIn("写入数据库", {s for _, s in seen})

    def test_the_page_shows_the_stage_reported_by_the_worker(self):
        upload = ImportUpload.objects.create(
            uploaded_by=self.alice, file_name="大文件.xlsx", data=b"", status="running"
        )
        from django.core.cache import cache

        cache.set(tasks._key(upload.pk), {"percent": 37, "stage": "检查数据"})
        self.login(self.alice)
        page = self.client.get(reverse("households:import_status", args=[upload.pk]))
        self.assertContains(page, "检查数据（37%）")
        self.assertContains(page, 'value="37"')

    def test_a_queue_nobody_takes_is_reported(self):
        upload = ImportUpload.objects.create(
            uploaded_by=self.alice, file_name="a.xlsx", data=b"", status="queued"
        )
        ImportUpload.objects.filter(pk=upload.pk).update(
            uploaded_at=upload.uploaded_at - timedelta(seconds=tasks.WORKER_SILENT_AFTER + 5)
        )
        self.login(self.alice)
        page = self.client.get(reverse("households:import_status", args=[upload.pk]))
        self.assertContains(page, "后台任务进程（anju worker）可能没有运行")


class FailureTests(AnjuTestCase):
    def test_an_import_that_crashes_is_marked_failed_with_nothing_written(self):
        from unittest import mock

        self.login(self.alice)
        with mock.patch.object(tasks, "import_households", side_effect=RuntimeError("disk")):
            response = self.client.post(
                reverse("households:import"),
                {"file": SimpleUploadedFile("a.xlsx", xlsx([row(1)]))},
                follow=True,
            )
        self.assertContains(response, "导入因系统错误中断，未写入任何数据")
        self.assertFalse(Household.objects.exists())

    def test_a_worker_killed_mid_import_leaves_the_upload_marked_interrupted(self):
        upload = ImportUpload.objects.create(
            uploaded_by=self.alice, file_name="a.xlsx", data=b"", status="running"
        )
        self.assertEqual(tasks.fail_interrupted(), 1)
        upload.refresh_from_db()
        self.assertEqual(upload.status, ImportUpload.Status.FAILED)
        self.assertIn("重新上传", upload.message)

    def test_a_job_delivered_twice_imports_once(self):
        self.login(self.alice)
        self.client.post(
            reverse("households:import"), {"file": SimpleUploadedFile("a.xlsx", xlsx([row(1)]))}
        )
        upload = ImportUpload.objects.get()
        self.assertEqual(tasks.run_import.call(upload.pk), "already taken")
