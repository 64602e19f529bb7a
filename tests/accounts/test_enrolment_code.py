"""Issue #33 F6: the system administrator cannot take over an account that has not bound its
authenticator. After an administrator's creation or reset, binding needs a one-time code that
only the security administrator issues (三员分立)."""

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from anju.accounts import services
from anju.accounts.models import SealedTOTPDevice, User
from anju.audit.models import AuditEntry
from tests.base import AnjuTestCase, make_user

SECRET = re.compile(r'data-testid="otp-secret">([A-Z2-7 ]+)<')


def app_code(secret: str) -> str:
    """What an authenticator app shows for the base32 secret the page displayed."""
    from base64 import b32decode

    totp = TOTP(b32decode(secret.replace(" ", "")), 30, 0, 6, 0)
    return f"{totp.token():06d}"


class EnrolmentCodeTests(AnjuTestCase):
    def setUp(self):
        # A discipline inspector's account that has never bound an authenticator.
        self.zp = make_user("zp_jijian", "discipline", "350881000000")
        self.temporary = services.user_reset_password(actor=self.sam, user=self.zp)

    def sign_in(self, client: Client, password: str):
        client.post(reverse("login"), {"username": "zp_jijian", "password": password})
        return client.get(reverse("otp_setup"))

    def issue(self) -> str:
        admin = Client()
        self.login(self.sue, admin)
        page = admin.post(reverse("accounts:user_enrol_code", args=[self.zp.pk]))
        return re.search(r'data-testid="enrol-code">([A-Z0-9-]+)<', page.content.decode())[1]

    def test_the_system_administrator_with_the_temporary_password_cannot_bind(self):
        intruder = Client()
        page = self.sign_in(intruder, self.temporary)
        # No secret, no QR code: the page asks for the security administrator's code first.
        self.assertContains(page, "绑定码")
        self.assertNotContains(page, 'data-testid="otp-secret"')
        self.assertNotContains(page, 'data-testid="otp-qr"')
        # Posting an authenticator code straight away binds nothing.
        intruder.post(reverse("otp_setup"), {"code": "123456"})
        self.assertFalse(SealedTOTPDevice.objects.filter(user=self.zp, confirmed=True).exists())
        # The system administrator cannot issue a code.
        self.login(self.sam, intruder)
        response = intruder.post(reverse("accounts:user_enrol_code", args=[self.zp.pk]))
        self.assertEqual(response.status_code, 403)
        # Guessing codes locks the account like guessing passwords.
        guesser = Client()
        self.sign_in(guesser, self.temporary)
        for _ in range(5):
            response = guesser.post(reverse("otp_setup"), {"enrol_code": "AAAA-BBBB-CCCC"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(
            AuditEntry.objects.filter(action="login_failed", changes__note="绑定码错误或已失效")
            .filter(actor_username="zp_jijian")
            .count(),
            5,
        )

    def test_the_person_binds_with_the_code_from_the_security_administrator(self):
        code = self.issue()
        detail = Client()
        self.login(self.sue, detail)
        page = detail.get(reverse("accounts:user", args=[self.zp.pk]))
        self.assertContains(page, "须凭安全管理员签发的绑定码绑定")
        person = Client()
        self.sign_in(person, self.temporary)
        response = person.post(reverse("otp_setup"), {"enrol_code": code.lower()})
        self.assertRedirects(response, reverse("otp_setup"), fetch_redirect_response=False)
        secret = SECRET.search(person.get(reverse("otp_setup")).content.decode())[1]
        response = person.post(reverse("otp_setup"), {"code": app_code(secret), "next": "/"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(SealedTOTPDevice.objects.filter(user=self.zp, confirmed=True).exists())
        self.assertFalse(User.objects.get(pk=self.zp.pk).enrol_code_required)
        # The code works once: nobody can use it again after a later reset.
        services.second_factor_reset(actor=self.sue, user=User.objects.get(pk=self.zp.pk))
        again = Client()
        self.sign_in(again, self.temporary)
        response = again.post(reverse("otp_setup"), {"enrol_code": code})
        self.assertContains(response, "绑定码不正确或已失效")
        # The code never reaches the audit log.
        self.assertFalse(AuditEntry.objects.filter(changes__icontains=code.replace("-", "")))

    def test_a_secret_seen_before_the_code_is_not_the_one_bound(self):
        # An account created before this fix may have had its page (and secret) looked at.
        user = User.objects.get(pk=self.zp.pk)
        SealedTOTPDevice.objects.create(user=user, name="旧", confirmed=False)
        old_keys = set(SealedTOTPDevice.objects.filter(user=user).values_list("key", flat=True))
        code = self.issue()
        person = Client()
        self.sign_in(person, self.temporary)
        person.post(reverse("otp_setup"), {"enrol_code": code})
        person.get(reverse("otp_setup"))
        device = SealedTOTPDevice.objects.get(user=user)
        self.assertNotIn(device.key, old_keys)

    def test_a_code_expires(self):
        code = self.issue()
        person = Client()
        self.sign_in(person, self.temporary)
        # 73 hours later (moved on the record: a session would not stay open that long).
        expires = User.objects.get(pk=self.zp.pk).enrol_code_expires
        self.assertAlmostEqual(
            expires, timezone.now() + timedelta(hours=72), delta=timedelta(minutes=1)
        )
        User.objects.filter(pk=self.zp.pk).update(
            enrol_code_expires=timezone.now() - timedelta(hours=1)
        )
        response = person.post(reverse("otp_setup"), {"enrol_code": code})
        self.assertContains(response, "绑定码不正确或已失效")

    def test_a_created_account_needs_a_code_too(self):
        user, _ = services.user_create(
            actor=self.sam, username="newbie", full_name="新人", region=self.regions["350881000000"]
        )
        self.assertTrue(user.enrol_code_required)
