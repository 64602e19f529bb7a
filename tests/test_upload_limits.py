"""A file's declared size never sizes an allocation (F1), and every kind of file has caps on rows,
columns and kept errors (F3): the outside probe's 6 KB workbook with one cell at XFD1048576,
its million-row archive, on every path a file comes in by (household import, department list in
the UI and the API, hand-filled report, the errors workbook of a refused upload).

The crafted files are the project's own workbooks with the far cell written into the sheet's XML.
Where a test reads a crafted file directly, it reads it in a forked child: before the fix the
reader aborts its process (SIGABRT, which no `try` catches), and the test must report that as a
failure instead of dying with it."""

import io
import os
import pickle
import re
import signal
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from anju.crosscheck.models import ReferenceList
from anju.crosscheck.references import parse_reference
from anju.households.archive_file import parse_archive
from anju.households.models import Household, ImportUpload
from anju.households.template_file import write_template
from anju.reporting.reader import ReadError, read_report
from anju.tabular.limits import limits_for
from anju.tabular.safety import UnsafeFile, check_extent, check_spreadsheet
from anju.tabular.sheets import read_rows
from tests.api.base import ApiTestCase
from tests.base import AnjuTestCase
from tests.households.files import HEADER, csv, rid, row, xlsx
from tests.reporting.test_upload import filled_bytes

FAR = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def with_sheet(data: bytes, change) -> bytes:
    """`data` (an .xlsx) with its first sheet's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item.filename, content)
    return out.getvalue()


def far_cell(data: bytes, cell: str = FAR, dimension: str = "A1:XFD1048576") -> bytes:
    """The probe's file: one more cell far away, and a dimension that says so."""

    def change(sheet: str) -> str:
        sheet = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', sheet)
        if "<dimension" not in sheet:
            sheet = sheet.replace("<sheetViews>", f'<dimension ref="{dimension}"/><sheetViews>')
        return sheet.replace("</sheetData>", cell + "</sheetData>")

    return with_sheet(data, change)


