"""Safety plates: issued with a deadline, installed with a photo, printable as a PDF with Chinese
text (reportlab's built-in STSong-Light, so no font file is shipped or fetched)."""

import io
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.events import registry_changed
from anju.households.models import Assessment, Household, SafetyPlate

PLATE_DAYS = 30
HOTLINE = "0597-7526007"  # seed 003: 群众监督举报电话
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png"}
STATUS_TEXT = {"A": "安全", "B": "基本安全", "C": "局部危险", "D": "整体危险"}


def current_grade(household: Household) -> str:
    latest = (
        Assessment.objects.filter(house__household=household)
        .order_by("-assessed_on", "-pk")
        .values_list("grade", flat=True)
        .first()
    )
    return latest or ""


def plate_issue(*, actor, household: Household, issued_on: date | None = None) -> SafetyPlate:
    require(actor, Perm.EDIT_HOUSEHOLDS)
    grade = current_grade(household)
    if not grade:
        raise ValidationError("该户房屋尚未鉴定，不能制牌。")
    issued_on = issued_on or timezone.localdate()
    with transaction.atomic():
        prefix = f"{household.region_id[:6]}-{issued_on:%Y}-"
        count = SafetyPlate.objects.filter(number__startswith=prefix).count()
        plate = SafetyPlate.objects.create(
            household=household,
            number=f"{prefix}{count + 1:06d}",
            grade=grade,
            issued_on=issued_on,
            deadline=issued_on + timedelta(days=PLATE_DAYS),
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=plate,
            region_code=household.region_id,
            after={"number": plate.number, "grade": grade, "deadline": str(plate.deadline)},
        )
    return plate


def plate_installed(*, actor, plate: SafetyPlate, installed_on: date, photo: bytes) -> SafetyPlate:
    require(actor, Perm.EDIT_HOUSEHOLDS)
    kind = next((t for magic, t in PHOTO_TYPES.items() if photo.startswith(magic)), None)
    if kind is None:
        raise ValidationError("请上传挂牌照片（JPG 或 PNG）。")
    if len(photo) > 8 * 1024 * 1024:
        raise ValidationError("照片不能超过 8 MB。")
    if installed_on < plate.issued_on or installed_on > timezone.localdate():
        raise ValidationError("挂牌日期应在制牌之后、今天之前。")
    with transaction.atomic():
        plate.installed_on, plate.photo, plate.photo_type = installed_on, photo, kind
        plate.save(update_fields=["installed_on", "photo", "photo_type"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=plate,
            region_code=plate.household.region_id,
            after={"installed_on": str(installed_on), "photo_bytes": len(photo)},
        )
        registry_changed.announce(regions=[plate.household.region_id])
    return plate


def missing_plates(households: QuerySet, today: date) -> QuerySet:
    """Assessed households with no plate on the wall: none issued, or past its deadline."""
    installed = SafetyPlate.objects.filter(household=OuterRef("pk"), installed_on__isnull=False)
    assessed = Assessment.objects.filter(house__household=OuterRef("pk"))
    return households.filter(Exists(assessed)).exclude(Exists(installed))


def plate_pdf(plate: SafetyPlate, check_url: str = "") -> bytes:
    """The printable plate; with `check_url`, a QR code that opens the plate's public page."""
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    household = plate.household
    out = io.BytesIO()
    width, height = landscape(A5)
    c = canvas.Canvas(out, pagesize=(width, height))
    c.setTitle(f"农村住房安全状况牌 {plate.number}")
    c.setLineWidth(3)
    c.rect(20, 20, width - 40, height - 40)
    c.setFont("STSong-Light", 26)
    c.drawCentredString(width / 2, height - 70, "农村住房安全状况牌")
    lines = [
        ("户主", household.head_name),
        ("地址", household.region.name),
        ("房屋安全状况", f"{plate.grade}级（{STATUS_TEXT.get(plate.grade, '')}）"),
        ("制牌日期", f"{plate.issued_on:%Y年%m月%d日}"),
        ("牌号", plate.number),
        ("监督举报电话", HOTLINE),
    ]
    c.setFont("STSong-Light", 16)
    y = height - 120
    for label, value in lines:
        c.drawString(70, y, f"{label}：{value}")
        y -= 32
    if check_url:
        from reportlab.graphics import renderPDF
        from reportlab.graphics.barcode.qr import QrCodeWidget
        from reportlab.graphics.shapes import Drawing

        qr = QrCodeWidget(check_url)
        x0, y0, x1, y1 = qr.getBounds()
        size = 110
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(qr)
        renderPDF.draw(drawing, c, width - 40 - size - 10, 60)
        c.setFont("STSong-Light", 9)
        c.drawCentredString(width - 40 - size / 2 - 10, 50, "扫码核验本牌")
    c.setFont("STSong-Light", 10)
    c.drawCentredString(
        width / 2, 35, "请妥善保护本牌，不得遮挡、损毁。房屋出现险情请立即撤离并报告乡镇。"
    )
    c.showPage()
    c.save()
    return out.getvalue()
