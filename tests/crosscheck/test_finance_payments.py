"""Issue 31: every payment rule reads the finance bureau's one-card list beside the archive's
payments (matched to the renovation by household and day, counted once, disagreements found with
both values); visits are owed by the house the family lives in now; a household's findings on
one renovation year are one case, triaged once."""

import time_machine
from django.urls import reverse

from anju.crosscheck.models import Finding
from anju.crosscheck.runs import execute, start_run
from anju.households.imports import import_households
from anju.households.models import FollowUpVisit
from anju.oversight.models import Clue
from anju.regions.models import Region
from tests.base import AnjuTestCase
from tests.crosscheck.helpers import archive, found, household, pay, reference, rid, row
from tests.households.files import HEADER, xlsx

FINANCE = ["姓名", "身份证号", "一卡通账号", "账户名", "发放金额(元)", "发放日期", "补贴项目"]
OWN = "6217001234567890"  # row()'s one-card account


def finance(*rows):
    return reference("payments", FINANCE, [list(r) for r in rows])


def paid(n, amount, day, *, account=OWN, holder="陈金水", number=None):
    return ["陈金水", number or rid(n), account, holder, amount, day, "危房改造补助"]


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class FinanceListTests(AnjuTestCase):
    def setUp(self):
        archive(*(row(n, **{"户主姓名": "陈金水"}) for n in range(1, 7)))

    def test_payments_only_in_the_finance_list_are_paid_in_time(self):
        finance(
            paid(1, "20000", "2019-10-20", holder="陳金水"),  # traditional characters
            paid(1, "20,000", "2019-11-20", holder="陈 金 水"),  # the second installment
            paid(2, "40000", "2019-10-25"),
            paid(3, "40000", "2019-12-30"),  # 76 days after acceptance
            # 4 is not in the list: unpaid. A namesake's payment is someone else's.
            paid(4, "40000", "2019-10-20", number=rid(999)),
            paid(5, "40000", "2019-10-20", account="6222000011112222"),
            paid(6, "40000", "2019-10-20", holder="赵某某"),
        )
        late = {h.id_number: h.evidence for h in found("PAYMENT_LATE")}
        self.assertEqual(sorted(late), [rid(3), rid(4)])
        self.assertIn("财政一卡通发放记录显示2019年12月30日才发放补助，相隔76天", late[rid(3)])
        self.assertIn("至今未发放补助", late[rid(4)])
        self.assertEqual(found("PAYMENT_AMOUNT"), [])  # 1's installments add up
        accounts = {h.id_number: h.evidence for h in found("PAYMENT_ACCOUNT")}
        self.assertEqual(sorted(accounts), [rid(5), rid(6)])
        self.assertIn("财政一卡通发放记录", accounts[rid(5)])
        self.assertIn("尾号2222的账户，而非本户一卡通账号（尾号7890）", accounts[rid(5)])
        self.assertIn("户名不是本户家庭成员", accounts[rid(6)])

    def test_a_death_between_acceptance_and_the_payment_is_found_in_the_finance_list(self):
        reference("deaths", ["姓名", "身份证号", "死亡日期"], [["陈金水", rid(1), "2019-10-18"]])
        finance(paid(1, "40000", "2019-10-20"))
        hits = found("DECEASED_BENEFICIARY")
        self.assertEqual([h.id_number for h in hits], [rid(1)])
        self.assertIn(
            "2019年10月20日仍拨付补助资金40,000元（财政一卡通发放记录，2019年度）", hits[0].evidence
        )

    def test_a_payment_in_both_sources_counts_once_and_disagreements_are_findings(self):
        pay(1, 40000, "2019-10-20")  # the same payment in both: once
        pay(2, 40000, "2019-10-20")  # the archive says 40,000 on the 20th ...
        pay(3, 40000, "2019-10-20", account="6222000011112222")
        finance(
            paid(1, "40000", "2019-10-20"),
            paid(2, "35000", "2019-10-22"),  # ... the finance bureau 35,000 on the 22nd
            paid(3, "40000", "2019-10-20"),
        )
        amount = {h.id_number: h.evidence for h in found("PAYMENT_AMOUNT")}
        self.assertEqual(sorted(amount), [rid(2)])
        fingerprints = set(
            Finding.objects.filter(
                rule="PAYMENT_AMOUNT", id_number_digest=household(2).head_id_digest
            ).values_list("evidence", flat=True)
        )
        self.assertTrue(
            any("档案记载发放40,000元，财政一卡通发放记录为35,000元" in e for e in fingerprints)
        )
        self.assertTrue(
            any("核定补助40,000元，财政一卡通发放记录显示发放35,000元" in e for e in fingerprints)
        )
        late = [h for h in found("PAYMENT_LATE") if "两者不一致" in h.evidence]
        self.assertEqual([h.id_number for h in late], [rid(2)])
        self.assertIn(
            "档案记载于2019年10月20日首次发放，财政一卡通发放记录为2019年10月22日", late[0].evidence
        )
        account = found("PAYMENT_ACCOUNT")
        # The archive's wrong account is contradicted by the list (which paid the own account).
        self.assertEqual([h.id_number for h in account], [rid(3)])
        self.assertIn("档案记载于2019年10月20日发放至尾号2222的账户", account[0].evidence)
        self.assertIn("财政一卡通发放记录为发放至尾号7890的账户", account[0].evidence)

    def test_a_payment_is_matched_to_the_renovation_its_day_falls_in(self):
        archive(
            row(
                1,
                **{
                    "户主姓名": "陈金水",
                    "改造年度": 2022,
                    "审批日期": "2022/4/1",
                    "开工日期": "2022.5.6",
                    "竣工日期": "2022年9月30日",
                    "验收日期": "20221015",
                },
            )
        )
        finance(paid(1, "40000", "2019-10-20"), paid(1, "30000", "2022-10-20"))
        hits = found("PAYMENT_AMOUNT")
        self.assertEqual([(h.id_number, h.renovation_year) for h in hits], [(rid(1), 2022)])
        self.assertIn("（按发放日期归入2022年度改造）", hits[0].evidence)
        self.assertNotIn(rid(1), [h.id_number for h in found("PAYMENT_LATE")])


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class VisitsOfTheHouseLivedInTests(AnjuTestCase):
    def test_visits_are_owed_by_the_house_the_family_lives_in_now(self):
        # The archive's 房屋结构 is the old house's; 新房结构 (optional) the rebuilt one's.
        rows = [
            [*row(1, **{"房屋结构": "土木", "改造方式": "拆除重建"}), ""],  # rebuilt: 砖混
            [*row(2, **{"房屋结构": "土木", "改造方式": "修缮加固"}), ""],  # repaired: earth
            [*row(3, **{"房屋结构": "土坯", "改造方式": "拆除重建", "验收日期": ""}), ""],
            [*row(4, **{"房屋结构": "土木", "改造方式": "修缮加固"}), ""],
            [*row(5, **{"房屋结构": "砖混", "改造方式": "拆除重建"}), "砖木"],
            [*row(6, **{"房屋结构": "土坯", "改造方式": "拆除重建"}), "框架"],
        ]
        result = import_households(
            actor="test", data=xlsx(rows, header=[*HEADER, "新房结构"]), file_name="t.xlsx"
        )
        self.assertTrue(result.ok, result.errors)
        FollowUpVisit.objects.create(
            household=household(4), visited_on="2026-10-01", visitor=self.alice
        )
        houses = {
            n: sorted(
                household(n).houses.values_list("is_new", "structure", "lived_in", "build_year")
            )
            for n in range(1, 7)
        }
        self.assertEqual(
            houses[1],
            [(False, "earth_timber", False, None), (True, "brick_concrete", True, 2019)],
        )
        self.assertEqual(houses[2], [(False, "earth_timber", True, None)])  # repaired
        self.assertEqual(houses[3], [(False, "earth", True, None)])  # not accepted yet
        self.assertEqual(houses[5][1], (True, "brick_timber", True, 2019))
        self.assertEqual(houses[6][1], (True, "frame", True, 2019))
        # A new house recorded as brick-timber still needs its visits; the rebuilt earth
        # houses (1, 6) do not, nor does the one visited on time (4).
        hits = {h.id_number: h.evidence for h in found("VISIT_OVERDUE")}
        self.assertEqual(sorted(hits), [rid(2), rid(3), rid(5)])
        self.assertIn("现住房屋（2019年度修缮加固后）为土坯/土木/砖木结构", hits[rid(2)])
        # Nobody lives in a demolished house: no STILL_IN_DANGEROUS_HOUSE from the records.
        self.assertEqual(found("STILL_IN_DANGEROUS_HOUSE"), [])

    def test_a_reimport_records_no_second_new_house(self):
        data = xlsx([row(1, **{"改造方式": "拆除重建"})])
        for _ in range(2):
            self.assertTrue(import_households(actor="test", data=data, file_name="t.xlsx").ok)
        self.assertEqual(household(1).houses.filter(is_new=True).count(), 1)
        # An archive imported before the new house was recorded gets it on the next import.
        household(1).houses.filter(is_new=True).delete()
        self.assertTrue(import_households(actor="test", data=data, file_name="t.xlsx").ok)
        self.assertEqual(household(1).houses.filter(is_new=True).count(), 1)


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class CaseTests(AnjuTestCase):
    """A household entered as 建档立卡 the poverty office does not know, and paid late: one
    case of three reasons on its 2019 renovation."""

    def setUp(self):
        archive(row(1, **{"户主姓名": "陈金水", "农户类别": "建档立卡"}), row(2))
        reference(
            "poverty", ["户主姓名", "户主身份证号", "识别日期"], [["农户2", rid(2), "2016-01-01"]]
        )
        run = execute(start_run(actor="test", region=Region.objects.get(code="350881000000")))
        self.case = list(
            Finding.objects.filter(last_run=run, household=household(1)).order_by("rule")
        )
        self.first = next(f for f in self.case if f.rule == "INELIGIBLE")

    def test_the_findings_of_a_household_and_year_are_one_case(self):
        self.assertEqual(
            sorted(f.rule for f in self.case), ["INELIGIBLE", "PAYMENT_LATE", "RECORD_MISMATCH"]
        )
        self.assertEqual({f.renovation_year for f in self.case}, {2019})
        self.login(self.carol)
        page = self.client.get(reverse("crosscheck:finding", args=[self.first.pk]))
        self.assertContains(page, "同一户、同一改造年度的 3 项疑点合为一案")
        for label in ("审批时不属于重点对象", "与扶贫部门信息不一致", "补助发放不及时"):
            self.assertContains(page, label)
        self.assertNotContains(page, "<code>INELIGIBLE</code>")

    def test_confirming_a_case_makes_one_clue_naming_every_reason(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("crosscheck:confirm", args=[self.first.pk]),
            {"person_name": "陈金水", "person_post": "农户", "person_level": "other"},
            follow=True,
        )
        self.assertContains(response, "登记为问题线索")
        clue = Clue.objects.get()
        self.assertIn(
            "数据比对发现3项问题：「审批时不属于重点对象」「补助发放不及时」「与扶贫部门信息不一致」",
            clue.summary,
        )
        statuses = Finding.objects.filter(pk__in=[f.pk for f in self.case])
        self.assertEqual(set(statuses.values_list("status", "clue")), {("confirmed", clue.pk)})

    def test_dismissing_a_case_needs_a_reason_for_every_finding(self):
        self.login(self.carol)
        url = reverse("crosscheck:dismiss", args=[self.first.pk])
        reasons = {f"reason-{f.pk}": f"理由{f.rule}" for f in self.case}
        missing = {**reasons, f"reason-{self.case[-1].pk}": ""}
        response = self.client.post(url, missing, follow=True)
        self.assertContains(response, "须说明理由")
        self.assertEqual(Finding.objects.filter(status="dismissed").count(), 0)  # none or all
        self.client.post(url, reasons)
        for f in self.case:
            f.refresh_from_db()
            self.assertEqual((f.status, f.reason), ("dismissed", f"理由{f.rule}"))


