"""Plates by the village (issue 29, point 3): issue for every unplated priority household at once,
one PDF in village and house order (A5 or two to an A4 sheet), hanging recorded for many at once,
and the county's own published hotline on the plate."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from anju.audit.models import AuditEntry
from anju.households import plates
from anju.households.imports import import_households
from anju.households.models import Household, SafetyPlate
from anju.reporting.models import Contact
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx
from tests.pdf import pdf_fonts, pdf_text
from tests.photos import jpeg
from tests.test_photo_facts import NEAR_XINQIAO

BATCH = reverse("households:plates_batch")
VILLAGE = "350881100203"


def contact(region: str, role: str, mobile: str, *, published: bool) -> Contact:
    return Contact.objects.create(
        region_id=region,
        role=role,
        name="联络人",
        unit_post="住建局",
        mobile=mobile,
        published=published,
    )


def page_count(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def page_size(pdf: bytes) -> tuple[int, int]:
    import re

    box = re.search(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)
    return round(float(box.group(1))), round(float(box.group(2)))


class PlateBatchTests(AnjuTestCase):
    def setUp(self):
        import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx(
                [
                    row(1, **{"户主姓名": "郑三"}),
                    row(2, **{"户主姓名": "王二"}),
                    row(3, **{"户主姓名": "李一"}),
                    row(4, **{"户主姓名": "未鉴定户", "危险等级": "", "鉴定日期": ""}),
                    row(5, **{"户主姓名": "一般户", "农户类别": "其他"}),
                    row(6, **{"户主姓名": "双洋户", "乡镇(街道)": "双洋镇", "行政村": "东洋村"}),
                ]
            ),
        )
        self.login(self.alice)

    def issue(self, expected):
        return self.client.post(
            reverse("households:plates_issue_batch") + f"?region={VILLAGE}",
            {"expected": str(expected)},
            follow=True,
        )

    def test_a_village_is_plated_in_one_step(self):
        page = self.client.get(f"{BATCH}?region={VILLAGE}")
        self.assertEqual([h.head_name for h in page.context["unplated"]], ["李一", "王二", "郑三"])
        # The count shown is the count confirmed: a list that changed is not issued blindly.
        self.assertContains(self.issue(2), "名单已有变化")
        self.assertFalse(SafetyPlate.objects.exists())
        page = self.issue(3)
        self.assertContains(page, "已为 3 户制牌")
        self.assertEqual(
            set(SafetyPlate.objects.values_list("household__head_name", flat=True)),
            {"李一", "王二", "郑三"},
        )
        self.assertEqual(AuditEntry.objects.filter(object_type__endswith="safetyplate").count(), 3)
        self.assertEqual(page.context["unplated"], [])
        self.assertEqual(len(page.context["waiting"]), 3)

    def test_one_pdf_in_house_order_a5_or_two_to_an_a4(self):
        self.issue(3)
        a5 = self.client.get(reverse("households:plates_batch_pdf") + f"?region={VILLAGE}")
        self.assertEqual(a5["Content-Type"], "application/pdf")
        self.assertEqual(page_count(a5.content), 3)
        self.assertEqual(page_size(a5.content), (595, 420))
        a4 = self.client.get(
            reverse("households:plates_batch_pdf") + f"?region={VILLAGE}&layout=a4"
        )
        self.assertEqual(page_count(a4.content), 2)
        self.assertEqual(page_size(a4.content), (595, 842))
        fonts = [f for f in pdf_fonts(a4.content) if f.name != "Helvetica"]
        self.assertTrue(fonts and all(f.embedded for f in fonts))
        text = pdf_text(a5.content)
        self.assertLess(text.index("户主：李一"), text.index("户主：王二"))
        self.assertLess(text.index("户主：王二"), text.index("户主：郑三"))
        self.assertIn("西埔村", text)

    def test_hanging_recorded_for_many_with_optional_photos(self):
        self.issue(3)
        ids = {p.household.head_name: p.pk for p in SafetyPlate.objects.all()}
        today = f"{timezone.localdate():%Y-%m-%d}"
        url = reverse("households:plates_hung_batch") + f"?region={VILLAGE}"
        refused = self.client.post(
            url, {"installed_on": today, "installer": "", "p": [ids["李一"], ids["王二"]]}
        )
        self.assertContains(refused, "请填写挂牌人", status_code=400)
        self.assertContains(refused, f'value="{ids["李一"]}"', status_code=400)
        self.assertFalse(SafetyPlate.objects.filter(installed_on__isnull=False).exists())
        bad = self.client.post(
            url,
            {
                "installed_on": today,
                "installer": "村建站 张三",
                "p": [ids["李一"]],
                f"photo-{ids['李一']}": SimpleUploadedFile("x.jpg", b"GIF89a"),
            },
        )
        self.assertContains(bad, "JPG 或 PNG", status_code=400)
        self.assertContains(bad, 'value="村建站 张三"', status_code=400)
        self.client.post(
            url,
            {
                "installed_on": today,
                "installer": "村建站 张三",
                "p": [ids["李一"], ids["王二"]],
                f"photo-{ids['李一']}": SimpleUploadedFile(
                    "x.jpg", jpeg(taken="2026:11:10 10:05:00", gps=NEAR_XINQIAO)
                ),
            },
        )
        hung = {p.household.head_name: p for p in SafetyPlate.objects.exclude(installed_on=None)}
        self.assertEqual(set(hung), {"李一", "王二"})
        self.assertEqual(hung["李一"].installed_by, "村建站 张三")
        photo = bytes(hung["李一"].photo)
        self.assertTrue(photo.startswith(b"\xff\xd8\xff"))
        self.assertNotIn(b"PhoneMaker", photo)  # stripped, its time and place kept beside it
        self.assertEqual(str(hung["李一"].photo_latitude), "25.291808")
        self.assertEqual(hung["李一"].photo_place_source, "exif")
        self.assertIsNone(hung["王二"].photo)
        missing = {
            h.head_name for h in plates.missing_plates(Household.objects.all(), date.today())
        }
        self.assertIn("郑三", missing)
        self.assertFalse(missing & {"李一", "王二"})

    def test_the_plate_shows_the_countys_published_hotline(self):
        plate = plates.plate_issue(
            actor=self.alice, household=Household.objects.get(head_name="李一")
        )
        self.assertEqual(plates.county_hotline(VILLAGE), plates.HOTLINE)
        contact("350800000000", "section", "13900000001", published=True)
        contact("350881000000", "director", "13800000002", published=False)
        self.assertEqual(plates.county_hotline(VILLAGE), "13900000001")
        contact("350881000000", "section", "13700000003", published=True)
        self.assertEqual(plates.county_hotline(VILLAGE), "13700000003")
        fonts = pdf_fonts(plates.plate_pdf(plate))
        used = {chr(c) for f in fonts for c in f.unicode}
        self.assertLessEqual(set("13700000003"), used)

    def test_a_county_picks_a_township_and_the_city_cannot_issue(self):
        self.login(self.carol)
        self.assertContains(self.client.get(BATCH), "请先选择乡镇")
        self.login(self.cindy)
        self.assertEqual(self.issue(3).status_code, 403)
        self.assertEqual(self.client.get(f"{BATCH}?region={VILLAGE}").status_code, 200)
