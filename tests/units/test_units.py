"""Issue 30: the departments as units. Transfers addressed to a unit are signed for and
answered by that unit's users alone; a department's user sees nothing of the region but what is
its unit's; each unit keeps its own directory entry; the units' quarterly clue reports (entered,
or read from a filled-in table the way people fill it) are consolidated into the lead unit's
quarterly clue report to the discipline commission."""

import io
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import xlsxwriter
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from anju.accounts.models import Unit
from anju.accounts.roles import Role
from anju.oversight import services
from anju.oversight.access import access_transfer, clues_visible_to, transfers_visible_to
from anju.oversight.models import Clue
from anju.regions.models import Region
from anju.reporting import unit_reports, workflow
from anju.reporting.deadlines import unit_report_due
from anju.reporting.models import UnitClueReport
from tests.base import AnjuTestCase, make_user
from tests.oversight.helpers import register

COUNTY = "350881000000"
Q3 = date(2026, 7, 1)
FIGURES = {"found": 4, "transferred": 2, "received": 1, "closed": 1, "accountable": 0}


class UnitCase(AnjuTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.housing = Unit.objects.create(
            name="漳平市住建局", kind="housing", region_id=COUNTY, is_lead=True
        )
        cls.civil = Unit.objects.create(name="漳平市民政局", kind="civil_affairs", region_id=COUNTY)
        cls.finance = Unit.objects.create(name="漳平市财政局", kind="finance", region_id=COUNTY)
        cls.jiwei = Unit.objects.create(name="漳平市纪委监委", kind="discipline", region_id=COUNTY)
        for user, unit in (
            (cls.carol, cls.housing),
            (cls.rita, cls.housing),
            (cls.dora, cls.jiwei),
        ):
            user.work_unit = unit
            user.save(update_fields=["work_unit"])
        cls.mina = make_user("mina", Role.DEPARTMENT, COUNTY, work_unit=cls.civil)
        cls.fiona = make_user("fiona", Role.DEPARTMENT, COUNTY, work_unit=cls.finance)

    def send(self, clue, receiver):
        clue = Clue.objects.get(pk=clue.pk)
        return services.transfer_send(
            actor=self.carol, clue=clue, version=clue.version, receiver=receiver, note="请核实"
        )


class TransferToUnitTests(UnitCase):
    def setUp(self):
        self.clue, _ = register(self.carol)
        self.other, _ = register(self.carol, summary="双洋镇东洋村改造验收走过场", names=("李四",))

    def test_only_the_receiving_units_users_sign_and_report_back(self):
        transfer = self.send(self.clue, self.civil)
        self.assertEqual(
            (transfer.to_unit, transfer.to_region_id, transfer.target),
            ("漳平市民政局", COUNTY, "department"),
        )
        # Working days: 15 of them from the day it was sent (weekends and holidays skipped).
        self.assertGreater((transfer.due_on - transfer.sent_on).days, 15)
        for outsider in (self.carol, self.rita, self.fiona, self.dora):
            with self.subTest(user=outsider.username):
                with self.assertRaises(ValidationError):
                    services.transfer_acknowledge(actor=outsider, transfer=transfer)
                with self.assertRaises(ValidationError):
                    services.transfer_report_back(actor=outsider, transfer=transfer, report="x")
        services.transfer_acknowledge(actor=self.mina, transfer=transfer)
        services.transfer_report_back(actor=self.mina, transfer=transfer, report="已取消低保资格")
        transfer.refresh_from_db()
        self.assertEqual(transfer.acknowledged_by, self.mina)
        self.assertEqual(transfer.reported_by, self.mina)
        # The sender sees each step in the clue's history.
        notes = list(self.clue.events.values_list("note", flat=True))
        self.assertTrue(any("漳平市民政局已签收" in n for n in notes), notes)
        self.assertTrue(any("已取消低保资格" in n for n in notes), notes)

    def test_a_departments_user_sees_only_what_is_sent_to_their_unit(self):
        transfer = self.send(self.clue, self.civil)
        self.assertEqual(list(clues_visible_to(self.mina)), [self.clue])
        self.assertEqual(list(clues_visible_to(self.fiona)), [])
        self.assertEqual(list(transfers_visible_to(self.mina)), [transfer])
        self.assertEqual(list(transfers_visible_to(self.carol)), [])
        self.login(self.fiona)
        for url in (
            reverse("oversight:clue", args=[self.clue.pk]),
            reverse("oversight:clue", args=[self.other.pk]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("oversight:transfer_ack", args=[transfer.pk])).status_code,
            404,
        )
        self.login(self.carol)  # the housing clerk: the region's, but not the unit's
        response = self.client.post(reverse("oversight:transfer_ack", args=[transfer.pk]))
        self.assertEqual(response.status_code, 404)
        with self.assertRaises(Http404):
            access_transfer(self.carol, transfer.pk)
        self.login(self.mina)
        self.assertEqual(
            self.client.get(reverse("oversight:clue", args=[self.clue.pk])).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("oversight:clue", args=[self.other.pk])).status_code, 404
        )
        response = self.client.post(reverse("oversight:transfer_ack", args=[transfer.pk]))
        self.assertEqual(response.status_code, 302)

    def test_a_discipline_unit_receives_as_the_discipline_office(self):
        transfer = self.send(self.clue, self.jiwei)
        self.assertEqual(transfer.target, "discipline")
        with self.assertRaises(ValidationError):
            services.transfer_acknowledge(actor=self.carol, transfer=transfer)
        services.transfer_acknowledge(actor=self.dora, transfer=transfer)

    def test_a_unit_cannot_transfer_to_itself(self):
        with self.assertRaises(ValidationError):
            self.send(self.clue, self.housing)

    def test_the_board_shows_what_each_unit_holds_and_what_is_overdue(self):
        late = self.send(self.clue, self.civil)
        self.send(self.other, self.civil)
        late.due_on = date(2026, 1, 5)
        late.save(update_fields=["due_on"])
        self.login(self.carol)
        response = self.client.get(reverse("oversight:transfers"))
        board = {row["receiver__name"]: row for row in response.context["board"]}
        self.assertEqual(board["漳平市民政局"]["held"], 2)
        self.assertEqual(board["漳平市民政局"]["overdue"], 1)
        self.assertEqual(board["漳平市民政局"]["unsigned"], 2)
        self.login(self.mina)  # a department's user has no board of the others
        self.assertEqual(self.client.get(reverse("oversight:transfers")).context["board"], [])

    def test_the_form_needs_a_unit_or_an_outside_receiver(self):
        self.login(self.carol)
        url = reverse("oversight:transfer_send", args=[self.clue.pk])
        response = self.client.post(
            url, {"version": self.clue.version, "target": "department"}, follow=True
        )
        self.assertContains(response, "请选择系统内接收单位")
        self.assertFalse(self.clue.transfers.exists())
        self.client.post(
            url, {"version": self.clue.version, "target": "department", "receiver": self.civil.pk}
        )
        self.assertEqual(self.clue.transfers.get().receiver, self.civil)


