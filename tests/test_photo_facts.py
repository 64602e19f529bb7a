"""Issue 29, point 6: a photo's EXIF time and GPS are read before its metadata is stripped and
kept beside it (cadres' observations, spot checks, plates), shown to staff and in the 一户一档;
never stored in the photo itself nor shown on a public page."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from PIL import Image

from anju.photos import clean_photo_with_facts, phone_place, photo_facts
from tests.photos import jpeg

SH = ZoneInfo("Asia/Shanghai")
# 漳平市新桥镇, near 25°17′30.51″N 117°25′12.34″E.
NEAR_XINQIAO = ((25, 17, 30.51), "N", (117, 25, 12.34), "E")


def test_time_and_place_are_read_then_stripped():
    data = jpeg(taken="2026:11:20 09:30:05", gps=NEAR_XINQIAO)
    cleaned, kind, facts = clean_photo_with_facts(data)
    assert kind == "image/jpeg"
    assert facts.taken_at == datetime(2026, 11, 20, 9, 30, 5, tzinfo=SH)
    assert facts.latitude == Decimal("25.291808")
    assert facts.longitude == Decimal("117.420094")
    assert facts.source == "exif"
    assert str(facts) == "拍摄于 2026-11-20 09:30，照片定位 25.291808, 117.420094"
    assert not Image.open(io.BytesIO(cleaned)).getexif()
    assert b"PhoneMaker" not in cleaned


def test_south_and_west_are_negative_and_nonsense_is_dropped():
    facts = photo_facts(jpeg(gps=((33, 51, 0), "S", (151, 12, 0), "W")))
    assert (facts.latitude, facts.longitude) == (Decimal("-33.850000"), Decimal("-151.200000"))
    assert photo_facts(jpeg(gps=((0, 0, 0), "N", (0, 0, 0), "E"))).latitude is None
    assert photo_facts(jpeg(taken="0000:00:00 00:00:00")).taken_at is None
    assert photo_facts(b"not a photo").taken_at is None


def test_the_phones_location_stands_in_only_where_the_photo_has_none():
    phone = phone_place("25.300001", "117.400002")
    _, _, facts = clean_photo_with_facts(jpeg(taken="2026:11:20 09:30:05"), phone=phone)
    assert (facts.latitude, facts.source) == (Decimal("25.300001"), "phone")
    assert "手机定位" in str(facts)
    _, _, own = clean_photo_with_facts(jpeg(gps=NEAR_XINQIAO), phone=phone)
    assert (own.latitude, own.source) == (Decimal("25.291808"), "exif")
    assert phone_place("91", "10").latitude is None
    assert phone_place("", "").latitude is None
    assert str(photo_facts(jpeg())) == "照片未带拍摄时间和位置"
