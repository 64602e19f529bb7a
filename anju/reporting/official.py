"""Word documents in the official-document layout (GB/T 9704-2012 党政机关公文格式), so that a
summary or progress report printed from Anju goes out without re-typesetting.

What the standard fixes and this module sets: A4 paper; the text block 156 mm × 225 mm, placed
with a top margin (天头) of 37 mm and a left margin (订口) of 28 mm, so right 26 mm and bottom
35 mm; the title in 2号 (22 pt) 小标宋, centred; body text in 3号 (16 pt) 仿宋; the 发文字号 line
(文号) centred under the issuing authority, with a red rule below; page numbers in 4号 (14 pt)
as "— 1 —" at the foot, odd pages right and even pages left.
"""

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TITLE_FONT, BODY_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "宋体"
TITLE_SIZE, BODY_SIZE, HEADING_SIZE, PAGE_NUMBER_SIZE = Pt(22), Pt(16), Pt(16), Pt(14)


def _font(run_or_style, name: str, size) -> None:
    run_or_style.font.name = name
    run_or_style.font.size = size
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _page_number(paragraph) -> None:
    """ "— N —" with N a PAGE field."""
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), tag)
            run._r.append(field)
        else:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = text
            run._r.append(code)
    paragraph.add_run(" —")
    for each in paragraph.runs:
        _font(each, NUMBER_FONT, PAGE_NUMBER_SIZE)


def _red_rule(paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "1"), ("color", "FF0000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


class OfficialDocument:
    """A document laid out as GB/T 9704 asks; add headings, paragraphs and tables, then save."""

    def __init__(self, *, title: str, issuer: str = "", number: str = ""):
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = TOP, BOTTOM
        section.left_margin, section.right_margin = LEFT, RIGHT
        section.footer_distance = Mm(28 - 7)  # the number sits 7 mm below the text block
        # Odd pages right, even pages left (GB/T 9704 7.5).
        self.doc.settings.odd_and_even_pages_header_footer = True
        odd = section.footer.paragraphs[0]
        odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _page_number(odd)
        even = section.even_page_footer.paragraphs[0]
        even.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _page_number(even)
        normal = self.doc.styles["Normal"]
        _font(normal, BODY_FONT, BODY_SIZE)
        normal.paragraph_format.line_spacing = Pt(28)  # 22 lines of 28 chars on the page
        self.doc.core_properties.title = title
        if issuer:
            head = self.doc.add_paragraph()
            head.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = head.add_run(issuer)
            _font(run, TITLE_FONT, Pt(26))
            run.font.color.rgb = RGBColor(0xFF, 0, 0)
        if number:
            line = self.doc.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(line.add_run(number), BODY_FONT, BODY_SIZE)
            _red_rule(line)
        heading = self.doc.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(heading.add_run(title), TITLE_FONT, TITLE_SIZE)
        self.doc.add_paragraph()

    def heading(self, text: str) -> None:
        """A first-level heading (一、…) in 黑体 3号, as the standard's 结构层次序数 asks."""
        paragraph = self.doc.add_paragraph()
        _font(paragraph.add_run(text), "黑体", HEADING_SIZE)

    def paragraph(self, text: str) -> None:
        paragraph = self.doc.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters

    def signature(self, issuer: str, dated: str) -> None:
        """The issuing unit's name and the date (成文日期) at the right, four characters in from
        the right edge (GB/T 9704 7.3.5.2)."""
        for text in (issuer, dated):
            paragraph = self.doc.add_paragraph(text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(64)

    def item(self, text: str) -> None:
        self.paragraph(text)

    def table(self, header: list[str], rows: list[list[str]]):
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        for values in rows:
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        _font(run, BODY_FONT, Pt(12))
        return table

    def save(self) -> bytes:
        import io

        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()
