from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.households.models import Assessment, Household, Person
from tests.base import AnjuTestCase
from tests.households.files import rid


class ManualEntryTests(AnjuTestCase):
    def create(self, user, **over):
        self.login(user)
        data = {
            "region_code": "350881100203",
            "head_name": "陈 金水",
            "head_id": rid(5).lower(),
            "size": "3",
            "categories": ["registered_poor"],
            "structure": "earth_timber",
        }
        data.update(over)
        return self.client.post(reverse("households:new"), data)

    def test_a_township_clerk_enters_a_household_member_and_assessment(self):
        response = self.create(self.alice)
        household = Household.objects.get()
        self.assertRedirects(response, reverse("households:household", args=[household.pk]))
        self.assertEqual((household.head_name, household.head_id), ("陈金水", rid(5)))
        self.client.post(
            reverse("households:person_add", args=[household.pk]),
            {"name": "林秀英", "id_number": rid(6), "relation": "配偶"},
        )
        self.assertEqual(Person.objects.filter(household=household).count(), 2)
        house = household.houses.get()
        self.client.post(
            reverse("households:assessment_add", args=[household.pk]),
            {
                "house": house.pk,
                "grade": "D",
                "assessed_on": "2026-11-01",
                "assessor": "漳平市住建局",
            },
        )
        self.assertEqual(Assessment.objects.get().grade, "D")
        entry = AuditEntry.objects.filter(object_type="households.household", action="create").get()
        self.assertEqual(entry.changes["after"]["head_id"], "350881********" + rid(5)[-4:])

    def test_bad_input_is_refused_in_chinese(self):
        response = self.create(self.alice, head_id="12345")
        self.assertContains(response, "不是身份证号「12345」")
        self.create(self.alice)
        response = self.create(self.alice)
        self.assertContains(response, "已登记为户主")
        self.assertEqual(Household.objects.count(), 1)

    def test_another_township_is_not_found(self):
        response = self.create(self.bob)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Household.objects.exists())

    def test_the_city_cannot_enter_households(self):
        self.assertEqual(self.create(self.cindy).status_code, 403)
