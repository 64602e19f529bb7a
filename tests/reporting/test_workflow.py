from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from anju.regions.models import Region
from anju.reporting import sources, workflow
from anju.reporting.annexes import Annex1, Signature
from anju.reporting.deadlines import due_date
from anju.reporting.layout import write_annex1
from anju.reporting.models import Report, ReportEvent
from anju.reporting.queries import board, rates, reminders
from tests.base import AnjuTestCase, make_user

SH = ZoneInfo("Asia/Shanghai")
# What a submission sends besides the report: the footer's phone and the stamped scan (a PDF).
SCAN = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SENT = {"phone": "0597-7832121", "scan": SCAN, "scan_name": "盖章扫描件.pdf"}
OCT = date(2026, 10, 1)


class FixtureLedger:
    """Stands in for the clue ledger's counting: the numbers a test sets, and problems."""

    def __init__(self):
        self.found = 3
        self.problems: list[str] = []

    def __call__(self, district, period, remarks, signature=None, **_):
        values = [Decimal(self.found)] + [Decimal(0)] * 33
        data = Annex1(
            district=district.name,
            month=f"{period:%Y-%m}",
            values=values,
            remarks=remarks,
            signature=signature or Signature(),
        )
        return sources.Content(
            values={"values": [int(v) for v in values]},
            xlsx=write_annex1(data),
            problems=list(self.problems),
        )


class WorkflowCase(AnjuTestCase):
    def setUp(self):
        self.ledger = FixtureLedger()
        previous = sources.source_for("annex1")
        sources.register("annex1", self.ledger)
        self.addCleanup(sources.register, "annex1", previous)
        self.county = Region.objects.get(code="350881000000")

    def prepare(self, **kw):
        return workflow.report_prepare(
            actor=self.carol, region=self.county, kind="annex1", period=OCT, **kw
        )


class PrepareTests(WorkflowCase):
    def test_it_counts_a_draft_with_the_file_hash(self):
        report = self.prepare()
        self.assertEqual((report.status, report.version), ("draft", 1))
        self.assertEqual(report.values["values"][0], 3)
        self.assertEqual(len(report.sha256), 64)
        self.assertEqual(report.due_date, date(2026, 11, 26))

    def test_preparing_again_recounts_the_same_draft(self):
        self.prepare()
        self.ledger.found = 5
        report = self.prepare()
        self.assertEqual(Report.objects.count(), 1)
        self.assertEqual(report.values["values"][0], 5)

    def test_a_kind_without_a_source_is_refused_in_chinese(self):
        annex2 = sources.source_for("annex2")
        sources.unregister("annex2")
        self.addCleanup(sources.register, "annex2", annex2)
        with self.assertRaisesMessage(ValidationError, "数据来源尚未启用"):
            workflow.report_prepare(actor=self.carol, region=self.county, kind="annex2", period=OCT)

    def test_only_districts_in_ones_own_region(self):
        with self.assertRaises(ValidationError):
            workflow.report_prepare(
                actor=self.xavier, region=self.county, kind="annex1", period=OCT
            )
        township = Region.objects.get(code="350881100000")
        with self.assertRaisesMessage(ValidationError, "由各区县报送市里，新桥镇不需报送"):
            workflow.report_prepare(actor=self.carol, region=township, kind="annex1", period=OCT)


class SignOffTests(WorkflowCase):
    def test_the_preparer_cannot_sign_off(self):
        reviewer = make_user("rev2", "county_reviewer", "350881000000")
        report = workflow.report_prepare(
            actor=reviewer, region=self.county, kind="annex1", period=OCT
        )
        with self.assertRaisesMessage(ValidationError, "编制人不能审核"):
            workflow.report_sign_off(actor=reviewer, report=report)

    def test_disagreements_block_sign_off_until_explained(self):
        self.ledger.problems = ["附件1 第1栏 3 与附件2 行数 2 不一致"]
        report = self.prepare()
        with self.assertRaisesMessage(ValidationError, "须在备注中说明"):
            workflow.report_sign_off(actor=self.rita, report=report)
        report = self.prepare(remarks="1 条线索为上月重复登记，已合并")
        workflow.report_sign_off(actor=self.rita, report=report)
        self.assertEqual(report.status, "signed_off")

    def test_a_clerk_may_not_sign_off(self):
        report = self.prepare()
        with self.assertRaises(PermissionDenied):
            workflow.report_sign_off(actor=self.carol, report=report)


