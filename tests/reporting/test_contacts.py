import io
from contextlib import redirect_stderr, redirect_stdout

from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.cli import main
from anju.reporting.models import Contact
from anju.reporting.reader import load
from tests.base import AnjuTestCase

FORM = {
    "region_code": "350881000000",
    "role": "director",
    "name": "林局长",
    "unit_post": "漳平市住建局局长",
    "mobile": "13905970001",
}


class ContactTests(AnjuTestCase):
    def test_a_county_clerk_names_a_contact(self):
        self.login(self.carol)
        response = self.client.post(reverse("reporting:contact_save"), FORM)
        self.assertRedirects(response, reverse("reporting:contacts"))
        contact = Contact.objects.get(region_id="350881000000", role="director")
        self.assertEqual(contact.mobile, "13905970001")
        entry = AuditEntry.objects.filter(object_type="reporting.contact").latest("seq")
        self.assertEqual(entry.changes["after"]["mobile"], "139****0001")

    def test_saving_again_replaces_and_audits_before_and_after(self):
        self.login(self.carol)
        self.client.post(reverse("reporting:contact_save"), FORM)
        self.client.post(reverse("reporting:contact_save"), {**FORM, "name": "陈局长"})
        self.assertEqual(Contact.objects.get(role="director").name, "陈局长")
        entry = AuditEntry.objects.filter(object_type="reporting.contact").latest("seq")
        self.assertEqual(entry.changes["before"]["name"], "林局长")

    def test_a_bad_mobile_is_refused_in_chinese(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("reporting:contact_save"), {**FORM, "mobile": "123"}, follow=True
        )
        self.assertContains(response, "请填写11位手机号码")
        self.assertFalse(Contact.objects.exists())

    def test_the_city_reads_but_cannot_edit(self):
        self.login(self.cindy)
        self.assertEqual(self.client.get(reverse("reporting:contacts")).status_code, 200)
        response = self.client.post(reverse("reporting:contact_save"), FORM)
        self.assertEqual(response.status_code, 403)

    def test_another_county_gets_404(self):
        self.login(self.xavier)
        response = self.client.post(reverse("reporting:contact_save"), FORM)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Contact.objects.exists())

    def test_a_township_is_no_district(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("reporting:contact_save"), {**FORM, "region_code": "350881100000"}, follow=True
        )
        self.assertContains(response, "联络人按区县填报")

    def test_the_city_exports_annex3_for_all_districts(self):
        self.login(self.carol)
        self.client.post(reverse("reporting:contact_save"), FORM)
        self.login(self.cindy)
        response = self.client.get(reverse("reporting:annex3"))
        grid = load(response.content)
        self.assertEqual(grid.rows[0][0], "农村危房改造专项治理联络人名单")
        self.assertEqual(grid.rows[2][:4], ["地区", "姓名", "单位及职务", "手机"])
        self.assertEqual(grid.rows[3][:4], ["漳平市", "林局长", "漳平市住建局局长", "13905970001"])
        self.assertTrue(grid.rows[4][0].startswith("备注：各区城（住）建局"))
        self.assertTrue(
            AuditEntry.objects.filter(action="export", object_type="reporting.annex3").exists()
        )

    def test_the_cli_writes_annex3(self):
        import tempfile
        from pathlib import Path

        self.login(self.carol)
        self.client.post(reverse("reporting:contact_save"), FORM)
        out = Path(tempfile.mkdtemp()) / "a3.xlsx"
        buffer = io.StringIO()
        with redirect_stdout(buffer), redirect_stderr(buffer):
            code = main(
                [
                    "report",
                    "annex3",
                    "--region",
                    "350881000000",
                    "--month",
                    "2026-10",
                    "--out",
                    str(out),
                ]
            )
        self.assertEqual(code, 0, buffer.getvalue())
        self.assertEqual(load(out.read_bytes()).rows[3][1], "林局长")
