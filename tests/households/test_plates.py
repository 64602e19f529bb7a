import io
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anju.households import plates
from anju.households.imports import import_households
from anju.households.models import Household, SafetyPlate
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx
from tests.pdf import embedded_fonts, ink_without_system_fonts, pdf_text
from tests.photos import jpeg
from tests.test_photo_facts import NEAR_XINQIAO


class PlateTests(AnjuTestCase):
    def setUp(self):
        import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx([row(1, **{"户主姓名": "陈金水"}), row(2, **{"危险等级": ""})]),
        )
        self.household = Household.objects.get(head_name="陈金水")

    def test_a_plate_follows_the_latest_assessment_and_prints_in_chinese(self):
        plate = plates.plate_issue(
            actor=self.alice, household=self.household, issued_on=date(2026, 11, 1)
        )
        self.assertEqual((plate.grade, plate.deadline), ("D", date(2026, 12, 1)))
        pdf = plates.plate_pdf(plate)
        fonts = embedded_fonts(pdf)
        self.assertEqual(len(fonts), 1)
        self.assertTrue(fonts[0].embedded and fonts[0].subset, fonts[0].name)
        self.assertNotIn(b"STSong", pdf)  # the old CID font, never embedded: boxes elsewhere
        used = {chr(c) for c in fonts[0].unicode}
        self.assertLessEqual(set("农村住房安全状况牌陈金水整体危险监督举报电话"), used)
        self.login(self.alice)
        response = self.client.get(reverse("households:plate_pdf", args=[plate.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")

    def test_an_unassessed_house_gets_no_plate(self):
        other = Household.objects.exclude(pk=self.household.pk).get()
        with self.assertRaisesMessage(ValidationError, "尚未鉴定"):
            plates.plate_issue(actor=self.alice, household=other)

    def test_installed_with_a_photo_and_the_missing_list(self):
        self.assertEqual(
            list(plates.missing_plates(Household.objects.all(), date.today())), [self.household]
        )
        plate = plates.plate_issue(
            actor=self.alice, household=self.household, issued_on=date(2026, 11, 1)
        )
        self.login(self.alice)
        self.client.post(
            reverse("households:plate_installed", args=[plate.pk]),
            {"installed_on": "2026-11-10", "photo": SimpleUploadedFile("x.jpg", b"GIF89a")},
            follow=True,
        )
        self.assertIsNone(SafetyPlate.objects.get().installed_on)
        self.client.post(
            reverse("households:plate_installed", args=[plate.pk]),
            {
                "installed_on": "2026-11-10",
                "photo": SimpleUploadedFile(
                    "x.jpg", jpeg(taken="2026:11:10 10:05:00", gps=NEAR_XINQIAO)
                ),
            },
        )
        self.assertEqual(SafetyPlate.objects.get().installed_on, date(2026, 11, 10))
        self.assertEqual(list(plates.missing_plates(Household.objects.all(), date.today())), [])
        # The photo's own time and place, read before it was stripped: on the staff page and
        # in the 一户一档 (issue 29, point 6).
        shown = "拍摄于 2026-11-10 10:05，照片定位 25.291808, 117.420094"
        page = self.client.get(reverse("households:household", args=[self.household.pk]))
        self.assertContains(page, shown)
        archive = self.client.get(reverse("households:archive_pdf", args=[self.household.pk]))
        flat = "".join(pdf_text(archive.content).split())  # the table cell wraps lines
        self.assertIn("".join(shown.split()), flat)
        self.assertNotIn(b"PhoneMaker", bytes(SafetyPlate.objects.get().photo))
        self.client.logout()
        public = self.client.get(reverse("portal:plate", args=[plate.public_token]))
        self.assertEqual(public.status_code, 200)
        self.assertNotContains(public, "25.291808")
        self.assertNotContains(public, "拍摄")


class ArchivePdfTests(AnjuTestCase):
    def test_the_one_household_archive_prints_masked_and_is_audited(self):
        import_households(actor="test", file_name="t.xlsx", data=xlsx([row(1)]))
        household = Household.objects.get()
        plates.plate_issue(actor=self.alice, household=household, issued_on=date(2026, 11, 1))
        self.login(self.alice)
        response = self.client.get(reverse("households:archive_pdf", args=[household.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        fonts = embedded_fonts(response.content)
        self.assertTrue(fonts and all(f.embedded and f.subset for f in fonts))
        self.assertLessEqual(
            set("一户一档家庭成员农户1"), {chr(c) for f in fonts for c in f.unicode}
        )
        from anju.audit.models import AuditEntry

        self.assertTrue(
            AuditEntry.objects.filter(action="export", object_id=str(household.pk)).exists()
        )
        full = self.client.post(
            reverse("households:archive_pdf", args=[household.pk]), {"full": "1"}
        )
        self.assertTrue(full.content.startswith(b"%PDF"))
        self.assertTrue(
            AuditEntry.objects.filter(action="unmask", object_id=str(household.pk)).exists()
        )


class PrintsAnywhereTests(AnjuTestCase):
    """Issue 29, point 4: on a machine with no Chinese font (here: none at all) the plate's text
    still draws, because its font travels in the file; the built-in STSong-Light it replaced
    draws nothing there."""

    def test_text_draws_with_no_font_on_the_machine(self):
        import tempfile

        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        from anju.pdffont import chinese_font

        def title_in(font: str) -> bytes:
            out = io.BytesIO()
            c = canvas.Canvas(out)
            c.setFont(font, 26)
            c.drawString(50, 700, "农村住房安全状况牌")
            c.save()
            return out.getvalue()

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        with tempfile.TemporaryDirectory() as tmp:
            self.assertEqual(ink_without_system_fonts(title_in("STSong-Light"), tmp), 0)
        with tempfile.TemporaryDirectory() as tmp:
            self.assertGreater(ink_without_system_fonts(title_in(chinese_font()), tmp), 200)
        import_households(actor="test", file_name="t.xlsx", data=xlsx([row(1)]))
        plate = plates.plate_issue(actor=self.alice, household=Household.objects.get())
        with tempfile.TemporaryDirectory() as tmp:
            framed = ink_without_system_fonts(plates.plate_pdf(plate), tmp)
        # Frame and rules alone (text not drawn, as with STSong-Light) are ~1,900 dark pixels at
        # 40 dpi; with the embedded font the text makes it ~3,800.
        self.assertGreater(framed, 3000)

    def test_the_fonts_licence_ships_with_us_and_matches_the_installed_font(self):
        """The package that installs the font ships no licence for it: ours carries the font's
        own copyright and licence (read from its name table) and the licence's text, served as
        a static file that every page's footer links to."""
        from pathlib import Path

        from django.contrib.staticfiles import finders

        from anju.pdffont import LICENCE_FILE, font_notice

        notice = font_notice()
        self.assertIn("WenQuanYi Board of Trustees", notice[0])
        shipped = Path(finders.find(LICENCE_FILE)).read_text(encoding="utf-8")
        for line in [*notice[0].splitlines(), notice[7], notice[13], notice[14]]:
            self.assertIn(line.strip(), shipped)
        self.assertIn("Apache License", notice[13])
        self.assertIn("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", shipped)
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("home")), LICENCE_FILE)
