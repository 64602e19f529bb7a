"""The probe's 500s answer a clear 4xx (F12), and exports are POSTs with the CSRF token (F13)."""

import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.households.imports import import_households
from anju.households.models import Household
from tests.api.base import ApiTestCase
from tests.base import AnjuTestCase
from tests.households.files import rid, row, xlsx
from tests.reporting.test_upload import filled_bytes
from tests.test_upload_limits import with_sheet


class ApiDateBoundTests(ApiTestCase):
    def test_dates_beyond_the_bounds_are_a_400_naming_the_filter(self):
        for path in ("/api/v1/households/", "/api/v1/findings/"):
            for query in ({"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}):
                with self.subTest(path=path, query=query):
                    response = self.api(self.carol, path, query)
                    self.assertEqual(response.status_code, 400)
                    details = str(response.json()["error"])
                    self.assertIn("1900-01-01 至 2999-12-31", details)
                    self.assertIn(next(iter(query)), details)

    def test_dates_at_the_bounds_are_answered(self):
        response = self.api(
            self.carol, "/api/v1/households/", {"date_from": "1900-01-01", "date_to": "2999-12-31"}
        )
        self.assertEqual(response.status_code, 200)


def damaged_xml(data: bytes) -> bytes:
    """`data` with its sheet's XML cut in the middle of a tag (calamine: XmlError)."""
    return with_sheet(data, lambda sheet: sheet[: len(sheet) // 2] + "<c r=<<>")


class PagesAnswer4xxTests(AnjuTestCase):
    def test_a_damaged_report_upload_is_a_400_not_a_500(self):
        self.login(self.carol)
        good = filled_bytes(Path(tempfile.mkdtemp()), ["3", *["0"] * 33])
        response = self.client.post(
            reverse("reporting:upload"),
            {
                "region_code": "350881000000",
                "file": SimpleUploadedFile("r.xlsx", damaged_xml(good)),
            },
        )
        self.assertContains(response, "文件已损坏", status_code=400)

    def test_a_damaged_household_upload_is_refused_and_no_workbook_made(self):
        self.login(self.alice)
        response = self.client.post(
            reverse("households:import"),
            {"file": SimpleUploadedFile("a.xlsx", damaged_xml(xlsx([row(1)])))},
        )
        page = self.client.get(response.url)
        self.assertContains(page, "文件被拒收")
        upload = page.context["upload"]
        answer = self.client.get(reverse("households:import_errors", args=[upload.pk]))
        self.assertEqual(answer.status_code, 410)

    def test_a_next_that_is_no_path_goes_home_instead_of_a_500(self):
        self.login_password_only(self.alice)
        for name in ("otp_setup", "otp_verify"):
            with self.subTest(name=name):
                response = self.client.get(reverse(name), {"next": "113803"}, follow=True)
                self.assertEqual(response.status_code, 200)  # the enrolment page
                self.assertNotContains(response, 'value="113803"')
                self.assertEqual(response.context["next"], "/")


class ExportIsAPostTests(AnjuTestCase):
    """F13: a link cannot make a reviewer export (full numbers or not) and write an audit entry
    with the linker's words; the export is a POST carrying the CSRF token."""

    def setUp(self):
        import_households(actor="t", file_name="a.xlsx", data=xlsx([row(1)]))

    def test_a_link_with_reason_and_full_only_shows_the_form(self):
        self.login(self.carol)
        for name in ("households:export", "crosscheck:export"):
            with self.subTest(name=name):
                response = self.client.get(reverse(name), {"reason": "攻击者写的用途", "full": "1"})
                self.assertContains(response, 'method="post"')
                self.assertContains(response, "csrfmiddlewaretoken")
                self.assertNotIn("attachment", response.get("Content-Disposition", ""))
        self.assertFalse(AuditEntry.objects.filter(action="export").exists())
        household = Household.objects.get()
        pdf = self.client.get(reverse("households:archive_pdf", args=[household.pk]) + "?full=1")
        self.assertEqual(pdf["Content-Type"], "application/pdf")  # the masked print
        self.assertFalse(AuditEntry.objects.filter(action="unmask").exists())

    def test_a_post_without_the_token_is_refused(self):
        forged = Client(enforce_csrf_checks=True)
        self.login(self.carol, client=forged)
        response = forged.post(reverse("households:export"), {"reason": "伪造", "full": "1"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(AuditEntry.objects.filter(action="export").exists())

    def test_the_form_exports_full_numbers_for_the_role_that_may(self):
        from anju.reporting.reader import load

        self.login(self.carol)
        asked = self.client.get(reverse("households:export"))
        self.assertContains(asked, 'name="full"')  # the county reviewer's box for full numbers
        response = self.client.post(reverse("households:export"), {"reason": "核对", "full": "1"})
        grid = load(b"".join(response.streaming_content))
        self.assertIn(rid(1), [v for r in grid.rows for v in r])
        entry = AuditEntry.objects.get(action="export")
        self.assertIn("完整号码", str(entry.changes))
