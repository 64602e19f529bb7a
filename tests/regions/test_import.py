import io
from contextlib import redirect_stderr, redirect_stdout

from anju.audit.models import AuditEntry
from anju.cli import main
from anju.regions.models import Region
from tests.base import AnjuTestCase


def run_import(tmp_path, content: bytes, name="regions.csv") -> tuple[int, str]:
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["import", "regions", str(path)])
    return code, out.getvalue() + err.getvalue()


class RegionImportTests(AnjuTestCase):
    def setUp(self):
        import tempfile
        from pathlib import Path

        self.tmp = Path(tempfile.mkdtemp())

    def test_it_adds_new_regions_with_levels_and_parents(self):
        csv = (
            "代码,名称,上级代码\n350881100204,新村,350881100000\n350881102000,永福镇,350881000000\n"
        )
        code, text = run_import(self.tmp, csv.encode())
        self.assertEqual(code, 0, text)
        village = Region.objects.get(code="350881100204")
        self.assertEqual(
            (village.name, village.level, village.parent_id), ("新村", 5, "350881100000")
        )
        self.assertEqual(Region.objects.get(code="350881102000").level, 4)
        self.assertIn("新增 2", text)

    def test_it_accepts_english_headers_a_title_row_and_gbk(self):
        csv = "福建省区划表\ncode,name,parent\n350881100204,新村,350881100000\n"
        code, text = run_import(self.tmp, csv.encode("gbk"))
        self.assertEqual(code, 0, text)
        self.assertTrue(Region.objects.filter(code="350881100204", name="新村").exists())

    def test_it_renames_and_never_deletes(self):
        csv = "代码,名称,上级代码\n350881100203,西埔新村,350881100000\n"
        code, text = run_import(self.tmp, csv.encode("utf-8-sig"))
        self.assertEqual(code, 0, text)
        self.assertEqual(Region.objects.get(code="350881100203").name, "西埔新村")
        self.assertTrue(Region.objects.filter(code="350881101201").exists())
        entry = AuditEntry.objects.filter(object_id="350881100203").latest("seq")
        self.assertEqual(entry.changes["before"]["name"], "西埔村")
        self.assertEqual(entry.changes["after"]["name"], "西埔新村")

    def test_it_pads_short_county_and_township_codes(self):
        csv = "代码,名称,上级代码\n350881103,和平镇,350881\n"
        code, text = run_import(self.tmp, csv.encode())
        self.assertEqual(code, 0, text)
        self.assertEqual(Region.objects.get(code="350881103000").parent_id, "350881000000")

    def test_it_reads_the_base_village_flag(self):
        csv = "代码,名称,上级代码,革命基点村\n350881100203,西埔村,350881100000,是\n"
        code, text = run_import(self.tmp, csv.encode())
        self.assertEqual(code, 0, text)
        self.assertTrue(Region.objects.get(code="350881100203").is_base_village)

    def test_a_bad_row_writes_nothing_and_names_every_problem(self):
        before = Region.objects.count()
        audit_before = AuditEntry.objects.count()
        csv = (
            "代码,名称,上级代码\n"
            "350881100204,好村,350881100000\n"
            "3508811x0205,坏码村,350881100000\n"
            "350881100206,,350881100000\n"
            "350881100207,孤村,350881999000\n"
            "350802001201,错挂村,350881100000\n"
        )
        code, text = run_import(self.tmp, csv.encode())
        self.assertEqual(code, 1)
        self.assertIn("row 3: 代码:", text)
        self.assertIn("row 4: 名称:", text)
        self.assertEqual(Region.objects.count(), before)
        self.assertEqual(AuditEntry.objects.count(), audit_before)
        code, text = run_import(
            self.tmp,
            "代码,名称,上级代码\n350881100207,孤村,350881999000\n"
            "350802001201,错挂村,350881100000\n".encode(),
        )
        self.assertEqual(code, 1)
        self.assertIn("row 2: 上级代码:", text)
        self.assertIn("row 3: 上级代码:", text)
        self.assertEqual(Region.objects.count(), before)

    def test_it_rejects_a_file_without_the_header(self):
        code, text = run_import(self.tmp, b"a,b\n1,2\n")
        self.assertEqual(code, 1)
        self.assertIn("表头", text)

    def test_it_rejects_duplicate_codes_in_one_file(self):
        csv = "代码,名称,上级代码\n350881100204,甲村,350881100000\n350881100204,乙村,350881100000\n"
        code, text = run_import(self.tmp, csv.encode())
        self.assertEqual(code, 1)
        self.assertIn("row 3: 代码: 与第 2 行重复", text)
