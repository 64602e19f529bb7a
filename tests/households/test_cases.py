"""Issue #24 items 2, 3 and 6: a dangerous house starts a renovation case; renovations opened
and advanced in the UI (also from a visit's finding, in one step); relocation (造福工程) with its
own steps; NOT_RENOVATED."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.households import cases
from anju.households.imports import import_households
from anju.households.models import (
    CaseKind,
    CaseSource,
    CategoryRecord,
    FollowUpVisit,
    House,
    Household,
    Person,
    RenovationCase,
)
from anju.households.services import assessment_add
from tests.base import AnjuTestCase
from tests.crosscheck.helpers import found
from tests.households.files import rid, row, xlsx

SH = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 6, 1, 10, tzinfo=SH)


def household(n: int, *, category="registered_poor", village="350881100203") -> Household:
    made = Household.objects.create(region_id=village, head_name=f"户主{n}", head_id=rid(n))
    Person.objects.create(household=made, name=made.head_name, id_number=rid(n))
    House.objects.create(household=made, structure="earth_timber")
    if category:
        CategoryRecord.objects.create(household=made, category=category, department="扶贫办")
    return made


@time_machine.travel(TODAY, tick=False)
class CaseOpeningTests(AnjuTestCase):
    def assess(self, h: Household, grade: str, on=date(2026, 5, 20)):
        return assessment_add(
            actor=self.alice,
            house=h.houses.get(),
            grade=grade,
            assessed_on=on,
            assessor="漳平市房屋安全鉴定站",
            method="现场查勘",
        )

    def test_grade_c_and_d_open_a_case_with_the_method_from_the_grade(self):
        c, d = household(1), household(2)
        self.assess(c, "C")
        self.assess(d, "D")
        case_c, case_d = c.cases.get(), d.cases.get()
        self.assertEqual((case_c.method, case_d.method), ("repair", "rebuild"))
        self.assertEqual(case_c.source, CaseSource.ASSESSMENT)
        self.assertEqual(case_c.start_by, date(2026, 6, 19))  # 30 days after the assessment
        self.assertEqual(case_c.deadline, date(2026, 11, 16))  # 180 days

    def test_grade_a_b_and_households_in_no_category_open_nothing(self):
        a, b, other = household(3), household(4), household(5, category="")
        self.assess(a, "A")
        self.assess(b, "B")
        self.assess(other, "D")
        self.assertFalse(RenovationCase.objects.exists())

    def test_a_second_dangerous_assessment_opens_no_second_case(self):
        h = household(6)
        self.assess(h, "C")
        self.assess(h, "D", on=date(2026, 5, 25))
        self.assertEqual(h.cases.count(), 1)

    def test_the_case_is_on_the_township_list_and_the_household_page(self):
        h = household(7)
        self.assess(h, "D")
        self.login(self.alice)
        page = self.client.get(reverse("households:cases")).content.decode()
        self.assertIn("户主7", page)
        self.assertIn("拆除重建", page)
        page = self.client.get(reverse("households:household", args=[h.pk])).content.decode()
        self.assertIn("待开启改造", page)
        self.login(self.bob)  # the neighbouring township sees none of it
        page = self.client.get(reverse("households:cases")).content.decode()
        self.assertNotIn("户主7", page)


def archive_row(n: int, **over) -> list:
    """An archive row of a household assessed but not renovated (every renovation column
    blank), unless `over` fills them."""
    blank = dict.fromkeys(
        [
            "审批日期",
            "改造方式",
            "改造年度",
            "开工日期",
            "竣工日期",
            "验收日期",
            "改造后建筑面积",
            "有无卫生厕所",
            "补助金额(元)",
        ],
        "",
    )
    return row(n, **{"鉴定日期": "2026-05-10", **blank, **over})


@time_machine.travel(TODAY, tick=False)
class CasesFromTheArchiveImportTests(AnjuTestCase):
    """Grades C and D that arrive through the archive import open cases as the form does."""

    def test_c_and_d_open_cases_and_the_rest_open_none(self):
        result = import_households(
            actor="test",
            data=xlsx(
                [
                    archive_row(1, **{"危险等级": "C"}),
                    archive_row(2, **{"危险等级": "D"}),
                    archive_row(3, **{"危险等级": "B"}),
                    archive_row(4, **{"危险等级": "D", "农户类别": ""}),  # in no category
                    row(5, **{"危险等级": "D"}),  # assessed, then rebuilt and accepted
                    # Being rebuilt (not yet accepted): the renovation answers it.
                    row(7, **{"危险等级": "D", "验收日期": "", "改造年度": 2026}),
                    archive_row(8, **{"危险等级": "D", "鉴定日期": ""}),  # no date: today's
                ]
            ),
            file_name="档案.xlsx",
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.cases_opened, 3)
        opened = {
            c.household.head_id: c
            for c in RenovationCase.objects.select_related("household", "assessment")
        }
        self.assertEqual(sorted(opened), [rid(1), rid(2), rid(8)])
        c, d = opened[rid(1)], opened[rid(2)]
        self.assertEqual((c.method, d.method), ("repair", "rebuild"))
        self.assertEqual((c.grade, c.source, c.kind), ("C", "assessment", "renovation"))
        self.assertEqual(c.assessment.grade, "C")
        self.assertEqual(c.opened_on, date(2026, 6, 1))
        self.assertEqual(c.start_by, date(2026, 6, 9))  # 30 days after 10 May
        self.assertEqual(c.deadline, date(2026, 11, 6))  # 180 days
        self.assertEqual(opened[rid(8)].start_by, date(2026, 7, 1))
        entry = AuditEntry.objects.get(changes__note="档案导入的C/D级鉴定开启危房整改事项 3 项")
        self.assertEqual(entry.changes["after"]["cases"], 3)
        # On the township's list, as from the form.
        self.login(self.alice)
        page = self.client.get(reverse("households:cases")).content.decode()
        self.assertIn("农户2", page)

    def test_a_reimport_or_a_later_archive_opens_nothing_twice(self):
        data = xlsx([archive_row(1, **{"危险等级": "D"})])
        for _ in range(2):
            self.assertTrue(import_households(actor="test", data=data, file_name="a.xlsx").ok)
        self.assertEqual(RenovationCase.objects.count(), 1)
        # A case opened on the form already: the import adds none.
        case = RenovationCase.objects.get()
        case.closed_on = date(2026, 5, 30)  # e.g. relocated: closed after the assessment
        case.save()
        later = xlsx([archive_row(1, **{"危险等级": "D", "鉴定日期": "2026-05-12"})])
        self.assertTrue(import_households(actor="test", data=later, file_name="b.xlsx").ok)
        self.assertEqual(RenovationCase.objects.count(), 1)
        # A new dangerous assessment after the case closed opens a new one.
        again = xlsx([archive_row(1, **{"危险等级": "C", "鉴定日期": "2026-05-31"})])
        self.assertTrue(import_households(actor="test", data=again, file_name="c.xlsx").ok)
        self.assertEqual(RenovationCase.objects.filter(closed_on__isnull=True).count(), 1)


@time_machine.travel(TODAY, tick=False)
class RenovationInTheUITests(AnjuTestCase):
    def setUp(self):
        self.h = household(10)
        assessment_add(
            actor=self.alice,
            house=self.h.houses.get(),
            grade="D",
            assessed_on=date(2026, 5, 1),
            assessor="鉴定站",
            method="",
        )

    def open_renovation(self, user=None, **over):
        self.login(user or self.alice)
        data = {
            "year": 2026,
            "method": "rebuild",
            "applied_on": "2026-05-05",
            "subsidy_central_fen": "20000",
            "subsidy_province_fen": "10000",
            "subsidy_city_fen": "5000",
            "subsidy_county_fen": "5000.50",
            **over,
        }
        return self.client.post(
            reverse("households:renovation_open", args=[self.h.pk]), data, follow=True
        )

    def step(self, step, on, **extra):
        renovation = self.h.renovations.get()
        return self.client.post(
            reverse("households:renovation_step", args=[renovation.pk]),
            {"step": step, "on": on, **extra},
            follow=True,
        )

    def test_open_with_the_subsidy_by_level_and_walk_every_step_to_payment(self):
        page = self.open_renovation().content.decode()
        self.assertIn("已开启2026年度改造", page)
        renovation = self.h.renovations.get()
        self.assertEqual(renovation.subsidy_fen, 4_000_050)
        self.assertEqual(renovation.subsidy_county_fen, 500_050)
        self.assertEqual(renovation.applied_on, date(2026, 5, 5))
        case = self.h.cases.get()
        self.assertEqual(case.renovation, renovation)
        for step, on in [
            ("village_reviewed_on", "2026-05-06"),
            ("notice_start", "2026-05-07"),
            ("notice_end", "2026-05-14"),
            ("township_reviewed_on", "2026-05-15"),
        ]:
            self.assertIn("已记录", self.step(step, on).content.decode())
        # The township cannot approve: the county does.
        self.assertIn("县级审批由区县办理", self.step("approved_on", "2026-05-18").content.decode())
        self.login(self.carol)
        self.step("approved_on", "2026-05-18")
        self.login(self.alice)
        for step, on in [("started_on", "2026-05-20"), ("completed_on", "2026-05-28")]:
            self.step(step, on)
        page = self.client.get(reverse("households:household", args=[self.h.pk])).content
        self.assertIn("新房结构（验收时）", page.decode())  # a rebuild asks for it
        self.step(
            "accepted_on",
            "2026-05-30",
            inspector="郑工",
            safe="on",
            quality="on",
            new_structure="brick_timber",
        )
        case.refresh_from_db()
        self.assertEqual(case.closed_on, date(2026, 5, 30))
        # The family now lives in the new house, as recorded on acceptance.
        self.assertEqual(
            sorted(self.h.houses.values_list("is_new", "structure", "lived_in", "build_year")),
            [(False, "earth_timber", False, None), (True, "brick_timber", True, 2026)],
        )
        self.client.post(
            reverse("households:payment_add", args=[renovation.pk]),
            {
                "paid_on": "2026-05-31",
                "amount": "40000.50",
                "account_number": "6217000011112222",
                "account_holder": "户主10",
            },
        )
        self.assertEqual(renovation.payments.get().amount_fen, 4_000_050)

    def test_steps_out_of_order_are_refused_in_chinese(self):
        self.open_renovation()
        page = self.step("notice_start", "2026-05-06").content.decode()
        self.assertIn("「村级评议」之前不能「公示开始」", page)
        self.step("village_reviewed_on", "2026-05-06")
        self.step("notice_start", "2026-05-07")
        self.assertIn("公示期不少于 7 天", self.step("notice_end", "2026-05-10").content.decode())

    def test_a_bad_form_names_the_field(self):
        page = self.open_renovation(year="20", subsidy_city_fen="-5").content.decode()
        self.assertIn("改造年度", page)
        self.assertIn("市级补助（元）", page)
        self.assertFalse(self.h.renovations.exists())

    def test_the_same_year_twice_is_refused(self):
        self.open_renovation()
        page = self.open_renovation().content.decode()
        self.assertIn("该户 2026 年度已有改造记录", page)
        self.assertEqual(self.h.renovations.count(), 1)

    def test_a_pending_household_cannot_start_a_renovation(self):
        self.h.pending = True
        self.h.save(update_fields=["pending"])
        with self.assertRaisesMessage(ValidationError, "尚未完成建档"):
            cases.renovation_open(
                actor=self.alice,
                household=self.h,
                year=2026,
                method="rebuild",
                subsidies={},
                applied_on=date(2026, 5, 5),
            )

    def test_a_read_only_user_is_refused_and_another_region_gets_404(self):
        self.login(self.dora)  # discipline inspection: reads, never writes
        response = self.client.post(reverse("households:renovation_open", args=[self.h.pk]), {})
        self.assertEqual(response.status_code, 403)
        self.login(self.xavier)
        response = self.client.post(reverse("households:renovation_open", args=[self.h.pk]), {})
        self.assertEqual(response.status_code, 404)
        self.login(self.bob)
        response = self.client.post(reverse("households:renovation_open", args=[self.h.pk]), {})
        self.assertEqual(response.status_code, 404)


@time_machine.travel(TODAY, tick=False)
class FromAVisitTests(AnjuTestCase):
    def test_back_to_danger_opens_case_and_renovation_in_one_step(self):
        h = household(20)
        visit = FollowUpVisit.objects.create(
            household=h,
            visited_on=date(2026, 5, 28),
            findings=["back_to_danger"],
            visitor=self.alice,
        )
        self.login(self.alice)
        page = self.client.get(reverse("households:household", args=[h.pk])).content.decode()
        self.assertIn("由此次回访发现开启改造", page)
        self.client.post(
            reverse("households:renovation_from_visit", args=[h.pk, visit.pk]),
            {
                "year": 2026,
                "method": "repair",
                "applied_on": "2026-05-29",
                "subsidy_province_fen": "8000",
            },
        )
        case = h.cases.get()
        self.assertEqual((case.source, case.visit, case.method), ("visit", visit, "repair"))
        self.assertEqual(case.renovation.subsidy_fen, 800_000)

    def test_a_visit_without_such_a_finding_opens_nothing(self):
        h = household(21)
        visit = FollowUpVisit.objects.create(
            household=h, visited_on=date(2026, 5, 28), findings=["leaky"], visitor=self.alice
        )
        with self.assertRaisesMessage(ValidationError, "没有发现返危或仍住危房"):
            cases.renovation_from_visit(
                actor=self.alice,
                visit=visit,
                year=2026,
                method="repair",
                subsidies={},
                applied_on=date(2026, 5, 29),
            )
        self.assertFalse(h.cases.exists())


@time_machine.travel(TODAY, tick=False)
class RelocationTests(AnjuTestCase):
    def test_its_own_steps_in_order_close_the_case(self):
        h = household(30)
        self.login(self.alice)
        self.client.post(
            reverse("households:case_open", args=[h.pk]),
            {"kind": "relocation", "method": "rebuild", "note": "地质灾害点"},
        )
        case = h.cases.get()
        self.assertEqual((case.kind, case.method), (CaseKind.RELOCATION, "relocation"))
        url = reverse("households:relocation", args=[h.pk, case.pk])
        page = self.client.post(url, {"step": "relocated_on", "on": "2026-05-10"}, follow=True)
        self.assertIn("「动员签约」之前不能「搬迁入住」", page.content.decode())
        self.client.post(url, {"step": "eligible_on", "on": "2026-05-01"})
        self.client.post(url, {"step": "mobilised_on", "on": "2026-05-03"})
        page = self.client.post(url, {"step": "relocated_on", "on": "2026-05-20"}, follow=True)
        self.assertIn("须填写安置地点", page.content.decode())
        self.client.post(
            url, {"step": "relocated_on", "on": "2026-05-20", "destination": "新桥镇安置区"}
        )
        page = self.client.post(url, {"step": "old_house_on", "on": "2026-05-25"}, follow=True)
        self.assertIn("请选择旧房处置方式", page.content.decode())
        self.client.post(
            url, {"step": "old_house_on", "on": "2026-05-25", "old_house": "demolished"}
        )
        case.refresh_from_db()
        self.assertEqual((case.closed_on, case.destination), (date(2026, 5, 25), "新桥镇安置区"))


@time_machine.travel(TODAY, tick=False)
class NotRenovatedRuleTests(AnjuTestCase):
    def dangerous(self, n, days_ago, **kw):
        h = household(n, **kw)
        assessment_add(
            actor=self.alice,
            house=h.houses.get(),
            grade="D",
            assessed_on=date(2026, 6, 1) - timedelta(days=days_ago),
            assessor="鉴定站",
            method="",
        )
        return h

    def begin(self, household, applied_on):
        cases.renovation_open(
            actor=self.alice,
            household=household,
            year=2026,
            method="rebuild",
            subsidies={},
            applied_on=applied_on,
        )

    def test_it_finds_a_case_not_begun_within_the_window(self):
        late = self.dangerous(40, 45)
        self.dangerous(41, 10)  # still within 30 days
        self.begin(self.dangerous(42, 45), date(2026, 4, 25))
        self.dangerous(43, 45, category="")  # in no priority category
        hits = found("NOT_RENOVATED")
        self.assertEqual([f.household_id for f in hits], [late.pk])
        self.assertIn("超过30天", hits[0].evidence)

    def test_a_renovation_begun_after_the_window_clears_it(self):
        # Archives' first date is the approval, one to three months after the assessment: the
        # house is being renovated, and "未见改造记录" would be untrue.
        self.begin(self.dangerous(46, 90), date(2026, 5, 20))  # 80 days after the assessment
        left = self.dangerous(47, 90)
        self.assertEqual([f.household_id for f in found("NOT_RENOVATED")], [left.pk])

    def test_the_window_is_configurable(self):
        self.dangerous(44, 20)
        with self.settings(ANJU_CROSSCHECK={"not_renovated_days": 15}):
            self.assertEqual(len(found("NOT_RENOVATED")), 1)
        self.assertEqual(len(found("NOT_RENOVATED")), 0)

    def test_a_relocation_recognised_in_time_counts_as_begun(self):
        h = self.dangerous(45, 45)
        case = h.cases.get()
        case.kind, case.eligible_on = CaseKind.RELOCATION, date(2026, 4, 20)
        case.save()
        self.assertEqual(found("NOT_RENOVATED"), [])
