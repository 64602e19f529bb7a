"""Resident ID numbers (GB 11643) as departments write them.

Accepted as written: lowercase x, full-width digits, inner spaces, the old 15-digit form (converted
to 18 digits). A value with the form of an ID whose check digit or birth date is wrong is kept as
written and flagged invalid: finding such records is the cross-check's job (INVALID_ID).

Validity is what GB 11643 fixes and python-stdnum computes: the format, the check digit, a real
birth date not in the future, and a real province code. python-stdnum's own `is_valid` also asks
that the six-digit area code existed in the person's birth year; that flags every elderly villager
whose ID carries the county's post-1996 code (漳平市 350881 since 1996), so it is not used here.
"""

import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from stdnum.cn import ric

_FORM_18 = re.compile(r"^[0-9]{17}[0-9X]$")
_FORM_15 = re.compile(r"^[0-9]{15}$")
_EARLIEST = date(1880, 1, 1)


PROVINCES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)


def is_valid_id(number: str, today: date | None = None) -> bool:
    """GB 11643: format, check digit, birth date (real, not in the future), province code."""
    if not _FORM_18.match(number) or number[:2] not in PROVINCES:
        return False
    if ric.calc_check_digit(number) != number[-1]:
        return False
    return _born_ok(number[6:14], today or date.today())


@lru_cache(maxsize=1 << 16)
def _born_ok(digits: str, today: date) -> bool:
    """Whether YYYYMMDD is a real birth date from 1880 to `today` (an import checks a hundred
    thousand IDs; their birth dates repeat, so each is read once)."""
    try:  # the birth date, read as stdnum's get_birth_date does, without its re-cleaning
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:  # no such date
        return False
    return _EARLIEST <= born <= today


def problem_with(number: str) -> str:
    """What is wrong with an ID that fails GB 11643, in a few words."""
    if not _FORM_18.match(number):
        return "格式不对（应为18位，末位可为X）"
    if number[:2] not in PROVINCES:
        return f"前两位「{number[:2]}」不是省级行政区划代码"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return f"出生日期「{number[6:14]}」不存在"
    if not _EARLIEST <= born <= date.today():
        return f"出生日期「{number[6:14]}」不合理"
    expected = ric.calc_check_digit(number)
    if expected != number[-1]:
        return f"校验位应为「{expected}」而不是「{number[-1]}」"
    return "无"


class ResidentId(NamedTuple):
    number: str  # 18 characters (converted from 15 where needed), upper-case X
    valid: bool  # passes GB 11643: birth date and check digit


_NOISE = re.compile(r"[\s\-]")


def compact(raw: object) -> str:
    text = "" if raw is None else str(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    elif text.isdigit():  # the common case: nothing to remove or upper-case
        return text
    return _NOISE.sub("", text).upper()


def parse_id(raw: object, today: date | None = None) -> ResidentId | None:
    """The ID in normal form, or None when the value does not even have the form of an ID."""
    value = compact(raw)
    if _FORM_15.match(value):
        upgraded = value[:6] + "19" + value[6:]
        try:
            upgraded += ric.calc_check_digit(upgraded + "0")  # it skips the last character
        except Exception:  # not digits after all
            return None
        return ResidentId(upgraded, is_valid_id(upgraded, today))
    if _FORM_18.match(value):
        return ResidentId(value, is_valid_id(value, today))
    return None


def mask_id(number: str) -> str:
    """350881********123X: region and the last four characters only."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_account(number: str) -> str:
    """Only the last four digits of an account."""
    if not number:
        return ""
    return "*" * max(0, len(number) - 4) + number[-4:]


def mask_name(name: str) -> str:
    """张*明 / 张*: the public form of a name."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# ID numbers inside free text (a clue's 关联档案, a summary, a note): 18 characters or the old
# 15 digits, in ASCII or full-width digits, written straight or grouped 6-8-4 (6-6-3) by a space
# or a hyphen, and not part of a longer run of letters or digits.
_D = "[0-9０-９]"
ID_IN_TEXT = re.compile(
    rf"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
    rf"(?:{_D}{{6}}[ \-]?{_D}{{8}}[ \-]?{_D}{{3}}[0-9０-９XxＸｘ]"
    rf"|{_D}{{6}}[ \-]?{_D}{{6}}[ \-]?{_D}{{3}})"
    rf"(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
)


def ids_in_text(text: str) -> list[str]:
    """The ID-shaped numbers written in `text`, each in normal form (18 characters, upper-case
    X; a 15-digit one converted), in order of first appearance, without repeats. Whether the
    check digit is right does not matter here: a mistyped ID is still somebody's number."""
    found: dict[str, None] = {}
    for match in ID_IN_TEXT.finditer(text or ""):
        resident = parse_id(match.group(0))
        if resident is not None:
            found.setdefault(resident.number, None)
    return list(found)


def _masked(match: re.Match) -> str:
    written = compact(match.group(0))
    resident = parse_id(written) if len(written) == 18 else None
    # An 18-character ID as everywhere else (350881********123X); the old 15-digit form keeps
    # its length (its last four are not those of the 18-character form), so text never grows.
    return mask_id(resident.number if resident else written)


def mask_ids_in(text: str) -> str:
    """`text` with every ID-shaped number replaced by its masked form (idempotent)."""
    if not text:
        return text
    return ID_IN_TEXT.sub(_masked, text)


# A run of nine or more digits (spaces or dashes between them allowed, full-width too): an
# account, a phone number or an ID with a typo, which ID_IN_TEXT does not recognise.
LONG_NUMBER = re.compile(
    r"(?<![0-9０-９])[0-9０-９]{3,}(?:[ \-]?[0-9０-９]{3,})*[XxＸｘ]?(?![0-9０-９])"
)


def mask_numbers_in(text: str) -> str:
    """`text` with every ID masked as 350881********123X and every other long number down to its
    last four digits: for messages that quote a cell and are stored (an import's row errors)."""
    if not text:
        return text

    def masked(found: re.Match) -> str:
        digits = compact(found.group())
        return mask_account(digits) if len(digits) >= 9 else found.group()

    return LONG_NUMBER.sub(masked, mask_ids_in(text))


def birth_date(number: str) -> date | None:
    """The birth date an 18-digit ID carries, None when it has none that is a real date."""
    if len(number) != 18 or not number[6:14].isdigit():
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