def in_child(work):
    """`work()` in a forked child: ("ok", value), ("raised", message) or ("died", signal)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            try:
                out = ("ok", work())
            except BaseException as error:
                out = ("raised", f"{type(error).__name__}: {error}")
            os.write(write_end, pickle.dumps(out))
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return ("died", signal.Signals(os.WTERMSIG(status)).name)
    return pickle.loads(b"".join(chunks))  # noqa: S301 (our own child)


def archive_file() -> bytes:
    return xlsx([row(1), row(2)])


class FarCellTests(AnjuTestCase):
    """F1: the far cell is refused before calamine opens the file, in every reader."""

    def assert_refused(self, outcome, words="表格过大"):
        self.assertNotEqual(outcome[0], "died", f"the reader's process died: {outcome}")
        self.assertIn(words, str(outcome[1]))

    def test_the_template_with_a_far_cell_passes_the_old_checks(self):
        # (The template's drop-downs and guide sheet make it 9 KB: the bare archive is the
        # probe's small file now.)
        crafted = far_cell(archive_file())
        self.assertLess(len(crafted), 8 * 1024)  # the probe's "6 KB spreadsheet"
        self.assertEqual(check_spreadsheet(crafted), "xlsx")  # zip, entries, ratio, DTD: fine

    def test_reading_rows_refuses_it_naming_the_cell_and_the_caps(self):
        crafted = far_cell(write_template())
        outcome = in_child(lambda: read_rows(crafted, limits_for("households")))
        self.assertEqual(outcome[0], "raised", outcome)
        self.assertIn("单元格 XFD1048576 在第 1,048,576 行、第 16,384 列", outcome[1])
        self.assertIn("农户档案每个文件最多 300,000 行、64 列", outcome[1])

    def test_the_household_import_refuses_it_and_writes_nothing(self):
        crafted = far_cell(archive_file())
        outcome = in_child(
            lambda: (lambda p: (p.refused, p.errors[0].message))(parse_archive(crafted))
        )
        self.assertEqual(outcome[0], "ok", outcome)
        refused, message = outcome[1]
        self.assertTrue(refused)
        self.assertIn("表格过大", message)

    def test_the_list_import_refuses_it(self):
        crafted = far_cell(
            xlsx([["甲", rid(1), "2019-03-05"]], header=["姓名", "身份证号", "死亡日期"])
        )
        outcome = in_child(lambda: parse_reference("deaths", crafted)[1][0].message)
        self.assertEqual(outcome[0], "ok", outcome)
        self.assertIn("部门名单每个文件最多", outcome[1])

    def test_the_report_reader_refuses_it(self):
        import tempfile
        from pathlib import Path

        crafted = far_cell(filled_bytes(Path(tempfile.mkdtemp()), ["3", *["0"] * 33]))

        def read():
            try:
                read_report(crafted)
            except ReadError as error:
                return error.problems
            return []

        outcome = in_child(read)
        self.assertEqual(outcome[0], "ok", outcome)
        self.assertIn("报表每个文件最多", " ".join(outcome[1]))

    def test_a_dimension_beyond_the_caps_is_refused_too(self):
        crafted = far_cell(archive_file(), cell="")
        with self.assertRaisesMessage(UnsafeFile, "单元格 XFD1048576"):
            read_rows(crafted, limits_for("households"))

    def test_a_merged_range_beyond_the_caps_is_refused(self):
        # The report reader spreads every merged range over its cells.
        crafted = with_sheet(
            archive_file(),
            lambda s: s.replace(
                "</sheetData>",
                '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
            ),
        )
        with self.assertRaisesMessage(UnsafeFile, "表格过大"):
            read_rows(crafted, limits_for("reports"))

    def test_lowercase_and_prefixed_addresses_are_caught(self):
        lower = far_cell(
            archive_file(), cell='<row r="9"><c r="xfd9"><v>1</v></c></row>', dimension="A1:T4"
        )
        with self.assertRaisesMessage(UnsafeFile, "XFD9"):
            read_rows(lower, limits_for("households"))
        # Cells without an address are placed by position: such a sheet is measured in a child
        # process of its own, whose death would be a refusal.
        unaddressed = far_cell(
            archive_file(), cell="<row>" + "<c><v>1</v></c>" * 70 + "</row>", dimension="A1:T4"
        )
        outcome = in_child(lambda: read_rows(unaddressed, limits_for("households")))
        self.assertEqual(outcome[0], "raised", outcome)
        self.assertIn("第 70 列", outcome[1])

    def test_a_sheet_within_the_caps_is_read_as_before(self):
        near = far_cell(
            archive_file(), cell='<row r="40"><c r="BL40"><v>7</v></c></row>', dimension="A1:BL40"
        )
        rows = read_rows(near, limits_for("households"))
        self.assertEqual((len(rows), len(rows[0]), rows[39][63]), (40, 64, 7.0))

    def test_an_xls_is_measured_in_a_child_that_may_die_in_our_stead(self):
        from anju.tabular import safety

        # A file calamine cannot read at all: the child fails and the file is refused.
        with self.assertRaisesMessage(UnsafeFile, "文件"):
            check_extent(safety.OLE_MAGIC + b"\0" * 600, "xls", limits_for("households"))


class FarCellUploadTests(AnjuTestCase):
    """F1 through the pages: the import is refused, the refused file is never parsed again."""

    def test_the_upload_is_refused_and_its_errors_workbook_not_made(self):
        self.login(self.alice)
        crafted = far_cell(archive_file())
        response = self.client.post(
            reverse("households:import"), {"file": SimpleUploadedFile("a.xlsx", crafted)}
        )
        upload = ImportUpload.objects.get()
        self.assertEqual(upload.status, ImportUpload.Status.REJECTED)
        self.assertTrue(upload.refused)
        self.assertIsNone(upload.data)  # a refused file is not kept: nothing to parse again
        self.assertFalse(Household.objects.exists())
        page = self.client.get(response.url)
        self.assertContains(page, "文件被拒收")
        self.assertContains(page, "表格过大")
        self.assertNotContains(page, reverse("households:import_errors", args=[upload.pk]))
        answer = self.client.get(reverse("households:import_errors", args=[upload.pk]))
        self.assertEqual(answer.status_code, 410)
        self.assertContains(answer, "读取前即被拒收", status_code=410)

    def test_the_list_upload_refuses_it(self):
        self.login(self.pete)
        crafted = far_cell(
            xlsx([["甲", rid(1), "2019-03-05"]], header=["姓名", "身份证号", "死亡日期"])
        )
        response = self.client.post(
            reverse("crosscheck:lists"),
            {"kind": "deaths", "file": SimpleUploadedFile("d.xlsx", crafted)},
        )
        self.assertContains(response, "表格过大")
        self.assertFalse(ReferenceList.objects.exists())

    def test_the_report_upload_refuses_it_with_a_4xx(self):
        import tempfile
        from pathlib import Path

        self.login(self.carol)
        crafted = far_cell(filled_bytes(Path(tempfile.mkdtemp()), ["3", *["0"] * 33]))
        response = self.client.post(
            reverse("reporting:upload"),
            {"region_code": "350881000000", "file": SimpleUploadedFile("r.xlsx", crafted)},
        )
        self.assertContains(response, "表格过大", status_code=400)


class FarCellApiTests(ApiTestCase):
    def test_the_api_list_upload_refuses_it(self):
        crafted = far_cell(
            xlsx([["甲", rid(1), "2019-03-05"]], header=["姓名", "身份证号", "死亡日期"])
        )
        response = self.api(
            self.pete,
            "/api/v1/references/",
            {"kind": "deaths", "file": SimpleUploadedFile("d.xlsx", crafted)},
            method="post",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("表格过大", response.json()["error"]["details"][0]["message"])


def one_number_rows(count: int) -> bytes:
    """The probe's archive: a header, then `count` rows of one number each."""
    return ("户主姓名,户主身份证号,行政村\n" + "1\n" * count).encode()


