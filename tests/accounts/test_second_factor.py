import logging
import re
from base64 import b32decode, b32encode
from datetime import timedelta

import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from anju.accounts.access import public_view, second_factor_missing, staff_view
from anju.accounts.models import SealedTOTPDevice
from anju.audit.models import AuditEntry
from tests.base import OTP_KEY, PASSWORD, AnjuTestCase, make_user, otp_device, totp_code

CODE_PAGE = "/accounts/otp/"
NOW = timezone.now().replace(microsecond=0)


class SecondFactorLoginTests(AnjuTestCase):
    def password(self, username="alice", ip="10.0.0.1"):
        return self.client.post(
            reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip
        )

    def code(self, code, ip="10.0.0.1"):
        return self.client.post(reverse("otp_verify"), {"code": code}, REMOTE_ADDR=ip)

    def test_it_asks_for_the_code_after_the_password(self):
        device = otp_device(self.alice)
        self.password()
        response = self.client.get(reverse("households:list"))
        self.assertRedirects(
            response, f"{CODE_PAGE}?next=%2Fhouseholds%2F", fetch_redirect_response=False
        )
        page = self.client.get(response["Location"])
        self.assertContains(page, "输入动态验证码")
        self.assertNotContains(page, "农户档案")  # no menu before the second factor
        response = self.client.post(
            reverse("otp_verify"), {"code": totp_code(device), "next": "/households/"}
        )
        self.assertRedirects(response, "/households/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("households:list")).status_code, 200)
        entry = AuditEntry.objects.filter(action="login").latest("seq")
        self.assertEqual(entry.actor_username, "alice")
        self.assertIn("动态口令验证通过", entry.changes["note"])

    def test_it_gives_a_new_session_key_after_the_code(self):
        device = otp_device(self.alice)
        self.password()
        before = self.client.session.session_key
        self.code(totp_code(device))
        after = self.client.session.session_key
        self.assertNotEqual(before, after)
        self.assertFalse(Session.objects.filter(session_key=before).exists())
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)

    def test_a_code_is_good_only_once(self):
        device = otp_device(self.alice)
        with time_machine.travel(NOW, tick=False):
            code = totp_code(device)
            self.password()
            self.assertEqual(self.code(code).status_code, 302)
            self.client.post(reverse("logout"))
            self.password()
            response = self.code(code)
        self.assertContains(response, "验证码不正确或已使用过")
        self.assertEqual(self.client.get(reverse("home")).status_code, 302)

    def test_a_code_from_two_minutes_ago_is_refused(self):
        device = otp_device(self.alice)
        with time_machine.travel(NOW, tick=False):
            self.password()
            response = self.code(totp_code(device, at=NOW.timestamp() - 120))
            self.assertContains(response, "验证码不正确")
        self.assertEqual(self.client.get(reverse("home"))["Location"], f"{CODE_PAGE}?next=%2F")

    def test_the_code_of_the_previous_step_still_counts(self):
        # One 30-second step of tolerance for a phone clock slightly behind.
        device = otp_device(self.alice)
        with time_machine.travel(NOW, tick=False):
            self.password()
            response = self.code(totp_code(device, step_offset=-1))
        self.assertEqual(response.status_code, 302)

    def test_a_wrong_code_is_audited_and_slows_the_next_try(self):
        device = otp_device(self.alice)
        with time_machine.travel(NOW, tick=False):
            self.password()
            right = totp_code(device)
            wrong = f"{(int(right) + 1) % 1000000:06d}"
            self.assertContains(self.code(wrong), "验证码不正确")
            entry = AuditEntry.objects.filter(action="login_failed").latest("seq")
            self.assertEqual((entry.actor_username, entry.result), ("alice", "refused"))
            self.assertIn("动态口令错误", entry.changes["note"])
            # Right away even the right code waits for the throttle (1 s after one failure).
            self.assertContains(self.code(right), "错误次数过多")
        with time_machine.travel(NOW + timedelta(seconds=3), tick=False):
            self.assertEqual(self.code(right).status_code, 302)

    def test_five_wrong_codes_lock_the_account_and_end_the_session(self):
        otp_device(self.alice)
        self.password()
        for attempt in range(5):
            # Past the throttle each time, so every wrong code reaches the lockout count.
            with time_machine.travel(timezone.now() + timedelta(seconds=20 * attempt + 20)):
                response = self.code("000000")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "暂时锁定", status_code=429)
        self.assertTrue(AuditEntry.objects.filter(action="locked_out").exists())
        self.assertIn("/accounts/login/", self.client.get(reverse("home"))["Location"])
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            response = self.password(ip="10.0.0.2")
        self.assertEqual(response.status_code, 429)  # the username is locked, not just the page

    def test_a_user_without_a_device_enrols_before_any_page(self):
        user = make_user("newbie", "township_clerk", "350881100000")
        records = []
        handler = logging.Handler(level=logging.DEBUG)
        handler.emit = lambda record: records.append(record.getMessage())
        root = logging.getLogger()
        root.addHandler(handler)
        old_level = root.level
        root.setLevel(logging.DEBUG)
        try:
            self.password("newbie")
            response = self.client.get(reverse("home"))
            response = self.client.get(response["Location"])  # the code page ...
            self.assertRedirects(
                response, f"{reverse('otp_setup')}?next=%2F", fetch_redirect_response=False
            )
            page = self.client.get(response["Location"]).content.decode()  # ... enrolment
            self.assertIn('src="data:image/svg+xml', page)
            secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page)[1]
            self.assertIn(secret, self.client.get(reverse("otp_setup")).content.decode())
            device = SealedTOTPDevice.objects.get(user=user)
            self.assertFalse(device.confirmed)
            self.assertEqual(b32decode(secret.replace(" ", "")), device.bin_key)
            # A wrong code binds nothing; the right one binds the device and opens the pages.
            response = self.client.post(reverse("otp_setup"), {"code": "000000"})
            self.assertContains(response, "验证码不正确")
            with time_machine.travel(timezone.now() + timedelta(seconds=3)):
                code = totp_code(device)
                response = self.client.post(reverse("otp_setup"), {"code": code, "next": "/"})
            self.assertRedirects(response, "/", fetch_redirect_response=False)
            self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        enrol = AuditEntry.objects.get(action="otp_enrol")
        self.assertEqual(enrol.actor_username, "newbie")
        # The secret, in any spelling, is in no audit entry and no log line.
        spellings = [device.key, b32encode(device.bin_key).decode(), secret]
        everything = " ".join(str(e.changes) + e.object_repr for e in AuditEntry.objects.all())
        for spelling in spellings:
            self.assertNotIn(spelling, everything)
            self.assertFalse([r for r in records if spelling in r])

    def test_a_bound_user_cannot_enrol_again_without_a_reset(self):
        otp_device(self.alice)
        self.password()
        response = self.client.get(reverse("otp_setup"))
        self.assertRedirects(response, f"{CODE_PAGE}?", fetch_redirect_response=False)
        self.assertEqual(SealedTOTPDevice.objects.filter(user=self.alice).count(), 1)

    @override_settings(OTP_REQUIRED=False)
    def test_it_can_be_switched_off(self):
        self.password()
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)


