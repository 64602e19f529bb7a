"""Each read endpoint: the allowed user succeeds, a role without the right gets 403, an object of
another region 404, personal numbers come masked, filters and pagination work."""

from anju.audit.models import Action, AuditEntry
from tests.api.base import ACCOUNTS, DONGYANG, HEAD_IDS, XIPU, ApiTestCase

LISTS = {
    "households": "VIEW_HOUSEHOLDS",
    "renovations": "VIEW_HOUSEHOLDS",
    "assessments": "VIEW_HOUSEHOLDS",
    "visits": "VIEW_HOUSEHOLDS",
    "findings": "VIEW_FINDINGS",
    "clues": "VIEW_CLUES",
    "reports": "VIEW_REPORTS",
    "references": "UPLOAD_REFERENCES",
}


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


class HouseholdTests(ApiTestCase):
    def test_it_lists_only_the_users_township(self):
        response = self.api(self.alice, "/api/v1/households/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(ids(response), [self.home.pk])
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_it_masks_ids_and_accounts(self):
        response = self.api(self.carol, f"/api/v1/households/{self.home.pk}/")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["head_id"], "350881********1231")
        self.assertEqual(body["account_number"], "************7890")
        self.assertEqual(body["people"][0]["id_number"], "350881********1231")
        self.assertEqual(body["categories"][0]["category_label"], "建档立卡贫困户")
        text = response.content.decode()
        self.assertNotIn(HEAD_IDS[XIPU], text)
        self.assertNotIn(ACCOUNTS[XIPU], text)

    def test_it_answers_404_for_another_township(self):
        response = self.api(self.alice, f"/api/v1/households/{self.away.pk}/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"]["code"], "not_found")
        self.assertNotIn("东洋户主", response.content.decode())
        missing = self.api(self.alice, "/api/v1/households/999999/")
        self.assertEqual(missing.json(), response.json())

    def test_it_refuses_roles_without_the_right(self):
        for user in (self.pete, self.sam, self.sue, self.aud):
            with self.subTest(user=user.username):
                response = self.api(user, f"/api/v1/households/{self.home.pk}/")
                self.assertIn(response.status_code, (401, 403))
                self.assertNotIn("西埔户主", response.content.decode())

    def test_it_filters_by_region_subtree(self):
        everything = self.api(self.carol, "/api/v1/households/")
        self.assertEqual(sorted(ids(everything)), sorted([self.home.pk, self.away.pk]))
        town = self.api(self.carol, "/api/v1/households/", {"region": "350881101000"})
        self.assertEqual(ids(town), [self.away.pk])
        village = self.api(self.carol, "/api/v1/households/", {"region": XIPU})
        self.assertEqual(ids(village), [self.home.pk])

    def test_it_refuses_a_region_outside_the_users_own(self):
        response = self.api(self.alice, "/api/v1/households/", {"region": DONGYANG})
        self.assertEqual(response.status_code, 404)
        sibling = self.api(self.carol, "/api/v1/households/", {"region": "350802000000"})
        self.assertEqual(sibling.status_code, 404)

    def test_it_filters_by_category(self):
        response = self.api(self.carol, "/api/v1/households/", {"category": "registered_poor"})
        self.assertEqual(len(ids(response)), 2)
        none = self.api(self.carol, "/api/v1/households/", {"category": "veteran"})
        self.assertEqual(ids(none), [])

    def test_it_rejects_a_bad_filter_with_a_chinese_message(self):
        response = self.api(self.carol, "/api/v1/households/", {"region": "35"})
        self.assertEqual(response.status_code, 400)
        body = response.json()["error"]
        self.assertEqual(body["code"], "bad_request")
        self.assertIn("region", body["details"])
        backwards = self.api(
            self.carol, "/api/v1/households/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}
        )
        self.assertEqual(ids(backwards), [])


