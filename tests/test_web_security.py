import re
from datetime import timedelta
from pathlib import Path

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anju.accounts.models import User
from tests.base import PASSWORD, AnjuTestCase

TEMPLATES = Path(__file__).resolve().parent.parent / "anju" / "templates"


class HeaderTests(AnjuTestCase):
    def test_pages_carry_a_csp_without_inline_script_and_deny_framing(self):
        response = self.client.get(reverse("login"))
        csp = response["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_no_template_has_inline_script_or_event_handlers(self):
        for path in TEMPLATES.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path)
            self.assertIsNone(re.search(r"\son[a-z]+=", text), path)

    def test_signed_in_pages_are_never_cached(self):
        self.login(self.alice)
        response = self.client.get(reverse("home"))
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_error_pages_show_no_internals(self):
        self.login(self.alice)
        response = self.client.get("/regions/999999999999/")
        self.assertEqual(response.status_code, 404)
        body = response.content.decode()
        self.assertNotIn("Traceback", body)
        self.assertNotIn("DoesNotExist", body)
        self.assertIn("未找到", body)


class SessionEndTests(AnjuTestCase):
    def test_a_change_of_roles_ends_the_users_sessions_and_the_next_has_a_new_key(self):
        self.login(self.carol)
        old_key = self.client.session.session_key
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        admin = Client()
        self.login(self.sue, admin)
        admin.post(
            reverse("accounts:user_roles", args=[self.carol.pk]),
            {"region_code": "350881000000", "roles": ["county_reviewer"]},
        )
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.assertFalse(Session.objects.filter(session_key=old_key).exists())
        self.login_through_forms(self.carol)
        self.assertNotEqual(self.client.session.session_key, old_key)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)

    def test_an_account_unused_for_90_days_is_disabled_at_login(self):
        User.objects.filter(pk=self.alice.pk).update(last_login=timezone.now())
        with time_machine.travel(timezone.now() + timedelta(days=91)):
            response = self.client.post(
                reverse("login"), {"username": "alice", "password": PASSWORD}
            )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.get(pk=self.alice.pk).is_active)

    def test_an_account_used_recently_logs_in(self):
        User.objects.filter(pk=self.alice.pk).update(last_login=timezone.now())
        with time_machine.travel(timezone.now() + timedelta(days=89)):
            response = self.client.post(
                reverse("login"), {"username": "alice", "password": PASSWORD}
            )
        self.assertEqual(response.status_code, 302)