class SubmissionTests(WorkflowCase):
    def submitted(self):
        report = self.prepare()
        workflow.report_sign_off(actor=self.rita, report=report)
        return workflow.report_submit(actor=self.carol, report=report, **SENT)

    def test_submission_freezes_numbers_and_file(self):
        report = self.submitted()
        frozen = (report.sha256, bytes(report.file), report.values)
        self.ledger.found = 9
        with self.assertRaisesMessage(ValidationError, "已报送"):
            self.prepare()
        report.refresh_from_db()
        self.assertEqual((report.sha256, bytes(report.file), report.values), frozen)
        self.assertEqual(
            [(e.from_status, e.to_status) for e in ReportEvent.objects.filter(report=report)],
            [("draft", "signed_off"), ("signed_off", "submitted")],
        )

    def test_the_city_returns_and_a_correction_keeps_both_versions(self):
        report = self.submitted()
        workflow.report_return(actor=self.cindy, report=report, reason="第1栏与台账不符")
        self.ledger.found = 4
        corrected = workflow.report_correct(actor=self.carol, report=report, reason="补登一条")
        self.assertEqual((corrected.version, corrected.reason), (2, "补登一条"))
        workflow.report_sign_off(actor=self.rita, report=corrected)
        workflow.report_submit(actor=self.carol, report=corrected, **SENT)
        report.refresh_from_db()
        self.assertEqual(report.status, "superseded")
        self.assertEqual(report.values["values"][0], 3)
        self.assertEqual(corrected.values["values"][0], 4)

    def test_returning_needs_a_reason_and_the_city(self):
        report = self.submitted()
        with self.assertRaisesMessage(ValidationError, "说明原因"):
            workflow.report_return(actor=self.cindy, report=report, reason=" ")
        # The county's reviewer receives its townships' reports, not its own district's.
        with self.assertRaisesMessage(ValidationError, "只有市里可以退回该报表"):
            workflow.report_return(actor=self.rita, report=report, reason="x")
        with self.assertRaises(PermissionDenied):
            workflow.report_return(actor=self.carol, report=report, reason="x")


class BoardTests(WorkflowCase):
    def submit_at(self, when: datetime, region=None):
        region = region or self.county
        with time_machine.travel(when):
            report = workflow.report_prepare(
                actor=self.carol, region=region, kind="annex1", period=OCT
            )
            workflow.report_sign_off(actor=self.rita, report=report)
            workflow.report_submit(actor=self.carol, report=report, **SENT)

    def test_on_time_late_and_missing(self):
        city = Region.objects.get(code="350800000000")
        self.submit_at(datetime(2026, 11, 26, 17, 0, tzinfo=SH))
        rows = {
            r.reporter.region.code: r for r in board(city, "annex1", OCT, today=date(2026, 12, 1))
        }
        self.assertEqual(rows["350881000000"].state, "按时报送")
        self.assertEqual(rows["350802000000"].state, "未报（已逾期）")
        self.assertEqual(rows["350802000000"].late_days, 5)

    def test_a_late_submission_counts_days_late(self):
        self.submit_at(datetime(2026, 11, 29, 9, 0, tzinfo=SH))
        row = board(self.county, "annex1", OCT)[0]
        self.assertEqual((row.state, row.late_days), ("迟报 3 天", 3))

    def test_rates_over_months(self):
        self.submit_at(datetime(2026, 11, 20, 9, 0, tzinfo=SH))
        months = [date(2026, 10, 1), date(2026, 9, 1)]
        rate = rates(self.county, "annex1", months, today=date(2026, 12, 1))[0]
        self.assertEqual((rate.expected, rate.reported, rate.on_time), (2, 1, 1))
        self.assertEqual(rate.on_time_rate, 0.5)

    def test_due_dates_per_kind(self):
        self.assertEqual(due_date("annex1", OCT), date(2026, 11, 26))
        self.assertEqual(due_date("progress", OCT), date(2026, 10, 23))
        self.assertEqual(due_date("clue_quarterly", date(2026, 10, 1)), date(2027, 1, 10))


