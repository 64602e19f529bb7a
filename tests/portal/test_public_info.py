"""A district's public information on the portal (issue 28, point 6): its hotlines with the
hours they are answered (a landline as well as a mobile, the first printed on its plates), its
responsibility list kept line by line, and the typical cases and exposures it publishes on the
查处通报 page with the persons' names masked as the city decides."""

from datetime import date

from django.test import override_settings
from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.households.plates import HOTLINE, county_hotline
from anju.oversight.models import Exposure, TypicalCase
from anju.portal.models import Duty
from anju.reporting.models import Hotline
from tests.base import AnjuTestCase
from tests.oversight.helpers import register

DISTRICT = reverse("portal:district")
VILLAGE = "350881100203"


class HotlineTests(AnjuTestCase):
    def add(self, user, **data):
        self.login(user)
        return self.client.post(DISTRICT, {"action": "hotline_add", **data})

    def test_a_landline_with_its_hours_is_published_and_printed_on_the_countys_plates(self):
        self.assertEqual(county_hotline(VILLAGE), HOTLINE)
        response = self.add(
            self.carol, number="0597 7526007", hours="工作日 8:00-12:00，15:00-18:00"
        )
        self.assertRedirects(response, DISTRICT)
        hotline = Hotline.objects.get()
        self.assertEqual((hotline.region_id, hotline.number), ("350881000000", "0597-7526007"))
        self.add(self.carol, number="13900000001", hours="24小时", label="专班值班手机")
        page = self.client.get(reverse("portal:hotlines")).content.decode()
        self.assertIn("漳平市", page)
        self.assertIn('href="tel:0597-7526007"', page)
        self.assertIn("工作日 8:00-12:00，15:00-18:00", page)
        self.assertIn("专班值班手机", page)
        self.assertEqual(county_hotline(VILLAGE), "0597-7526007")  # the first one
        # Another county's plates keep the city's number.
        self.assertEqual(county_hotline("350802001001"), HOTLINE)
        self.assertTrue(AuditEntry.objects.filter(object_type="reporting.hotline").exists())

    def test_a_wrong_number_is_refused_naming_the_field_and_what_was_typed_stays(self):
        response = self.add(self.carol, number="7526007", hours="工作日")
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        self.assertIn("电话号码", page)
        self.assertIn("区号", page)
        self.assertIn('value="7526007"', page)
        self.assertIn('value="工作日"', page)
        self.assertFalse(Hotline.objects.exists())

    def test_a_district_removes_only_its_own_and_the_city_keeps_none(self):
        self.add(self.carol, number="0597-7526007", hours="工作日")
        hotline = Hotline.objects.get()
        response = self.add(self.xavier, number="0597-2222222", hours="工作日")
        self.client.post(DISTRICT, {"action": "hotline_remove", "pk": hotline.pk})
        self.assertTrue(Hotline.objects.filter(pk=hotline.pk).exists())
        self.login(self.cindy)
        self.assertEqual(self.client.get(DISTRICT).status_code, 403)
        self.login(self.alice)
        self.assertEqual(self.client.get(DISTRICT).status_code, 403)
        self.login(self.carol)
        response = self.client.post(DISTRICT, {"action": "hotline_remove", "pk": hotline.pk})
        self.assertRedirects(response, DISTRICT)
        self.assertFalse(Hotline.objects.filter(pk=hotline.pk).exists())


class DutyTests(AnjuTestCase):
    def test_each_district_keeps_its_own_lines_shown_under_its_name(self):
        self.login(self.carol)
        for matter, unit, contact in (
            ("农村低收入群体住房安全鉴定", "漳平市住建局村镇科", "0597-7531234"),
            ("危房改造补助资金发放", "漳平市财政局", ""),
        ):
            self.client.post(
                DISTRICT, {"action": "duty_add", "matter": matter, "unit": unit, "contact": contact}
            )
        self.login(self.xavier)
        self.client.post(
            DISTRICT, {"action": "duty_add", "matter": "危改对象认定", "unit": "新罗区住建局"}
        )
        response = self.client.post(DISTRICT, {"action": "duty_add", "matter": "只有事项"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("责任单位：必须填写", response.content.decode())
        self.assertIn('value="只有事项"', response.content.decode())
        self.assertEqual(Duty.objects.count(), 3)
        page = self.client.get(reverse("portal:responsibilities")).content.decode()
        # Each district under its own heading, in the tree's order (新罗区 350802 first).
        xinluo, zhangping = page.index("<h2>新罗区</h2>"), page.index("<h2>漳平市</h2>")
        self.assertLess(xinluo, page.index("新罗区住建局"))
        self.assertLess(page.index("新罗区住建局"), zhangping)
        self.assertLess(zhangping, page.index("农村低收入群体住房安全鉴定"))
        self.assertLess(page.index("农村低收入群体住房安全鉴定"), page.index("漳平市财政局"))
        self.assertIn("0597-7531234", page)
        self.assertNotIn("<script", page.split("<main")[-1].split("</main>")[0])
        # One district cannot remove another's line.
        theirs = Duty.objects.get(unit="漳平市财政局")
        self.client.post(DISTRICT, {"action": "duty_remove", "pk": theirs.pk})
        self.assertTrue(Duty.objects.filter(pk=theirs.pk).exists())


class CaseTests(AnjuTestCase):
    def setUp(self):
        clue, _ = register(self.carol, names=("王建国",))
        self.case = TypicalCase.objects.create(
            clue=clue,
            region_id="350881000000",
            month=date(2026, 10, 1),
            text="新桥镇西埔村村主任王建国截留危改补助款两万元，已责令退还并给予党内警告处分。",
            chosen_by=self.carol,
        )
        self.exposure = Exposure.objects.create(
            region_id="350881000000",
            exposed_on=date(2026, 11, 3),
            channel="漳平市纪委监委网站",
            problems=2,
            persons=3,
            recorded_by=self.carol,
        )

    def publish(self, action, pk, public="1"):
        self.login(self.carol)
        return self.client.post(DISTRICT, {"action": action, "pk": pk, "public": public})

    def test_only_what_a_district_publishes_reaches_the_page_with_names_masked(self):
        cases = reverse("portal:cases")
        page = self.client.get(cases).content.decode()
        self.assertNotIn("截留危改补助款", page)
        self.assertNotIn("漳平市纪委监委网站", page)
        self.publish("typical", self.case.pk)
        self.publish("exposure", self.exposure.pk)
        page = self.client.get(cases).content.decode()
        self.assertIn("村主任王*国截留危改补助款两万元", page)
        self.assertNotIn("王建国", page)
        self.assertIn("漳平市纪委监委网站", page)
        with override_settings(ANJU_PORTAL_NAMES="surname"):
            self.assertIn("村主任王某截留", self.client.get(cases).content.decode())
        self.publish("typical", self.case.pk, public="0")
        self.assertNotIn("截留危改补助款", self.client.get(cases).content.decode())
        self.assertEqual(
            AuditEntry.objects.filter(object_type="oversight.typicalcase", action="update").count(),
            2,
        )

    def test_another_district_cannot_publish_it(self):
        self.login(self.xavier)
        response = self.client.post(
            DISTRICT, {"action": "typical", "pk": self.case.pk, "public": "1"}
        )
        self.assertEqual(response.status_code, 404)
        self.case.refresh_from_db()
        self.assertIsNone(self.case.published_at)
