import hashlib
import io
from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from anju.audit.models import AuditEntry
from anju.oversight import services
from anju.oversight.models import Attachment, Clue, RectificationItem, Sanction, TypicalCase
from tests.base import AnjuTestCase
from tests.cadres.test_cadres import jpeg_with_gps
from tests.oversight.helpers import register


class IntakePageTests(AnjuTestCase):
    FORM = {
        "region_code": "350881100203",
        "place": "新桥镇西埔村",
        "source_channel": "petition",
        "received_on": "2026-10-05",
        "category": "funds",
        "summary": "西埔村村主任张三截留危房改造补助资金两万元",
        "funds": "2",
        "person1_name": "张三",
        "person1_post": "村主任",
        "person1_level": "village",
    }

    def test_a_clerk_registers_and_the_second_near_identical_one_is_warned(self):
        self.login(self.carol)
        response = self.client.post(reverse("oversight:clue_new"), self.FORM)
        clue = Clue.objects.get()
        self.assertRedirects(response, reverse("oversight:clue", args=[clue.pk]))
        again = self.client.post(
            reverse("oversight:clue_new"),
            {**self.FORM, "summary": "西埔村村主任張三截留危改補助資金兩萬元"},
        )
        self.assertContains(again, "可能是重复线索")
        self.assertContains(again, clue.number)
        self.assertEqual(Clue.objects.count(), 1)
        merged = self.client.post(
            reverse("oversight:clue_new"),
            {
                **self.FORM,
                "summary": "西埔村村主任張三截留危改補助資金兩萬元",
                "merge_into": clue.pk,
            },
        )
        self.assertRedirects(merged, reverse("oversight:clue", args=[clue.pk]))
        self.assertEqual(Clue.objects.count(), 1)
        self.assertEqual(clue.sources.count(), 1)

    def test_a_township_clerk_registers_only_in_their_township(self):
        self.login(self.bob)
        response = self.client.post(reverse("oversight:clue_new"), self.FORM)
        # Refused on the field, the form kept (never a 404 for a value typed in a form).
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请从列表中选择涉及地方")
        self.assertContains(response, self.FORM["summary"])
        self.assertFalse(Clue.objects.exists())

    def test_a_mistyped_code_keeps_the_whole_form(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("oversight:clue_new"), {**self.FORM, "region_code": "350881100299"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "涉及地方：请从列表中选择涉及地方")
        for key in ("summary", "place", "person1_name", "person1_post"):
            self.assertContains(response, self.FORM[key])
        self.assertFalse(Clue.objects.exists())

    def test_the_audit_admin_has_no_ledger(self):
        self.login(self.aud)
        self.assertEqual(self.client.get(reverse("oversight:clues")).status_code, 403)

    def test_the_list_searches_by_person(self):
        register(self.carol)
        register(self.carol, summary="另一件事：验收走过场", names=("李四",))
        self.login(self.carol)
        response = self.client.get(reverse("oversight:clues"), {"q": "李四"})
        self.assertEqual(len(response.context["rows"]), 1)


class EvidenceAndCloseTests(AnjuTestCase):
    def test_attachments_are_typed_by_content(self):
        clue, _ = register(self.carol)
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.login(self.carol)
        self.client.post(
            reverse("oversight:attachment_add", args=[clue.pk]),
            {"file": SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 an executable")},
        )
        self.assertFalse(Attachment.objects.exists())
        original = jpeg_with_gps()
        self.client.post(
            reverse("oversight:attachment_add", args=[clue.pk]),
            {"file": SimpleUploadedFile("照片.jpg", original), "is_evidence": "on"},
        )
        item = Attachment.objects.get()
        self.assertEqual((item.content_type, item.is_evidence), ("image/jpeg", True))
        download = self.client.get(reverse("oversight:attachment", args=[item.pk]))
        self.assertEqual(Image.open(io.BytesIO(download.content)).size, (40, 30))
        self.login(self.xavier)
        self.assertEqual(
            self.client.get(reverse("oversight:attachment", args=[item.pk])).status_code, 404
        )

    def test_a_photo_is_kept_without_its_position_and_camera(self):
        # Issue #33 F10: as the portal's, cadres' and spot checks' photos are.
        clue, _ = register(self.carol)
        original = jpeg_with_gps()
        item = services.attachment_add(
            actor=self.carol, clue=clue, name="现场.jpg", data=original, is_evidence=False
        )
        item.refresh_from_db()
        kept = bytes(item.data)
        for trace in (b"CameraMaker", b"117.42E", b"Exif"):
            self.assertNotIn(trace, kept)
        self.assertFalse(Image.open(io.BytesIO(kept)).getexif())
        # The uploaded file's SHA-256 is kept as evidence of what was received.
        self.assertEqual(item.sha256, hashlib.sha256(original).hexdigest())
        self.assertEqual(item.size, len(kept))
        entry = AuditEntry.objects.filter(changes__note__startswith="上传附件").latest("seq")
        self.assertEqual(entry.changes["after"]["sha256"], item.sha256)
        self.login(self.carol)
        download = self.client.get(reverse("oversight:attachment", args=[item.pk]))
        self.assertNotIn(b"117.42E", download.content)
        with self.assertRaisesMessage(ValidationError, "无法识别的照片文件"):
            services.attachment_add(
                actor=self.carol,
                clue=clue,
                name="坏.jpg",
                data=b"\xff\xd8\xff\xe0 x",
                is_evidence=False,
            )

    def test_a_stale_form_is_refused_with_a_clear_message(self):
        clue, _ = register(self.carol)
        self.login(self.carol)
        old_version = clue.version
        self.client.post(
            reverse("oversight:clue_act", args=[clue.pk]),
            {"version": old_version, "action": "assign", "handling_unit": "新桥镇"},
        )
        response = self.client.post(
            reverse("oversight:clue_act", args=[clue.pk]),
            {"version": old_version, "action": "assign", "handling_unit": "别处"},
            follow=True,
        )
        self.assertContains(response, "已被他人修改")
        self.assertEqual(Clue.objects.get(pk=clue.pk).handling_unit, "新桥镇")


class AccountabilityTests(AnjuTestCase):
    def test_person_and_unit_sanctions_and_a_typical_case(self):
        clue, _ = register(self.carol)
        self.login(self.carol)
        self.client.post(
            reverse("oversight:sanction_add", args=[clue.pk]),
            {
                "kind": "party",
                "decided_on": "2026-10-20",
                "person_name": "张三",
                "level": "village",
                "form": "2",
            },
        )
        self.client.post(
            reverse("oversight:sanction_add", args=[clue.pk]),
            {"kind": "unit_check", "decided_on": "2026-10-20", "unit": "新桥镇人民政府"},
        )
        response = self.client.post(
            reverse("oversight:sanction_add", args=[clue.pk]),
            {"kind": "party", "decided_on": "2026-10-20", "person_name": "李四"},
            follow=True,
        )
        self.assertContains(response, "个人问责须填写姓名和级别")
        self.assertEqual(Sanction.objects.count(), 2)
        response = self.client.post(
            reverse("oversight:typical_add", args=[clue.pk]),
            {"month": "2026-10", "text": "案例"},
            follow=True,
        )
        self.assertContains(response, "已销号")
        self.assertFalse(TypicalCase.objects.exists())

    def test_a_township_clerk_records_no_sanctions(self):
        clue, _ = register(self.carol)
        self.login(self.alice)
        response = self.client.post(
            reverse("oversight:sanction_add", args=[clue.pk]),
            {"kind": "unit_check", "decided_on": "2026-10-20", "unit": "x"},
        )
        self.assertEqual(response.status_code, 403)


class ProblemListTests(AnjuTestCase):
    def test_a_township_keeps_its_list_and_prints_it(self):
        self.login(self.alice)
        self.client.post(
            reverse("oversight:item_new"),
            {
                "region_code": "350881100000",
                "source": "visit",
                "description": "西埔村张某房屋漏雨透风",
                "owner": "黄乡镇",
                "deadline": "2026-12-31",
                "measure": "修缮屋面",
            },
        )
        item = RectificationItem.objects.get()
        page = self.client.get(reverse("oversight:items") + "?print=1")
        self.assertContains(page, "西埔村张某房屋漏雨透风")
        self.assertContains(page, "打印日期")
        confirm = self.client.get(reverse("oversight:item_done", args=[item.pk]))
        self.assertContains(confirm, "此操作不能撤销")
        self.assertContains(confirm, "必须有照片佐证")
        # No photo: refused on the field, the note kept, nothing closed.
        refused = self.client.post(
            reverse("oversight:item_done", args=[item.pk]), {"note": "屋面已换瓦，村里验收"}
        )
        self.assertContains(
            refused, "整改后的照片（JPG/PNG，5 MB 以内）：来自“跟踪回访”的事项须上传"
        )
        self.assertContains(refused, "屋面已换瓦，村里验收")
        self.assertEqual(RectificationItem.objects.get().status, "open")
        self.client.post(
            reverse("oversight:item_done", args=[item.pk]),
            {"note": "屋面已换瓦，村里验收", "evidence": png_upload()},
        )
        closed = RectificationItem.objects.get()
        self.assertEqual((closed.status, closed.done_note), ("done", "屋面已换瓦，村里验收"))
        photo = self.client.get(reverse("oversight:item_evidence", args=[item.pk]))
        self.assertEqual(photo["Content-Type"], "image/png")

    def test_another_township_cannot_see_or_close_it(self):
        item = services.item_create(
            actor=self.alice,
            region=self.regions["350881100000"],
            source="visit",
            description="漏雨",
            owner="黄",
            deadline=date(2026, 12, 1),
        )
        self.login(self.bob)
        page = self.client.get(reverse("oversight:items"))
        self.assertNotContains(page, "漏雨")
        response = self.client.post(reverse("oversight:item_done", args=[item.pk]), {"note": "x"})
        self.assertEqual(response.status_code, 404)

    def test_lists_are_per_township(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("oversight:item_new"),
            {
                "region_code": "350881000000",
                "source": "visit",
                "description": "x",
                "owner": "y",
                "deadline": "2026-12-31",
            },
            follow=True,
        )
        # Only townships are offered: a county is refused on the field.
        self.assertContains(response, "乡镇：请从列表中选择乡镇")
        self.assertNotContains(response, 'value="350881000000" data-py')


def png_upload():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 90, 60)).save(out, "PNG")
    return SimpleUploadedFile("整改后.png", out.getvalue(), content_type="image/png")