class RenovationTests(ApiTestCase):
    def test_it_lists_renovations_with_masked_payments(self):
        response = self.api(self.alice, "/api/v1/renovations/")
        self.assertEqual(response.status_code, 200)
        [item] = response.json()["results"]
        self.assertEqual(item["household"], self.home.pk)
        self.assertEqual(item["subsidy_fen"], 2000000)
        self.assertEqual(item["payments"][0]["account_number"], "************7890")
        self.assertNotIn(ACCOUNTS[XIPU], response.content.decode())

    def test_it_filters_by_approval_date_and_year(self):
        recent = self.api(self.carol, "/api/v1/renovations/", {"date_from": "2026-01-01"})
        self.assertEqual([r["household"] for r in recent.json()["results"]], [self.away.pk])
        until = self.api(self.carol, "/api/v1/renovations/", {"date_to": "2025-12-31"})
        self.assertEqual([r["household"] for r in until.json()["results"]], [self.home.pk])
        year = self.api(self.carol, "/api/v1/renovations/", {"year": 2026})
        self.assertEqual([r["household"] for r in year.json()["results"]], [self.away.pk])

    def test_it_answers_404_for_another_township(self):
        renovation = self.away.renovations.get()
        self.assertEqual(
            self.api(self.alice, f"/api/v1/renovations/{renovation.pk}/").status_code, 404
        )
        self.assertEqual(
            self.api(self.bob, f"/api/v1/renovations/{renovation.pk}/").status_code, 200
        )

    def test_it_refuses_the_data_provider(self):
        self.assertEqual(self.api(self.pete, "/api/v1/renovations/").status_code, 403)


class AssessmentAndVisitTests(ApiTestCase):
    def test_it_lists_assessments_by_date(self):
        response = self.api(self.carol, "/api/v1/assessments/", {"date_from": "2026-06-20"})
        [item] = response.json()["results"]
        self.assertEqual((item["household"], item["grade"]), (self.away.pk, "D"))
        self.assertEqual(item["region"], DONGYANG)

    def test_it_scopes_one_assessment(self):
        pk = self.away.houses.get().assessments.get().pk
        self.assertEqual(self.api(self.alice, f"/api/v1/assessments/{pk}/").status_code, 404)
        self.assertEqual(self.api(self.bob, f"/api/v1/assessments/{pk}/").status_code, 200)
        self.assertEqual(self.api(self.pete, f"/api/v1/assessments/{pk}/").status_code, 403)

    def test_it_lists_visits(self):
        response = self.api(self.bob, "/api/v1/visits/")
        [item] = response.json()["results"]
        self.assertEqual((item["household"], item["visited_on"]), (self.away.pk, "2026-06-20"))
        pk = self.home.visits.get().pk
        self.assertEqual(self.api(self.bob, f"/api/v1/visits/{pk}/").status_code, 404)
        self.assertEqual(self.api(self.alice, f"/api/v1/visits/{pk}/").json()["note"], "正常")


class FindingAndClueTests(ApiTestCase):
    def test_it_lists_findings_masked(self):
        response = self.api(self.alice, "/api/v1/findings/")
        [item] = response.json()["results"]
        self.assertEqual(item["id"], self.finding.pk)
        self.assertEqual(item["id_number"], "350881********1231")
        self.assertNotIn(HEAD_IDS[XIPU], response.content.decode())

    def test_it_filters_findings_by_rule(self):
        response = self.api(self.carol, "/api/v1/findings/", {"rule": "NO_ACCEPTANCE"})
        self.assertEqual(ids(response), [self.away_finding.pk])
        bad = self.api(self.carol, "/api/v1/findings/", {"rule": "NOPE"})
        self.assertEqual(bad.status_code, 400)

    def test_it_scopes_findings(self):
        self.assertEqual(
            self.api(self.alice, f"/api/v1/findings/{self.away_finding.pk}/").status_code, 404
        )
        self.assertEqual(self.api(self.pete, "/api/v1/findings/").status_code, 403)

    def test_it_lists_clues_read_only_with_ids_masked(self):
        response = self.api(self.dora, f"/api/v1/clues/{self.clue.pk}/")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["links"], "户主身份证号 350881********1231，2025 年度")
        self.assertEqual(body["persons"][0]["level_label"], "村社干部")
        put = self.api(self.dora, f"/api/v1/clues/{self.clue.pk}/", method="put")
        self.assertEqual(put.status_code, 405)
        self.assertEqual(put.json()["error"]["code"], "method_not_allowed")

    def test_it_filters_clues_by_received_date(self):
        response = self.api(
            self.carol, "/api/v1/clues/", {"date_from": "2026-10-01", "date_to": "2026-10-31"}
        )
        self.assertEqual(ids(response), [self.clue.pk])
        self.assertEqual(self.api(self.bob, f"/api/v1/clues/{self.clue.pk}/").status_code, 404)