class DirectoryTests(UnitCase):
    def test_each_unit_keeps_its_own_entry(self):
        self.login(self.mina)
        url = reverse("units:edit", args=[self.civil.pk])
        response = self.client.post(url, {"leader": "罗民安", "phone": "0597-7532303"})
        self.assertEqual(response.status_code, 302)
        self.civil.refresh_from_db()
        self.assertEqual((self.civil.leader, self.civil.updated_by), ("罗民安", self.mina))
        # Another unit's entry: 404, whoever asks (the lead unit's clerk included).
        for user in (self.mina, self.carol):
            self.login(user)
            other = reverse("units:edit", args=[self.finance.pk])
            self.assertEqual(self.client.post(other, {"leader": "冒名"}).status_code, 404)
        self.finance.refresh_from_db()
        self.assertEqual(self.finance.leader, "")
        page = self.client.get(reverse("units:directory"))
        self.assertContains(page, "罗民安")
        self.assertContains(page, "牵头单位")

    def test_a_wrong_email_names_the_field_and_keeps_what_was_typed(self):
        self.login(self.mina)
        response = self.client.post(
            reverse("units:edit", args=[self.civil.pk]), {"leader": "罗民安", "email": "不是邮箱"}
        )
        self.assertContains(response, "电子邮箱")
        self.assertContains(response, "罗民安")
        self.assertContains(response, "不是邮箱")

    def test_a_township_clerk_sees_none_of_the_countys_units(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("units:directory")).status_code, 403)
        self.login(self.xavier)  # another county
        self.assertNotContains(self.client.get(reverse("units:directory")), "漳平市民政局")


