"""Issue #10 item 3: assistance cadres see only the households assigned to them, report what they
find on a visit with a photo, and the township acts within the set working days."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from anju.accounts.roles import Role
from anju.audit.models import AuditEntry
from anju.cadres import services
from anju.cadres.models import Assignment, Observation, ObservationPhoto
from anju.households.models import Household
from anju.oversight.models import RectificationItem
from anju.regions.models import Region
from tests.base import AnjuTestCase, make_user
from tests.households.files import rid

SH = ZoneInfo("Asia/Shanghai")


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x010E] = "Near 25.29N 117.42E"  # ImageDescription, as a phone might write
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


class CadreTestCase(AnjuTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cathy = make_user("cathy", Role.CADRE, "350881100000")
        cls.mine = Household.objects.create(
            region_id="350881100203", head_name="帮扶户甲", head_id=rid(1)
        )
        # Same village, not assigned to cathy.
        cls.neighbour = Household.objects.create(
            region_id="350881100203", head_name="邻居乙", head_id=rid(2)
        )
        cls.elsewhere = Household.objects.create(
            region_id="350881101201", head_name="外乡丙", head_id=rid(3)
        )
        Assignment.objects.create(cadre=cls.cathy, household=cls.mine, assigned_by=cls.alice)


class CadreScopeTests(CadreTestCase):
    def test_the_list_shows_only_assigned_households(self):
        self.login(self.cathy)
        page = self.client.get(reverse("cadres:mine"))
        self.assertContains(page, "帮扶户甲")
        self.assertNotContains(page, "邻居乙")
        self.assertNotContains(page, "外乡丙")

    def test_home_takes_the_cadre_to_their_households(self):
        self.login(self.cathy)
        self.assertRedirects(self.client.get(reverse("home")), reverse("cadres:mine"))

    def test_another_household_is_not_found_even_in_the_same_village(self):
        self.login(self.cathy)
        for other in (self.neighbour, self.elsewhere):
            for name, method in (("cadres:household", "get"), ("cadres:observe", "post")):
                response = getattr(self.client, method)(
                    reverse(name, args=[other.pk]), {"kind": "leaky", "visited_on": "2026-11-01"}
                )
                self.assertEqual(response.status_code, 404, (name, other))
                self.assertNotIn(other.head_name, response.content.decode())
        self.assertFalse(Observation.objects.exists())

    def test_the_cadre_has_no_archive_no_unmasking_and_no_region(self):
        self.login(self.cathy)
        for url in (
            reverse("households:list"),
            reverse("households:household", args=[self.mine.pk]),
            reverse("regions:browse"),
            reverse("cadres:observations"),
        ):
            self.assertEqual(self.client.get(url).status_code, 403, url)
        response = self.client.post(reverse("households:unmask", args=[self.mine.pk]))
        self.assertEqual(response.status_code, 403)
        page = self.client.get(reverse("cadres:household", args=[self.mine.pk]))
        self.assertNotContains(page, rid(1))

    def test_the_role_lives_at_township_or_village_and_stays_apart_from_admins(self):
        from anju.accounts.services import user_set_roles

        target = make_user("newcadre", None, "350881100203")
        village = Region.objects.get(code="350881100203")
        user_set_roles(actor=self.sue, user=target, region=village, roles={Role.CADRE})
        self.assertEqual(target.roles, {Role.CADRE})
        with self.assertRaises(ValidationError):
            county = Region.objects.get(code="350881000000")
            user_set_roles(actor=self.sue, user=target, region=county, roles={Role.CADRE})
        with self.assertRaises(ValidationError):
            user_set_roles(
                actor=self.sue,
                user=target,
                region=village,
                roles={Role.CADRE, Role.SYSTEM_ADMIN},
            )


@time_machine.travel(datetime(2026, 9, 30, 10, tzinfo=SH), tick=False)
class ObservationTests(CadreTestCase):
    def record(self, **over):
        self.login(self.cathy)
        data = {"kind": "storm_damage", "visited_on": "2026-09-30", "note": "台风后屋面瓦片掀落"}
        data.update(over)
        photo = io.BytesIO(jpeg_with_gps())
        photo.name = "IMG_0001.jpg"
        data.setdefault("photos", photo)
        return self.client.post(reverse("cadres:observe", args=[self.mine.pk]), data)

    def test_an_untouched_form_files_nothing_and_keeps_the_note(self):
        self.login(self.cathy)
        page = self.client.get(reverse("cadres:household", args=[self.mine.pk]))
        self.assertContains(page, '<option value="" selected>——请选择这次走访发现的问题——')
        where = f"http://testserver{reverse('cadres:household', args=[self.mine.pk])}"
        response = self.client.post(
            reverse("cadres:observe", args=[self.mine.pk]),
            {"kind": "", "visited_on": "2026-09-30", "note": "屋后边坡有裂缝"},
            headers={"Referer": where},
            follow=True,
        )
        self.assertContains(response, "发现问题：")
        self.assertContains(response, "屋后边坡有裂缝")
        self.assertFalse(Observation.objects.exists())

    def test_nothing_found_is_said_explicitly_and_asks_the_township_nothing(self):
        self.login(self.cathy)
        page = self.client.get(reverse("cadres:household", args=[self.mine.pk]))
        self.assertContains(page, '<option value="nothing">未发现问题</option>')
        response = self.record(kind="nothing", note="", photos=[])
        self.assertRedirects(response, reverse("cadres:mine"), fetch_redirect_response=False)
        self.assertContains(self.client.get(reverse("cadres:mine")), "已记录这次走访：未发现问题")
        observation = Observation.objects.get()
        self.assertEqual((observation.kind, observation.status), ("nothing", "closed"))
        self.login(self.alice)
        # Not among the township's new reports; among the closed ones.
        url = reverse("cadres:observations")
        self.assertNotContains(self.client.get(url), "未发现问题</")
        self.assertContains(self.client.get(url, {"status": "closed"}), "未发现问题")

    def test_a_cadre_records_with_a_photo_stripped_of_metadata(self):
        response = self.record()
        self.assertRedirects(response, reverse("cadres:mine"))
        observation = Observation.objects.get()
        self.assertEqual((observation.cadre, observation.household), (self.cathy, self.mine))
        photo = ObservationPhoto.objects.get()
        self.assertEqual(photo.content_type, "image/jpeg")
        self.assertNotIn(b"CameraMaker", bytes(photo.data))
        self.assertNotIn(b"117.42E", bytes(photo.data))
        self.assertFalse(Image.open(io.BytesIO(bytes(photo.data))).getexif())
        entry = AuditEntry.objects.get(object_type="cadres.observation", action="create")
        self.assertEqual(entry.changes["after"]["photos"], 1)

    def test_the_photos_time_and_place_are_kept_beside_it_for_the_township(self):
        from tests.photos import jpeg
        from tests.test_photo_facts import NEAR_XINQIAO

        photo = io.BytesIO(jpeg(taken="2026:09:30 15:20:00", gps=NEAR_XINQIAO))
        photo.name = "IMG_0002.jpg"
        self.record(photos=photo)
        kept = ObservationPhoto.objects.get()
        self.assertEqual(kept.taken_at, datetime(2026, 9, 30, 15, 20, tzinfo=SH))
        self.assertEqual((str(kept.latitude), kept.place_source), ("25.291808", "exif"))
        self.assertFalse(Image.open(io.BytesIO(bytes(kept.data))).getexif())
        self.login(self.alice)
        page = self.client.get(reverse("cadres:observation", args=[kept.observation_id]))
        self.assertContains(page, "拍摄于 2026-09-30 15:20，照片定位 25.291808, 117.420094")

    def test_the_phones_location_where_the_photo_has_none(self):
        self.record(latitude="25.300001", longitude="117.400002")
        kept = ObservationPhoto.objects.get()
        self.assertEqual((str(kept.latitude), kept.place_source), ("25.300001", "phone"))
        self.record(latitude="north", longitude="117.4")
        self.assertIsNone(ObservationPhoto.objects.order_by("pk").last().latitude)

    def queued(self, key: str, household=None, **over):
        """As the phone's queue sends a report (offline.js): its key, the queue's header."""
        self.login(self.cathy)
        data = {"kind": "leaky", "visited_on": "2026-09-29", "note": "离线记录", "key": key}
        data.update(over)
        return self.client.post(
            reverse("cadres:observe", args=[(household or self.mine).pk]),
            data,
            headers={"X-Anju-Queue": "1"},
        )

    def test_a_queued_report_sent_twice_is_one_report(self):
        first = self.queued("k-1")
        self.assertEqual(first.status_code, 200)
        self.assertTrue(first.json()["ok"])
        again = self.queued("k-1")
        self.assertEqual(again.json()["id"], first.json()["id"])
        self.assertEqual(Observation.objects.count(), 1)
        self.queued("k-2")
        self.assertEqual(Observation.objects.count(), 2)

    def test_a_queued_report_about_a_household_no_longer_assigned_is_refused(self):
        answer = self.queued("k-3", household=self.neighbour)
        self.assertEqual(answer.status_code, 409)
        self.assertIn("不再分配给您", answer.json()["message"])
        bad = self.queued("k-4", visited_on="2026-01-01")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("不能早于60天前", bad.json()["message"])
        self.assertFalse(Observation.objects.exists())

    def test_the_service_worker_is_ours_under_the_cadre_pages(self):
        response = self.client.get(reverse("cadres:service_worker"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/javascript")
        self.assertIn(b"caches.open(CACHE)", response.content)
        self.assertNotIn(b"http", response.content.replace(b"https://", b""))  # no CDN
        self.login(self.cathy)
        page = self.client.get(reverse("cadres:mine"))
        self.assertContains(page, "anju/offline.js")
        self.assertContains(page, "cadre.webmanifest")
        self.assertContains(page, "data-keep-offline")

    def test_the_deadline_counts_working_days_over_the_national_day_holiday(self):
        self.record()
        # Reported on 30 September 2026; 1-7 October are holidays, 10 October is a make-up day.
        observation = Observation.objects.get()
        self.assertEqual(observation.respond_by, date(2026, 10, 10))

    @override_settings(ANJU_CADRE_RESPONSE_DAYS=1)
    def test_the_response_time_is_a_setting(self):
        self.record()
        self.assertEqual(Observation.objects.get().respond_by, date(2026, 10, 8))

    def test_a_file_that_is_not_a_photo_is_refused(self):
        fake = io.BytesIO(b"MZ\x90\x00 not a picture")
        fake.name = "photo.jpg"
        self.record(photos=fake)
        self.assertFalse(Observation.objects.exists())

    def test_the_township_sees_it_at_once_and_opens_an_item(self):
        self.record()
        observation = Observation.objects.get()
        self.login(self.alice)
        home = self.client.get(reverse("home"))  # the workbench (issue 27)
        self.assertContains(home, "帮扶责任人报告")
        self.assertContains(home, reverse("cadres:observation", args=[observation.pk]))
        listing = self.client.get(reverse("cadres:observations"))
        self.assertContains(listing, "帮扶户甲")
        page = self.client.get(reverse("cadres:observation", args=[observation.pk]))
        self.assertContains(page, "台风后屋面瓦片掀落")
        photo = ObservationPhoto.objects.get()
        self.assertEqual(self.client.get(reverse("cadres:photo", args=[photo.pk])).status_code, 200)
        self.client.post(
            reverse("cadres:open_item", args=[observation.pk]),
            {"owner": "新桥镇村建站", "deadline": "2026-10-30", "measure": "修缮屋面"},
        )
        item = RectificationItem.objects.get()
        self.assertEqual((item.source, item.region_id), ("cadre", "350881100000"))
        self.assertIn("台风暴雨后受损", item.description)
        observation.refresh_from_db()
        self.assertEqual((observation.status, observation.item_id), ("item_opened", item.pk))
        again = self.client.post(
            reverse("cadres:close", args=[observation.pk]), {"reason": "重复"}, follow=True
        )
        self.assertContains(again, "该走访报告您已处理过")
        self.assertTrue(
            AuditEntry.objects.filter(object_type="cadres.observation", action="update").exists()
        )

    def test_closing_needs_a_reason(self):
        self.record()
        observation = Observation.objects.get()
        self.login(self.alice)
        self.client.post(reverse("cadres:close", args=[observation.pk]), {"reason": " "})
        observation.refresh_from_db()
        self.assertEqual(observation.status, "new")
        self.client.post(reverse("cadres:close", args=[observation.pk]), {"reason": "已核实无隐患"})
        observation.refresh_from_db()
        self.assertEqual((observation.status, observation.close_reason), ("closed", "已核实无隐患"))

    def test_the_neighbouring_township_cannot_see_or_act(self):
        self.record()
        observation = Observation.objects.get()
        self.login(self.bob)
        self.assertNotContains(self.client.get(reverse("cadres:observations")), "帮扶户甲")
        for name in ("cadres:observation", "cadres:open_item", "cadres:close"):
            call = self.client.get if name == "cadres:observation" else self.client.post
            response = call(reverse(name, args=[observation.pk]), {"reason": "x"})
            self.assertEqual(response.status_code, 404, name)
        self.assertFalse(RectificationItem.objects.exists())

    def test_flags_at_risk_then_overdue(self):
        self.record()
        observation = Observation.objects.get()
        self.assertEqual(services.observation_urgency(observation, date(2026, 10, 8)), "at_risk")
        self.assertEqual(services.observation_urgency(observation, date(2026, 10, 10)), "at_risk")
        self.assertEqual(services.observation_urgency(observation, date(2026, 10, 11)), "overdue")
        with time_machine.travel(datetime(2026, 10, 12, 9, tzinfo=SH), tick=False):
            self.login(self.alice)
            self.assertContains(self.client.get(reverse("cadres:observations")), "已超期")
            home = self.client.get(reverse("home")).content.decode()  # the workbench
            self.assertIn("帮扶责任人报告", home)
            self.assertIn("已逾期", home)


class AssignmentTests(CadreTestCase):
    def test_the_township_clerk_assigns_and_removes_audited(self):
        self.login(self.alice)
        page = self.client.get(reverse("cadres:assignments") + "?q=邻居")
        self.assertContains(page, "邻居乙")
        self.client.post(
            reverse("cadres:assign"), {"cadre": self.cathy.pk, "household": self.neighbour.pk}
        )
        assignment = Assignment.objects.get(household=self.neighbour)
        self.assertTrue(AuditEntry.objects.filter(object_type="cadres.assignment").exists())
        self.login(self.cathy)
        self.assertContains(self.client.get(reverse("cadres:mine")), "邻居乙")
        self.login(self.alice)
        self.client.post(reverse("cadres:unassign", args=[assignment.pk]))
        self.assertFalse(Assignment.objects.filter(household=self.neighbour).exists())
        self.login(self.cathy)
        response = self.client.get(reverse("cadres:household", args=[self.neighbour.pk]))
        self.assertEqual(response.status_code, 404)

    def test_a_household_outside_the_cadres_area_cannot_be_assigned(self):
        village_cadre = make_user("vic", Role.CADRE, "350881100203")
        in_town = Household.objects.create(
            region_id="350881100000", head_name="镇上丁", head_id=rid(4)
        )
        with self.assertRaises(ValidationError):
            services.assignment_create(actor=self.alice, cadre=village_cadre, household=in_town)
        with self.assertRaises(ValidationError):  # another township's household
            services.assignment_create(actor=self.alice, cadre=self.cathy, household=self.elsewhere)

    def test_another_townships_clerk_gets_404(self):
        self.login(self.bob)
        response = self.client.post(
            reverse("cadres:assign"), {"cadre": self.cathy.pk, "household": self.neighbour.pk}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Assignment.objects.filter(household=self.neighbour).exists())

    def test_the_cadre_cannot_assign(self):
        self.login(self.cathy)
        response = self.client.post(
            reverse("cadres:assign"), {"cadre": self.cathy.pk, "household": self.neighbour.pk}
        )
        self.assertEqual(response.status_code, 403)
