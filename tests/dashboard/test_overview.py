"""The overview (总览): each figure counted right on a small archive, scoping, the links behind
the bars, and the maintained summary equal to a full recount after a mix of changes."""

from datetime import date, timedelta
from io import StringIO

from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from anju.dashboard import queries
from anju.dashboard.models import Tally
from anju.dashboard.tally import roots_for, tally_differences, tally_rebuild
from anju.households import plates, renovations, services, visits
from anju.households.imports import import_households
from anju.households.models import Household, Renovation
from anju.oversight.models import Clue
from anju.regions.models import Region
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx
from tests.oversight.helpers import register
from tests.photos import jpeg

PNG = jpeg()  # a real photo: plate photos are re-encoded without their metadata
XQ, SY = "350881100000", "350881101000"  # 新桥镇, 双洋镇
XIPU, DONGYANG = "350881100203", "350881101201"


def in_dongyang(n, **over):
    return row(n, **{"乡镇(街道)": "双洋镇", "行政村": "东洋村", **over})


class OverviewFixture(AnjuTestCase):
    """新桥镇: 农户1 (assessed, plated, visited, accepted and paid on time), 农户2 (brick-concrete,
    not assessed, not accepted), 农户3 (earth, assessed, never visited, accepted, paid late).
    双洋镇: 农户4 (assessed, accepted, never paid), 农户5 (assessed, accepted, paid on time)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        result = import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx(
                [
                    row(1),
                    row(2, **{"房屋结构": "砖混", "危险等级": "", "鉴定日期": "", "验收日期": ""}),
                    row(3, **{"房屋结构": "土坯"}),
                    in_dongyang(4, **{"房屋结构": "砖混"}),
                    in_dongyang(5, **{"房屋结构": "砖混"}),
                ]
            ),
        )
        assert result.ok, result.errors
        cls.today = timezone.localdate()
        h = {x.head_name: x for x in Household.objects.all()}
        cls.h = h

        def pay(name, on):
            renovations.payment_record(
                actor=cls.alice if name < "农户4" else cls.bob,
                renovation=Renovation.objects.get(household=h[name]),
                paid_on=on,
                amount_fen=4_000_000,
                account_number="6217001234567890",
                account_holder=name,
            )

        pay("农户1", date(2019, 10, 20))
        pay("农户3", date(2020, 3, 1))
        pay("农户5", date(2019, 11, 1))
        plate = plates.plate_issue(actor=cls.alice, household=h["农户1"], issued_on=cls.today)
        plates.plate_installed(actor=cls.alice, plate=plate, installed_on=cls.today, photo=PNG)
        visits.visit_record(
            actor=cls.alice,
            household=h["农户1"],
            visited_on=cls.today - timedelta(days=3),
            findings=[],
        )
        # Clues: one overdue and supervised in 新桥镇, one open and on time in 双洋镇.
        late, _ = register(cls.alice, summary="西埔村补助被截留", received_on=date(2026, 1, 5))
        Clue.objects.filter(pk=late.pk).update(
            due_on=cls.today - timedelta(days=5), supervised=True
        )
        fresh, _ = register(
            cls.bob, summary="东洋村验收走过场", region=SY, received_on=cls.today, names=("李四",)
        )
        Clue.objects.filter(pk=fresh.pk).update(due_on=cls.today + timedelta(days=20))
        cls.county = Region.objects.get(code="350881000000")

    def panels(self, region=None):
        region = region or self.county
        found = {p.key: p for p in queries.household_panels(region, self.today)}
        clues = Clue.objects.filter(region__code__range=region.bounds)
        found.update({p.key: p for p in queries.clue_panels(clues, region, self.today)})
        return found

    def bar(self, panel, code):
        return next(b for b in panel.bars if b.code == code)


class FigureTests(OverviewFixture):
    def test_it_counts_each_figure_for_the_county_and_per_township(self):
        p = self.panels()
        self.assertEqual((p["assessed"].done, p["assessed"].total), (4, 5))
        self.assertEqual(self.bar(p["assessed"], XQ).value, 1)  # 农户2 not assessed
        self.assertEqual(self.bar(p["assessed"], SY).value, 0)
        self.assertEqual((p["plated"].done, p["plated"].total), (1, 4))
        self.assertEqual(self.bar(p["plated"], SY).value, 2)
        # Revisited: 农户1, 农户2? no: brick-concrete. 农户1 visited 3 days ago, 农户3 never.
        self.assertEqual((p["revisited"].done, p["revisited"].total), (1, 2))
        self.assertEqual(self.bar(p["revisited"], XQ).value, 1)
        self.assertEqual((p["accepted"].done, p["accepted"].total), (4, 5))
        # Paid on time: 农户1 and 农户5; 农户3 late, 农户4 never paid.
        self.assertEqual((p["paid"].done, p["paid"].total), (2, 4))
        self.assertEqual(self.bar(p["paid"], XQ).value, 1)
        self.assertEqual(self.bar(p["paid"], SY).value, 1)
        self.assertEqual((p["open"].done, p["overdue"].done, p["supervised"].done), (2, 1, 1))
        self.assertEqual(self.bar(p["overdue"], XQ).value, 1)

    def test_the_worst_township_comes_first(self):
        p = self.panels()
        self.assertEqual(p["plated"].worst.code, SY)
        self.assertEqual(p["assessed"].worst.code, XQ)
        self.assertEqual([b.code for b in p["paid"].bars], [XQ, SY])  # tie: lower rate first

    def test_a_township_overview_counts_its_villages_from_the_archive(self):
        p = self.panels(Region.objects.get(code=XQ))
        self.assertEqual([b.code for b in p["assessed"].bars], [XIPU])
        self.assertEqual((p["assessed"].done, p["assessed"].total), (2, 3))

    def test_trends_run_over_twelve_months_and_end_with_today(self):
        p = self.panels()
        self.assertEqual(len(p["plated"].trend), 12)
        self.assertEqual(p["plated"].trend[-1], (self.today.replace(day=1), 1))
        self.assertEqual(p["assessed"].trend[0][1], 4)  # all assessed in 2019
        self.assertEqual(p["revisited"].trend[-1][1] + p["revisited"].trend[-2][1], 1)
        self.assertEqual(p["open"].trend[-1][1], 2)


class PageTests(OverviewFixture):
    def test_the_county_sees_every_figure_and_its_townships(self):
        self.login(self.carol)
        page = self.client.get(reverse("dashboard:overview"))
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        for key in ("assessed", "plated", "revisited", "accepted", "paid", "overdue"):
            self.assertIn(f'data-testid="panel-{key}"', html)
        self.assertIn("新桥镇", html)
        self.assertIn("双洋镇", html)
        self.assertIn('data-testid="reporting-board"', html)
        self.assertNotIn("<script", html.split("</head>")[1])

    def test_a_township_clerk_sees_only_their_township(self):
        self.login(self.alice)
        html = self.client.get(reverse("dashboard:overview")).content.decode()
        self.assertIn("西埔村", html)
        self.assertNotIn("东洋村", html)
        self.assertNotIn("双洋镇", html)
        self.assertNotIn("东洋村验收走过场", html)

    def test_administrators_and_data_providers_get_no_overview(self):
        for user in (self.sam, self.sue, self.aud, self.pete):
            self.login(user)
            self.assertEqual(self.client.get(reverse("dashboard:overview")).status_code, 403)
        self.login(self.sam)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)

    def test_the_city_goes_down_a_level_but_a_county_clerk_not_sideways(self):
        self.login(self.cindy)
        page = self.client.get(reverse("dashboard:overview"), {"region": "350881000000"})
        self.assertContains(page, "漳平市总览")
        self.assertContains(page, 'data-testid="bar-revisited-350881100000"')
        self.login(self.xavier)
        page = self.client.get(reverse("dashboard:overview"), {"region": "350881000000"})
        self.assertEqual(page.status_code, 404)

    def test_a_list_filtered_to_a_sibling_township_is_not_found(self):
        self.login(self.alice)
        for name in (
            "households:list",
            "households:visits",
            "households:plates",
            "oversight:clues",
        ):
            response = self.client.get(reverse(name), {"region": SY})
            self.assertEqual(response.status_code, 404, name)


class LinkTests(OverviewFixture):
    def listed(self, url):
        self.login(self.carol)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        return {f"农户{n}" for n in range(1, 6) if f"农户{n}<" in html}

    def test_each_bar_lands_on_the_list_behind_it(self):
        p = self.panels()
        self.assertEqual(self.listed(self.bar(p["assessed"], XQ).url), {"农户2"})
        self.assertEqual(self.listed(self.bar(p["plated"], SY).url), {"农户4", "农户5"})
        self.assertEqual(self.listed(self.bar(p["revisited"], XQ).url), {"农户3"})
        self.assertEqual(self.listed(self.bar(p["accepted"], XQ).url), {"农户2"})
        self.assertEqual(self.listed(self.bar(p["paid"], XQ).url), {"农户3"})
        self.assertEqual(self.listed(self.bar(p["paid"], SY).url), {"农户4"})

    def test_the_clue_bars_land_on_the_filtered_ledger(self):
        p = self.panels()
        self.login(self.carol)
        html = self.client.get(self.bar(p["overdue"], XQ).url).content.decode()
        self.assertIn("西埔村补助被截留", html)
        self.assertNotIn("东洋村验收走过场", html)
        html = self.client.get(self.bar(p["overdue"], SY).url).content.decode()
        self.assertNotIn("西埔村补助被截留", html)
        html = self.client.get(self.bar(p["open"], SY).url).content.decode()
        self.assertIn("东洋村验收走过场", html)


class SummaryTests(OverviewFixture):
    def test_the_services_keep_the_summary_equal_to_a_recount(self):
        self.assertEqual(tally_differences(), [])
        h2 = self.h["农户2"]
        services.assessment_add(
            actor=self.alice,
            house=h2.houses.first(),
            grade="C",
            assessed_on=self.today,
            assessor="鉴定站",
            method="目测",
        )
        renovation = Renovation.objects.get(household=h2)
        renovations.renovation_step(
            actor=self.alice,
            renovation=renovation,
            step="accepted_on",
            on=self.today,
            checklist={"inspector": "验收员"},
        )
        visits.visit_record(
            actor=self.alice, household=self.h["农户3"], visited_on=self.today, findings=[]
        )
        services.household_create(
            actor=self.bob,
            region=Region.objects.get(code=DONGYANG),
            head_name="新户",
            head_id="350881196201010096",
            size=2,
            categories=["subsistence"],
            structure="earth",
        )
        self.assertEqual(tally_differences(), [])
        p = self.panels()
        self.assertEqual((p["assessed"].done, p["assessed"].total), (5, 6))
        self.assertEqual((p["revisited"].done, p["revisited"].total), (2, 3))

    def test_imports_keep_it_too_including_a_household_that_moves(self):
        result = import_households(
            actor="test",
            file_name="again.xlsx",
            data=xlsx(
                [
                    in_dongyang(1),  # 农户1 moves from 新桥镇 to 双洋镇
                    row(6, **{"危险等级": "", "鉴定日期": ""}),
                    in_dongyang(7, **{"改造年度": 2020, "验收日期": "2020-11-01"}),
                ]
            ),
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(tally_differences(), [])
        p = self.panels()
        self.assertEqual(self.bar(p["plated"], SY).total, 4)  # 农户1's plate went with it

    def test_new_households_are_counted_from_what_the_import_wrote(self):
        """An import of households new to the archive adds their figures without recounting
        (anju.dashboard.tally.new_household_figures): every shape of row, in a township no
        household of the file was in before, must come out as a full recount counts it."""
        dongcheng = {"县(市、区)": "新罗区", "乡镇(街道)": "东城街道", "行政村": ""}
        this_month = self.today.replace(day=1).isoformat()
        rows = [
            row(21, **dongcheng),  # assessed, accepted long ago (folded into one month)
            row(22, **dongcheng, **{"房屋结构": "砖混", "危险等级": "", "鉴定日期": ""}),
            row(23, **dongcheng, **{"鉴定日期": "", "验收日期": this_month}),  # no date
            row(24, **dongcheng, **{"补助金额(元)": "0", "房屋结构": "砖木"}),
            row(25, **dongcheng, **{"验收日期": ""}),
            row(25, **dongcheng, **{"改造年度": 2020, "验收日期": "2020-12-01"}),
            row(26, **{"乡镇(街道)": "新桥镇", "户主身份证号": "350881195001010999"}),
        ]
        before = Tally.objects.count()
        result = import_households(actor="test", file_name="new.xlsx", data=xlsx(rows))
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.households_created, 6)
        self.assertEqual(tally_differences(), [])
        self.assertGreater(Tally.objects.count(), before)  # added rows, nothing recounted
        self.assertTrue(Tally.objects.filter(region_code="350802001000").exists())

    def test_a_changed_summary_is_caught_and_rebuilt(self):
        Tally.objects.filter(figure="plated").delete()
        self.assertNotEqual(tally_differences(), [])
        with self.assertRaises(CommandError):
            call_command("dashboard_rebuild", "--check", stdout=StringIO())
        out = StringIO()
        call_command("dashboard_rebuild", stdout=out)
        self.assertIn("已重新统计", out.getvalue())
        out = StringIO()
        call_command("dashboard_rebuild", "--check", stdout=out)
        self.assertIn("一致", out.getvalue())
        self.assertGreater(tally_rebuild(), 0)

    def test_many_touched_townships_are_recounted_by_county_or_city(self):
        townships = [f"350881{100 + i:03d}000" for i in range(30)]
        self.assertEqual(roots_for(townships[:3]), townships[:3])
        self.assertEqual(roots_for(townships), ["350881000000"])
        counties = [f"35{10 + i:02d}01{100 + j:03d}000" for i in range(3) for j in range(25)]
        self.assertEqual(len(roots_for(counties)), 3)
        spread = [f"{10 + i:02d}0101100000" for i in range(30)]
        self.assertIsNone(roots_for(spread))
