"""Photos from phones carry where and with what they were taken (EXIF: GPS position, camera,
time). Every photo kept by Anju (portal reports, cadres' observations, spot checks, clue
attachments) is re-encoded from its pixels alone, so none of that is stored or handed out."""

import io

from django.core.exceptions import ValidationError

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
