"""Issue 26: the quarterly clue report is labelled by quarter, carries its own 说明 and goes to
the discipline commission, which receives, reads and signs for it."""

from datetime import date

from django.urls import reverse

from anju.regions.models import Region
from anju.reporting import workflow
from anju.reporting.annexes import ANNEX2_NOTES, QUARTERLY_NOTES
from anju.reporting.models import Report
from anju.reporting.reader import load
from tests.base import AnjuTestCase
from tests.reporting.test_workflow import SENT

Q3 = date(2026, 7, 1)


class QuarterlyTests(AnjuTestCase):
    def setUp(self):
        self.county = Region.objects.get(code="350881000000")

    def submitted(self) -> Report:
        report = workflow.report_prepare(
            actor=self.carol, region=self.county, kind="clue_quarterly", period=Q3
        )
        workflow.report_sign_off(actor=self.rita, report=report)
        report.refresh_from_db()  # as the page finds it: the values as JSON kept them
        return workflow.report_submit(actor=self.carol, report=report, **SENT)

    def test_it_is_labelled_by_quarter_with_its_own_note(self):
        report = self.submitted()
        self.assertEqual(report.period_label, "2026年第3季度")
        cells = [str(v) for row in load(bytes(report.file)).rows for v in row if v]
        self.assertTrue(any("（2026年第3季度）" in c for c in cells))
        self.assertIn(QUARTERLY_NOTES, cells)
        self.assertNotIn(ANNEX2_NOTES, cells)
        self.assertEqual(report.events.last().note, "报送市纪委监委")

    def test_the_discipline_officer_receives_reads_and_signs_for_it(self):
        report = self.submitted()
        self.login(self.dora)
        listing = self.client.get(reverse("reporting:reports"))
        self.assertEqual(listing.status_code, 200)
        self.assertContains(listing, "2026年第3季度")
        page = self.client.get(reverse("reporting:report", args=[report.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "签收")
        self.assertEqual(
            self.client.get(reverse("reporting:download", args=[report.pk])).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("reporting:scan", args=[report.pk])).status_code, 200
        )
        self.client.post(reverse("reporting:acknowledge", args=[report.pk]))
        report.refresh_from_db()
        self.assertEqual(report.status, "acknowledged")
        self.assertEqual(report.events.last().actor, self.dora)

    def test_the_discipline_officer_sees_no_other_report_and_no_draft(self):
        draft = workflow.report_prepare(
            actor=self.carol, region=self.county, kind="clue_quarterly", period=date(2026, 4, 1)
        )
        annex2 = workflow.report_prepare(
            actor=self.carol, region=self.county, kind="annex2", period=date(2026, 10, 1)
        )
        self.login(self.dora)
        for report in (draft, annex2):
            response = self.client.get(reverse("reporting:report", args=[report.pk]))
            self.assertEqual(response.status_code, 404)
        # Preparing and signing stay the county's.
        self.assertEqual(self.client.post(reverse("reporting:prepare"), {}).status_code, 403)

    def test_only_the_discipline_role_signs_for_it(self):
        report = self.submitted()
        self.login(self.cindy)
        response = self.client.post(reverse("reporting:acknowledge", args=[report.pk]))
        self.assertEqual(response.status_code, 403)