class EnforcementTests(AnjuTestCase):
    def request(self, path, user):
        request = RequestFactory().get(path)
        request.user = user
        user.is_verified = lambda: False
        return request

    def test_only_public_second_step_and_exempt_paths_skip_the_check(self):
        def staff(request):
            raise AssertionError

        no_policy = staff  # a view nobody decorated: still needs the second factor
        protected = staff_view()(staff)
        public = public_view(lambda request: None)
        alice = self.alice
        self.assertTrue(second_factor_missing(self.request("/households/", alice), protected))
        self.assertTrue(second_factor_missing(self.request("/households/", alice), no_policy))
        self.assertFalse(second_factor_missing(self.request("/portal/", alice), public))
        # The token-authenticated REST API is exempt by its path prefix (settings).
        self.assertFalse(second_factor_missing(self.request("/api/v1/clues/", alice), protected))
        with override_settings(OTP_EXEMPT_PREFIXES=["/static/"]):
            self.assertTrue(second_factor_missing(self.request("/api/v1/clues/", alice), protected))
        self.assertFalse(second_factor_missing(self.request("/x/", AnonymousUser()), protected))


class SecondFactorResetTests(AnjuTestCase):
    def test_the_security_administrator_resets_it_and_the_user_enrols_again(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        admin = Client()
        self.login(self.sue, admin)
        page = admin.get(reverse("accounts:user", args=[self.alice.pk]))
        self.assertContains(page, "已绑定手机验证器")
        self.assertContains(page, "重置动态口令")
        response = admin.post(reverse("accounts:user_reset_otp", args=[self.alice.pk]))
        self.assertRedirects(response, reverse("accounts:user", args=[self.alice.pk]))
        self.assertFalse(SealedTOTPDevice.objects.filter(user=self.alice).exists())
        # Her sessions end as on a change of roles ...
        self.assertIn("/accounts/login/", self.client.get(reverse("home"))["Location"])
        entry = AuditEntry.objects.get(action="otp_reset")
        self.assertEqual((entry.actor_username, entry.object_id), ("sue", str(self.alice.pk)))
        self.assertNotIn(OTP_KEY, str(entry.changes))
        # ... and at her next login she binds a new device.
        self.client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        response = self.client.get(reverse("otp_verify"))
        self.assertTrue(response["Location"].startswith(reverse("otp_setup")))

    def test_no_one_resets_their_own(self):
        self.login(self.sue)
        response = self.client.post(reverse("accounts:user_reset_otp", args=[self.sue.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(SealedTOTPDevice.objects.filter(user=self.sue).exists())
        self.assertFalse(AuditEntry.objects.filter(action="otp_reset").exists())

    def test_the_system_administrator_may_not(self):
        otp_device(self.alice)
        self.login(self.sam)
        response = self.client.post(reverse("accounts:user_reset_otp", args=[self.alice.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertTrue(SealedTOTPDevice.objects.filter(user=self.alice).exists())


class AuthenticatorCodeTests(AnjuTestCase):
    def test_codes_match_an_authenticator_app_reading_the_base32_secret(self):
        # RFC 6238's SHA-1 test vector (key "12345678901234567890", T = 59 s → 94287082,
        # 6 digits: 287082), as an app would compute it from the secret the page shows.
        device = SealedTOTPDevice(key=OTP_KEY, step=30, t0=0, digits=6)
        self.assertEqual(totp_code(device, at=59), "287082")
        app = TOTP(b32decode(b32encode(device.bin_key)), 30, 0, 6, 0)
        app.time = 59
        self.assertEqual(app.token(), 287082)
