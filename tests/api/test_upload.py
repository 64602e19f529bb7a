"""The reference-list upload for 部门数据员: all or nothing, row errors in the body, size-limited,
audited, refused to roles without the right."""

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile

from anju.audit.models import Action, AuditEntry
from anju.crosscheck.models import ReferenceList, ReferenceRecord
from tests.api.base import ApiTestCase
from tests.households.files import rid

URL = "/api/v1/references/"


def deaths(*rows: str) -> SimpleUploadedFile:
    body = "姓名,身份证号,死亡日期\n" + "".join(f"{r}\n" for r in rows)
    return SimpleUploadedFile("deaths.csv", body.encode(), content_type="text/csv")


class ReferenceUploadTests(ApiTestCase):
    def upload(self, user, **data):
        return self.api(user, URL, data, method="post")

    def test_it_imports_a_good_list(self):
        response = self.upload(
            self.pete, kind="deaths", file=deaths(f"甲,{rid(1)},2019-03-05"), as_of="2026-11-30"
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()["reference"]
        self.assertEqual(
            (body["kind"], body["rows"], body["region"]), ("deaths", 1, "350881000000")
        )
        self.assertEqual(body["as_of"], "2026-11-30")
        entry = AuditEntry.objects.get(action=Action.IMPORT, result="ok")
        self.assertEqual(entry.actor_username, "pete")
        listing = self.api(self.pete, URL)
        self.assertEqual([r["id"] for r in listing.json()["results"]], [body["id"]])

    def test_it_writes_nothing_when_a_row_is_bad(self):
        response = self.upload(
            self.pete,
            kind="deaths",
            file=deaths(f"甲,{rid(1)},2019-03-05", "乙,12345,2019-03-05", f"丙,{rid(3)},昨天"),
        )
        self.assertEqual(response.status_code, 400)
        error = response.json()["error"]
        self.assertEqual(error["code"], "import_rejected")
        self.assertEqual(error["message"], "名单有 2 处错误，未导入任何数据。")
        self.assertEqual(
            error["details"],
            [
                {"row": 3, "column": "身份证号", "message": "不是身份证号「12345」"},
                {"row": 4, "column": "死亡日期", "message": "不是日期「昨天」"},
            ],
        )
        self.assertFalse(ReferenceList.objects.exists())
        self.assertFalse(ReferenceRecord.objects.exists())
        self.assertTrue(AuditEntry.objects.filter(action=Action.IMPORT, result="rejected").exists())

    def test_it_checks_the_form(self):
        response = self.upload(self.pete, kind="gossip", file=deaths(f"甲,{rid(1)},2019-03-05"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("kind", response.json()["error"]["details"])
        missing = self.upload(self.pete, kind="deaths")
        self.assertIn("file", missing.json()["error"]["details"])

    def test_it_uploads_only_within_the_users_region(self):
        response = self.upload(
            self.pete, kind="deaths", region="350802000000", file=deaths(f"甲,{rid(1)},2019-03-05")
        )
        self.assertEqual(response.status_code, 404)
        town = self.upload(
            self.pete, kind="deaths", region="350881100000", file=deaths(f"甲,{rid(1)},2019-03-05")
        )
        self.assertEqual(town.json()["reference"]["region"], "350881100000")

    def test_it_refuses_roles_without_the_right(self):
        for user in (self.alice, self.cindy, self.dora):
            with self.subTest(user=user.username):
                response = self.upload(user, kind="deaths", file=deaths(f"甲,{rid(1)},2019-03-05"))
                self.assertEqual(response.status_code, 403)
                self.assertEqual(response.json()["error"]["code"], "permission_denied")
        self.assertFalse(ReferenceList.objects.exists())

    def test_it_refuses_an_oversized_file(self):
        with mock.patch("anju.api.views.MAX_UPLOAD", 10):
            response = self.upload(self.pete, kind="deaths", file=deaths(f"甲,{rid(1)},2019-03-05"))
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json()["error"]["code"], "payload_too_large")
        self.assertFalse(ReferenceList.objects.exists())

    def test_it_refuses_an_oversized_body_before_reading_it(self):
        response = self.client.generic(
            "POST",
            URL,
            b"x" * 10,
            content_type="multipart/form-data; boundary=b",
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['pete']}",
            CONTENT_LENGTH=str(30 * 1024 * 1024),
        )
        self.assertEqual(response.status_code, 413)

    def test_it_wants_multipart(self):
        response = self.api(
            self.pete, URL, {"kind": "deaths"}, method="post", content_type="application/json"
        )
        self.assertEqual(response.status_code, 415)
        self.assertEqual(response.json()["error"]["code"], "unsupported_media_type")