class UnitAdministrationTests(UnitCase):
    def test_the_security_administrator_registers_units_and_assigns_users(self):
        self.login(self.sue)
        response = self.client.post(
            reverse("units:new"),
            {"name": "漳平市残联", "kind": "disabled", "region_code": COUNTY, "duty": "残疾人"},
        )
        self.assertEqual(response.status_code, 302)
        disabled = Unit.objects.get(name="漳平市残联")
        again = self.client.post(
            reverse("units:new"), {"name": "漳平市残联", "kind": "disabled", "region_code": COUNTY}
        )
        self.assertContains(again, "单位名称：漳平市已有“漳平市残联”。", status_code=400)
        self.assertContains(again, 'value="漳平市残联"', status_code=400)  # what was typed stays
        pete = self.pete
        url = reverse("accounts:user_roles", args=[pete.pk])
        # A department's user without a unit is refused, naming the field.
        response = self.client.post(url, {"region_code": COUNTY, "roles": ["department"]})
        self.assertContains(response, "所属单位：部门经办员须归属一个单位。", status_code=400)
        stamp = pete.session_stamp
        self.client.post(
            url, {"region_code": COUNTY, "roles": ["department"], "work_unit": disabled.pk}
        )
        pete.refresh_from_db()
        self.assertEqual(pete.work_unit, disabled)
        self.assertNotEqual(pete.session_stamp, stamp)  # access changed: sessions end
        # A unit of another region than the user's is refused.
        xinluo = Unit.objects.create(
            name="新罗区民政局", kind="civil_affairs", region_id="350802000000"
        )
        response = self.client.post(
            url, {"region_code": COUNTY, "roles": ["department"], "work_unit": xinluo.pk}
        )
        self.assertEqual(response.status_code, 400)
        pete.refresh_from_db()
        self.assertEqual(pete.work_unit, disabled)

    def test_only_the_security_administrator_registers_units(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("units:new"), {"name": "假单位", "kind": "finance", "region_code": COUNTY}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Unit.objects.filter(name="假单位").exists())


