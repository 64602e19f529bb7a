"""Behind the reverse proxy (issue #33 F2): limits and the audit log see the real client, never
the proxy, and a header written by anyone but a trusted proxy is ignored. The proxy is a real
process (tests/netproxy/proxy.py) in front of a real server; the clients connect from different
loopback addresses, as different people's machines would."""

from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import LiveServerTestCase, override_settings

from anju.audit.models import AuditEntry
from tests.base import PASSWORD, make_cast, make_regions
from tests.netproxy.client import Visitor, start_proxy

PROXY_PORT = 18202


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
class TrustedProxyTests(LiveServerTestCase):
    host = "127.0.0.1"
    port = 18201

    def setUp(self):
        cache.clear()
        make_regions()
        make_cast()
        self.proxy = start_proxy(PROXY_PORT, self.server_thread.port)
        self.addCleanup(self.proxy.wait, 10)
        self.addCleanup(self.proxy.terminate)

    def through_proxy(self, source: str) -> Visitor:
        return Visitor(PROXY_PORT, source)

    def login(self, visitor: Visitor, username: str, password: str, headers=None) -> int:
        form = {"username": username, "password": password}
        return visitor.post_form("/accounts/login/", form, headers)[0]

    def test_guessing_with_invented_names_locks_out_nobody_else(self):
        attacker = self.through_proxy("127.0.0.2")
        for n in range(7):
            self.assertEqual(self.login(attacker, f"nobody{n}", "wrong-Password-1"), 200)
        # The security administrator and a clerk, behind the same proxy, still get in.
        for name, source in (("sue", "127.0.0.3"), ("bob", "127.0.0.4")):
            self.assertEqual(self.login(self.through_proxy(source), name, PASSWORD), 302, name)
        entry = AuditEntry.objects.filter(action="login", actor_username="bob").latest("seq")
        self.assertEqual(entry.ip, "127.0.0.4")
        failed = set(AccessAttempt.objects.values_list("ip_address", flat=True))
        self.assertEqual(failed, {"127.0.0.2"})

    def test_a_locked_user_is_unlocked_by_the_security_admin_from_the_same_desk(self):
        desk = self.through_proxy("127.0.0.5")
        for _ in range(5):
            self.login(desk, "alice", "wrong-Password-1")
        self.assertEqual(self.login(desk, "alice", PASSWORD), 429)
        # Others behind the proxy are not locked.
        self.assertEqual(self.login(self.through_proxy("127.0.0.6"), "bob", PASSWORD), 302)
        from django.test import Client

        from anju.accounts.models import User
        from tests.base import verified_login

        admin = Client()
        verified_login(admin, User.objects.get(username="sue"))
        alice = User.objects.get(username="alice")
        admin.post(f"/users/{alice.pk}/unlock/")
        self.assertEqual(self.login(desk, "alice", PASSWORD), 302)

    def test_a_forged_header_is_ignored(self):
        forged = {"X-Forwarded-For": "10.66.66.66"}
        # Through the proxy, the client's own header lies to the left of what the proxy saw.
        self.assertEqual(self.login(self.through_proxy("127.0.0.7"), "nobody", "x", forged), 200)
        # Straight to the server, from an address that is not a trusted proxy.
        direct = Visitor(self.server_thread.port, "127.0.0.8")
        self.assertEqual(self.login(direct, "nobody2", "x", forged), 200)
        addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
        self.assertEqual(addresses, {"127.0.0.7", "127.0.0.8"})

    def test_the_public_tracking_limit_is_per_client(self):
        guesser = self.through_proxy("127.0.0.9")
        for _ in range(21):
            _, page = guesser.post_form("/portal/track/", {"code": "0000-0000-0000-0000"})
        self.assertIn("查询过于频繁", page)
        _, page = self.through_proxy("127.0.0.10").post_form(
            "/portal/track/", {"code": "0000-0000-0000-0000"}
        )
        self.assertIn("没有找到与该查询码对应的反映", page)
