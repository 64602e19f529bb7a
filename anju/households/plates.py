"""Safety plates: issued with a deadline (one household, or every unplated priority household of a
village at once), hung with a photo (or many at once, photos optional), printable as a PDF that
embeds its Chinese font (one plate, or a village's plates in one file, A5 or two to an A4 sheet).
The plate's hotline is the one the household's own county published (Annex 3 contacts)."""

import io
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.choices import PRIORITY
from anju.households.events import registry_changed
from anju.households.models import Assessment, CategoryRecord, Household, SafetyPlate
from anju.pdffont import chinese_font
from anju.photos import PhotoFacts, clean_photo_with_facts
from anju.reporting.models import Contact, Hotline

PLATE_DAYS = 30
# Seed 003's 群众监督举报电话 of 龙岩市: printed only where neither the county nor the city has
# published a number of its own.
HOTLINE = "0597-7526007"
PHOTO_LIMIT = 8 * 1024 * 1024
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
    if not photo:
        raise ValidationError("请上传挂牌照片（JPG 或 PNG）。")
    photo, kind, facts = _clean(photo)
    if installed_on < plate.issued_on or installed_on > timezone.localdate():
        raise ValidationError("挂牌日期应在制牌之后、今天之前。")
    with transaction.atomic():
        plate.installed_on, plate.photo, plate.photo_type = installed_on, photo, kind
        fields = _set_facts(plate, facts)
        plate.save(update_fields=["installed_on", "photo", "photo_type", *fields])
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


def unplated_priority(households: QuerySet) -> QuerySet:
    """Priority households (建档立卡、低保、特困、贫困残疾人, still in the category) whose house is
    assessed and who have no plate issued yet: what a village's batch issues, in house order."""
    priority = CategoryRecord.objects.filter(
        household=OuterRef("pk"), category__in=list(PRIORITY), end__isnull=True
    )
    assessed = Assessment.objects.filter(house__household=OuterRef("pk"))
    issued = SafetyPlate.objects.filter(household=OuterRef("pk"))
    return (
        households.filter(Exists(priority), Exists(assessed))
        .exclude(Exists(issued))
        .order_by("region_id", "head_name", "pk")
    )


def plates_issue_many(*, actor, households: list, issued_on: date | None = None) -> list:
    """Issue a plate for each household in one transaction (all or none)."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if not households:
        raise ValidationError("没有需要制牌的农户。")
    with transaction.atomic():
        return [plate_issue(actor=actor, household=h, issued_on=issued_on) for h in households]


def plates_hung(
    *, actor, plates: list, installed_on: date, installer: str, photos: dict | None = None
) -> int:
    """Record that these plates were hung on `installed_on` by `installer`, each with its photo
    when one was taken (optional here); one transaction, one audit entry per plate."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    installer = " ".join(installer.split())
    photos = photos or {}
    if not plates:
        raise ValidationError("请勾选已挂牌上墙的安全状况牌。")
    if not installer:
        raise ValidationError("请填写挂牌人。")
    if len(installer) > 50:
        raise ValidationError("挂牌人不能超过 50 字。")
    if installed_on > timezone.localdate():
        raise ValidationError("挂牌日期不能晚于今天。")
    cleaned = {}
    for plate in plates:
        if installed_on < plate.issued_on:
            raise ValidationError(
                f"牌号 {plate.number}：挂牌日期不能早于制牌日期 {plate.issued_on}。"
            )
        if photos.get(plate.pk):
            cleaned[plate.pk] = _clean(photos[plate.pk], plate.number)
    with transaction.atomic():
        for plate in plates:
            photo = b""
            plate.installed_on, plate.installed_by = installed_on, installer
            fields = ["installed_on", "installed_by"]
            if plate.pk in cleaned:
                photo, plate.photo_type, facts = cleaned[plate.pk]
                plate.photo = photo
                fields += ["photo", "photo_type", *_set_facts(plate, facts)]
            plate.save(update_fields=fields)
            audit(
                actor=actor,
                action=Action.UPDATE,
                obj=plate,
                region_code=plate.household.region_id,
                after={
                    "installed_on": str(installed_on),
                    "installed_by": installer,
                    "photo_bytes": len(photo),
                },
            )
        registry_changed.announce(regions=sorted({p.household.region_id for p in plates}))
    return len(plates)


def _clean(photo: bytes, number: str = "") -> tuple[bytes, str, PhotoFacts]:
    """The photo re-encoded without its metadata, the time and place read from it first."""
    try:
        return clean_photo_with_facts(photo, limit=PHOTO_LIMIT)
    except ValidationError as error:
        where = f"牌号 {number}：" if number else ""
        raise ValidationError(
            f"{where}挂牌照片（JPG 或 PNG）：{' '.join(error.messages)}"
        ) from None


