import pytest
from stdnum.cn import ric

from anju.identity import mask_account, mask_id, mask_name, parse_id


def with_check(seventeen: str) -> str:
    return seventeen + ric.calc_check_digit(seventeen + "0")


VALID = with_check("35088119500101123")


class TestResidentIds:
    def test_python_stdnums_own_examples(self):
        # The examples in python-stdnum's documentation of stdnum.cn.ric.
        assert parse_id("360426199101010071") == parse_id("360426199101010071")
        assert parse_id("360426199101010071").valid
        assert not parse_id("360426199101010072").valid  # check digit
        assert not parse_id("360426199113010079").valid  # month 13

    def test_quirks_departments_write(self):
        assert parse_id(VALID.lower()).number == VALID
        full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in VALID)
        assert parse_id(full_width).number == VALID
        assert parse_id(VALID[:6] + " " + VALID[6:14] + "\u3000" + VALID[14:]).number == VALID

    def test_fifteen_digits_become_eighteen(self):
        old = VALID[:6] + VALID[8:17]
        assert parse_id(old).number == VALID
        assert parse_id(old).valid

    def test_an_elderly_villagers_post_1996_county_code_is_valid(self):
        # python-stdnum's is_valid refuses 350881 for anyone born before 1996.
        assert not ric.is_valid(VALID)
        assert parse_id(VALID).valid

    def test_a_wrong_check_digit_keeps_the_form_and_is_flagged(self):
        wrong = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
        parsed = parse_id(wrong)
        assert parsed.number == wrong and not parsed.valid

    @pytest.mark.parametrize("raw", ["", "张三", "12345", "3508811950010112345"])
    def test_not_an_id_at_all(self, raw):
        assert parse_id(raw) is None

    def test_masks(self):
        assert mask_id("35088119500101123X") == "350881********123X"
        assert mask_account("6217001234567890") == "************7890"
        assert mask_name("张小明") == "张*明"
        assert mask_name("张三") == "张*"