class ReportTests(ApiTestCase):
    def test_it_shows_the_report_status_of_the_users_districts(self):
        response = self.api(self.cindy, "/api/v1/reports/")
        self.assertEqual(sorted(ids(response)), sorted([self.report.pk, self.away_report.pk]))
        mine = self.api(self.carol, "/api/v1/reports/")
        [item] = mine.json()["results"]
        self.assertEqual(
            (item["status"], item["status_label"], item["days_late"]), ("submitted", "已报送", 0)
        )
        self.assertEqual(item["events"][0]["to_status"], "submitted")

    def test_it_scopes_reports(self):
        self.assertEqual(
            self.api(self.carol, f"/api/v1/reports/{self.away_report.pk}/").status_code, 404
        )
        # A township clerk reads their township's own reports (the progress report it owes),
        # none of the county's; a department's data provider none at all.
        self.assertEqual(ids(self.api(self.alice, "/api/v1/reports/")), [])
        self.assertEqual(self.api(self.pete, "/api/v1/reports/").status_code, 403)
        by_status = self.api(self.cindy, "/api/v1/reports/", {"status": "draft"})
        self.assertEqual(ids(by_status), [self.away_report.pk])


class ListTests(ApiTestCase):
    def test_every_list_refuses_the_three_administrators(self):
        for name in LISTS:
            for user in (self.sam, self.sue, self.aud):
                with self.subTest(list=name, user=user.username):
                    response = self.api(user, f"/api/v1/{name}/")
                    self.assertEqual(response.status_code, 401)
                    self.assertEqual(response.json()["error"]["code"], "not_authenticated")

    def test_it_pages_with_a_bounded_page_size(self):
        first = self.api(self.carol, "/api/v1/households/", {"page_size": 1})
        body = first.json()
        self.assertEqual((body["count"], len(body["results"])), (2, 1))
        self.assertIn("page=2", body["next"])
        second = self.api(self.carol, "/api/v1/households/", {"page_size": 1, "page": 2})
        self.assertNotEqual(ids(first), ids(second))
        beyond = self.api(self.carol, "/api/v1/households/", {"page": 9})
        self.assertEqual(beyond.status_code, 404)
        self.assertEqual(beyond.json()["error"]["message"], "无效页面。")

    def test_it_caps_the_page_size(self):
        for size in ("0", "201", "100000", "abc", "-1"):
            with self.subTest(size=size):
                response = self.api(self.carol, "/api/v1/households/", {"page_size": size})
                self.assertEqual(response.status_code, 400)
                self.assertEqual(
                    response.json()["error"]["details"]["page_size"],
                    ["每页条数须为 1 到 200 的整数。"],
                )
        self.assertEqual(
            self.api(self.carol, "/api/v1/households/", {"page_size": 200}).status_code, 200
        )

    def test_every_read_is_audited(self):
        before = AuditEntry.objects.filter(action=Action.VIEW).count()
        self.api(self.carol, "/api/v1/households/", {"region": XIPU})
        entry = AuditEntry.objects.filter(action=Action.VIEW).order_by("-seq").first()
        self.assertEqual(AuditEntry.objects.filter(action=Action.VIEW).count(), before + 1)
        self.assertEqual(entry.actor_username, "carol")
        self.assertIn(f"/api/v1/households/?region={XIPU}", entry.changes["note"])


class QueryCountTests(ApiTestCase):
    def test_a_list_costs_the_same_queries_for_more_rows(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from anju.households.models import Household

        def count(path: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.api(self.carol, path).status_code, 200)
            return len(queries)

        paths = ["/api/v1/households/", "/api/v1/renovations/", "/api/v1/findings/"]
        self.api(self.carol, "/api/v1/clues/")  # the token's first use also records it
        before = [count(p) for p in paths]
        for n in range(5):
            Household.objects.create(
                region_id=XIPU, head_name=f"多{n}", head_id=f"35088119500101{n:03d}X"
            )
        self.assertEqual([count(p) for p in paths], before)


class UnknownParameterTests(ApiTestCase):
    def test_it_refuses_an_unknown_query_parameter(self):
        response = self.api(self.carol, "/api/v1/households/", {"regoin": XIPU})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["details"], {"regoin": ["未知的查询参数。"]})
        detail = self.api(self.carol, f"/api/v1/households/{self.home.pk}/", {"full": "1"})
        self.assertEqual(detail.status_code, 400)
