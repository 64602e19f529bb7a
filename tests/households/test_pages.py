import io
import re
from urllib.parse import unquote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from anju.audit.models import AuditEntry
from anju.households.imports import import_households
from anju.households.models import Household
from anju.reporting.reader import load
from tests.base import AnjuTestCase
from tests.households.files import rid, row, xlsx


class HouseholdPageTests(AnjuTestCase):
    def setUp(self):
        import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx(
                [
                    row(1, **{"户主姓名": "张小明"}),
                    row(
                        2,
                        **{
                            "户主姓名": '=HYPERLINK("http://x")',
                            "行政村": "东洋村",
                            "乡镇(街道)": "双洋镇",
                            "危险等级": "C",
                            "改造年度": 2018,
                            "审批日期": "2018-04-01",
                        },
                    ),
                ]
            ),
        )
        self.zhang = Household.objects.get(head_name="张小明")

    def test_numbers_are_masked_until_unmasked_and_unmasking_is_audited(self):
        self.login(self.alice)
        page = self.client.get(reverse("households:household", args=[self.zhang.pk]))
        self.assertContains(page, "350881********" + rid(1)[-4:])
        self.assertNotContains(page, rid(1))
        self.assertNotContains(page, "6217001234567890")
        shown = self.client.post(
            reverse("households:unmask", args=[self.zhang.pk]), headers={"HX-Request": "true"}
        )
        self.assertContains(shown, rid(1))
        self.assertContains(shown, "6217001234567890")
        entry = AuditEntry.objects.get(action="unmask")
        self.assertEqual(entry.actor_username, "alice")
        self.assertNotIn(rid(1), str(entry.changes))

    def test_the_city_sees_masked_numbers_only(self):
        self.login(self.cindy)
        page = self.client.get(reverse("households:household", args=[self.zhang.pk]))
        self.assertContains(page, "350881********")
        self.assertNotContains(page, "显示完整号码")
        response = self.client.post(reverse("households:unmask", args=[self.zhang.pk]))
        self.assertEqual(response.status_code, 403)

    def test_the_list_searches_by_name_or_id_and_filters(self):
        self.login(self.carol)
        url = reverse("households:list")
        self.assertEqual(len(self.client.get(url, {"q": "小明"}).context["rows"]), 1)
        self.assertEqual(len(self.client.get(url, {"q": rid(1).lower()}).context["rows"]), 1)
        self.assertEqual(len(self.client.get(url, {"grade": "C"}).context["rows"]), 1)
        self.assertEqual(len(self.client.get(url, {"year": "2019"}).context["rows"]), 1)
        self.assertEqual(len(self.client.get(url, {"category": "subsistence"}).context["rows"]), 2)

    def test_a_township_sees_only_its_own_households(self):
        self.login(self.bob)
        names = {
            h.head_name for h, _ in self.client.get(reverse("households:list")).context["rows"]
        }
        self.assertEqual(names, {'=HYPERLINK("http://x")'})
        response = self.client.get(reverse("households:household", args=[self.zhang.pk]))
        self.assertEqual(response.status_code, 404)

    def test_the_export_is_masked_formula_safe_watermarked_and_audited(self):
        self.login(self.carol)
        asked = self.client.get(reverse("households:export"))
        self.assertContains(asked, "导出用途")  # no file without a reason
        response = self.client.post(reverse("households:export"), {"reason": "县级复核"})
        grid = load(b"".join(response.streaming_content))
        self.assertIn("用途：县级复核", grid.rows[0][0])
        self.assertIn("导出人：carol姓名（carol）", grid.rows[0][0])  # the person, then the login
        today = timezone.localdate().isoformat()
        self.assertIn(f"农户档案_漳平市_{today}.xlsx", unquote(response["Content-Disposition"]))
        cells = [v for r in grid.rows for v in r]
        self.assertIn('\'=HYPERLINK("http://x")', cells)
        self.assertNotIn(rid(1), cells)
        entry = AuditEntry.objects.get(action="export", object_type="households.household")
        self.assertIn("用途：县级复核", str(entry.changes))
        full = self.client.post(reverse("households:export"), {"full": "1", "reason": "核对"})
        self.assertIn(rid(1), [v for r in load(b"".join(full.streaming_content)).rows for v in r])

    def test_an_export_past_a_sheets_rows_goes_on_to_a_second_sheet(self):
        from unittest import mock

        from python_calamine import CalamineWorkbook

        from anju.households import exports

        self.login(self.carol)
        with mock.patch.object(exports, "SHEET_ROWS", 1):
            response = self.client.post(reverse("households:export"), {"reason": "抽查"})
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        self.assertEqual(book.sheet_names, ["农户", "农户(2)"])
        second = book.get_sheet_by_name("农户(2)").to_python()
        self.assertEqual(second[1][0], "县(市、区)")  # the header again
        self.assertEqual(len(second), 3)

    def test_the_template_has_the_canonical_headers(self):
        self.login(self.alice)
        grid = load(self.client.get(reverse("households:template")).content)
        self.assertEqual(
            grid.rows[0][:5], ["县(市、区)", "乡镇(街道)", "行政村", "行政区划代码", "户主姓名"]
        )


