"""Token lifecycle: created on the staff page, shown once and stored as a hash, used, revoked;
expired, disabled and administrators' tokens refused; refusals audited; no session on the API."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from anju.api.models import ApiToken
from anju.api.tokens import MAX_ACTIVE, digest, token_create
from anju.audit.models import Action, AuditEntry
from tests.api.base import ApiTestCase


def refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.DENIED, object_type="api.apitoken"))


class TokenPageTests(ApiTestCase):
    def test_it_creates_a_token_shown_once_and_stored_as_a_hash(self):
        self.login(self.alice)
        response = self.client.post(reverse("tokens:create"), {"name": "统计脚本", "days": 90})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        raw = response.context["raw"]
        self.assertTrue(raw.startswith("anju_"))
        self.assertContains(response, raw)
        token = ApiToken.objects.get(name="统计脚本")
        self.assertEqual(token.key_hash, digest(raw))
        self.assertFalse(ApiToken.objects.filter(key_hash=raw).exists())
        self.assertNotIn(raw, str(list(ApiToken.objects.values())))
        self.assertEqual(self.api(raw, "/api/v1/households/").status_code, 200)
        listing = self.client.get(reverse("tokens:list"))
        self.assertNotContains(listing, raw)
        self.assertContains(listing, token.prefix)
        created = AuditEntry.objects.get(
            action=Action.CREATE, object_type="api.apitoken", object_id=str(token.pk)
        )
        self.assertNotIn(raw, str(created.changes))

    def test_it_records_the_last_use(self):
        token = ApiToken.objects.get(key_hash=digest(self.tokens["carol"]))
        self.assertIsNone(token.last_used_at)
        self.api(self.carol, "/api/v1/clues/")
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)

    def test_it_revokes_a_token(self):
        token = ApiToken.objects.get(key_hash=digest(self.tokens["alice"]))
        self.login(self.alice)
        response = self.client.post(reverse("tokens:revoke", args=[token.pk]))
        self.assertRedirects(response, reverse("tokens:list"))
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
        refused = self.api(self.alice, "/api/v1/households/")
        self.assertEqual(refused.status_code, 401)
        self.assertEqual(refused.json()["error"]["message"], "令牌已吊销。")
        self.assertEqual(refused["WWW-Authenticate"], 'Bearer realm="api"')
        [entry] = refusals()
        self.assertEqual((entry.actor_username, entry.result), ("alice", "refused"))
        self.assertTrue(
            AuditEntry.objects.filter(action=Action.UPDATE, object_type="api.apitoken").exists()
        )

    def test_nobody_revokes_another_users_token(self):
        token = ApiToken.objects.get(key_hash=digest(self.tokens["alice"]))
        self.login(self.bob)
        self.assertEqual(
            self.client.post(reverse("tokens:revoke", args=[token.pk])).status_code, 404
        )
        self.login(self.carol)
        self.assertEqual(
            self.client.post(reverse("tokens:revoke", args=[token.pk])).status_code, 404
        )
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)

    def test_the_administrators_get_no_token_page(self):
        for user in (self.sam, self.sue, self.aud):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(reverse("tokens:list")).status_code, 403)
                response = self.client.post(reverse("tokens:create"), {"name": "x", "days": 30})
                self.assertEqual(response.status_code, 403)

    def test_it_limits_the_active_tokens(self):
        for n in range(MAX_ACTIVE - 1):
            token_create(actor=self.rita, name=f"t{n}", days=30)
        self.login(self.rita)
        response = self.client.post(reverse("tokens:create"), {"name": "one too many", "days": 30})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "有效令牌最多", status_code=400)

    def test_it_refuses_an_unknown_lifetime(self):
        self.login(self.rita)
        response = self.client.post(reverse("tokens:create"), {"name": "x", "days": 10000})
        self.assertEqual(response.status_code, 400)


class TokenRefusalTests(ApiTestCase):
    def test_it_refuses_an_expired_token(self):
        ApiToken.objects.filter(key_hash=digest(self.tokens["carol"])).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        response = self.api(self.carol, "/api/v1/households/")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"]["message"], "令牌已过期。")
        self.assertEqual(len(refusals()), 1)

    def test_it_refuses_a_disabled_user_and_a_pending_password_change(self):
        self.carol.is_active = False
        self.carol.save()
        self.assertEqual(self.api(self.carol, "/api/v1/households/").status_code, 401)
        self.rita.must_change_password = True
        self.rita.save()
        self.assertEqual(self.api(self.rita, "/api/v1/households/").status_code, 401)

    def test_a_password_reset_or_role_change_ends_earlier_tokens(self):
        from anju.accounts.services import user_reset_password, user_set_roles

        self.assertEqual(self.api(self.carol, "/api/v1/households/").status_code, 200)
        user_reset_password(actor=self.sam, user=self.carol)
        self.carol.refresh_from_db()
        self.carol.must_change_password = False  # even after the new password is set
        self.carol.save(update_fields=["must_change_password"])
        response = self.api(self.carol, "/api/v1/households/")
        self.assertEqual(response.status_code, 401)
        self.assertIn("令牌已失效", response.json()["error"]["message"])

        self.assertEqual(self.api(self.rita, "/api/v1/households/").status_code, 200)
        user_set_roles(
            actor=self.sue, user=self.rita, region=self.rita.region, roles={"county_clerk"}
        )
        self.assertEqual(self.api(self.rita, "/api/v1/households/").status_code, 401)

    def test_the_guide_says_what_a_role_change_does_to_a_token(self):
        # Issue #33 F14: docs/api.md said a token answered with the new permissions after a
        # role change; it is refused. The guide quotes the refusal the caller actually gets.
        from pathlib import Path

        from anju.accounts.services import user_set_roles

        user_set_roles(
            actor=self.sue, user=self.rita, region=self.rita.region, roles={"county_clerk"}
        )
        message = self.api(self.rita, "/api/v1/households/").json()["error"]["message"]
        guide = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text("utf-8")
        self.assertIn(message, guide.replace("\n  ", ""))
        self.assertNotIn("立即按新的权限回答", guide)

    def test_it_refuses_the_administrators_tokens(self):
        for user in (self.sam, self.sue, self.aud):
            with self.subTest(user=user.username):
                response = self.api(user, "/api/v1/reports/")
                self.assertEqual(response.status_code, 401)

    def test_it_refuses_unknown_and_malformed_tokens(self):
        for header in ("Bearer anju_nothing", "Bearer xyz", "Bearer a b", "Bearer"):
            with self.subTest(header=header):
                response = self.client.get("/api/v1/households/", HTTP_AUTHORIZATION=header)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response.json()["error"]["code"], "not_authenticated")
        unknown = AuditEntry.objects.filter(action=Action.DENIED, object_type="api.token")
        self.assertGreaterEqual(unknown.count(), 2)

    def test_it_caps_the_audit_of_guessed_tokens(self):
        from anju.api.auth import AUDITED_FAILURES_PER_MINUTE

        for _ in range(AUDITED_FAILURES_PER_MINUTE + 5):
            self.client.get("/api/v1/households/", HTTP_AUTHORIZATION="Bearer anju_guess")
        unknown = AuditEntry.objects.filter(action=Action.DENIED, object_type="api.token")
        self.assertEqual(unknown.count(), AUDITED_FAILURES_PER_MINUTE)

    def test_a_session_is_not_enough(self):
        self.login(self.carol)
        response = self.client.get("/api/v1/households/")
        self.assertEqual(response.status_code, 401)
        self.assertNotIn("西埔户主", response.content.decode())


class RefusalAuditCapTests(ApiTestCase):
    def test_a_dead_token_hammering_does_not_fill_the_audit_log(self):
        from anju.api.auth import AUDITED_FAILURES_PER_MINUTE

        ApiToken.objects.filter(key_hash=digest(self.tokens["carol"])).update(
            revoked_at=timezone.now()
        )
        for _ in range(AUDITED_FAILURES_PER_MINUTE + 5):
            self.assertEqual(self.api(self.carol, "/api/v1/households/").status_code, 401)
        self.assertEqual(len(refusals()), AUDITED_FAILURES_PER_MINUTE)