class ReminderTests(WorkflowCase):
    @override_settings(ANJU_REPORTING_SINCE="2026-10")
    def test_districts_see_reports_due_in_three_days_on_their_home_page(self):
        with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=SH)):
            self.assertTrue(any("附件1" in r[0] for r in reminders(self.county)))
            self.login(self.carol)
            response = self.client.get(reverse("home"))
            # The workbench names the period as people do and says it is due soon.
            self.assertContains(response, "附件1 查处整改情况统计表（2026年10月）")
            self.assertContains(response, '<span class="warn">2026年11月26日</span>', html=True)
        with time_machine.travel(datetime(2026, 11, 10, 9, 0, tzinfo=SH)):
            self.assertFalse(any("附件1" in r[0] for r in reminders(self.county)))


class ReportPageTests(WorkflowCase):
    def test_the_journey_through_the_pages(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("reporting:prepare"),
            {"region_code": "350881000000", "kind": "annex1", "month": "2026-10"},
        )
        report = Report.objects.get()
        self.assertRedirects(response, reverse("reporting:report", args=[report.pk]))
        self.login(self.rita)
        confirm = self.client.get(reverse("reporting:sign_off", args=[report.pk]))
        self.assertContains(confirm, "单位分管负责人")
        report.refresh_from_db()
        self.assertEqual(report.status, "draft")  # opening the page decides nothing
        self.client.post(reverse("reporting:sign_off", args=[report.pk]), {"decision": "approve"})
        self.login(self.carol)
        confirm = self.client.get(reverse("reporting:submit", args=[report.pk]))
        self.assertContains(confirm, "冻结")
        self.client.post(
            reverse("reporting:submit", args=[report.pk]),
            {"phone": "0597-7832121", "scan": SimpleUploadedFile("scan.pdf", SCAN)},
        )
        report.refresh_from_db()
        self.assertEqual(report.status, "submitted")
        download = self.client.get(reverse("reporting:download", args=[report.pk]))
        self.assertEqual(download.content, bytes(report.file))
        self.login(self.cindy)
        page = self.client.get(reverse("reporting:board") + "?kind=annex1&month=2026-10")
        self.assertContains(page, "漳平市")

    def test_a_bad_month_is_refused_in_chinese(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("reporting:prepare"),
            {"region_code": "350881000000", "kind": "annex1", "month": "十月"},
            follow=True,
        )
        self.assertContains(response, "月份应写作 YYYY-MM")
        self.assertFalse(Report.objects.exists())


class CitySummaryTests(WorkflowCase):
    def submit(self, user_region: str, found: int):
        self.ledger.found = found
        region = Region.objects.get(code=user_region)
        clerk = make_user(f"clerk{user_region[:6]}", "county_clerk", user_region)
        boss = make_user(f"boss{user_region[:6]}", "county_reviewer", user_region)
        report = workflow.report_prepare(actor=clerk, region=region, kind="annex1", period=OCT)
        workflow.report_sign_off(actor=boss, report=report)
        workflow.report_submit(actor=clerk, report=report, **SENT)

    def test_the_city_total_sums_submitted_districts_and_names_the_missing(self):
        from anju.reporting.reader import read_report
        from anju.reporting.summary import city_annex1

        self.submit("350881000000", 3)
        self.submit("350802000000", 4)
        Region.objects.create(code="350803000000", name="永定区", level=3, parent_id="350800000000")
        data, missing = city_annex1(Region.objects.get(code="350800000000"), OCT)
        self.assertEqual(missing, ["永定区"])
        result = read_report(data)
        self.assertEqual(result["values"][0], 7)
        self.assertEqual(result["district"], "龙岩市")

    def test_the_city_downloads_the_summary(self):
        self.submit("350881000000", 3)
        self.login(self.cindy)
        response = self.client.get(reverse("reporting:summary", args=["annex1"]) + "?month=2026-10")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))


