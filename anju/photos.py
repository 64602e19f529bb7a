"""Photos from phones carry where and with what they were taken (EXIF: GPS position, camera,
time). Every photo kept by Anju (portal reports, cadres' observations, spot checks, clue
attachments, plates) is re-encoded from its pixels alone, so none of that is stored or handed
out. For the photos that prove field work (cadres' observations, spot checks, plates on the wall)
the time and place are first read (`photo_facts`) and kept as fields beside the photo, for
staff pages and the 一户一档 only; never on a public page."""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

PHOTO_LIMIT = 5 * 1024 * 1024


def clean_photo(data: bytes, limit: int = PHOTO_LIMIT) -> tuple[bytes, str]:
    """The photo re-encoded from its pixels alone (no EXIF, GPS, comments); JPEG or PNG by
    content, not by name."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > limit:
        raise ValidationError(f"每张照片不超过 {limit // 1024 // 1024} MB。")
    try:
        image = Image.open(io.BytesIO(data))
        kind = image.format
        if kind not in ("JPEG", "PNG"):
            raise ValidationError("照片只能是 JPG 或 PNG 格式。")
        if image.width * image.height > 40_000_000:
            raise ValidationError("照片像素过大。")
        image = ImageOps.exif_transpose(image)  # keep it upright, then drop the tags
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError("无法识别的照片文件。") from None
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    clean.save(out, "PNG")
    return out.getvalue(), "image/png"


@dataclass(frozen=True)
class PhotoFacts:
    """When and where a photo was taken, as far as its EXIF (or the phone) says."""

    taken_at: datetime | None = None  # aware, Asia/Shanghai
    latitude: Decimal | None = None  # degrees, 6 places (~0.1 m), north positive
    longitude: Decimal | None = None  # degrees, east positive
    source: str = ""  # "exif" or "phone" (the browser's location at capture, user allowed)

    @property
    def place(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return f"{self.latitude:.6f}, {self.longitude:.6f}"

    def fields(self, prefix: str = "") -> dict:
        """The model fields to save beside the photo (PhotoFactsFields' names)."""
        return {
            f"{prefix}taken_at": self.taken_at,
            f"{prefix}latitude": self.latitude,
            f"{prefix}longitude": self.longitude,
            f"{prefix}place_source": self.source if self.latitude is not None else "",
        }

    def __str__(self) -> str:
        """As staff pages and the 一户一档 show it."""
        parts = []
        if self.taken_at:
            parts.append(f"拍摄于 {timezone.localtime(self.taken_at):%Y-%m-%d %H:%M}")
        if self.place:
            where = "手机定位" if self.source == "phone" else "照片定位"
            parts.append(f"{where} {self.place}")
        return "，".join(parts) or "照片未带拍摄时间和位置"


class PhotoFactsFields(models.Model):
    """Where and when a kept photo was taken (read before its metadata was stripped)."""

    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    latitude = models.DecimalField(
        "拍摄纬度", max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        "拍摄经度", max_digits=10, decimal_places=6, null=True, blank=True
    )
    # "exif": the photo's own GPS; "phone": the browser's location at capture (user allowed).
    place_source = models.CharField("位置来源", max_length=8, blank=True)

    class Meta:
        abstract = True

    @property
    def facts(self) -> "PhotoFacts":
        return PhotoFacts(self.taken_at, self.latitude, self.longitude, self.place_source)


SIX = Decimal("0.000001")
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME = 36867, 0x0132


def _degrees(value, ref) -> Decimal | None:
    try:
        d, m, s = (Decimal(str(float(x))) for x in value)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    degrees = d + m / 60 + s / 3600
    if str(ref).strip().upper() in ("S", "W"):
        degrees = -degrees
    return degrees.quantize(SIX, rounding=ROUND_HALF_UP)


def _taken(text) -> datetime | None:
    """EXIF's local time "YYYY:MM:DD HH:MM:SS", read as Beijing time (phones in China)."""
    try:
        naive = datetime.strptime(str(text).strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if not 2000 <= naive.year <= 2100:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def photo_facts(data: bytes) -> PhotoFacts:
    """The EXIF time (DateTimeOriginal, else DateTime) and GPS position of a photo; empty facts
    for a photo without them or one Pillow cannot read (clean_photo refuses that one)."""
    from PIL import Image

    try:
        exif = Image.open(io.BytesIO(data)).getexif()
        details = exif.get_ifd(EXIF_IFD)
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # a damaged EXIF block must not refuse a photo: the pixels may be fine
        return PhotoFacts()
    taken = _taken(details.get(DATETIME_ORIGINAL) or exif.get(DATETIME) or "")
    latitude = longitude = None
    if 2 in gps and 4 in gps:
        latitude, longitude = _degrees(gps[2], gps.get(1, "N")), _degrees(gps[4], gps.get(3, "E"))
        if (
            latitude is None
            or longitude is None
            or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
            or (latitude == 0 and longitude == 0)
        ):
            latitude = longitude = None
    if taken is None and latitude is None:
        return PhotoFacts()
    return PhotoFacts(taken, latitude, longitude, "exif")


def phone_place(latitude: str, longitude: str) -> PhotoFacts:
    """The location the phone's browser gave at capture (only when the user allowed it);
    empty facts for missing or impossible values."""
    try:
        lat = Decimal(str(latitude).strip()).quantize(SIX, rounding=ROUND_HALF_UP)
        lon = Decimal(str(longitude).strip()).quantize(SIX, rounding=ROUND_HALF_UP)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            return PhotoFacts()
    except ArithmeticError:  # not a number, NaN, infinity
        return PhotoFacts()
    return PhotoFacts(None, lat, lon, "phone")


def clean_photo_with_facts(
    data: bytes, limit: int = PHOTO_LIMIT, phone: PhotoFacts | None = None
) -> tuple[bytes, str, PhotoFacts]:
    """`clean_photo`, with the time and place read first; the phone's location stands in where
    the photo itself has no position."""
    facts = photo_facts(data)
    cleaned, kind = clean_photo(data, limit)
    if phone is not None and facts.latitude is None and phone.latitude is not None:
        facts = PhotoFacts(facts.taken_at, phone.latitude, phone.longitude, "phone")
    return cleaned, kind, facts
