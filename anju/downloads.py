"""Files people download: names in Chinese with the place and the day, as an office files them
(农户档案_新桥镇_2026-12-07.xlsx, never a bare `households.xlsx`), and the watermark line."""

import re
from datetime import date

from django.utils import timezone

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def dated_name(title: str, ext: str, place: str = "", day: date | None = None) -> str:
    """`title_place_YYYY-MM-DD.ext`, with characters no file system accepts replaced by _."""
    day = day or timezone.localdate()
    parts = [p for p in (title, place, day.isoformat()) if p]
    return _UNSAFE.sub("_", "_".join(parts)) + f".{ext}"


def watermark(user, reason: str) -> str:
    """The line every exported sheet carries: who (name and login), when, and for what."""
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return (
        f"导出人：{user}（{user.get_username()}）　导出时间：{when}　用途：{reason}　"
        "仅限工作使用，不得外传"
    )