def bad_archive(count: int) -> bytes:
    """`count` rows whose ID cannot be read: an error each, quoting the cell."""
    return csv([row(i, **{"户主身份证号": f"3508811950{i:06d}"}) for i in range(count)])


class RowCapTests(AnjuTestCase):
    """F3: caps on rows, columns and kept errors, a clear refusal, pages of errors."""

    def test_a_million_row_archive_is_refused_without_reading_it_all(self):
        parsed = parse_archive(one_number_rows(1_000_000))
        self.assertTrue(parsed.refused)
        self.assertEqual(len(parsed.errors), 1)
        self.assertIn("农户档案每个文件最多 300,000 行", parsed.errors[0].message)

    def test_too_many_columns_are_refused(self):
        wide = xlsx([[*row(1), *range(50)]], header=[*HEADER, *[f"备注{i}" for i in range(50)]])
        parsed = parse_archive(wide)
        self.assertTrue(parsed.refused)
        self.assertIn("64 列", parsed.errors[0].message)

    @override_settings(
        UPLOAD_LIMITS={"households": (10, 64), "lists": (10, 32), "reports": (10, 64)}
    )
    def test_the_caps_come_from_the_settings(self):
        parsed = parse_archive(csv([row(i) for i in range(12)]))
        self.assertIn("最多 10 行", parsed.errors[0].message)

    def test_errors_stop_at_the_cap_and_are_counted_on(self):
        self.login(self.alice)
        response = self.client.post(
            reverse("households:import"),
            {"file": SimpleUploadedFile("a.csv", bad_archive(1500))},
        )
        upload = ImportUpload.objects.get()
        self.assertEqual(upload.status, ImportUpload.Status.REJECTED)
        self.assertEqual(len(upload.errors), 1000)
        self.assertEqual(upload.error_count, 1500)
        page = self.client.get(response.url)
        self.assertContains(page, "文件有 1500 处错误")
        self.assertContains(page, "其余 500 处未列出")
        self.assertContains(page, "第 1 / 10 页")  # 100 errors a page
        self.assertLess(len(page.content), 200_000)
        last = self.client.get(response.url + "?page=10")
        self.assertContains(last, "<td>1001</td>")  # the 1,000th error: row 1001 (header on 1)
        workbook = self.client.get(reverse("households:import_errors", args=[upload.pk]))
        self.assertTrue(workbook.streaming)  # written to a temporary file, streamed
        rows = read_rows(b"".join(workbook.streaming_content), limits_for("households"))
        self.assertEqual(len(rows), 1501)

    def test_the_list_upload_keeps_the_first_errors_and_the_count(self):
        self.login(self.pete)
        body = "姓名,身份证号,死亡日期\n" + "".join(f"甲{i},123{i},2019-1-1\n" for i in range(1200))
        response = self.client.post(
            reverse("crosscheck:lists"),
            {"kind": "deaths", "file": SimpleUploadedFile("d.csv", body.encode())},
        )
        self.assertContains(response, "名单有 1200 处错误")
        self.assertContains(response, "其余 200 处未列出")
        self.assertEqual(response.content.decode().count("不是身份证号"), 1000)


class RowCapApiTests(ApiTestCase):
    def test_the_api_keeps_the_first_errors_and_the_count(self):
        body = "姓名,身份证号,死亡日期\n" + "".join(f"甲{i},123{i},2019-1-1\n" for i in range(1200))
        response = self.api(
            self.pete,
            "/api/v1/references/",
            {"kind": "deaths", "file": SimpleUploadedFile("d.csv", body.encode())},
            method="post",
        )
        self.assertEqual(response.status_code, 400)
        error = response.json()["error"]
        self.assertEqual(error["message"], "名单有 1200 处错误（列出前 1000 处），未导入任何数据。")
        self.assertEqual(len(error["details"]), 1000)
