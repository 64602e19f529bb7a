from django.urls import reverse

from anju.accounts.access import Perm, has_perm
from anju.accounts.models import User
from anju.audit.models import AuditEntry
from tests.base import AnjuTestCase


class UserCreateTests(AnjuTestCase):
    def test_the_system_admin_creates_an_account_with_a_one_time_password(self):
        self.login(self.sam)
        response = self.client.post(
            reverse("accounts:user_create"),
            {
                "username": "zhang3",
                "full_name": "张三",
                "region_code": "350881101000",
                "unit": "双洋镇村建站",
            },
        )
        self.assertEqual(response.status_code, 200)
        password = response.context["password"]
        self.assertContains(response, password)
        user = User.objects.get(username="zhang3")
        self.assertTrue(user.must_change_password)
        self.assertTrue(user.check_password(password))
        entry = AuditEntry.objects.filter(action="create", object_id=str(user.pk)).get()
        self.assertEqual(entry.actor_username, "sam")
        self.assertNotIn(password, str(entry.changes))

    def test_a_security_admin_may_not_create_accounts(self):
        self.login(self.sue)
        response = self.client.post(
            reverse("accounts:user_create"),
            {
                "username": "zhang3",
                "full_name": "张三",
                "region_code": "350881101000",
            },
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(User.objects.filter(username="zhang3").exists())

    def test_an_admin_cannot_create_accounts_outside_their_region(self):
        self.login(self.xsam)
        response = self.client.post(
            reverse("accounts:user_create"),
            {
                "username": "zhang3",
                "full_name": "张三",
                "region_code": "350881101000",
            },
        )
        # Refused on the field (not offered), the rest of the form kept.
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请从列表中选择所属区划")
        self.assertContains(response, 'value="zhang3"')
        self.assertNotContains(response, 'value="350881101000"')
        self.assertFalse(User.objects.filter(username="zhang3").exists())


class RoleTests(AnjuTestCase):
    def post_roles(self, user, region, roles):
        return self.client.post(
            reverse("accounts:user_roles", args=[user.pk]), {"region_code": region, "roles": roles}
        )

    def test_the_security_admin_grants_roles(self):
        newbie = User.objects.create_user("newbie", full_name="新人", region_id="350881000000")
        self.login(self.sue)
        response = self.post_roles(newbie, "350881000000", ["county_clerk", "discipline"])
        self.assertRedirects(response, reverse("accounts:user", args=[newbie.pk]))
        newbie = User.objects.get(pk=newbie.pk)
        self.assertEqual(newbie.roles, {"county_clerk", "discipline"})
        self.assertTrue(has_perm(newbie, Perm.VIEW_REGIONS))

    def test_the_three_administrators_stay_apart(self):
        newbie = User.objects.create_user("newbie", region_id="350800000000")
        self.login(self.sue)
        response = self.post_roles(newbie, "350800000000", ["system_admin", "audit_admin"])
        self.assertContains(response, "三员分立", status_code=400)
        response = self.post_roles(newbie, "350800000000", ["system_admin", "city_office"])
        self.assertContains(response, "三员分立", status_code=400)
        self.assertEqual(User.objects.get(pk=newbie.pk).roles, frozenset())

    def test_a_role_must_fit_the_region_level(self):
        self.login(self.sue)
        response = self.post_roles(self.carol, "350881100000", ["county_clerk"])
        self.assertContains(response, "不能设在", status_code=400)

    def test_the_system_admin_may_not_grant_roles(self):
        self.login(self.sam)
        response = self.post_roles(self.alice, "350881100000", ["township_clerk", "discipline"])
        self.assertEqual(response.status_code, 403)

    def test_role_changes_are_audited_with_before_and_after(self):
        self.login(self.sue)
        self.post_roles(self.carol, "350881000000", ["county_clerk", "county_reviewer"])
        entry = AuditEntry.objects.filter(action="update", object_id=str(self.carol.pk)).latest(
            "seq"
        )
        self.assertEqual(entry.changes["before"]["roles"], ["county_clerk"])
        self.assertEqual(entry.changes["after"]["roles"], ["county_clerk", "county_reviewer"])


class AccountStateTests(AnjuTestCase):
    def test_disabling_ends_the_users_sessions(self):
        self.login(self.alice)
        alice_client = self.client
        from django.test import Client

        admin = Client()
        self.login(self.sam, admin)
        response = admin.post(
            reverse("accounts:user_active", args=[self.alice.pk]), {"active": "0"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(alice_client.get(reverse("home")).status_code, 302)

    def test_a_password_reset_ends_sessions_and_forces_a_change(self):
        from django.test import Client

        self.login(self.alice)
        admin = Client()
        self.login(self.sam, admin)
        response = admin.post(reverse("accounts:user_reset_password", args=[self.alice.pk]))
        password = response.context["password"]
        self.assertEqual(self.client.get(reverse("home")).status_code, 302)
        alice = User.objects.get(pk=self.alice.pk)
        self.assertTrue(alice.check_password(password))
        self.assertTrue(alice.must_change_password)

    def test_the_security_admin_lifts_a_lockout(self):
        for _ in range(5):
            self.client.post(reverse("login"), {"username": "alice", "password": "Wrong-pass-99"})
        from django.test import Client

        admin = Client()
        self.login(self.sue, admin)
        admin.post(reverse("accounts:user_unlock", args=[self.alice.pk]))
        response = self.client.post(
            reverse("login"),
            {"username": "alice", "password": "Xq7#harbour-lantern"},
            REMOTE_ADDR="10.9.9.9",
        )
        self.assertEqual(response.status_code, 302)


class UserListTests(AnjuTestCase):
    def test_it_lists_only_accounts_in_the_admins_region(self):
        self.login(self.xsam)
        response = self.client.get(reverse("accounts:users"))
        names = {u.username for u in response.context["page"].object_list}
        self.assertEqual(names, {"xavier", "xsam", "xaud"})

    def test_it_searches_and_answers_htmx_with_the_rows_only(self):
        self.login(self.sam)
        response = self.client.get(
            reverse("accounts:users"), {"q": "ali"}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, "alice")
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, ">bob<")
