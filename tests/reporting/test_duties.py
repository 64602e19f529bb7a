"""Issue 26: which units owe which report is set per report kind (报送要求). Zhangping's internal
progress report (seed 003: 各责任单位每月23日前向住建局报送本月整治工作进展情况和突出问题处理情况)
is owed by its townships and responsible units to the county's housing bureau, with a narrative of
how major problems were handled, and not by the city's districts to the city; it prints as a Word
document in the official-document layout."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from anju.accounts.models import Unit
from anju.accounts.roles import Role
from anju.oversight import services as ledger
from anju.oversight.models import Clue
from anju.reporting import workflow
from anju.reporting.access import reports_visible_to
from anju.reporting.duties import duty_for, report_duty_set, reporters_of
from anju.reporting.models import Report, ReportDuty
from anju.reporting.queries import board
from tests.base import AnjuTestCase, make_user
from tests.oversight.helpers import register

SH = ZoneInfo("Asia/Shanghai")
COUNTY = "350881000000"
OCT = date(2026, 10, 1)
NARRATIVE = "西埔村张某户屋面漏雨，已于10月25日修缮完毕；东洋村两户鉴定延期，下月10日前完成。"


class DutyCase(AnjuTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.housing = Unit.objects.create(
            name="漳平市住建局", kind="housing", region_id=COUNTY, is_lead=True
        )
        cls.civil = Unit.objects.create(name="漳平市民政局", kind="civil_affairs", region_id=COUNTY)
        cls.finance = Unit.objects.create(name="漳平市财政局", kind="finance", region_id=COUNTY)
        cls.jiwei = Unit.objects.create(name="漳平市纪委监委", kind="discipline", region_id=COUNTY)
        for user in (cls.carol, cls.rita):
            user.work_unit = cls.housing
            user.save(update_fields=["work_unit"])
        cls.mina = make_user("mina", Role.DEPARTMENT, COUNTY, work_unit=cls.civil)
        cls.fiona = make_user("fiona", Role.DEPARTMENT, COUNTY, work_unit=cls.finance)

    def township_report(self, **kw):
        return workflow.report_prepare(
            actor=self.alice,
            region=self.regions["350881100000"],
            kind="progress",
            period=OCT,
            narrative=NARRATIVE,
            **kw,
        )

    def submit(self, report, actor=None, leader="陈镇长"):
        with time_machine.travel(datetime(2026, 10, 22, 16, tzinfo=SH)):
            return workflow.report_submit(
                actor=actor or self.alice, report=report, phone="0597-7512345", leader=leader
            )


class DefaultDutyTests(DutyCase):
    def test_the_progress_report_is_owed_by_townships_and_responsible_units_to_the_county(self):
        names = [r.name for r in reporters_of("progress", self.regions[COUNTY])]
        # Not the lead unit it goes to, nor the discipline commission that oversees the campaign.
        self.assertEqual(names, ["新桥镇", "双洋镇", "漳平市民政局", "漳平市财政局"])
        duty = duty_for("progress", self.regions["350881100000"])
        self.assertEqual((duty.recipient, duty.receiving), ("漳平市住建局", COUNTY))
        # Seen from the city: the townships of every district, each to its own county.
        city = reporters_of("progress", self.regions["350800000000"])
        self.assertIn(("东城街道", "350802000000"), [(r.name, r.receiving) for r in city])

    def test_annexes_are_still_owed_by_the_districts_to_the_city(self):
        names = [r.name for r in reporters_of("annex1", self.regions["350800000000"])]
        self.assertEqual(names, ["新罗区", "漳平市"])
        self.assertEqual(duty_for("annex1", self.regions[COUNTY]).recipient, "市里")

    def test_the_county_does_not_owe_the_progress_report_to_the_city(self):
        with self.assertRaisesMessage(
            ValidationError, "由各乡镇（街道）和各责任单位报送漳平市住建局"
        ):
            workflow.report_prepare(
                actor=self.carol, region=self.regions[COUNTY], kind="progress", period=OCT
            )

    def test_a_township_reports_per_village_with_its_narrative(self):
        clue, _ = register(self.carol, received_on=date(2026, 10, 5))
        report = self.township_report()
        self.assertEqual(report.sent_to, "漳平市住建局")
        self.assertEqual(report.values["columns"][0], "村（社区）")
        rows = {r[0]: r[1:] for r in report.values["rows"]}
        # The clue lies on the township itself, in no village: its own row, in the total.
        self.assertEqual(list(rows), ["西埔村", "新桥镇本级", "合计"])
        self.assertEqual((rows["西埔村"][3], rows["新桥镇本级"][3], rows["合计"][3]), (0, 1, 1))
        self.assertEqual(report.values["narrative"], NARRATIVE)
        self.assertEqual(report.due_date, date(2026, 10, 23))
        self.assertTrue(Clue.objects.filter(pk=clue.pk).exists())

    def test_one_prepares_ones_own_township_only(self):
        with self.assertRaisesMessage(ValidationError, "只能编制本人所在"):
            workflow.report_prepare(
                actor=self.bob,
                region=self.regions["350881100000"],
                kind="progress",
                period=OCT,
            )
        with self.assertRaisesMessage(ValidationError, "新桥镇不需报送"):
            workflow.report_prepare(
                actor=self.alice, region=self.regions["350881100000"], kind="annex1", period=OCT
            )


class TownshipSubmissionTests(DutyCase):
    def test_a_township_submits_naming_its_leader_and_the_footer_is_filled(self):
        report = self.township_report()
        self.assertFalse(workflow.needs_sign_off(report))
        with self.assertRaisesMessage(ValidationError, "单位分管负责人"):
            self.submit(report, leader=" ")
        report = self.submit(report)
        self.assertEqual(report.status, "submitted")
        self.assertEqual(
            report.footer,
            {
                "填表人": "alice姓名",
                "联系电话": "0597-7512345",
                "单位分管负责人": "陈镇长",
                "填报时间": "2026年10月22日",
            },
        )
        from anju.reporting.reader import load

        cells = [str(v) for r in load(bytes(report.file)).rows for v in r if v]
        self.assertIn(f"突出问题处理情况说明：{NARRATIVE}", cells)
        self.assertTrue(any("单位分管负责人：陈镇长" in c for c in cells))

    def test_the_countys_housing_bureau_returns_it_and_the_township_resubmits(self):
        report = self.submit(self.township_report())
        # The city is not whom it went to; nor is a neighbouring township.
        with self.assertRaisesMessage(ValidationError, "只有漳平市住建局可以退回"):
            workflow.report_return(actor=self.cindy, report=report, reason="x")
        with self.assertRaises(PermissionDenied):
            workflow.report_return(actor=self.bob, report=report, reason="x")
        workflow.report_return(actor=self.rita, report=report, reason="东洋村鉴定延期未说明原因")
        with self.assertRaisesMessage(ValidationError, "只有新桥镇可以更正"):
            workflow.report_correct(actor=self.carol, report=report, reason="x")
        corrected = workflow.report_correct(actor=self.alice, report=report, reason="补充延期原因")
        self.assertEqual(corrected.narrative, NARRATIVE)
        self.submit(corrected)
        statuses = dict(Report.objects.values_list("version", "status"))
        self.assertEqual(statuses, {1: "superseded", 2: "submitted"})

    def test_the_county_reviewer_does_not_sign_a_townships_report(self):
        report = self.township_report()
        with self.assertRaisesMessage(ValidationError, "自行审签"):
            workflow.report_sign_off(actor=self.rita, report=report)

    def test_the_countys_board_lists_townships_and_units(self):
        self.submit(self.township_report())
        rows = {r.name: r for r in board(self.regions[COUNTY], "progress", OCT, date(2026, 11, 1))}
        self.assertEqual(list(rows), ["新桥镇", "双洋镇", "漳平市民政局", "漳平市财政局"])
        self.assertEqual(rows["新桥镇"].state, "按时报送")
        self.assertEqual(rows["漳平市民政局"].state, "未报（已逾期）")


class UnitReportTests(DutyCase):
    def test_a_responsible_unit_reports_the_clues_it_answered(self):
        clue, _ = register(self.carol, received_on=date(2026, 10, 5))
        clue = Clue.objects.get(pk=clue.pk)
        with time_machine.travel(datetime(2026, 10, 12, 10, tzinfo=SH)):
            transfer = ledger.transfer_send(
                actor=self.carol, clue=clue, version=clue.version, receiver=self.civil, note="核实"
            )
            ledger.transfer_report_back(actor=self.mina, transfer=transfer, report="已停发低保")
        report = workflow.report_prepare(
            actor=self.mina,
            region=self.regions[COUNTY],
            unit=self.civil,
            kind="progress",
            period=OCT,
            narrative="核实低保对象1户，已停发。",
        )
        self.assertEqual(report.reporter_name, "漳平市民政局")
        self.assertEqual(report.values["rows"], [["漳平市民政局", 1, 1]])
        self.assertEqual(report.values["handled"][0][2], "已停发低保")
        # Only the unit's own users prepare or see it.
        with self.assertRaisesMessage(ValidationError, "只能编制本单位"):
            workflow.report_prepare(
                actor=self.fiona,
                region=self.regions[COUNTY],
                unit=self.civil,
                kind="progress",
                period=OCT,
            )
        self.assertEqual(list(reports_visible_to(self.fiona)), [])
        self.assertEqual(list(reports_visible_to(self.mina)), [report])
        # The lead unit and the discipline commission owe none.
        with self.assertRaisesMessage(ValidationError, "不需报送"):
            workflow.report_prepare(
                actor=self.carol,
                region=self.regions[COUNTY],
                unit=self.housing,
                kind="progress",
                period=OCT,
            )


class SettingDutiesTests(DutyCase):
    def test_the_county_asks_its_townships_only(self):
        report_duty_set(
            actor=self.rita,
            region=self.regions[COUNTY],
            kind="progress",
            reporters="townships",
            recipient="漳平市住建局村镇站",
        )
        names = [r.name for r in reporters_of("progress", self.regions[COUNTY])]
        self.assertEqual(names, ["新桥镇", "双洋镇"])
        self.assertEqual(self.township_report().recipient, "漳平市住建局村镇站")

    def test_the_city_asks_its_districts_for_the_progress_report(self):
        report_duty_set(
            actor=self.cindy,
            region=self.regions["350800000000"],
            kind="progress",
            reporters="districts",
            recipient="市住建局",
        )
        names = [r.name for r in reporters_of("progress", self.regions["350800000000"])]
        self.assertEqual(names, ["新罗区", "漳平市"])
        report = workflow.report_prepare(
            actor=self.carol, region=self.regions[COUNTY], kind="progress", period=OCT
        )
        self.assertEqual(report.recipient, "市住建局")
        self.assertTrue(workflow.needs_sign_off(report))

    def test_a_countys_duty_binds_its_townships_not_the_county_towards_the_city(self):
        report_duty_set(
            actor=self.rita,
            region=self.regions[COUNTY],
            kind="annex1",
            reporters="townships",
            recipient="漳平市住建局",
        )
        city = reporters_of("annex1", self.regions["350800000000"])
        self.assertEqual(
            [(r.name, r.receiving) for r in city],
            [
                ("新罗区", "350800000000"),
                ("漳平市", "350800000000"),
                ("新桥镇", COUNTY),
                ("双洋镇", COUNTY),
            ],
        )
        report = workflow.report_prepare(
            actor=self.carol, region=self.regions[COUNTY], kind="annex1", period=OCT
        )
        self.assertEqual(report.recipient, "市里")
        self.login(self.rita)
        page = self.client.get(reverse("reporting:duties"))
        self.assertContains(page, "本级设置")

    def test_who_may_set_a_duty(self):
        with self.assertRaises(PermissionDenied):
            report_duty_set(
                actor=self.alice,
                region=self.regions[COUNTY],
                kind="progress",
                reporters="townships",
                recipient="x",
            )
        with self.assertRaisesMessage(ValidationError, "只能设置本人所辖区划"):
            report_duty_set(
                actor=self.rita,
                region=self.regions["350802000000"],
                kind="progress",
                reporters="townships",
                recipient="x",
            )
        with self.assertRaisesMessage(ValidationError, "区县设置的报送要求只能由乡镇"):
            report_duty_set(
                actor=self.rita,
                region=self.regions[COUNTY],
                kind="annex1",
                reporters="districts",
                recipient="x",
            )
        self.assertFalse(ReportDuty.objects.exists())


class DutyPageTests(DutyCase):
    def test_the_county_reviewer_sets_a_duty_on_the_page(self):
        self.login(self.rita)
        page = self.client.get(reverse("reporting:duties"))
        self.assertContains(page, "各乡镇（街道）和各责任单位")
        self.assertContains(page, "新桥镇、双洋镇、漳平市民政局、漳平市财政局")
        response = self.client.post(
            reverse("reporting:duties"),
            {"kind": "progress", "reporters": "townships", "recipient": "漳平市住建局"},
        )
        self.assertRedirects(response, reverse("reporting:duties"))
        self.assertEqual(ReportDuty.objects.get().reporters, "townships")

    def test_a_township_clerk_reads_but_does_not_set(self):
        self.login(self.alice)
        page = self.client.get(reverse("reporting:duties"))
        self.assertContains(page, "漳平市住建局")
        self.assertNotContains(page, "设置本级的报送要求")
        self.client.post(
            reverse("reporting:duties"),
            {"kind": "progress", "reporters": "townships", "recipient": "x"},
        )
        self.assertFalse(ReportDuty.objects.exists())

    def test_a_blank_recipient_names_the_field(self):
        self.login(self.rita)
        page = self.client.post(
            reverse("reporting:duties"),
            {"kind": "progress", "reporters": "townships", "recipient": " "},
        )
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "报送对象", status_code=400)

    def test_the_township_prepares_and_submits_on_the_pages(self):
        self.login(self.alice)
        page = self.client.get(reverse("reporting:reports"))
        self.assertContains(page, "突出问题处理情况")
        import re

        offered = re.search(r'<select name="kind" id="id_kind">(.*?)</select>', page.text, re.S)
        self.assertIn('value="progress"', offered.group(1))
        self.assertNotIn('value="annex1"', offered.group(1))
        response = self.client.post(
            reverse("reporting:prepare"),
            {
                "region_code": "350881100000",
                "kind": "progress",
                "month": "2026-10",
                "narrative": NARRATIVE,
            },
        )
        report = Report.objects.get()
        self.assertRedirects(response, reverse("reporting:report", args=[report.pk]))
        page = self.client.get(reverse("reporting:report", args=[report.pk]))
        self.assertContains(page, "报送漳平市住建局…")
        self.assertNotContains(page, "审核…")
        self.assertContains(page, NARRATIVE)
        page = self.client.get(reverse("reporting:submit", args=[report.pk]))
        self.assertContains(page, "单位分管负责人")
        response = self.client.post(
            reverse("reporting:submit", args=[report.pk]),
            {"phone": "0597-7512345", "leader": ""},
        )
        self.assertContains(response, "请填写本单位分管负责人的姓名")
        self.client.post(
            reverse("reporting:submit", args=[report.pk]),
            {"phone": "0597-7512345", "leader": "陈镇长"},
        )
        report.refresh_from_db()
        self.assertEqual(report.status, "submitted")


class ProgressDocumentTests(DutyCase):
    def test_it_is_an_a4_official_document_with_title_number_and_narrative(self):
        report = self.submit(self.township_report())
        self.login(self.rita)
        response = self.client.get(
            reverse("reporting:document", args=[report.pk]), {"number": "新政〔2026〕12号"}
        )
        self.assertEqual(response.status_code, 200)
        doc = Document(io.BytesIO(response.content))
        section = doc.sections[0]
        mm = [
            round(v.mm)
            for v in (
                section.page_width,
                section.page_height,
                section.top_margin,
                section.bottom_margin,
                section.left_margin,
                section.right_margin,
            )
        ]
        self.assertEqual(mm, [210, 297, 37, 35, 28, 26])
        text = [p.text for p in doc.paragraphs]
        self.assertIn("新政〔2026〕12号", text)
        self.assertIn("新桥镇2026年10月贫困户住房安全专项整治工作进展情况", text)
        self.assertIn("二、突出问题处理情况", text)
        self.assertIn(NARRATIVE, text)
        self.assertIn("2026年10月22日", text)
        footer = section.footer.paragraphs[0]._p.xml
        self.assertIn("PAGE", footer)
        self.assertEqual(doc.tables[0].rows[0].cells[0].text, "村（社区）")

    def test_a_user_of_another_region_gets_404_and_annexes_have_no_document(self):
        report = self.submit(self.township_report())
        self.login(self.bob)
        response = self.client.get(reverse("reporting:document", args=[report.pk]))
        self.assertEqual(response.status_code, 404)
        self.login(self.xavier)
        response = self.client.get(reverse("reporting:document", args=[report.pk]))
        self.assertEqual(response.status_code, 404)


class WorkbenchTests(DutyCase):
    def test_the_unit_and_the_township_are_told_their_report_is_due(self):
        from django.test import override_settings

        from anju.workbench.items import collect

        with (
            override_settings(ANJU_REPORTING_SINCE="2026-10"),
            time_machine.travel(datetime(2026, 10, 21, 9, tzinfo=SH)),
        ):
            unit = [i.title for i in collect(self.mina)]
            township = [i.title for i in collect(self.alice)]
            county = [i.title for i in collect(self.rita)]
            self.submit(self.township_report())
            after = [i.title for i in collect(self.alice)]
        self.assertIn("月度整治工作进展（2026年10月）尚未报送", unit)
        self.assertIn("月度整治工作进展（2026年10月）尚未报送", township)
        self.assertTrue(
            any("新桥镇、双洋镇、漳平市民政局、漳平市财政局未报" in t for t in county), county
        )
        self.assertFalse(any("月度整治工作进展" in t for t in after), after)
