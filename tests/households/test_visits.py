from datetime import date

from django.urls import reverse

from anju.households import visits
from anju.households.imports import import_households
from anju.households.models import FollowUpVisit, Household
from anju.oversight.models import RectificationItem
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx


class VisitTests(AnjuTestCase):
    def setUp(self):
        import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx(
                [
                    row(1, **{"房屋结构": "土木"}),
                    row(2, **{"房屋结构": "砖混"}),
                    row(3, **{"房屋结构": "土坯", "户主姓名": "刘三"}),
                ]
            ),
        )
        self.earth = Household.objects.get(head_name="农户1")

    def test_only_earth_timber_and_brick_timber_houses_are_due(self):
        due = visits.due_this_quarter(Household.objects.all(), date(2026, 11, 22))
        self.assertEqual({h.head_name for h in due}, {"农户1", "刘三"})

    def test_a_visit_this_quarter_clears_it_and_old_visits_are_overdue(self):
        visits.visit_record(
            actor=self.alice, household=self.earth, visited_on=date(2026, 10, 8), findings=[]
        )
        other = Household.objects.get(head_name="刘三")
        FollowUpVisit.objects.create(
            household=other, visited_on=date(2026, 5, 1), visitor=self.alice
        )
        today = date(2026, 11, 22)
        self.assertEqual(
            [h.head_name for h in visits.due_this_quarter(Household.objects.all(), today)], ["刘三"]
        )
        self.assertEqual(visits.overdue(Household.objects.all(), today).count(), 1)

    def test_a_finding_opens_an_item_on_the_townships_list(self):
        self.login(self.alice)
        self.client.post(
            reverse("households:visit_add", args=[self.earth.pk]),
            {"visited_on": "2026-11-20", "findings": ["leaky", "still_in_old"], "note": "屋面漏雨"},
        )
        visit = FollowUpVisit.objects.get()
        self.assertEqual(visit.findings, ["leaky", "still_in_old"])
        item = RectificationItem.objects.get()
        self.assertEqual(item.region_id, "350881100000")
        self.assertIn("漏雨透风、仍住危房", item.description)
        page = self.client.get(reverse("households:household", args=[self.earth.pk]))
        self.assertContains(page, "漏雨透风")

    def test_the_city_cannot_record_visits(self):
        self.login(self.cindy)
        response = self.client.post(
            reverse("households:visit_add", args=[self.earth.pk]), {"visited_on": "2026-11-20"}
        )
        self.assertEqual(response.status_code, 403)

    def test_the_due_page_counts_overdue_households(self):
        self.login(self.carol)
        page = self.client.get(reverse("households:visits"))
        self.assertContains(page, "从未回访")
        self.assertEqual(page.context["overdue_count"], 2)