def _set_facts(plate: SafetyPlate, facts: PhotoFacts) -> list[str]:
    values = facts.fields(prefix="photo_")
    for name, value in values.items():
        setattr(plate, name, value)
    return list(values)


def county_hotline(region_code: str) -> str:
    """The supervision hotline printed on a plate: the first hotline the household's county
    publishes on the portal (landline or mobile), else a mobile of its Annex 3 contacts it
    published, else the city's, else seed 003's."""
    county, city = region_code[:6] + "000000", region_code[:4] + "00000000"
    for place in (county, city):
        first = Hotline.objects.filter(region_id=place).order_by("position", "pk").first()
        if first is not None:
            return first.number
    published = Contact.objects.filter(region_id__in=[county, city], published=True)
    for contact in sorted(published, key=lambda c: (c.region_id != county, c.role, c.pk)):
        if contact.mobile:
            return contact.mobile
    return HOTLINE


def _draw_plate(c, plate: SafetyPlate, check_url: str, hotline: str, oy: float) -> None:
    """One plate on an A5-landscape area whose bottom edge is at `oy` on the canvas."""
    from reportlab.lib.pagesizes import A5, landscape

    font = chinese_font()
    household = plate.household
    width, height = landscape(A5)
    top = oy + height
    c.setLineWidth(3)
    c.rect(20, oy + 20, width - 40, height - 40)
    c.setFont(font, 26)
    c.drawCentredString(width / 2, top - 70, "农村住房安全状况牌")
    lines = [
        ("户主", household.head_name),
        ("地址", household.region.name),
        ("房屋安全状况", f"{plate.grade}级（{STATUS_TEXT.get(plate.grade, '')}）"),
        ("制牌日期", f"{plate.issued_on:%Y年%m月%d日}"),
        ("牌号", plate.number),
        ("监督举报电话", hotline),
    ]
    c.setFont(font, 16)
    y = top - 120
    for label, value in lines:
        c.drawString(70, y, f"{label}：{value}")
        y -= 32
    if check_url:
        size = 110
        _draw_qr(c, check_url, width - 40 - size - 10, oy + 60, size)
        c.setFont(font, 9)
        c.drawCentredString(width - 40 - size / 2 - 10, oy + 50, "扫码核验本牌")
    c.setFont(font, 10)
    c.drawCentredString(
        width / 2, oy + 35, "请妥善保护本牌，不得遮挡、损毁。房屋出现险情请立即撤离并报告乡镇。"
    )


def _draw_qr(c, text: str, x: float, y: float, size: float) -> None:
    """A QR code (segno's matrix, with its quiet zone) drawn as filled runs of dark modules in
    module units (whole numbers: the operators are written directly, as reportlab formats each
    float in Python): a hundred times faster than reportlab's QR widget."""
    import segno

    # A fixed mask: choosing the best of eight costs more than all the rest of a plate.
    rows = list(segno.make(text, error="m", mask=0, micro=False).matrix_iter(scale=1, border=4))
    module = size / len(rows)
    runs = []
    for r, row in enumerate(rows):
        start = None
        for col, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append(f"{start} {r} {col - start} 1 re")
                start = None
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    # Module units, rows downward from the code's top-left corner.
    c.transform(module, 0, 0, -module, x, y + size)
    c.addLiteral("\n".join(runs) + "\nf")
    c.restoreState()


def plate_pdf(plate: SafetyPlate, check_url: str = "") -> bytes:
    """The printable plate; with `check_url`, a QR code that opens the plate's public page."""
    return plates_pdf([plate], lambda _: check_url)


def plates_pdf(plates: list, check_url=lambda plate: "", *, two_per_a4: bool = False) -> bytes:
    """The plates in the order given, one A5 (landscape) page each, or two to an A4 sheet (cut
    along the middle); `check_url(plate)` gives each plate's QR target."""
    from reportlab.lib.pagesizes import A4, A5, landscape
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    a5 = landscape(A5)
    c = canvas.Canvas(out, pagesize=A4 if two_per_a4 else a5, pageCompression=1)
    title = plates[0].number if len(plates) == 1 else f"{len(plates)} 块"
    c.setTitle(f"农村住房安全状况牌 {title}")
    hotlines: dict[str, str] = {}
    for n, plate in enumerate(plates):
        county = plate.household.region_id[:6]
        if county not in hotlines:
            hotlines[county] = county_hotline(plate.household.region_id)
        if two_per_a4:
            upper = n % 2 == 0
            _draw_plate(c, plate, check_url(plate), hotlines[county], a5[1] if upper else 0)
            if upper and n + 1 < len(plates):
                c.setDash(4, 4)
                c.setLineWidth(0.5)
                c.line(10, a5[1], a5[0] - 10, a5[1])
                c.setDash()
                continue
        else:
            _draw_plate(c, plate, check_url(plate), hotlines[county], 0)
        c.showPage()
    c.save()
    return out.getvalue()
