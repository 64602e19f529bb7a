from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from anju.accounts.models import PasswordHistory, User
from tests.base import PASSWORD, AnjuTestCase, make_user

CHAIN = ["Bamboo-River42x", "Camellia-Hill43y", "Dragon-Well44z", "Egret-Pond45w", "Fern-Ridge46v"]


class PasswordRotationTests(AnjuTestCase):
    def change(self, old, new):
        return self.client.post(
            reverse("password_change"),
            {"old_password": old, "new_password1": new, "new_password2": new},
        )

    def test_an_old_password_must_be_changed_before_any_other_page(self):
        user = make_user("veteran", "township_clerk", "350881100000")
        User.objects.filter(pk=user.pk).update(
            password_changed_at=timezone.now() - timedelta(days=91)
        )
        self.login(user)
        response = self.client.get(reverse("households:list"))
        self.assertRedirects(response, reverse("password_change"))
        self.assertContains(self.client.get(reverse("password_change")), "已超过 90 天未修改")
        response = self.change(PASSWORD, "Bamboo-River42x")
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        user.refresh_from_db()
        self.assertLess(timezone.now() - user.password_changed_at, timedelta(minutes=1))
        self.assertEqual(self.client.get(reverse("households:list")).status_code, 200)

    def test_it_counts_from_the_account_creation_when_never_changed(self):
        user = make_user("quiet", "township_clerk", "350881100000")
        User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=95))
        self.login(user)
        self.assertRedirects(self.client.get(reverse("home")), reverse("password_change"))

    def test_the_limit_is_configurable_and_zero_switches_it_off(self):
        # (ANJU_PASSWORD_MAX_AGE_DAYS, age of the password in days, must it be changed?)
        for max_age, age, must_change in [(90, 89, False), (30, 31, True), (0, 900, False)]:
            with (
                self.subTest(max_age=max_age, age=age),
                self.settings(PASSWORD_MAX_AGE_DAYS=max_age),
            ):
                User.objects.filter(pk=self.alice.pk).update(
                    password_changed_at=timezone.now() - timedelta(days=age)
                )
                self.login(self.alice)
                response = self.client.get(reverse("home"))
                if must_change:
                    self.assertRedirects(response, reverse("password_change"))
                else:
                    self.assertEqual(response.status_code, 200)

    def test_none_of_the_last_five_passwords_comes_back(self):
        self.login(self.alice)
        self.assertContains(self.change(PASSWORD, PASSWORD), "最近 5 次")
        old = PASSWORD
        for new in CHAIN:
            self.assertEqual(self.change(old, new).status_code, 302, new)
            old = new
        self.assertEqual(PasswordHistory.objects.filter(user=self.alice).count(), 5)
        for recent in CHAIN:
            response = self.change(old, recent)
            self.assertContains(response, "不能与最近 5 次使用过的密码相同", msg_prefix=recent)
        # The sixth one back has left the history and may be used again.
        self.assertEqual(self.change(old, PASSWORD).status_code, 302)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(PASSWORD))

    def test_the_history_keeps_hashes_only(self):
        self.login(self.alice)
        self.change(PASSWORD, CHAIN[0])
        row = PasswordHistory.objects.get(user=self.alice)
        self.assertNotIn(CHAIN[0], row.password)
        self.alice.refresh_from_db()
        self.assertEqual(row.password, self.alice.password)

    def test_the_validator_checks_the_current_password_too(self):
        with self.assertRaises(ValidationError):
            validate_password(PASSWORD, self.alice)
        validate_password("Unrelated-Path77q", self.alice)


class TemporaryPasswordHistoryTests(AnjuTestCase):
    """Issue #33 F9: the administrator saw the temporary password, so it may never come back."""

    def change(self, old, new):
        return self.client.post(
            reverse("password_change"),
            {"old_password": old, "new_password1": new, "new_password2": new},
        )

    def test_the_user_cannot_change_back_to_a_reset_password(self):
        from anju.accounts.services import user_reset_password

        temporary = user_reset_password(actor=self.sam, user=self.alice)
        self.alice.refresh_from_db()
        self.login(self.alice)
        self.assertEqual(self.change(temporary, CHAIN[0]).status_code, 302)
        response = self.change(CHAIN[0], temporary)
        self.assertContains(response, "不能与最近 5 次使用过的密码相同")
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(CHAIN[0]))

    def test_nor_to_the_password_an_account_was_created_with(self):
        from anju.accounts.services import user_create

        user, temporary = user_create(
            actor=self.sam,
            username="fresh",
            full_name="新用户",
            region=self.regions["350881000000"],
        )
        self.login(user)
        self.assertEqual(self.change(temporary, CHAIN[1]).status_code, 302)
        self.assertContains(self.change(CHAIN[1], temporary), "不能与最近 5 次使用过的密码相同")
