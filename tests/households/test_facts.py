"""The list facts kept on each household (anju.households.facts): every path that writes an
assessment, a renovation or a payment keeps them equal to a recount, and the list's filters on
them find the same households as asking the assessment, renovation and payment tables."""

import re
from datetime import date, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anju.households import changes, renovations, services
from anju.households.facts import FIELDS, facts_differences, facts_refresh
from anju.households.imports import import_households
from anju.households.models import Assessment, House, Household, Payment, Renovation
from anju.households.queries import household_list
from anju.regions.models import Region
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx

TODAY = date(2020, 1, 1)


def asked_of_the_tables(option: str, value: str, days: int, today: date) -> set[int]:
    """The households a filter means, asked of the tables themselves (the list's filters before
    the facts were kept)."""
    households = Household.objects.all()
    assessments = Assessment.objects.filter(house__household=OuterRef("pk"))
    renovation = Renovation.objects.filter(household=OuterRef("pk"))
    if option == "category":
        households = households.filter(categories__category=value).distinct()
    elif option == "year":
        households = households.filter(Exists(renovation.filter(year=int(value))))
    elif option == "method":
        households = households.filter(Exists(renovation.filter(method=value)))
    elif option == "grade":
        households = households.filter(Exists(assessments.filter(grade=value)))
    elif option == "assessed":
        households = households.filter(
            Exists(assessments) if value == "1" else ~Exists(assessments)
        )
    elif option == "accepted":
        households = households.filter(Exists(renovation.filter(accepted_on__isnull=value == "0")))
    elif option == "payment":
        owed = Renovation.objects.filter(accepted_on__isnull=False, subsidy_fen__gt=0)
        late = [r.household_id for r in owed.prefetch_related("payments") if _late(r, days, today)]
        households = households.filter(pk__in=late)
    return set(households.values_list("pk", flat=True))


def _late(renovation: Renovation, days: int, today: date) -> bool:
    deadline = renovation.accepted_on + timedelta(days=days)
    first = min((p.paid_on for p in renovation.payments.all()), default=None)
    return first > deadline if first is not None else today > deadline


OPTIONS = [
    ("category", "subsistence"),
    ("category", "registered_poor"),
    ("category", "veteran"),
    ("year", "2017"),
    ("year", "2019"),
    ("method", "rebuild"),
    ("method", "repair"),
    ("grade", "A"),
    ("grade", "B"),
    ("grade", "C"),
    ("grade", "D"),
    ("assessed", "1"),
    ("assessed", "0"),
    ("accepted", "1"),
    ("accepted", "0"),
    ("payment", "late"),
]