class FrozenFileTests(WorkflowCase):
    """Issue 26: the file goes out as it is (footer filled), with the stamped scan."""

    def signed(self):
        report = self.prepare()
        workflow.report_sign_off(actor=self.rita, report=report, comment="数字已核对")
        return report

    def test_the_footer_is_filled_from_preparer_reviewer_and_submission_time(self):
        from anju.reporting.reader import load

        report = self.signed()
        with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=SH)):
            workflow.report_submit(actor=self.carol, report=report, **SENT)
        rows = load(bytes(report.file)).rows
        cells = [str(v) for row in rows for v in row if v]
        self.assertIn(f"填表人：{self.carol}", cells)
        self.assertIn("联系电话：0597-7832121", cells)
        self.assertIn(f"单位分管负责人：{self.rita}", cells)
        self.assertIn("填报时间：2026年11月20日", cells)
        self.assertIn("填报单位：漳平市", cells)
        self.assertEqual(report.footer["单位分管负责人"], str(self.rita))
        import hashlib

        self.assertEqual(report.sha256, hashlib.sha256(bytes(report.file)).hexdigest())

    def test_the_scan_is_kept_with_its_hash_and_the_city_downloads_both(self):
        import hashlib

        report = self.signed()
        workflow.report_submit(actor=self.carol, report=report, **SENT)
        self.assertEqual(report.scan_sha256, hashlib.sha256(SCAN).hexdigest())
        self.assertEqual(report.scan_type, "application/pdf")
        self.login(self.cindy)
        page = self.client.get(reverse("reporting:report", args=[report.pk]))
        self.assertContains(page, report.scan_sha256)
        self.assertContains(page, report.sha256)
        scan = self.client.get(reverse("reporting:scan", args=[report.pk]))
        self.assertEqual(scan.content, SCAN)
        self.assertEqual(scan["Content-Type"], "application/pdf")
        self.login(self.xavier)
        self.assertEqual(
            self.client.get(reverse("reporting:scan", args=[report.pk])).status_code, 404
        )

    def test_a_stored_file_changed_after_submission_is_not_handed_out(self):
        # Issue 32: the frozen version read back on any server (or after a restore) is the one
        # that was sent; a file whose bytes no longer match its recorded SHA-256 is refused.
        from anju.audit.models import AuditEntry
        from anju.reporting.models import Report

        report = self.signed()
        workflow.report_submit(actor=self.carol, report=report, **SENT)
        self.login(self.cindy)
        for view, column in (("reporting:download", "file"), ("reporting:scan", "scan")):
            url = reverse(view, args=[report.pk])
            self.assertEqual(self.client.get(url).status_code, 200)
            stored = bytes(getattr(Report.objects.get(pk=report.pk), column))
            Report.objects.filter(pk=report.pk).update(**{column: stored + b" "})
            refused = self.client.get(url, follow=True)
            self.assertNotEqual(refused["Content-Type"], "application/pdf")
            self.assertContains(refused, "校验值（SHA-256）不一致")
            denied = AuditEntry.objects.filter(action="denied").order_by("-seq").first()
            self.assertIn("SHA-256", str(denied.changes))

    def test_the_scan_must_be_a_pdf_or_an_image(self):
        report = self.signed()
        with self.assertRaisesMessage(ValidationError, "盖章扫描件"):
            workflow.report_submit(actor=self.carol, report=report, phone="1")
        with self.assertRaisesMessage(ValidationError, "不是 PDF 或 JPG/PNG"):
            workflow.report_submit(
                actor=self.carol, report=report, phone="1", scan=b"PK\x03\x04 an xlsx"
            )
        png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
        workflow.report_submit(actor=self.carol, report=report, phone="1", scan=png)
        self.assertEqual(report.scan_type, "image/png")

    def test_a_bad_scan_on_the_page_keeps_the_phone_and_says_to_choose_again(self):
        report = self.signed()
        self.login(self.carol)
        response = self.client.post(
            reverse("reporting:submit", args=[report.pk]),
            {"phone": "0597-1234567", "scan": SimpleUploadedFile("a.txt", b"hello")},
        )
        self.assertContains(response, "不是 PDF 或 JPG/PNG")
        self.assertContains(response, 'value="0597-1234567"')
        self.assertContains(response, "请重新选择文件")
        report.refresh_from_db()
        self.assertEqual(report.status, "signed_off")

    def test_a_ledger_changed_after_sign_off_is_not_sent_with_other_numbers(self):
        report = self.signed()
        self.ledger.found = 9
        with self.assertRaisesMessage(ValidationError, "审核后台账已有变化"):
            workflow.report_submit(actor=self.carol, report=report, **SENT)
        report.refresh_from_db()
        self.assertEqual(report.status, "signed_off")


