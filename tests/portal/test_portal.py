"""The public side: a report with a tracking code and protected identity, following it up,
photos without metadata, abuse limits, and the disclosure list."""

import io
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from anju.crypto import unseal
from anju.households.imports import import_households
from anju.households.models import Renovation
from anju.oversight.annexes import annex2_rows
from anju.oversight.models import Clue
from anju.portal.models import PublicReport, ReportAddition, ReportPhoto
from anju.regions.models import Region
from tests.base import AnjuTestCase
from tests.households.files import rid, row, xlsx

PLACE = {"county": "350881000000", "township": "350881100000", "village": "350881100203"}


class PortalCase(AnjuTestCase):
    def setUp(self):
        cache.clear()

    def answer(self) -> str:
        self.client.get(reverse("portal:report"), PLACE)
        return self.client.session["portal_answer"]

    def report(self, **over):
        data = {
            **PLACE,
            "kind": "funds",
            "description": "村干部代领了张某的危房改造补助款。",
            "answer": self.answer(),
            **over,
        }
        return self.client.post(reverse("portal:report"), data)


class ReportTests(PortalCase):
    def test_an_anonymous_report_enters_the_ledger_and_gives_a_code_once(self):
        response = self.report()
        code = response.context["code"]
        self.assertRegex(code, r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
        self.assertEqual(response["Cache-Control"], "no-store")
        item = PublicReport.objects.get()
        self.assertTrue(item.anonymous)
        self.assertIsNone(item.reporter_name)
        self.assertNotIn(code.replace("-", ""), item.code_hash.upper())
        clue = Clue.objects.get()
        self.assertEqual((clue.source_channel, clue.region_id), ("petition", PLACE["village"]))
        self.assertIn("村干部代领", clue.summary)

    def test_name_and_phone_are_ciphertext_in_the_database(self):
        self.report(name="王秀英", phone="13905971234")
        item = PublicReport.objects.get()
        with connection.cursor() as cursor:
            cursor.execute("SELECT reporter_name, reporter_phone FROM portal_publicreport")
            raw = b"".join(bytes(v) for v in cursor.fetchone())
        self.assertNotIn("王秀英".encode(), raw)
        self.assertNotIn(b"13905971234", raw)
        self.assertEqual(unseal(item.reporter_name, "portal.reporter_name"), "王秀英")
        # Sealed for its column: the name's ciphertext does not open as a phone number.
        with self.assertRaises(InvalidTag):
            unseal(item.reporter_name, "portal.reporter_phone")

    def test_the_reporter_is_in_no_staff_page_and_not_in_annex2(self):
        self.report(name="王秀英", phone="13905971234")
        clue = Clue.objects.get()
        for user in (self.carol, self.rita, self.cindy, self.dora):
            self.login(user)
            page = self.client.get(reverse("oversight:clue", args=[clue.pk]))
            self.assertEqual(page.status_code, 200)
            self.assertNotContains(page, "王秀英")
            self.assertNotContains(page, "13905971234")
        rows = annex2_rows(Region.objects.get(code="350881000000"), timezone.localdate())
        self.assertNotIn("王秀英", repr(rows))

    def test_a_wrong_answer_or_no_place_writes_nothing(self):
        response = self.report(answer="99")
        self.assertContains(response, "验证字符不正确")
        response = self.report(county="", township="", village="")
        self.assertContains(response, "请选择问题发生的地方")
        self.assertFalse(PublicReport.objects.exists())
        self.assertFalse(Clue.objects.exists())

    def test_a_flood_from_one_address_is_stopped(self):
        for _ in range(5):
            self.report()
        response = self.report()
        self.assertContains(response, "提交过于频繁")
        self.assertEqual(PublicReport.objects.count(), 5)

    def test_the_same_problem_twice_is_one_clue(self):
        self.report()
        self.report()
        self.assertEqual(PublicReport.objects.count(), 2)
        self.assertEqual(Clue.objects.exclude(status="merged").count(), 1)


class PhotoTests(PortalCase):
    def jpeg_with_gps(self) -> bytes:
        image = Image.new("RGB", (40, 30), "red")
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # camera make
        exif.get_ifd(0x8825).update({1: "N", 2: (25.0, 6.0, 0.0)})  # GPS latitude
        out = io.BytesIO()
        image.save(out, "JPEG", exif=exif)
        return out.getvalue()

    def test_photo_metadata_is_stripped(self):
        data = self.jpeg_with_gps()
        self.assertTrue(Image.open(io.BytesIO(data)).getexif())
        self.report(photos=[SimpleUploadedFile("a.jpg", data, "image/jpeg")])
        stored = bytes(ReportPhoto.objects.get().data)
        self.assertFalse(Image.open(io.BytesIO(stored)).getexif())
        self.assertNotIn(b"PhoneMaker", stored)

    def test_a_file_that_is_not_a_photo_is_refused(self):
        response = self.report(photos=[SimpleUploadedFile("a.jpg", b"MZ\x90\x00", "image/jpeg")])
        self.assertContains(response, "无法识别的照片文件")
        self.assertFalse(PublicReport.objects.exists())


class TrackTests(PortalCase):
    def test_the_code_alone_shows_the_status_and_reply_and_takes_more_information(self):
        code = self.report().context["code"]
        item = PublicReport.objects.get()
        item.public_reply = "已转乡镇核查"
        item.save()
        self.client = self.client_class()  # another device: nothing but the code
        response = self.client.post(
            reverse("portal:track"), {"code": code.lower().replace("-", " ")}, follow=True
        )
        self.assertContains(response, "已受理")
        self.assertContains(response, "已转乡镇核查")
        self.client.post(reverse("portal:status"), {"text": "补充：代领时间为去年十月。"})
        self.assertEqual(ReportAddition.objects.get().text, "补充：代领时间为去年十月。")
        self.assertIn("举报人补充信息", item.clue.events.last().note)

    def test_a_wrong_code_reveals_nothing_and_guessing_is_limited(self):
        self.report()
        for _ in range(20):
            response = self.client.post(reverse("portal:track"), {"code": "0000-0000-0000-0000"})
            self.assertContains(response, "没有找到与该查询码对应的反映")
            self.assertNotIn("portal_report", self.client.session)
        response = self.client.post(reverse("portal:track"), {"code": "0000-0000-0000-0000"})
        self.assertContains(response, "查询过于频繁")

    def test_the_status_page_without_a_code_goes_to_the_code_form(self):
        response = self.client.get(reverse("portal:status"))
        self.assertRedirects(response, reverse("portal:track"))


class DisclosureTests(PortalCase):
    def test_only_noticed_beneficiaries_masked(self):
        import_households(
            actor="t",
            file_name="a.xlsx",
            data=xlsx([row(1, **{"户主姓名": "张小明"}), row(2, **{"户主姓名": "李大华"})]),
        )
        today = timezone.localdate()
        Renovation.objects.filter(household__head_id=rid(1)).update(
            notice_start=today - timedelta(days=3), notice_end=today + timedelta(days=4)
        )
        Renovation.objects.filter(household__head_id=rid(2)).update(
            notice_start=today + timedelta(days=2), notice_end=today + timedelta(days=9)
        )
        response = self.client.get(reverse("portal:disclosure"), {**PLACE, "year": "2019"})
        self.assertContains(response, "张*明")
        self.assertNotContains(response, "张小明")
        self.assertNotContains(response, rid(1))
        self.assertContains(response, "350881********")
        self.assertNotContains(response, "李*华")  # notice not begun
        self.assertContains(response, "反映问题")


class StaffSideTests(PortalCase):
    def test_only_discipline_inspection_sees_the_reporter_and_each_look_is_audited(self):
        from anju.audit.models import AuditEntry

        self.report(name="王秀英", phone="13905971234")
        item = PublicReport.objects.get()
        url = reverse("portal:staff_reporter", args=[item.pk])
        for user in (self.alice, self.carol, self.rita, self.cindy):
            self.login(user)
            page = self.client.get(reverse("oversight:clue", args=[item.clue_id]))
            self.assertNotContains(page, "查看举报人信息")
            self.assertEqual(self.client.post(url).status_code, 403)
        self.login(self.dora)
        page = self.client.get(reverse("oversight:clue", args=[item.clue_id]))
        self.assertContains(page, "查看举报人信息")
        shown = self.client.post(url)
        self.assertContains(shown, "王秀英")
        self.assertContains(shown, "13905971234")
        self.assertEqual(
            AuditEntry.objects.filter(action="unmask", object_id=str(item.pk)).count(), 1
        )
        entry = AuditEntry.objects.filter(action="unmask", object_id=str(item.pk)).get()
        self.assertNotIn("王秀英", str(entry.changes))

    def test_the_public_reply_reaches_the_reporter(self):
        code = self.report().context["code"]
        item = PublicReport.objects.get()
        self.login(self.carol)
        self.client.post(reverse("portal:staff_reply", args=[item.pk]), {"text": "已转乡镇核查。"})
        self.client.logout()
        response = self.client.post(reverse("portal:track"), {"code": code}, follow=True)
        self.assertContains(response, "已转乡镇核查。")


class PlateCheckTests(PortalCase):
    def test_the_qr_page_shows_the_plate_and_village_and_nothing_personal(self):
        from anju.households.models import Household, SafetyPlate

        import_households(
            actor="t", file_name="a.xlsx", data=xlsx([row(1, **{"户主姓名": "张小明"})])
        )
        plate = SafetyPlate.objects.create(
            household=Household.objects.get(),
            number="350881-D-0000001",
            grade="B",
            issued_on=timezone.localdate(),
            deadline=timezone.localdate() + timedelta(days=30),
        )
        page = self.client.get(reverse("portal:plate", args=[plate.public_token]))
        self.assertContains(page, "B级（基本安全）")
        self.assertContains(page, "西埔村")
        self.assertContains(page, "尚未挂牌")
        self.assertNotContains(page, "张小明")
        self.assertNotContains(page, rid(1)[-4:])
        self.assertEqual(self.client.get(reverse("portal:plate", args=["guess"])).status_code, 404)
        self.login(self.alice)
        pdf = self.client.get(reverse("households:plate_pdf", args=[plate.pk]))
        self.assertEqual(pdf["Content-Type"], "application/pdf")


class PagesTests(PortalCase):
    def test_the_city_office_publishes_a_sanitised_responsibility_list(self):
        self.login(self.cindy)
        self.client.post(
            reverse("portal:page_edit"),
            {
                "title": "权力责任清单",
                "body": '<h2>县住建局</h2><p onclick="steal()">负责审批<script>alert(1)</script>'
                '<a href="javascript:alert(1)">链接</a></p>',
            },
        )
        self.client.logout()
        page = self.client.get(reverse("portal:responsibilities"))
        self.assertContains(page, "<h2>县住建局</h2>", html=False)
        self.assertNotContains(page, "onclick")
        self.assertNotContains(page, "<script>alert(1)</script>", html=False)
        self.assertNotContains(page, "javascript:")
        self.login(self.carol)
        self.assertEqual(self.client.get(reverse("portal:page_edit")).status_code, 403)

    def test_only_published_contacts_are_hotlines(self):
        from anju.reporting.services import contact_set

        county = Region.objects.get(code="350881000000")
        contact_set(
            actor=self.carol,
            region=county,
            role="director",
            name="林局长",
            unit_post="漳平市住建局局长",
            mobile="13905970001",
            published=True,
        )
        contact_set(
            actor=self.carol,
            region=county,
            role="leader",
            name="陈副局长",
            unit_post="漳平市住建局副局长",
            mobile="13905970002",
        )
        page = self.client.get(reverse("portal:hotlines"))
        self.assertContains(page, "13905970001")
        self.assertNotContains(page, "13905970002")

    def test_a_flood_from_one_address_leaves_others_served(self):
        for _ in range(6):
            self.report()
        other = self.client_class(REMOTE_ADDR="10.0.0.99")
        self.client = other
        response = self.report()
        self.assertNotContains(response, "提交过于频繁")
        self.assertIn("code", response.context)


class LimitsAndLogsTests(PortalCase):
    def test_an_oversized_request_is_refused_before_it_is_read(self):
        response = self.client.post(
            reverse("portal:report"),
            data=b"x",
            content_type="text/plain",
            CONTENT_LENGTH=str(17 * 1024 * 1024),
        )
        self.assertEqual(response.status_code, 413)
        self.assertFalse(PublicReport.objects.exists())

    def test_the_reporter_and_the_code_never_reach_the_logs(self):
        import logging

        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(self.format(record))

        handler = Keep(level=logging.DEBUG)
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            code = self.report(name="王秀英", phone="13905971234").context["code"]
            self.client.post(reverse("portal:track"), {"code": code}, follow=True)
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        text = "\n".join(records)
        for secret in ("王秀英", "13905971234", code):
            self.assertNotIn(secret, text)


class PublicLayoutTests(PortalCase):
    """The public pages are the public's (issue 28): their own footer and name, the logo back to
    the portal, a way back from every page; none of the staff side's wording."""

    PAGES = ["home", "report", "track", "disclosure", "responsibilities", "hotlines"]

    def test_every_public_page_has_the_portal_footer_and_a_way_home(self):
        for name in self.PAGES:
            body = self.client.get(reverse(f"portal:{name}")).content.decode()
            self.assertIn('data-testid="portal-footer"', body, name)
            self.assertIn("不会告知被反映人", body, name)
            self.assertNotIn("政务内网", body, name)
            self.assertNotIn("审计日志", body, name)
            home = reverse("portal:home")
            self.assertIn(f'class="brand" href="{home}"', body, name)
            self.assertEqual('data-testid="portal-back"' in body, name != "home", name)

    def test_staff_pages_keep_the_staff_footer(self):
        body = self.client.get(reverse("login")).content.decode()
        self.assertIn("政务内网", body)
        self.assertNotIn("portal-footer", body)
