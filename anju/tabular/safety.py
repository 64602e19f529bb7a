"""Checks on an uploaded spreadsheet before any parser opens it (type by content, zip bombs)."""

import io
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