class ReviewTests(WorkflowCase):
    """Issue 25 item 6: 审核通过 / 退回 with a comment; the reviewer can return a report."""

    def test_the_reviewer_returns_a_draft_with_a_comment_and_it_comes_back(self):
        report = self.prepare()
        self.login(self.rita)
        response = self.client.post(
            reverse("reporting:sign_off", args=[report.pk]), {"decision": "revise", "comment": ""}
        )
        self.assertContains(response, "退回修改须填写审核意见")
        self.client.post(
            reverse("reporting:sign_off", args=[report.pk]),
            {"decision": "revise", "comment": "第1栏与台账不符，请核对"},
        )
        report.refresh_from_db()
        self.assertEqual(report.status, "revise")
        self.assertEqual(report.events.last().note, "第1栏与台账不符，请核对")
        again = self.prepare()
        self.assertEqual((again.pk, again.status), (report.pk, "draft"))
        workflow.report_sign_off(actor=self.rita, report=again, comment="同意")
        self.assertEqual(again.events.last().note, "同意")

    def test_the_city_returns_through_a_confirmation_with_a_reason(self):
        report = self.prepare()
        workflow.report_sign_off(actor=self.rita, report=report)
        workflow.report_submit(actor=self.carol, report=report, **SENT)
        self.login(self.cindy)
        page = self.client.get(reverse("reporting:return", args=[report.pk]))
        self.assertContains(page, "退回后")
        self.client.post(reverse("reporting:return", args=[report.pk]), {"reason": "第34栏有误"})
        report.refresh_from_db()
        self.assertEqual(report.status, "returned")
        self.login(self.carol)
        self.assertContains(
            self.client.get(reverse("reporting:report", args=[report.pk])), "第34栏有误"
        )

    def test_a_clerk_cannot_open_the_review_page(self):
        report = self.prepare()
        self.login(self.carol)
        self.assertEqual(
            self.client.get(reverse("reporting:sign_off", args=[report.pk])).status_code, 403
        )


class MergedAnnex2Tests(WorkflowCase):
    def test_the_city_merged_annex2_has_a_district_column(self):
        from anju.reporting.summary import city_annex2

        for code, place in (("350881000000", "漳平市"), ("350802000000", "新罗区")):
            region = Region.objects.get(code=code)
            Report.objects.create(
                region=region,
                kind="annex2",
                period=OCT,
                status="submitted",
                due_date=due_date("annex2", OCT),
                prepared_by=self.carol,
                values={
                    "rows": [
                        {
                            "source": "审计",
                            "place": place,
                            "persons": [],
                            "summary": "（新桥镇西埔村）补助未按时发放。",
                            "funds": "1.00",
                            "disposal": "正在核查",
                        }
                    ]
                },
            )
        from anju.reporting.reader import load, read_report

        data = city_annex2(Region.objects.get(code="350800000000"), OCT)
        rows = load(data).rows
        self.assertEqual(rows[2][0], "区县")
        self.assertEqual([rows[4][0], rows[5][0]], ["新罗区", "漳平市"])
        parsed = read_report(data)
        self.assertEqual([r["district"] for r in parsed["rows"]], ["新罗区", "漳平市"])
