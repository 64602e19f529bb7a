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

    def test_another_townships_village_is_refused_on_the_field_not_a_404(self):
        response = self.create(self.bob)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "行政村：请从列表中选择行政村")
        self.assertFalse(Household.objects.exists())

    def test_the_city_cannot_enter_households(self):
        self.assertEqual(self.create(self.cindy).status_code, 403)


class EntryChecksTests(AnjuTestCase):
    """Manual entry checks what the import checks (issue 25, point 3)."""

    def post(self, **over):
        self.login(self.alice)
        data = {
            "region_code": "350881100203",
            "head_name": "陈金水",
            "head_id": rid(5),
            "size": "3",
            "categories": ["registered_poor"],
            "structure": "earth_timber",
        }
        data.update(over)
        return self.client.post(reverse("households:new"), data)

    def test_a_bad_check_digit_is_refused_without_a_reason_and_kept_with_one(self):
        bad = rid(5)[:-1] + ("1" if rid(5)[-1] != "1" else "2")
        response = self.post(head_id=bad)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "户主身份证号：")
        self.assertContains(response, "未通过 GB 11643 校验")
        # What was typed comes back.
        self.assertContains(response, 'value="陈金水"')
        self.assertContains(response, f'value="{bad}"')
        self.assertFalse(Household.objects.exists())
        response = self.post(head_id=bad, id_note="户口簿与身份证号一致，证件本身校验码有误")
        household = Household.objects.get()
        self.assertFalse(household.head_id_valid)
        self.assertEqual(household.head_id_note, "户口簿与身份证号一致，证件本身校验码有误")
        entry = AuditEntry.objects.filter(object_type="households.household").get()
        self.assertEqual(entry.changes["after"]["head_id_note"], household.head_id_note)

    def test_the_village_must_be_a_village_of_the_users_own_region(self):
        for code in ("350881100000", "350881101201", "350881100299"):
            response = self.post(region_code=code)
            self.assertEqual(response.status_code, 200, code)  # never a 404 for a bad value
            self.assertContains(response, "行政村：请从列表中选择行政村")
            self.assertContains(response, 'value="陈金水"')
        self.assertFalse(Household.objects.exists())

    def test_the_form_offers_the_users_villages_by_path_not_a_code_box(self):
        self.login(self.alice)
        page = self.client.get(reverse("households:new")).content.decode()
        self.assertIn("漳平市 / 新桥镇 / 西埔村", page)
        self.assertIn('data-py="zps xqz xpc"', page)
        self.assertNotIn("东洋村", page)  # another township's village is not offered
        self.assertNotIn('type="text" name="region_code"', page)

    def test_death_before_birth_is_refused_on_the_date_field(self):
        self.post()
        household = Household.objects.get()
        response = self.client.post(
            reverse("households:person_add", args=[household.pk]),
            {
                "name": "林秀英",
                "id_number": rid(6),
                "relation": "配偶",
                "deceased_on": "1940-01-01",
            },
            follow=True,
        )
        self.assertContains(response, "死亡日期（1940-01-01）早于身份证号上的出生日期")
        self.assertEqual(household.people.count(), 1)

    def test_the_assessment_grade_has_no_default(self):
        self.post()
        household = Household.objects.get()
        page = self.client.get(reverse("households:household", args=[household.pk]))
        html = page.content.decode()
        grade = html[html.index('name="grade"') :]
        grade = grade[: grade.index("</select>")]
        self.assertEqual(grade.count("selected"), 1)
        self.assertIn('<option value="" selected>——请选择鉴定结论——', grade)
        house = household.houses.get()
        response = self.client.post(
            reverse("households:assessment_add", args=[household.pk]),
            {"house": house.pk, "assessed_on": "2026-11-01", "assessor": "漳平市住建局"},
            follow=True,
        )
        self.assertContains(response, "危险等级")
        self.assertFalse(house.assessments.exists())