class FactsTests(AnjuTestCase):
    def setUp(self):
        # 1: accepted 2019-10-15, paid on time; 2: paid a day late; 3: unpaid; 4: not accepted;
        # 5: grade B, no subsidy; 6: not assessed.
        rows = [
            row(1),
            row(2),
            row(3),
            row(4, 验收日期=""),
            row(5, 危险等级="B", 农户类别="低保", 改造方式="修缮加固", **{"补助金额(元)": ""}),
            row(6, 危险等级="", 鉴定日期=""),
        ]
        result = import_households(actor="test", file_name="t.xlsx", data=xlsx(rows))
        self.assertTrue(result.ok, result.errors)
        self.by_name = {h.head_name: h for h in Household.objects.all()}

    def pay(self, name: str, on: date):
        household = self.by_name[name]
        renovations.payment_record(
            actor=self.alice,
            renovation=Renovation.objects.get(household=household),
            paid_on=on,
            amount_fen=4_000_000,
            account_number="6217001234567890",
            account_holder=household.head_name,
        )

    def assess(self, house, grade: str, on: date):
        services.assessment_add(
            actor=self.carol,
            house=house,
            grade=grade,
            assessed_on=on,
            assessor="漳平市住建局",
            method="入户鉴定",
        )

    def approve_change(self, name: str, field: str, value: str, reason: str, **kw):
        request = changes.change_propose(
            actor=self.alice,
            household=self.by_name[name],
            field=field,
            new_value=value,
            reason=reason,
            **kw,
        )
        changes.change_decide(actor=self.rita, request=request, approve=True)

    def assertFiltersAgree(self, days: int = 30, today: date = TODAY):
        self.assertEqual(facts_differences(), [])
        for option, value in OPTIONS:
            found = set(
                household_list(Household.objects.all(), today=today, **{option: value}).values_list(
                    "pk", flat=True
                )
            )
            self.assertEqual(
                found, asked_of_the_tables(option, value, days, today), (option, value)
            )

    def test_the_import_sets_the_new_households_facts(self):
        h1, h4, h5, h6 = (self.by_name[f"农户{n}"] for n in (1, 4, 5, 6))
        self.assertEqual((h1.grades, h1.has_accepted, h1.has_unaccepted), ("D", True, False))
        self.assertEqual(h1.unpaid_accepted_on, date(2019, 10, 15))
        self.assertEqual(
            (h4.has_accepted, h4.has_unaccepted, h4.unpaid_accepted_on), (False, True, None)
        )
        self.assertEqual((h5.grades, h5.unpaid_accepted_on), ("B", None))
        self.assertEqual(h6.grades, "")
        self.assertFiltersAgree()

    def test_payments_steps_assessments_and_changes_keep_them(self):
        self.pay("农户1", date(2019, 11, 14))  # the deadline day: on time
        self.pay("农户2", date(2019, 11, 15))  # a day late
        self.assertFiltersAgree()
        h2 = Household.objects.get(pk=self.by_name["农户2"].pk)
        self.assertEqual((h2.longest_pay_wait, h2.unpaid_accepted_on), (31, None))
        # A second assessment of another grade, on the same household's (old) house.
        # (After its accepted rebuild the import also recorded the new one.)
        house = House.objects.get(household=self.by_name["农户1"], is_new=False)
        self.assess(house, "A", date(2019, 12, 1))
        self.assertEqual(Household.objects.get(pk=house.household_id).grades, "AD")
        self.assertFiltersAgree()
        # The renovation still waiting for acceptance is accepted.
        renovation = Renovation.objects.get(household=self.by_name["农户4"])
        renovations.renovation_step(
            actor=self.carol,
            renovation=renovation,
            step="accepted_on",
            on=date(2019, 12, 20),
            checklist={"inspector": "郑工"},
        )
        h4 = Household.objects.get(pk=renovation.household_id)
        self.assertEqual((h4.has_accepted, h4.has_unaccepted), (True, False))
        self.assertEqual(h4.unpaid_accepted_on, date(2019, 12, 20))
        # The unpaid household's subsidy changed to nothing: no longer owed, no longer late.
        self.approve_change(
            "农户3",
            "subsidy_fen",
            "0",
            "补助标准复核",
            renovation=Renovation.objects.get(household=self.by_name["农户3"]),
        )
        self.assertIsNone(Household.objects.get(pk=self.by_name["农户3"].pk).unpaid_accepted_on)
        self.assertFiltersAgree()
        # A category added by a change request (the ended ones still count, as before).
        self.approve_change("农户5", "categories", "低保、重点优抚对象", "退役军人事务局认定")
        h5 = Household.objects.get(pk=self.by_name["农户5"].pk)
        self.assertEqual(h5.category_codes, ",subsistence,veteran,")
        self.assertFiltersAgree()

    def test_a_new_household_and_its_first_assessment(self):
        household = services.household_create(
            actor=self.carol,
            region=Region.objects.get(code="350881100203"),
            head_name="陈金水",
            head_id="350881195001011233",
            size=2,
            categories=["subsistence"],
            structure="earth",
        )
        self.assertEqual(Household.objects.get(pk=household.pk).category_codes, ",subsistence,")
        self.assess(household.houses.get(), "C", date(2019, 6, 1))
        self.assertEqual(Household.objects.get(pk=household.pk).grades, "C")
        self.assertFiltersAgree()

    def test_a_new_household_with_two_years_in_the_file(self):
        rows = [
            row(
                7, 改造年度=2017, 鉴定日期="2017-03-01", 验收日期="2017-12-01", 改造方式="修缮加固"
            ),
            row(7, 改造年度=2019, 危险等级="C", 验收日期="", **{"补助金额(元)": ""}),
        ]
        result = import_households(actor="test", file_name="t2.xlsx", data=xlsx(rows))
        self.assertTrue(result.ok, result.errors)
        h7 = Household.objects.get(head_name="农户7")
        self.assertEqual((h7.grades, h7.has_accepted, h7.has_unaccepted), ("CD", True, True))
        self.assertEqual(h7.unpaid_accepted_on, date(2017, 12, 1))
        self.assertEqual(
            (h7.renovation_years, h7.renovation_methods), (",2017,2019,", ",repair,rebuild,")
        )
        # Year and method together mean one renovation of both.
        both = household_list(Household.objects.all(), year="2017", method="rebuild")
        self.assertNotIn(h7, both)
        self.assertIn(h7, household_list(Household.objects.all(), year="2017", method="repair"))
        # The years are a set: kept in another order they are still the same facts.
        Household.objects.filter(pk=h7.pk).update(renovation_years=",2019,2017,")
        self.assertEqual(facts_differences(), [])
        self.assertIn(h7, household_list(Household.objects.all(), year="2017"))
        self.assertFiltersAgree()

    def test_a_reimport_updates_households_already_on_record(self):
        again = [row(4, 危险等级="C", 鉴定日期="2019-12-01", 验收日期="2019-12-20"), row(6)]
        result = import_households(actor="test", file_name="t2.xlsx", data=xlsx(again))
        self.assertTrue(result.ok, result.errors)
        h4 = Household.objects.get(pk=self.by_name["农户4"].pk)
        self.assertEqual((h4.grades, h4.has_accepted, h4.has_unaccepted), ("CD", True, False))
        self.assertEqual(Household.objects.get(pk=self.by_name["农户6"].pk).grades, "D")
        self.assertFiltersAgree()

    def test_late_payment_follows_the_payment_days_and_the_date(self):
        self.pay("农户2", date(2019, 11, 15))  # 31 days after acceptance
        with override_settings(ANJU_CROSSCHECK={"payment_days": 31}):
            # 31 days allowed: household 2 was on time; 3 and 6, unpaid, are late from 2019-11-16.
            self.assertFiltersAgree(days=31, today=date(2019, 11, 15))
            self.assertFiltersAgree(days=31, today=date(2019, 11, 16))
            late = household_list(Household.objects.all(), payment="late", today=TODAY)
            self.assertEqual({h.head_name for h in late}, {"农户1", "农户3", "农户6"})
        self.assertFiltersAgree(days=30, today=date(2019, 11, 14))

    def test_a_grade_that_is_not_a_grade_matches_nothing(self):
        for value in ("E", "AD", "%"):
            self.assertFalse(household_list(Household.objects.all(), grade=value).exists())

    def test_a_recount_restores_them(self):
        Household.objects.update(
            grades="", has_unaccepted=True, has_accepted=False, unpaid_accepted_on=None
        )
        self.assertEqual(len(facts_differences()), 6)
        self.assertEqual(facts_refresh(), 6)
        self.assertEqual(facts_differences(), [])

    def test_the_command_checks_and_recounts(self):
        from io import StringIO

        from django.core.management import CommandError, call_command

        Household.objects.filter(pk=self.by_name["农户1"].pk).update(grades="B")
        out = StringIO()
        with self.assertRaisesMessage(CommandError, "不一致"):
            call_command("households_facts", "--check", stdout=out)
        self.assertIn("历次鉴定等级 B→D", out.getvalue())
        call_command("households_facts", stdout=StringIO())
        out = StringIO()
        call_command("households_facts", "--check", stdout=out)
        self.assertIn("一致", out.getvalue())

    def test_the_filters_read_the_household_row_alone(self):
        """No EXISTS into assessments, renovations or payments per household in scope: the
        count and the page's keys are asked of the household table (its list index) only."""
        self.login(self.carol)
        others = [Assessment, House, Renovation, Payment]
        for option, value in OPTIONS:
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(reverse("households:list"), {option: value})
            self.assertEqual(response.status_code, 200)
            listing = [
                q["sql"]
                for q in queries.captured_queries
                if f'FROM "{Household._meta.db_table}"' in q["sql"]
                # the count and the page's keys: statements counting, or with a LIMIT of their
                # own (the page's rows, read by key, carry the list's columns below the
                # household as subqueries: anju.households.queries.with_list_columns)
                and (
                    "COUNT(" in q["sql"] or re.search(r"LIMIT \d+( OFFSET \d+)?$", q["sql"].strip())
                )
            ]
            self.assertTrue(listing, option)  # the count (and the page, when any)
            for sql in listing:
                for model in others:
                    self.assertNotIn(f'"{model._meta.db_table}"', sql, (option, value))


class FieldsTests(AnjuTestCase):
    def test_every_fact_is_in_the_list_index(self):
        (index,) = Household._meta.indexes
        self.assertEqual(index.fields[:3], ["region", "head_name", "id"])
        # The facts, then the household's state (merged-away and withdrawn ones leave the lists).
        self.assertEqual(tuple(index.fields[3:]), (*FIELDS, "state"))


class DigestIndexTests(AnjuTestCase):
    def test_blind_indexes_have_no_like_twin_on_postgresql(self):
        """A blind index is compared whole; its `varchar_pattern_ops` twin was never read and
        every imported household and person entered it (migration households 0016)."""
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only: SQLite makes no pattern-ops indexes")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename, indexdef FROM pg_indexes"
                " WHERE tablename IN ('households_household', 'households_person')"
            )
            found = cursor.fetchall()
        digests = [d for _, d in found if "_digest" in d]
        self.assertTrue(digests)  # the equality indexes are there
        self.assertFalse([d for d in digests if "pattern_ops" in d], digests)
