"""Village worksheets: a whole village's quarter on one screen and on paper (issue 29, point 1)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from anju.audit.models import Action, AuditEntry
from anju.households import worksheets
from anju.households.imports import import_households
from anju.households.models import FollowUpVisit, Household
from anju.oversight.models import RectificationItem
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx
from tests.pdf import embedded_fonts

SHEET = reverse("households:visit_sheet")
VILLAGE = "350881100203"


class WorksheetTests(AnjuTestCase):
    def setUp(self):
        import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx(
                [
                    row(1, **{"房屋结构": "土木", "户主姓名": "陈一"}),
                    row(2, **{"房屋结构": "砖木", "户主姓名": "陈二"}),
                    row(3, **{"房屋结构": "土坯", "户主姓名": "陈三"}),
                    row(4, **{"房屋结构": "砖混", "户主姓名": "框架户"}),
                    row(
                        5,
                        **{
                            "房屋结构": "土木",
                            "户主姓名": "东洋户",
                            "乡镇(街道)": "双洋镇",
                            "行政村": "东洋村",
                        },
                    ),
                ]
            ),
        )
        self.ids = {h.head_name: h.pk for h in Household.objects.all()}
        self.today = f"{timezone.localdate():%Y-%m-%d}"

    def post(self, ticks: dict, notes: dict | None = None, visited_on=None, region=VILLAGE):
        data = {"visited_on": self.today if visited_on is None else visited_on, "h": []}
        for name in ("陈一", "陈二", "陈三"):
            pk = self.ids[name]
            data["h"].append(pk)
            data[f"r{pk}"] = ticks.get(name, [])
            data[f"n{pk}"] = (notes or {}).get(name, "")
        return self.client.post(f"{SHEET}?region={region}", data)

    def test_the_sheet_lists_the_villages_due_houses_in_order(self):
        self.login(self.alice)
        page = self.client.get(f"{SHEET}?region={VILLAGE}")
        names = [r.household.head_name for r in page.context["rows"]]
        self.assertEqual(
            names, ["陈一", "陈三", "陈二"]
        )  # head-name order (Unicode) in the village
        self.assertContains(page, "土坯")
        self.assertContains(page, "未发现问题")
        self.assertNotContains(page, "框架户")
        self.assertNotContains(page, "东洋户")

    def test_a_whole_village_is_saved_in_one_step(self):
        self.login(self.alice)
        response = self.post(
            {"陈一": ["none"], "陈二": ["leaky", "joint_hazard"], "陈三": ["none"]},
            notes={"陈二": "西墙裂缝"},
        )
        self.assertEqual(response.status_code, 302)
        visits = {v.household.head_name: v for v in FollowUpVisit.objects.all()}
        self.assertEqual(set(visits), {"陈一", "陈二", "陈三"})
        self.assertEqual(visits["陈一"].findings, [])
        self.assertEqual(visits["陈二"].findings, ["joint_hazard", "leaky"])
        self.assertEqual({v.visited_on for v in visits.values()}, {timezone.localdate()})
        item = RectificationItem.objects.get()
        self.assertIn("陈二", item.description)
        self.assertIn("西墙裂缝", item.description)
        self.assertEqual(
            AuditEntry.objects.filter(object_type__endswith="followupvisit").count(), 3
        )
        page = self.client.get(f"{SHEET}?region={VILLAGE}")
        self.assertEqual(page.context["rows"], [])

    def test_an_untouched_row_is_not_a_visit(self):
        self.login(self.alice)
        self.post({"陈一": ["none"]})
        self.assertEqual(
            list(FollowUpVisit.objects.values_list("household__head_name", flat=True)), ["陈一"]
        )

    def test_one_bad_row_keeps_the_whole_sheet_unsaved_with_what_was_typed(self):
        self.login(self.alice)
        response = self.post(
            {"陈一": ["none"], "陈二": ["none", "leaky"], "陈三": ["still_in_old"]},
            notes={"陈三": "仍住老屋"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(FollowUpVisit.objects.exists())
        self.assertFalse(RectificationItem.objects.exists())
        self.assertContains(response, "整张表未保存", status_code=400)
        self.assertContains(response, "第 2 行 陈二", status_code=400)
        self.assertContains(response, "不能同时勾选问题", status_code=400)
        self.assertContains(response, 'value="仍住老屋"', status_code=400)
        errors = {r.household.head_name: r.error for r in response.context["rows"]}
        self.assertEqual(errors["陈一"], "")
        self.assertIn("未发现问题", errors["陈二"])
        # Fixed and saved again: every row is kept.
        response = self.post({"陈一": ["none"], "陈二": ["leaky"], "陈三": ["still_in_old"]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(FollowUpVisit.objects.count(), 3)

    def test_a_note_without_a_tick_is_refused(self):
        self.login(self.alice)
        response = self.post({}, notes={"陈一": "屋里没人"})
        self.assertContains(response, "未勾选", status_code=400)
        self.assertFalse(FollowUpVisit.objects.exists())

    def test_the_date_is_given_once_and_not_in_the_future(self):
        self.login(self.alice)
        tomorrow = f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}"
        response = self.post({"陈一": ["none"]}, visited_on=tomorrow)
        self.assertContains(response, "不能晚于今天", status_code=400)
        response = self.post({"陈一": ["none"]}, visited_on="")
        self.assertContains(response, "请填写回访日期", status_code=400)
        self.assertFalse(FollowUpVisit.objects.exists())

    def test_nothing_ticked_says_so(self):
        self.login(self.alice)
        response = self.post({})
        self.assertContains(response, "没有勾选任何一户", status_code=400)

    def test_a_household_of_another_township_cannot_be_slipped_in(self):
        self.login(self.alice)
        other = self.ids["东洋户"]
        data = {"visited_on": self.today, "h": [other, self.ids["陈一"]], f"r{other}": ["none"]}
        data[f"r{self.ids['陈一']}"] = ["none"]
        response = self.client.post(f"{SHEET}?region={VILLAGE}", data)
        self.assertContains(response, "已不在本表的范围内", status_code=400)
        self.assertFalse(FollowUpVisit.objects.exists())
        self.assertEqual(self.client.get(f"{SHEET}?region=350881101201").status_code, 404)

    def test_read_only_roles_see_but_cannot_save(self):
        self.login(self.cindy)
        self.assertNotContains(self.client.get(reverse("households:visits")), "从 Excel 导入回访")
        page = self.client.get(f"{SHEET}?region={VILLAGE}")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "保存整张表")
        self.assertEqual(self.post({"陈一": ["none"]}).status_code, 403)

    def test_a_county_picks_a_township_first(self):
        self.login(self.carol)
        page = self.client.get(SHEET)
        self.assertContains(page, "请先选择乡镇")
        self.assertContains(page, "新桥镇")
        self.assertContains(page, "双洋镇")
        page = self.client.get(f"{SHEET}?region=350881100000")
        self.assertEqual(len(page.context["rows"]), 3)

    def test_the_service_refuses_without_saving(self):
        rows = [
            worksheets.SheetRow(
                household=Household.objects.get(pk=self.ids["陈一"]), ticks=["none"]
            ),
            worksheets.SheetRow(household=Household.objects.get(pk=self.ids["陈二"]), ticks=["x"]),
        ]
        with self.assertRaises(ValidationError):
            worksheets.sheet_save(actor=self.alice, visited_on=date(2026, 1, 5), rows=rows)
        self.assertEqual(rows[1].error, "发现问题须从表头的选项中勾选。")
        self.assertFalse(FollowUpVisit.objects.exists())

    def queued(self, key: str, ticks: dict, visited_on=None, region=VILLAGE, extra=()):
        """The sheet as the phone's queue sends it (offline.js): the header, the key."""
        data = {"visited_on": self.today if visited_on is None else visited_on, "h": [], "key": key}
        for name in ("陈一", "陈二", "陈三", *extra):
            pk = self.ids[name]
            data["h"].append(pk)
            data[f"r{pk}"] = ticks.get(name, [])
        return self.client.post(f"{SHEET}?region={region}", data, headers={"X-Anju-Queue": "1"})

    def test_a_sheet_queued_offline_is_saved_once_however_often_it_is_sent(self):
        self.login(self.alice)
        ticks = {"陈一": ["none"], "陈二": ["leaky"]}
        first = self.queued("sheet-1", ticks)
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first.json(), {"ok": True, "saved": 2})
        again = self.queued("sheet-1", ticks)  # the answer was lost; the phone sends it again
        self.assertEqual(again.json(), {"ok": True, "saved": 2})
        self.assertEqual(FollowUpVisit.objects.count(), 2)
        self.assertEqual(RectificationItem.objects.count(), 1)
        self.assertEqual(
            set(FollowUpVisit.objects.values_list("client_key", flat=True)), {"sheet-1"}
        )
        # Another sheet (another key) of the same village is its own.
        self.assertTrue(self.queued("sheet-2", {"陈三": ["none"]}).json()["ok"])
        self.assertEqual(FollowUpVisit.objects.count(), 3)

    def test_a_queued_sheet_with_a_bad_row_is_refused_with_the_row_named(self):
        self.login(self.alice)
        answer = self.queued("sheet-3", {"陈一": ["none"], "陈二": ["leaky", "none"]})
        self.assertEqual(answer.status_code, 400)
        message = answer.json()["message"]
        self.assertIn("西埔村回访工作表未保存", message)
        self.assertIn("陈二：已勾选“未发现问题”，不能同时勾选问题", message)
        self.assertFalse(FollowUpVisit.objects.exists())

    def test_a_queued_sheet_with_a_house_no_longer_in_scope_is_kept_on_the_phone(self):
        self.login(self.alice)
        answer = self.queued("sheet-4", {"陈一": ["none"], "东洋户": ["none"]}, extra=("东洋户",))
        self.assertEqual(answer.status_code, 409)
        self.assertIn("已不在您的管辖范围内", answer.json()["message"])
        self.assertFalse(FollowUpVisit.objects.exists())

    def test_the_service_returns_what_a_key_already_made(self):
        chen = Household.objects.get(pk=self.ids["陈一"])
        rows = [worksheets.SheetRow(household=chen, ticks=["none"])]
        day = timezone.localdate()
        made = worksheets.sheet_save(actor=self.alice, visited_on=day, rows=rows, key="k")
        again = worksheets.sheet_save(actor=self.alice, visited_on=day, rows=rows, key="k")
        self.assertEqual([v.pk for v in again], [v.pk for v in made])
        # The same key from someone else is theirs, not a repeat.
        worksheets.sheet_save(actor=self.carol, visited_on=day, rows=rows, key="k")
        self.assertEqual(FollowUpVisit.objects.count(), 2)

    def test_the_sheet_works_offline_for_those_who_enter_visits(self):
        response = self.client.get(reverse("households:visits_service_worker"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/javascript")
        self.assertIn(b"self.registration.scope", response.content)
        self.login(self.alice)
        page = self.client.get(f"{SHEET}?region=350881100000")
        self.assertContains(page, "anju/offline.js")
        self.assertContains(page, "visits.webmanifest")
        self.assertContains(page, 'data-offline-worker="/households/visits/sw.js"')
        self.assertContains(page, "data-keep-offline")  # the township's villages kept
        self.login(self.cindy)
        self.assertNotContains(self.client.get(f"{SHEET}?region={VILLAGE}"), "offline.js")

    def test_the_printed_form_embeds_its_chinese_font(self):
        self.login(self.alice)
        response = self.client.get(reverse("households:visit_sheet_pdf") + f"?region={VILLAGE}")
        self.assertEqual(response["Content-Type"], "application/pdf")
        fonts = embedded_fonts(response.content)
        self.assertTrue(fonts)
        self.assertTrue(all(f.embedded and f.subset for f in fonts), fonts)
        self.assertIn("WenQuanYiMicroHei", fonts[0].name)
        self.assertTrue(fonts[0].program.startswith(b"\x00\x01\x00\x00"))  # TrueType
        used = "".join(chr(c) for f in fonts for c in f.unicode)
        for text in ("跟踪回访工作表", "陈一", "陈三", "未发现问题", "联体房隐患", "签字"):
            for ch in text:
                self.assertIn(ch, used)
        printed = AuditEntry.objects.get(action=Action.EXPORT, region_code=VILLAGE)
        self.assertIn("打印跟踪回访工作表", str(printed.changes))
