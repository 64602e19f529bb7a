"""Open a generated PDF and list its fonts: whether each is embedded (a font program in the file),
a subset (the ABCDEF+ name prefix), and which characters its ToUnicode map covers. Reads the
objects reportlab writes (plain dictionaries, Flate streams) with no PDF library."""

import re
import zlib
from dataclasses import dataclass, field

# The fonts every viewer has: the only ones a PDF may name without embedding.
STANDARD_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}
OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)


@dataclass
class PdfFont:
    name: str
    subtype: str
    embedded: bool = False
    program: bytes = b""
    unicode: set[int] = field(default_factory=set)

    @property
    def subset(self) -> bool:
        return re.match(r"^[A-Z]{6}\+", self.name) is not None


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in OBJECT.finditer(data)}


def _ref(body: bytes, key: bytes) -> int | None:
    found = re.search(rb"/" + key + rb"\s+(\d+) 0 R", body)
    return int(found.group(1)) if found else None


def _stream(body: bytes) -> bytes:
    start = body.index(b"stream") + len(b"stream")
    raw = body[start:].lstrip(b"\r\n")
    raw = raw[: raw.rindex(b"endstream")]
    return zlib.decompress(raw) if b"FlateDecode" in body[:start] else raw


def _cmap_codes(cmap: bytes) -> set[int]:
    """The Unicode values a ToUnicode CMap maps to (bfchar pairs and bfrange spans)."""
    out: set[int] = set()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for _, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out.add(int(target, 16))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, target in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = int(target, 16)
            out.update(range(first, first + int(hi, 16) - int(lo, 16) + 1))
    return out


def pdf_fonts(data: bytes) -> list[PdfFont]:
    """Every font dictionary in the file."""
    assert data.startswith(b"%PDF"), "not a PDF"
    objects = _objects(data)
    fonts = []
    for body in objects.values():
        head = body.split(b"stream", 1)[0]
        if not re.search(rb"/Type\s*/Font\b", head) or b"/BaseFont" not in head:
            continue
        name = re.search(rb"/BaseFont\s*/([^\s/>]+)", head).group(1).decode()
        subtype = re.search(rb"/Subtype\s*/(\w+)", head).group(1).decode()
        font = PdfFont(name=name, subtype=subtype)
        descriptor = _ref(head, b"FontDescriptor")
        if descriptor is not None:
            for key in (b"FontFile2", b"FontFile3", b"FontFile"):
                program = _ref(objects[descriptor], key)
                if program is not None:
                    font.embedded = True
                    font.program = _stream(objects[program])
        to_unicode = _ref(head, b"ToUnicode")
        if to_unicode is not None:
            font.unicode = _cmap_codes(_stream(objects[to_unicode]))
        fonts.append(font)
    return fonts


def embedded_fonts(data: bytes) -> list[PdfFont]:
    """The fonts a viewer would have to supply, i.e. all but the standard 14; the test then
    asks that each of them be embedded."""
    return [f for f in pdf_fonts(data) if f.name not in STANDARD_14]


def ink_without_system_fonts(data: bytes, tmpdir: str) -> int:
    """Dark pixels of the first page as poppler draws it with no font on the system at all (an
    empty fontconfig): text in a font the PDF does not embed draws nothing. SkipTest without
    pdftoppm (poppler-utils)."""
    import os
    import shutil
    import subprocess
    import unittest

    from PIL import Image

    if shutil.which("pdftoppm") is None:
        raise unittest.SkipTest("pdftoppm (poppler-utils) is not installed")
    config = os.path.join(tmpdir, "fonts.conf")
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0"?><fontconfig><dir>/nonexistent-fonts</dir>'
            f"<cachedir>{tmpdir}/fc-cache</cachedir></fontconfig>"
        )
    source = os.path.join(tmpdir, "in.pdf")
    with open(source, "wb") as fh:
        fh.write(data)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-gray",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            source,
            os.path.join(tmpdir, "page"),
        ],
        env={**os.environ, "FONTCONFIG_FILE": config},
        capture_output=True,
        check=True,
    )
    with Image.open(os.path.join(tmpdir, "page.pgm")) as image:
        return sum(image.histogram()[:128])


def pdf_text(pdf: bytes) -> str:
    """The text as a viewer extracts it (poppler's pdftotext): proves the embedded subset maps
    back to the characters drawn, in page order."""
    import shutil
    import subprocess
    import unittest

    if shutil.which("pdftotext") is None:
        raise unittest.SkipTest("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
