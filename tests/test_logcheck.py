"""The log check itself (tests/logcheck.py): it sees the app's records, and it finds every kind of
forbidden value in planted records while letting masked values and ordinary numbers through."""

import logging

from django.test import SimpleTestCase
from django.urls import reverse

from anju.portal.services import new_code
from tests.base import PASSWORD, AnjuTestCase
from tests.households.files import rid
from tests.logcheck import CAPTURE, Captured, find_secrets, offences


def planted(text: str) -> Captured:
    record = logging.LogRecord("anju.planted", logging.WARNING, __file__, 1, text, (), None)
    capture = type(CAPTURE)()
    capture.emit(record)
    return capture.records[0]


class DetectorTests(SimpleTestCase):
    def test_it_finds_an_id_number(self):
        self.assertEqual(find_secrets(f"户主 {rid(7)} 已导入"), [("身份证号 ID number", rid(7))])
        self.assertTrue(find_secrets("id=35088119500101123X,"))

    def test_it_finds_account_numbers_plain_and_grouped(self):
        self.assertTrue(find_secrets("account 6217001234567890"))
        self.assertTrue(find_secrets("账号：6217 0012 3456 7890。"))
        self.assertTrue(find_secrets("卡号6222000011112222123"))  # 19 digits

    def test_it_finds_the_passwords_of_the_tests_and_the_demo(self):
        self.assertTrue(find_secrets(f"POST password={PASSWORD}"))
        self.assertTrue(find_secrets("login with Anju@2026demo failed"))

    def test_it_finds_tracking_codes_with_and_without_dashes(self):
        code = new_code()
        self.assertTrue(find_secrets(f"GET /portal/track/?code={code}"))
        self.assertTrue(find_secrets(f"code={code.replace('-', '').lower()}"))

    def test_it_finds_an_otp_secret(self):
        self.assertTrue(
            find_secrets("otpauth://totp/anju:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        )

    def test_it_lets_masked_and_ordinary_values_through(self):
        for text in [
            "350881********123X",
            "****7890",
            "Not Found: /households/12345/",
            "imported 100000 rows in 12.5 s",
            "2026-12-03 06:42:06,123 INFO django.request",
            "sha256 " + "0123456789abcdef" * 4,
            "session 4f9a0c1e2b3d4a5f6e7d8c9b0a1f2e3d",
        ]:
            self.assertEqual(find_secrets(text), [], text)

    def test_an_offence_names_the_record(self):
        record = planted(f"户主身份证号 {rid(3)}")
        [message] = offences([record])
        self.assertIn("anju.planted", message)
        self.assertIn(rid(3), message)
        self.assertIn("test_logcheck.py:1", message)


class CaptureTests(AnjuTestCase):
    def test_it_sees_the_records_the_app_emits(self):
        start = len(CAPTURE.records)
        self.login(self.alice)
        self.client.get(reverse("households:household", args=[987654321]))  # 404: django.request
        names = [r.name for r in CAPTURE.records[start:]]
        self.assertIn("django.request", names)
        self.assertIn("test_it_sees_the_records_the_app_emits", CAPTURE.records[start].test)

    def test_it_sees_records_of_loggers_that_do_not_propagate(self):
        quiet = logging.getLogger("anju.test.quiet")
        quiet.propagate = False
        try:
            CAPTURE.attach()
            start = len(CAPTURE.records)
            quiet.warning("nothing secret here")
            self.assertEqual(CAPTURE.records[start].name, "anju.test.quiet")
        finally:
            quiet.removeHandler(CAPTURE)
            quiet.propagate = True
