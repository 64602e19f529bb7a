"""Normalising the text found in departments' files."""

import csv
import io
import re
import unicodedata

# Spaces departments type inside values: ASCII, the ideographic space U+3000, no-break space.
_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff]+")
_HEADER_PUNCT = re.compile(r"[（）()\s\u3000]")


def clean(value: object) -> str:
    """The value as text, trimmed of every kind of space at both ends."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def squeeze(value: object) -> str:
    """The value with all spaces removed and full-width forms folded (NFKC): for names, codes."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", clean(value)))


def header_key(value: object) -> str:
    """A header as compared with the aliases: spaces and （）() dropped, full-width folded."""
    return _HEADER_PUNCT.sub("", unicodedata.normalize("NFKC", clean(value)))


def decode_text(data: bytes) -> str:
    """Decode a CSV as Excel on Chinese Windows writes it: UTF-8 (BOM or not) or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("文件编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV")


def read_csv(data: bytes) -> list[list[str]]:
    """All rows of a CSV file as lists of strings."""
    return list(iter_csv(data))


def iter_csv(data: bytes):
    """The rows of a CSV file one by one, as lists of strings."""
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)
