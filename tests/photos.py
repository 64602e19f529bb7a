"""Phone photos as the tests need them: JPEGs with or without EXIF time and GPS."""

import io

from PIL import Image
from PIL.TiffImagePlugin import IFDRational


def jpeg(*, taken: str | None = None, gps: tuple | None = None, colour=(120, 90, 60)) -> bytes:
    """A small JPEG; `taken` "YYYY:MM:DD HH:MM:SS" (DateTimeOriginal), `gps` ((d, m, s), "N",
    (d, m, s), "E") as a phone writes them, with a camera make beside them."""
    image = Image.new("RGB", (48, 32), colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    if gps:
        (lat, lat_ref, lon, lon_ref) = gps
        place = exif.get_ifd(0x8825)
        place[1], place[3] = lat_ref, lon_ref
        place[2] = tuple(IFDRational(round(v * 100), 100) for v in lat)
        place[4] = tuple(IFDRational(round(v * 100), 100) for v in lon)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
