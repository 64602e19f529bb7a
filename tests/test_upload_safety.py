"""Hostile spreadsheets are refused before any parser sees them, and nothing is written:
XXE, billion laughs, a zip bomb, a renamed program."""

import io
import zipfile

from anju.households.imports import import_households
from anju.households.models import Household
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx


def laughs(depth: int = 9) -> str:
    """The billion-laughs sheet: each entity ten of the one before."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, depth + 1)
    ]
    return (
        '<?xml version="1.0"?><!DOCTYPE lolz ['
        + "".join(entities)
        + f']><worksheet><sheetData><row><c t="inlineStr"><is><t>&lol{depth};</t></is></c>'
        "</row></sheetData></worksheet>"
    )


XXE = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<sst><si><t>&xxe;</t></si></sst>"
)


def replace_part(data: bytes, name: str, text: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = text.encode() if item.filename == name else source.read(item.filename)
            target.writestr(item.filename, content)
        if name not in source.namelist():
            target.writestr(name, text.encode())
    return out.getvalue()


class HostileFileTests(AnjuTestCase):
    def assert_refused(self, data: bytes, words: str):
        result = import_households(actor="t", data=data, file_name="x.xlsx")
        self.assertFalse(result.ok)
        self.assertIn(words, result.errors[0].message)
        self.assertFalse(Household.objects.exists())

    def test_billion_laughs_is_refused(self):
        self.assert_refused(
            replace_part(xlsx([row(1)]), "xl/worksheets/sheet1.xml", laughs()), "DTD"
        )

    def test_xxe_is_refused(self):
        self.assert_refused(replace_part(xlsx([row(1)]), "xl/sharedStrings.xml", XXE), "DTD")

    def test_a_zip_bomb_is_refused(self):
        bomb = replace_part(xlsx([row(1)]), "xl/media/zeros.bin", "")
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(bomb)) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == "xl/media/zeros.bin":
                    content = b"\0" * (20 * 1024 * 1024)  # 20 MB of zeros in a few KB
                target.writestr(item.filename, content)
        self.assert_refused(out.getvalue(), "压缩炸弹")

    def test_a_program_named_xlsx_is_refused(self):
        self.assert_refused(b"MZ\x90\x00" + b"\0" * 100, "无法读取")

    def test_a_real_workbook_still_goes_in(self):
        self.assertTrue(import_households(actor="t", data=xlsx([row(1)]), file_name="a.xlsx").ok)
