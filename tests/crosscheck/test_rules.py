"""Each rule: cases that must fire and near-misses that must not."""

from datetime import date, timedelta

import time_machine

from anju.households.models import FollowUpVisit, Household, Person, SafetyPlate
from tests.base import AnjuTestCase
from tests.crosscheck.helpers import archive, found, household, pay, reference, rid, row

TODAY = date(2026, 11, 22)
DEATH_HEADER = ["姓名", "公民身份号码", "死亡日期"]


def fifteen(number: str) -> str:
    """The old 15-digit form of an 18-digit ID born in the 1900s."""
    return number[:6] + number[8:17]


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class DeceasedTests(AnjuTestCase):
    def test_approved_after_death_fires_and_death_after_the_last_payment_does_not(self):
        archive(row(1), row(2), row(3))
        pay(2, 40000, "2019-10-20")
        pay(3, 40000, "2019-10-20")
        reference(
            "deaths",
            DEATH_HEADER,
            [
                ["农户1", rid(1), "2019-03-01"],  # before the approval on 2019-04-01
                ["农户2", fifteen(rid(2)), "2019年10月1日"],  # 15 digits; paid after death
                ["农户3", rid(3), "2020/1/1"],  # after the last payment: near miss
            ],
        )
        hits = found("DECEASED_BENEFICIARY")
        self.assertEqual(
            {(h.id_number, h.fingerprint.rsplit(":", 1)[1]) for h in hits},
            {(rid(1), "approved"), (rid(2), "paid")},
        )
        paid = next(h for h in hits if h.id_number == rid(2))
        self.assertEqual(
            paid.evidence, "户主农户2于2019年10月1日死亡，2019年10月20日仍拨付补助资金40,000元"
        )

    def test_a_death_recorded_in_the_registry_counts_too(self):
        archive(row(1))
        Person.objects.filter(id_number=rid(1)).update(deceased_on=date(2019, 1, 5))
        self.assertEqual([h.id_number for h in found("DECEASED_BENEFICIARY")], [rid(1)])


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class IneligibleTests(AnjuTestCase):
    def test_subsistence_ended_before_approval_fires_ended_after_does_not(self):
        archive(
            row(1, **{"农户类别": "低保"}),
            row(2, **{"农户类别": "低保"}),
        )
        reference(
            "subsistence",
            ["姓名", "身份证号", "起始日期", "终止日期"],
            [
                ["农户1", rid(1), "2015-01-01", "2019-01-01"],
                ["农户2", rid(2), "2015-01-01", "2019-06-01"],
            ],
        )
        self.assertEqual([h.id_number for h in found("INELIGIBLE")], [rid(1)])

    def test_without_lists_the_registry_categories_decide(self):
        archive(row(1, **{"农户类别": ""}), row(2, **{"农户类别": "五保"}))
        self.assertEqual([h.id_number for h in found("INELIGIBLE")], [rid(1)])

    def test_a_member_on_a_list_makes_the_household_eligible(self):
        archive(row(1, **{"农户类别": "低保"}))
        member = rid(41, year=1980)
        Person.objects.create(household=household(1), name="农户妻", id_number=member)
        reference("subsistence", ["姓名", "身份证号", "起始日期"], [["农户妻", member, "2018-1-1"]])
        self.assertEqual(found("INELIGIBLE"), [])


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class DuplicateTests(AnjuTestCase):
    def test_the_same_head_twice_and_a_member_of_two_households_fire(self):
        archive(
            row(1, **{"改造年度": 2014, "审批日期": "2014-04-01"}),
            row(1),
            row(2),
            row(3),
        )
        Person.objects.create(household=household(3), name="农户2", id_number=rid(2))
        self.assertEqual(sorted(h.id_number for h in found("DUPLICATE_SUBSIDY")), [rid(1), rid(2)])

    def test_a_renovation_without_subsidy_is_no_duplicate(self):
        archive(row(1, **{"改造年度": 2014, "审批日期": "2014-04-01", "补助金额(元)": 0}), row(1))
        self.assertEqual(found("DUPLICATE_SUBSIDY"), [])


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class PaymentTests(AnjuTestCase):
    def setUp(self):
        archive(*(row(n, **{"户主姓名": name}) for n, name in enumerate(["陈金水"] * 6, 1)))

    def test_account_not_the_households_fires_name_variants_do_not(self):
        pay(1, 40000, "2019-10-20", account="6222000011112222", holder="王某某")
        pay(2, 40000, "2019-10-20", holder="陳金水")  # traditional character: same name
        pay(3, 40000, "2019-10-20", holder="陈　金水")  # ideographic space: same name
        pay(4, 40000, "2019-10-20", holder="李四")  # own account, stranger's name
        self.assertEqual(sorted(h.id_number for h in found("PAYMENT_ACCOUNT")), [rid(1), rid(4)])

    def test_amount_short_fires_split_payments_adding_up_do_not(self):
        pay(1, 35000, "2019-10-20")
        pay(2, 20000, "2019-10-20")
        pay(2, 20000, "2019-10-25")
        hits = found("PAYMENT_AMOUNT")
        self.assertEqual([h.id_number for h in hits], [rid(1)])
        self.assertIn("相差5,000元", hits[0].evidence)

    def test_late_and_unpaid_fire_within_thirty_days_does_not(self):
        pay(1, 40000, "2019-12-14")  # 60 days after acceptance on 2019-10-15
        pay(2, 40000, "2019-11-13")  # 29 days
        for n in (3, 4, 5, 6):
            pay(n, 40000, "2019-10-20")
        Household.objects.filter(head_id=rid(6)).delete()
        archive(row(6, **{"户主姓名": "陈金水"}))  # accepted, never paid
        self.assertEqual(sorted(h.id_number for h in found("PAYMENT_LATE")), [rid(1), rid(6)])

    def test_the_finance_list_is_compared_with_the_approved_total(self):
        reference(
            "payments",
            ["姓名", "身份证号", "一卡通账号", "户名", "金额（元）", "发放日期", "项目"],
            [
                ["陈金水", rid(1), "62170012345678", "陈金水", "30,000", "2019-10-20", "危房改造"],
                ["陈金水", rid(2), "62170012345678", "陈金水", "40000", "2019-10-20", "危房改造"],
            ],
        )
        self.assertEqual([h.id_number for h in found("PAYMENT_AMOUNT")], [rid(1)])


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class RecordTests(AnjuTestCase):
    def test_invalid_id(self):
        bad = rid(1)[:-1] + ("0" if rid(1)[-1] != "0" else "1")
        archive(row(1, **{"户主身份证号": bad}), row(2))
        hits = found("INVALID_ID")
        self.assertEqual([h.id_number for h in hits], [bad])
        self.assertIn("校验位应为", hits[0].evidence)

    def test_record_mismatch_names_and_category(self):
        archive(
            row(1, **{"户主姓名": "陈金水"}),
            row(2, **{"户主姓名": "陈金水"}),
            row(3, **{"户主姓名": "陈金水"}),
            row(4, **{"户主姓名": "陈金水"}),
            row(5, **{"户主姓名": "陈金水", "农户类别": "低保"}),
        )
        reference(
            "poverty",
            ["户主姓名", "户主身份证号", "识别日期"],  # 户主身份证号 the only ID column: theirs
            [
                ["陳金水", rid(1), "2016-01-01"],
                ["陈 金水", rid(2), "2016-01-01"],
                ["陈金山", rid(3), "2016-01-01"],
                ["王五", rid(5), "2016-01-01"],
            ],
        )
        hits = {h.fingerprint.split(":", 1)[1] for h in found("RECORD_MISMATCH")}
        # 3: another name; 4: 建档立卡 in the archive, unknown to the poverty office; 5: name.
        self.assertEqual(hits, {f"{rid(3)}:name", f"{rid(4)}:category", f"{rid(5)}:name"})


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class HouseRuleTests(AnjuTestCase):
    def test_no_assessment(self):
        archive(row(1, **{"危险等级": "", "鉴定日期": ""}), row(2))
        self.assertEqual([h.id_number for h in found("NO_ASSESSMENT")], [rid(1)])

    def test_grade_mismatch(self):
        archive(
            row(1, **{"危险等级": "B"}),
            row(2, **{"危险等级": "C", "改造方式": "拆除重建"}),
            row(3, **{"危险等级": "C", "改造方式": "修缮加固", "改造后建筑面积": ""}),
            row(4, **{"危险等级": "D"}),
        )
        self.assertEqual(sorted(h.id_number for h in found("GRADE_MISMATCH")), [rid(1), rid(2)])

    def test_area_standard(self):
        archive(
            row(1, **{"家庭人口": 2, "改造后建筑面积": 80}),
            row(2, **{"家庭人口": 5, "改造后建筑面积": 80}),  # 16 m² a person: within
            row(3, **{"家庭人口": 1, "改造后建筑面积": 15}),  # under 20
            row(4, **{"家庭人口": 3, "改造后建筑面积": 60}),
        )
        hits = found("AREA_STANDARD")
        self.assertEqual(sorted(h.id_number for h in hits), [rid(1), rid(3)])
        first = next(h for h in hits if h.id_number == rid(1))
        self.assertIn("标准为30—60平方米", first.evidence)

    def test_no_toilet_and_no_acceptance(self):
        archive(
            row(1, **{"有无卫生厕所": "无"}),
            row(2, **{"验收日期": ""}),
            row(3, **{"验收日期": "", "竣工日期": "2026-11-01"}),  # completed 3 weeks ago
        )
        self.assertEqual([h.id_number for h in found("NO_TOILET")], [rid(1)])
        self.assertEqual([h.id_number for h in found("NO_ACCEPTANCE")], [rid(2)])


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class MonitoringTests(AnjuTestCase):
    def test_assessment_overdue_for_new_people_on_an_old_list(self):
        archive(row(1))
        newcomer = rid(77, year=1960)
        reference(
            "poverty",
            ["姓名", "身份证号", "识别日期"],
            [["新户", newcomer, "2026-08-01"], ["农户1", rid(1), "2016-01-01"]],
            received_on="2026-09-10",
        )
        hits = found("ASSESSMENT_OVERDUE")
        self.assertEqual([h.id_number for h in hits], [newcomer])  # 农户1's house is assessed
        self.assertEqual(hits[0].region_id, "350881000000")  # the county of the ID

    def test_a_list_received_within_the_month_is_not_overdue(self):
        reference(
            "poverty",
            ["姓名", "身份证号", "识别日期"],
            [["新户", rid(77, year=1960), "2026-11-01"]],
            received_on="2026-11-01",
        )
        self.assertEqual(found("ASSESSMENT_OVERDUE"), [])

    def test_visit_overdue(self):
        # Earth-timber houses repaired (a rebuilt one is gone: tests/crosscheck/test_finance_...).
        repaired = {"改造方式": "修缮加固"}
        archive(row(1, **repaired), row(2, **repaired), row(3, **{"房屋结构": "砖混", **repaired}))
        FollowUpVisit.objects.create(
            household=household(2), visitor=self.alice, visited_on=TODAY - timedelta(days=10)
        )
        FollowUpVisit.objects.create(
            household=household(1), visitor=self.alice, visited_on=TODAY - timedelta(days=120)
        )
        hits = found("VISIT_OVERDUE")
        self.assertEqual([h.id_number for h in hits], [rid(1)])
        self.assertIn("上次回访为2026年7月25日", hits[0].evidence)

    def test_plate_missing_after_its_deadline(self):
        archive(row(1), row(2), row(3))
        for n, deadline, installed in (
            (1, TODAY - timedelta(days=1), None),
            (2, TODAY - timedelta(days=1), TODAY - timedelta(days=5)),
            (3, TODAY + timedelta(days=5), None),
        ):
            SafetyPlate.objects.create(
                household=household(n),
                number=f"P{n}",
                grade="A",
                issued_on=TODAY - timedelta(days=40),
                deadline=deadline,
                installed_on=installed,
            )
        self.assertEqual([h.id_number for h in found("PLATE_MISSING")], [rid(1)])

    def test_still_in_the_dangerous_house(self):
        archive(row(1), row(2), row(3))
        for n, findings in ((1, ["still_in_old"]), (2, [])):
            FollowUpVisit.objects.create(
                household=household(n), visitor=self.alice, visited_on=TODAY, findings=findings
            )
        # 2 was found in the old house once, but the latest visit found them moved.
        FollowUpVisit.objects.create(
            household=household(2),
            visitor=self.alice,
            visited_on=TODAY - timedelta(days=90),
            findings=["still_in_old"],
        )
        # 3: the house records say it: the new house (recorded by the import after the
        # accepted rebuild), and the old C/D one still lived in.
        self.assertTrue(household(3).houses.filter(is_new=True).exists())
        household(3).houses.filter(is_new=False).update(lived_in=True)
        self.assertEqual(
            sorted(h.fingerprint.split(":", 1)[1] for h in found("STILL_IN_DANGEROUS_HOUSE")),
            [f"{rid(1)}:visit", f"{rid(3)}:house"],
        )


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class TwoListsTests(AnjuTestCase):
    def test_the_same_person_on_two_lists_is_one_person(self):
        archive(row(1, **{"农户类别": "建档立卡、低保"}))
        newcomer = rid(88, year=1961)
        for kind, header in (
            ("poverty", ["姓名", "身份证号", "识别日期"]),
            ("subsistence", ["姓名", "身份证号", "起始日期"]),
        ):
            reference(
                kind,
                header,
                [["农户1", rid(1), "2010-01-01"], ["新户", newcomer, "2026-08-01"]],
                received_on="2026-09-01",
            )
        self.assertEqual(found("INELIGIBLE"), [])
        self.assertEqual(found("RECORD_MISMATCH"), [])
        self.assertEqual([h.id_number for h in found("ASSESSMENT_OVERDUE")], [newcomer])