class ImportPageTests(AnjuTestCase):
    def test_errors_on_screen_and_in_the_downloaded_workbook(self):
        self.login(self.alice)
        content = xlsx([row(5), row(6, **{"户主身份证号": "bad"}), row(7, **{"危险等级": "Z"})])
        response = self.client.post(
            reverse("households:import"),
            {"file": SimpleUploadedFile("档案.xlsx", content)},
            follow=True,
        )
        self.assertContains(response, "2 处错误")
        self.assertContains(response, "不是身份证号「bad」")
        self.assertFalse(Household.objects.exists())
        upload = response.context["upload"]
        download = self.client.get(reverse("households:import_errors", args=[upload.pk]))
        workbook = load(b"".join(download.streaming_content))
        self.assertIn("错误（系统添加）", workbook.rows[2])
        self.assertIn("户主身份证号：不是身份证号「bad」", workbook.rows[4])
        fixed = xlsx([row(5), row(6), row(7)])
        response = self.client.post(
            reverse("households:import"),
            {"file": SimpleUploadedFile("档案.xlsx", fixed)},
            follow=True,
        )
        self.assertContains(response, "导入完成")
        self.assertEqual(Household.objects.count(), 3)

    def test_another_users_error_file_is_not_found(self):
        self.login(self.alice)
        response = self.client.post(
            reverse("households:import"),
            {"file": SimpleUploadedFile("a.xlsx", xlsx([row(6, **{"户主身份证号": "bad"})]))},
            follow=True,
        )
        upload = response.context["upload"]
        self.login(self.carol)
        response = self.client.get(reverse("households:import_errors", args=[upload.pk]))
        self.assertEqual(response.status_code, 404)


class HouseholdListPagingTests(AnjuTestCase):
    """The list reads a page's keys first and then those rows (anju.pagination.paginate_by_key):
    the pages must be the same as reading whole rows would give."""

    def test_every_household_once_in_list_order_across_pages(self):
        names = ["王五", "李四", "张三", "赵六", "钱七"]
        import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx([row(n, **{"户主姓名": names[n % 5]}) for n in range(1, 121)]),
        )
        self.login(self.carol)
        url = reverse("households:list")
        seen = []
        for number in (1, 2, 3):
            page = self.client.get(url, {"page": number}).context["page"]
            self.assertEqual(page.paginator.count, 120)
            seen += [h.pk for h in page.object_list]
        expected = list(
            Household.objects.order_by("region_id", "head_name", "pk").values_list("pk", flat=True)
        )
        self.assertEqual(seen, expected)
        self.assertEqual(len(seen), 120)
        # A search narrows both the count and the rows, and keeps their order.
        page = self.client.get(url, {"q": "张三"}).context["page"]
        self.assertEqual(page.paginator.count, 24)
        self.assertEqual(
            [h.pk for h in page.object_list],
            [pk for pk in expected if Household.objects.get(pk=pk).head_name == "张三"],
        )

    def test_the_page_is_found_by_its_keys_alone(self):
        import_households(
            actor="test", file_name="t.xlsx", data=xlsx([row(n) for n in range(1, 4)])
        )
        self.login(self.carol)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("households:list"))
        household = '"households_household"'
        ordered = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].startswith("SELECT")
            and f"FROM {household}" in q["sql"]
            and "ORDER BY" in q["sql"]
            # the statement's own LIMIT (the list's columns below the household are subqueries
            # with limits of their own, in the query that reads the page's rows by key)
            and re.search(r"LIMIT \d+( OFFSET \d+)?$", q["sql"].strip())
        ]
        self.assertEqual(len(ordered), 1, ordered)
        selected = ordered[0][len("SELECT ") : ordered[0].index(" FROM ")]
        self.assertEqual(selected.split(" AS ")[0], f'{household}."id"', ordered[0])


class LatePaymentFilterTests(AnjuTestCase):
    """补助未按时发放: accepted 2019-10-15, payment days 30 (the cross-check's default), so the
    deadline is 2019-11-14: paid that day is on time, a day later is late, unpaid is late."""

    def test_the_deadline_day_is_on_time_and_the_day_after_is_late(self):
        from datetime import date

        from anju.households import renovations
        from anju.households.models import Renovation

        import_households(
            actor="test", file_name="t.xlsx", data=xlsx([row(n) for n in range(1, 5)])
        )
        paid = {1: date(2019, 11, 14), 2: date(2019, 11, 15), 3: None, 4: date(2019, 10, 20)}
        for n, day in paid.items():
            household = Household.objects.get(head_name=f"农户{n}")
            if day is None:
                continue
            renovations.payment_record(
                actor=self.alice,
                renovation=Renovation.objects.get(household=household),
                paid_on=day,
                amount_fen=4_000_000,
                account_number="6217001234567890",
                account_holder=household.head_name,
            )
        self.login(self.carol)
        rows = self.client.get(reverse("households:list"), {"payment": "late"}).context["rows"]
        self.assertEqual(sorted(h.head_name for h, _ in rows), ["农户2", "农户3"])
