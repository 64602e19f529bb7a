"""Checks on an uploaded spreadsheet before any parser opens it (type by content, zip bombs)."""

import functools
import io
import json
import re
import subprocess
import sys
import zipfile

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)


class UnsafeFile(ValueError):
    """A file refused before parsing; the message is for the user, in Chinese."""


def check_spreadsheet(data: bytes, *, allow_xls: bool = True) -> str:
    """'xlsx' or 'xls' if `data` is a spreadsheet safe to open; UnsafeFile otherwise."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnsafeFile(f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    if data.startswith(OLE_MAGIC):
        if not allow_xls:
            raise UnsafeFile("请另存为 .xlsx 格式后上传。")
        return "xls"
    if not data.startswith(b"PK\x03\x04"):
        raise UnsafeFile("不是 Excel 文件（按内容识别，与扩展名无关）。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise UnsafeFile("文件内部条目过多，拒绝打开。")
            total = sum(e.file_size for e in entries)
            packed = sum(e.compress_size for e in entries) or 1
            if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
                raise UnsafeFile("文件解压后过大（疑似压缩炸弹），拒绝打开。")
            names = {e.filename for e in entries}
            for entry in entries:
                if entry.filename.endswith((".xml", ".rels")) and _declares_entities(
                    archive, entry
                ):
                    raise UnsafeFile("文件含有 XML 实体声明（DTD），可能是恶意文件，拒绝打开。")
    except zipfile.BadZipFile:
        raise UnsafeFile("文件已损坏，无法作为 Excel 打开。") from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnsafeFile("不是 Excel 工作簿（.xlsx）。")
    return "xlsx"


def _declares_entities(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """A DTD can only stand in the prolog: the first kilobytes of each XML part tell. Excel never
    writes one; a DOCTYPE or ENTITY there is an XXE or billion-laughs attempt."""
    with archive.open(entry) as part:
        head = part.read(4096).upper()
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


# --- The used area: what sizes a reader's allocation --------------------------------------------
#
# calamine builds the whole used area of a sheet, (highest row) × (highest column) cells, before
# it returns a single row, from the cell addresses the file declares: one cell at XFD1048576 asks
# for 17 billion cells, and the allocation aborts the process (SIGABRT, which no `try` catches).
# So the addresses are checked against the caps first. An .xlsx written the usual way (every cell
# tag `<c r="A1"`, as Excel, WPS, LibreOffice, xlsxwriter and openpyxl write them) is checked by
# searching its XML for any address beyond the caps; anything else (cells without an address,
# prefixed tags, the binary .xls) is opened in a child process of its own, with its memory capped,
# which reports the used area or dies in our stead: a death is a refusal.

CHUNK = 4 * 1024 * 1024
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
_OTHER_CELL_TAGS = (re.compile(rb"<c[\t\n\r>/]"), re.compile(rb":c[\s/>]"))
# Each with a literal start, which the regex engine searches for quickly (an alternation first
# would be tried at every position).
_REFS = tuple(
    re.compile(rb"%s\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']" % tag)
    for tag in (b"mergeCell", b"dimension")
)
_ADDRESS = re.compile(r"([A-Za-z]+)(\d+)")


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _above(limit: str) -> str:
    """A regex for the strings of `limit`'s length that sort after it (letters of either case, as
    calamine reads them, or digits): for addresses, whose letters and digits compare as numbers
    when their lengths are equal."""
    digit = limit.isdigit()
    options = []
    for i, ch in enumerate(limit):
        if ch in "9Z":
            continue
        low = chr(ord(ch) + 1)
        klass = f"[{low}-9]" if digit else f"[{low}-Z{low.lower()}-z]"
        same = "".join(c if digit else f"[{c}{c.lower()}]" for c in limit[:i])
        rest = len(limit) - i - 1
        tail = ("\\d" if digit else "[A-Za-z]") + f"{{{rest}}}" if rest else ""
        options.append(same + klass + tail)
    return "|".join(options) or "(?!)"


@functools.lru_cache(maxsize=16)
def _beyond(rows: int, columns: int) -> re.Pattern:
    """Any cell tag whose address lies beyond `rows` × `columns`: more letters or digits than the
    caps have, or as many and sorting after them (more digits or letters than that would also
    overflow calamine's 32-bit counters)."""
    letters, digits = column_letters(columns), str(rows)
    pattern = (
        f'<c r="(?:[A-Za-z]{{{len(letters) + 1}}}|(?:{_above(letters)})\\d'
        f"|[A-Za-z]{{1,{len(letters)}}}(?:\\d{{{len(digits) + 1}}}|(?:{_above(digits)})[^\\d]))"
    )
    return re.compile(pattern.encode())


def check_extent(data: bytes, kind: str, limits) -> None:
    """UnsafeFile if the first sheet of the .xlsx or .xls `data` (checked by check_spreadsheet)
    uses more rows or columns than `limits` allow, or cannot be measured without risk."""
    rows = min(limits.rows or EXCEL_ROWS, EXCEL_ROWS)
    columns = min(limits.columns or EXCEL_COLUMNS, EXCEL_COLUMNS)
    if kind == "xlsx" and _xlsx_within(data, rows, columns, limits):
        return
    used_rows, used_columns = _measured_apart(data)
    if (refusal := limits.over(used_rows, used_columns)) is not None:
        raise UnsafeFile(refusal)


def _xlsx_within(data: bytes, rows: int, columns: int, limits) -> bool:
    """True if every part of the .xlsx is written the usual way and no cell address, merged range
    or declared dimension lies beyond `rows` × `columns`; UnsafeFile for one that does; False if
    some part is written otherwise (the caller measures it apart)."""
    beyond = _beyond(rows, columns)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            with archive.open(entry) as part:
                carry = b""
                while True:
                    chunk = part.read(CHUNK)
                    text = carry + chunk
                    if chunk:  # a tag is never cut: the next chunk starts at the last '<'
                        cut = text.rfind(b"<")
                        text, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
                    if text.count(b"<c ") != text.count(b'<c r="') or any(
                        other.search(text) for other in _OTHER_CELL_TAGS
                    ):
                        return False
                    if found := beyond.search(text):
                        at = found.start() + len(b'<c r="')
                        _refuse_address(text[at : at + 40].decode("ascii", "replace"), limits)
                    for ref in (r for refs in _REFS for r in refs.findall(text)):
                        for address in ref.decode("ascii", "replace").split(":"):
                            if (m := _ADDRESS.fullmatch(address.replace("$", ""))) and (
                                int(m[2]) > rows or column_number(m[1]) > columns
                            ):
                                _refuse_address(m[0], limits)
                    if not chunk:
                        break
    return True


def _refuse_address(address: str, limits) -> None:
    m = _ADDRESS.match(address)
    if m is None:
        raise UnsafeFile("表格中有无效的单元格地址，拒绝打开。")
    row, column = int(m[2]), column_number(m[1])
    raise UnsafeFile(
        (limits.over(row, column) or "表格过大。").replace(
            "用到第", f"单元格 {m[0].upper()} 在第", 1
        )
    )


# The child: the first sheet's used area, height and width (merged ranges included), as JSON.
_MEASURE = """
import io, json, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook
sheet = CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read())).get_sheet_by_index(0)
rows, columns = sheet.height, sheet.width
for (_, _), (r2, c2) in sheet.merged_cell_ranges or []:
    rows, columns = max(rows, r2 + 1), max(columns, c2 + 1)
print(json.dumps([rows, columns]))
"""
MEASURE_MEMORY = 2 * 1024**3  # the child's address space: a sheet within the caps fits
MEASURE_SECONDS = 120


def _measured_apart(data: bytes) -> tuple[int, int]:
    """(rows, columns) of the first sheet, as calamine sees them, measured in a child process
    (`sys.executable`, isolated) whose memory is capped: if it dies, the file is refused."""
    try:
        done = subprocess.run(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-I", "-c", _MEASURE, str(MEASURE_MEMORY)],
            input=data,
            capture_output=True,
            timeout=MEASURE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UnsafeFile("文件读取超时，无法安全打开，拒绝导入。") from None
    if done.returncode != 0:
        if b"Error" in done.stderr and done.returncode == 1:
            raise UnsafeFile("文件已损坏，无法作为 Excel 打开。")
        raise UnsafeFile(
            "文件无法安全读取（读取它的进程异常终止，可能声明了过大的表格），拒绝导入。"
        )
    rows, columns = json.loads(done.stdout)
    return rows, columns
