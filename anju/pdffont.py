"""The Chinese font of every PDF the system prints (plates, 一户一档, village worksheets).

WenQuanYi Micro Hei (文泉驿微米黑, TrueType outlines; Apache License 2.0 or GPLv3 with the font
embedding exception), installed from the hash lock as the `paperang-p2-fonts-cjk` package.
reportlab embeds the subset of glyphs a document uses, so the PDF renders the same on a machine
with no Chinese font at all (the built-in STSong-Light it replaces was never embedded)."""

from importlib.resources import files

FONT = "WenQuanYiMicroHei"


def font_path() -> str:
    return str(files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc")


def chinese_font() -> str:
    """Register the font with reportlab once per process; return its name for setFont."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, font_path(), subfontIndex=0))
    return FONT