def filled_table(rows) -> bytes:
    """A table as a department fills it: a title row merged across, a blank row, labels in
    column A with the numbers two columns to their right, sometimes with 条 or full-width
    digits, a blank where there is nothing to report."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("季度报送")
    sheet.merge_range("A1:C1", "漳平市民政局2026年第3季度农村住房安全专项问题线索情况")
    for i, (label, value) in enumerate(rows, start=2):
        sheet.write(i, 0, label)
        if value is not None:
            sheet.write(i, 2, value)
    book.close()
    return out.getvalue()


class UnitReportTests(UnitCase):
    def test_the_due_date_is_the_fifth_working_day_after_the_quarter(self):
        # Q3 2026 ends on Wednesday 30 September; 1-7 October are the National Day holidays
        # and Saturday 10 October is a make-up working day (chinese-calendar).
        self.assertEqual(unit_report_due(Q3), date(2026, 10, 13))
        self.assertEqual(unit_report_due(date(2026, 4, 1)), date(2026, 7, 7))

    def test_a_filled_in_table_is_read_the_way_people_fill_it(self):
        data = filled_table(
            [
                ("本季度发现问题线索", "４条"),
                ("收到移送的问题线索（条）", 1),
                ("移送住建部门或纪检监察机关", "2"),
                ("已办结", " 1 "),
                ("问责处理（人）", None),
                ("情况说明", "均已核实"),
            ]
        )
        read = unit_reports.read_table(data)
        self.assertEqual(read.problems, ["问责处理（人）：没有填写数字（没有请填 0）。"])
        self.assertEqual(read.figures, {"found": 4, "received": 1, "transferred": 2, "closed": 1})
        self.assertEqual(read.remarks, "均已核实")
        bad = unit_reports.read_table(filled_table([("本季度发现问题线索", "四条")]))
        self.assertIn("本季度发现问题线索（条）：“四条”不是非负整数。", bad.problems)
        self.assertIn("已办结（条）：表格中没有找到这一项。", bad.problems)

    def test_a_unit_files_by_hand_or_by_table_and_refiles(self):
        self.login(self.mina)
        url = reverse("reporting:unit_report_file")
        response = self.client.post(url, {"q": "2026-3", **FIGURES, "found": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "本季度发现问题线索（条）：请填写 0 或正整数。", status_code=400
        )
        self.assertContains(response, 'value="2"', status_code=400)  # what was typed stays
        self.client.post(url, {"q": "2026-3", **FIGURES})
        report = UnitClueReport.objects.get()
        self.assertEqual((report.unit, report.found, report.source), (self.civil, 4, "entered"))
        data = filled_table(
            [
                ("本季度发现问题线索", 5),
                ("收到移送的问题线索", 1),
                ("移送住建部门或纪检监察机关", 3),
                ("已办结", 2),
                ("问责处理（人）", "0"),
            ]
        )
        upload = io.BytesIO(data)
        upload.name = "民政局三季度.xlsx"
        self.client.post(url, {"q": "2026-3", "file": upload})
        report.refresh_from_db()
        self.assertEqual((report.found, report.transferred, report.source), (5, 3, "imported"))
        self.assertEqual(UnitClueReport.objects.count(), 1)

    def test_a_future_quarter_and_a_user_without_a_unit_are_refused(self):
        with self.assertRaises(ValidationError):
            unit_reports.unit_report_file(
                actor=self.mina, quarter=date(2099, 1, 1), figures=FIGURES
            )
        lost = make_user("lost", Role.DEPARTMENT, COUNTY)
        with self.assertRaises(ValidationError):
            unit_reports.unit_report_file(actor=lost, quarter=Q3, figures=FIGURES)

    def test_each_unit_sees_its_own_and_the_lead_unit_sees_all(self):
        unit_reports.unit_report_file(actor=self.mina, quarter=Q3, figures=FIGURES)
        finance = unit_reports.unit_report_file(
            actor=self.fiona, quarter=Q3, figures={**FIGURES, "found": 7}
        )
        self.login(self.mina)
        url = reverse("reporting:unit_report", args=[finance.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.carol)
        self.assertEqual(self.client.get(url).status_code, 200)
        page = self.client.get(reverse("reporting:unit_reports"), {"q": "2026-3"})
        self.assertEqual(page.context["filed_count"], 2)
        self.assertEqual(page.context["totals"]["found"], 11)

    def test_the_lead_unit_consolidates_them_into_its_quarterly_report(self):
        filed_at = datetime(2026, 10, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
        with mock.patch.object(timezone, "now", return_value=filed_at):
            unit_reports.unit_report_file(actor=self.mina, quarter=Q3, figures=FIGURES)
        county = Region.objects.get(code=COUNTY)
        report = workflow.report_prepare(
            actor=self.carol, region=county, kind="clue_quarterly", period=Q3
        )
        departments = report.values["departments"]
        self.assertEqual([d["unit"] for d in departments], ["漳平市民政局"])
        self.assertEqual(departments[0]["found"], 4)
        self.assertTrue(departments[0]["late"])  # filed after 13 October
        # The discipline commission receives the report; it files none with the lead unit.
        self.assertEqual(report.values["departments_missing"], ["漳平市财政局"])
        summary = dict(report.values["summary"])
        self.assertEqual(summary["各参与单位合计·本季度发现问题线索（条）"], 4)
        self.assertEqual(summary["未报送参与单位（个）"], 1)
        self.login(self.carol)
        page = self.client.get(reverse("reporting:report", args=[report.pk]))
        self.assertContains(page, "各参与单位报送情况（汇总）")
        self.assertContains(page, "逾期报送")


class DepartmentClueTests(UnitCase):
    """线索双向移送, the departments' way: a department's user passes a clue it found to
    housing; it lands in the county's ledger, registered, 来源 部门移送."""

    FORM = {
        "region_code": "350881100203",
        "place": "新桥镇西埔村",
        "category": "targeting",
        "summary": "民政核查发现西埔村黄某某家庭已购商品房，仍在危房改造名单中",
        "funds": "0",
        "person1_name": "黄某某",
        "person1_level": "other",
        "links": "",
    }

    def post(self, user, **changes):
        self.login(user)
        data = {**self.FORM, "received_on": f"{timezone.localdate():%Y-%m-%d}", **changes}
        return self.client.post(reverse("oversight:clue_send"), data)

    def test_a_departments_clue_lands_in_the_countys_ledger(self):
        response = self.post(self.mina)
        clue = Clue.objects.get()
        self.assertRedirects(response, reverse("oversight:clue", args=[clue.pk]))
        self.assertEqual((clue.source_channel, clue.status), ("department", "registered"))
        self.assertEqual(clue.region_id, "350881100203")
        self.assertEqual(clue.registered_by, self.mina)
        self.assertIn("部门移送（漳平市民政局）", clue.events.get().note)
        # The county's clerks find it in their ledger, as does the township's.
        self.assertIn(clue, clues_visible_to(self.carol))
        self.assertIn(clue, clues_visible_to(self.alice))
        # The sender follows it; another department does not see it.
        self.assertIn(clue, clues_visible_to(self.mina))
        self.assertNotIn(clue, clues_visible_to(self.fiona))
        self.login(self.mina)
        self.assertContains(self.client.get(reverse("oversight:clue", args=[clue.pk])), "部门移送")
        self.login(self.fiona)
        page = self.client.get(reverse("oversight:clue", args=[clue.pk]))
        self.assertEqual(page.status_code, 404)

    def test_a_likely_duplicate_is_still_sent_for_the_county_to_merge(self):
        register(self.carol, summary=self.FORM["summary"], names=("黄某某",))
        self.post(self.mina)
        self.assertEqual(Clue.objects.filter(source_channel="department").count(), 1)

    def test_only_a_departments_user_with_a_unit_sends_and_only_within_their_region(self):
        self.assertEqual(self.post(self.carol).status_code, 403)  # housing registers its own
        self.assertEqual(self.post(self.pete).status_code, 403)
        lost = make_user("lost", Role.DEPARTMENT, COUNTY)
        self.assertContains(self.post(lost), "尚未归属任何单位", status_code=200)
        self.assertFalse(Clue.objects.exists())
        outside = self.post(self.mina, region_code="350802001000")
        self.assertEqual(outside.status_code, 200)
        self.assertFalse(Clue.objects.exists())

    def test_the_form_names_a_missing_field_and_keeps_what_was_typed(self):
        response = self.post(self.mina, summary="")
        self.assertContains(response, "未移送")
        self.assertContains(response, "新桥镇西埔村")
        self.assertFalse(Clue.objects.exists())