def visible_text(html: str) -> str:
    """The text a person reads on a page: no tags, no attribute values (links and options may
    carry the codes), no scripts."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class RuleNamesTests(AnjuTestCase):
    """Issue #31 item 5: wherever a person reads a rule it is named in Chinese; the codes stay
    in the JSON, the API and the exports' code column."""

    def test_no_rule_code_on_any_page_a_person_reads(self):
        from anju.crosscheck.choices import Rule

        archive(row(1, **{"户主姓名": "陈金水", "农户类别": "建档立卡"}), row(2))
        reference(
            "poverty", ["户主姓名", "户主身份证号", "识别日期"], [["农户2", rid(2), "2016-01-01"]]
        )
        run = execute(start_run(actor="test", region=Region.objects.get(code="350881000000")))
        finding = Finding.objects.get(last_run=run, household=household(1), rule="INELIGIBLE")
        self.login(self.carol)
        self.client.post(
            reverse("crosscheck:confirm", args=[finding.pk]),
            {"person_name": "陈金水", "person_post": "农户", "person_level": "other"},
        )
        codes = [r.value for r in Rule]
        pages = [
            reverse("crosscheck:findings"),
            reverse("crosscheck:findings") + "?rule=INELIGIBLE",
            reverse("crosscheck:finding", args=[finding.pk]),
            reverse("crosscheck:runs"),
            reverse("crosscheck:run", args=[run.pk]),
            reverse("households:household", args=[household(1).pk]),
            reverse("oversight:clue", args=[Clue.objects.get().pk]),
        ]
        for url in pages:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            text = visible_text(response.content.decode())
            if url != reverse("crosscheck:runs"):  # the runs' list names no rule
                self.assertIn("审批时不属于重点对象", text, url)
            self.assertEqual([c for c in codes if c in text], [], url)
        # The audit log names the finding confirmed by its rule's name.
        self.login(self.aud)
        text = visible_text(self.client.get(reverse("audit:list")).content.decode())
        self.assertIn("审批时不属于重点对象", text)
        self.assertEqual([c for c in codes if c in text], [])
        self.login(self.carol)
        # The export: the code column, and the Chinese name beside it.
        from anju.reporting.reader import load

        response = self.client.post(reverse("crosscheck:export"), {"reason": "核查"})
        grid = load(b"".join(response.streaming_content))
        found = [r for r in grid.rows if "INELIGIBLE" in r]
        self.assertTrue(found)
        self.assertIn("审批时不属于重点对象", found[0])
