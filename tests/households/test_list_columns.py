"""The household list's columns (categories, structure and grade, latest renovation, plate,
last visit), its township and village selects, its sortable columns, and its cost: the same
number of queries for a page of 3 households as for 40 (no query per row)."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anju.households.imports import import_households
from anju.households.models import Household
from anju.households.plates import plate_issue
from anju.households.visits import visit_record
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx


class ListColumnsTests(AnjuTestCase):
    def setUp(self):
        rows = [
            row(1),
            row(
                1,
                **{
                    "改造年度": 2021,
                    "审批日期": "2021-03-01",
                    "开工日期": "2021-04-01",
                    "竣工日期": "",
                    "验收日期": "",
                    "改造方式": "修缮加固",
                },
            ),
            row(2, 行政村="", 户主姓名="乡镇户", 房屋结构="砖木", 危险等级="C"),
            row(3, **{"乡镇(街道)": "双洋镇", "行政村": "东洋村", "户主姓名": "东洋户"}),
        ]
        result = import_households(actor="t", file_name="a.xlsx", data=xlsx(rows))
        self.assertTrue(result.ok, result.errors)
        self.first = Household.objects.get(head_name="农户1")
        plate_issue(actor=self.carol, household=self.first, issued_on=date(2026, 11, 2))
        visit_record(
            actor=self.carol, household=self.first, visited_on=date(2026, 11, 20), findings=[]
        )
        self.login(self.carol)

    def page(self, **params):
        return self.client.get(reverse("households:list"), params)

    def test_each_row_shows_the_households_columns(self):
        page = self.page()
        table = page.content.decode()
        for text in (
            "建档立卡贫困户、低保户",
            "土木 · D级",
            "2021年 修缮加固",
            "在建",
            "2026-11-20",
            "砖木 · C级",
        ):
            self.assertIn(text, table)
        shown = {h.head_name: h for h, _ in page.context["rows"]}
        self.assertEqual(shown["农户1"].renovation, (2021, "修缮加固", "在建"))
        self.assertTrue(shown["农户1"].plate_number)
        self.assertIsNone(shown["乡镇户"].plate_number)
        self.assertNotIn(self.first.head_id, table)  # the masked number only

    def test_township_and_village_selects_narrow_the_list(self):
        page = self.page()
        self.assertContains(page, '<select name="township"')
        names = {h.head_name for h, _ in self.page(township="350881101000").context["rows"]}
        self.assertEqual(names, {"东洋户"})
        in_xinqiao = self.page(township="350881100000")
        self.assertContains(in_xinqiao, '<select name="village"')
        names = {h.head_name for h, _ in self.page(village="350881100203").context["rows"]}
        self.assertEqual(names, {"农户1"})
        outside = self.page(township="350802001000")  # another county's township
        self.assertEqual(outside.status_code, 404)

    def test_columns_sort_and_those_below_the_household_only_in_a_township(self):
        county = self.page(sort="visit")
        self.assertEqual(county.context["sort"], "village")  # a county's list keeps its order
        by_visit = self.page(sort="visit", township="350881100000")
        self.assertEqual(by_visit.context["sort"], "visit")
        self.assertEqual(by_visit.context["rows"][0][0].head_name, "农户1")
        by_head = [h.head_name for h, _ in self.page(sort="head").context["rows"]]
        self.assertEqual(by_head, sorted(by_head))

    def test_a_page_costs_the_same_queries_for_three_rows_as_for_forty(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.page().status_code, 200)
            return len(queries), [q["sql"][:150] for q in queries.captured_queries]

        few = count()
        more = [row(n) for n in range(10, 47)]
        import_households(actor="t", file_name="b.xlsx", data=xlsx(more))
        many = count()
        self.assertEqual(many[0], few[0], "\n".join(q for q in many[1] if q not in few[1]))


class EveryColumnFilters(AnjuTestCase):
    """Each column of the list has its filter (issue 28): a value in the column narrows the list
    to the households showing it."""

    setUp = ListColumnsTests.setUp
    page = ListColumnsTests.page

    def names(self, **params) -> set[str]:
        import re

        page = self.page(**params).content.decode()
        table = page.split('data-testid="household-list"')[-1] if "household-list" in page else ""
        return set(re.findall(r'href="/households/\d+/">([^<]+)</a>', table))

    def test_size_structure_plate_and_visit_each_narrow_the_list(self):
        import time_machine

        everyone = {"农户1", "乡镇户", "东洋户"}
        self.assertEqual(self.names(), everyone)
        size = Household.objects.get(head_name="乡镇户").size
        Household.objects.filter(head_name="东洋户").update(size=7)
        expected = {h.head_name for h in Household.objects.filter(size=size)}
        self.assertEqual(self.names(size=str(size)), expected)
        self.assertEqual(self.names(size="5"), {"东洋户"})
        self.assertEqual(self.names(structure="brick_timber"), {"乡镇户"})
        self.assertNotIn("乡镇户", self.names(structure="earth_timber"))
        self.assertEqual(self.names(plate="1"), {"农户1"})
        self.assertEqual(self.names(plate="hung"), set())
        self.assertEqual(self.names(plate="0"), {"乡镇户", "东洋户"})
        # Each filter is a select of the toolbar, keeping its choice.
        page = self.page(structure="brick_timber", visit="due").content.decode()
        for name in ("size", "structure", "accepted", "plate", "visit", "grade", "category"):
            self.assertIn(f'name="{name}"', page)
        self.assertIn('<option value="brick_timber" selected>', page)
        self.assertIn('<option value="due" selected>', page)
        with time_machine.travel(date(2026, 12, 8), tick=False):
            self.assertEqual(self.names(visit="done"), {"农户1"})
            self.assertEqual(self.names(visit="never"), {"乡镇户", "东洋户"})
            self.assertEqual(self.names(visit="due"), {"乡镇户", "东洋户"})
