"""The one error body, in Chinese, for 401, 403, 404, 405, 406, 429 and 500."""

from unittest import mock

from django.test import override_settings

from tests.api.base import ApiTestCase


class ErrorBodyTests(ApiTestCase):
    def assertError(self, response, status: int, code: str) -> dict:
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json")
        error = response.json()["error"]
        self.assertEqual(error["code"], code)
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error)
        self.assertIn("details", error)
        return error

    def test_401_without_a_token(self):
        error = self.assertError(self.client.get("/api/v1/clues/"), 401, "not_authenticated")
        self.assertEqual(error["message"], "请在 Authorization 头中提供接口令牌。")

    def test_403_for_the_role(self):
        error = self.assertError(self.api(self.pete, "/api/v1/clues/"), 403, "permission_denied")
        self.assertEqual(error["message"], "您的角色无权进行此操作。")

    def test_404_alike_for_missing_and_not_yours(self):
        mine = self.assertError(
            self.api(self.bob, f"/api/v1/clues/{self.clue.pk}/"), 404, "not_found"
        )
        missing = self.assertError(self.api(self.bob, "/api/v1/clues/987654/"), 404, "not_found")
        self.assertEqual(mine, missing)
        self.assertEqual(mine["message"], "没有找到该线索。")

    def test_405_for_a_write_to_a_read_only_route(self):
        response = self.api(self.carol, "/api/v1/households/", method="post")
        self.assertError(response, 405, "method_not_allowed")
        self.assertIn("GET", response["Allow"])

    def test_406_for_an_unservable_format(self):
        response = self.api(self.carol, "/api/v1/households/", HTTP_ACCEPT="text/html")
        self.assertError(response, 406, "not_acceptable")

    @override_settings(ANJU_API_RATE=3)
    def test_429_per_token(self):
        for _ in range(3):
            self.assertEqual(self.api(self.carol, "/api/v1/clues/").status_code, 200)
        response = self.api(self.carol, "/api/v1/clues/")
        error = self.assertError(response, 429, "throttled")
        self.assertIn("秒后再试", error["message"])
        self.assertIn("Retry-After", response)
        # Another user's token has its own allowance.
        self.assertEqual(self.api(self.rita, "/api/v1/clues/").status_code, 200)

    def test_500_shows_nothing_of_the_internals(self):
        with mock.patch(
            "anju.api.views.ListView.get_queryset", side_effect=RuntimeError("secret internals")
        ):
            response = self.api(self.carol, "/api/v1/clues/")
        error = self.assertError(response, 500, "server_error")
        self.assertNotIn("secret internals", response.content.decode())
        self.assertIsNone(error["details"])
