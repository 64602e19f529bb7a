"""Reading the values departments type: dates, amounts, yes/no, in every form they come in."""

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from anju.tabular.text import clean

EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
YES = {"有", "是", "Y", "YES", "TRUE", "1", "√"}
NO = {"无", "否", "没有", "N", "NO", "FALSE", "0", "×"}


class BadValue(ValueError):
    """A value that cannot be read; the message says why, in Chinese."""


def folded(value: object) -> str:
    """The value with every space removed and full-width forms folded (NFKC)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii():  # NFKC leaves ASCII alone: the common case, made cheap
        return "".join(text.split())
    return unicodedata.normalize("NFKC", clean(text)).replace(" ", "")


def is_blank(value: object) -> bool:
    return value is None or folded(value) == ""


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(value: object) -> date | None:
    if isinstance(value, str):
        iso = _ISO.match(value)
        if iso:  # the common case first
            try:
                return date(int(iso[1]), int(iso[2]), int(iso[3]))
            except ValueError:
                raise BadValue(f"日期不存在「{value}」") from None
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # an Excel serial number
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise BadValue(f"不是日期「{value}」")
    text = folded(value)
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # a serial number typed as text
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise BadValue(f"日期不存在「{clean(value)}」") from None
    raise BadValue(f"不是日期「{clean(value)}」")


def parse_decimal(value: object) -> Decimal | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise BadValue(f"不是数字「{value}」")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = folded(value).replace(",", "").replace("，", "").rstrip("元")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise BadValue(f"不是数字「{clean(value)}」") from None


def parse_int(value: object) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise BadValue(f"应为整数「{clean(value)}」")
    return int(number)


def parse_yes_no(value: object) -> bool | None:
    if is_blank(value):
        return None
    text = folded(value).upper()
    if text in YES:
        return True
    if text in NO:
        return False
    raise BadValue(f"应填 有/无 或 是/否，而不是「{clean(value)}」")
