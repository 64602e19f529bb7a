"""The Chinese font of every PDF the system prints (plates, 一户一档, village worksheets).

WenQuanYi Micro Hei (文泉驿微米黑, TrueType outlines; Apache License 2.0 or GPLv3 with the font
embedding exception), installed from the hash lock as the `paperang-p2-fonts-cjk` package.
reportlab embeds the subset of glyphs a document uses, so the PDF renders the same on a machine
with no Chinese font at all (the built-in STSong-Light it replaces was never embedded)."""

import struct
from importlib.resources import files

FONT = "WenQuanYiMicroHei"
# The font's licence, shipped with our static files (the package that installs the font does
# not ship it): its copyright and licence as the font's name table gives them, and the licence.
LICENCE_FILE = "anju/fonts/WenQuanYi-Micro-Hei-LICENSE.txt"


def font_path() -> str:
    return str(files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc")


def chinese_font() -> str:
    """Register the font with reportlab once per process; return its name for setFont."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, font_path(), subfontIndex=0))
    return FONT


def font_notice() -> dict[int, str]:
    """The installed font's own notices from its name table (first face, Windows English):
    0 copyright, 7 trademark, 13 licence, 14 licence URL. The shipped licence file is checked
    against these (tests), so a different font cannot slip in under the old notice."""
    with open(font_path(), "rb") as handle:
        data = handle.read()
    face = struct.unpack(">I", data[12:16])[0] if data[:4] == b"ttcf" else 0
    (tables,) = struct.unpack(">H", data[face + 4 : face + 6])
    for i in range(tables):
        tag, _, offset, _ = struct.unpack(">4sIII", data[face + 12 + 16 * i : face + 28 + 16 * i])
        if tag != b"name":
            continue
        _, count, strings = struct.unpack(">HHH", data[offset : offset + 6])
        notice = {}
        for j in range(count):
            at = offset + 6 + 12 * j
            platform, _, language, name, length, start = struct.unpack(">6H", data[at : at + 12])
            if platform == 3 and language == 0x409 and name in (0, 7, 13, 14):
                raw = data[offset + strings + start : offset + strings + start + length]
                notice[name] = raw.decode("utf-16-be")
        return notice
    return {}
