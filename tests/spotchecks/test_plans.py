"""Spot-check plans through their services and pages: draw, verify, record, follow up, rates."""

import io
from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from anju.households.models import Household, Renovation
from anju.oversight.models import Clue, RectificationItem
from anju.spotchecks import services
from anju.spotchecks.models import CheckItem, CheckResult, Outcome, SampledHouse
from anju.spotchecks.queries import failure_rates
from tests.base import AnjuTestCase

XIPU, DONGYANG = "350881100203", "350881101201"
XINQIAO, SHUANGYANG = "350881100000", "350881101000"


def make_households(n_xipu=30, n_dongyang=10):
    made = []
    for i in range(n_xipu + n_dongyang):
        region = XIPU if i < n_xipu else DONGYANG
        household = Household.objects.create(
            region_id=region, head_name=f"户主{i}", head_id=f"35088119500101{i:04d}"
        )
        Renovation.objects.create(household=household, year=2019, accepted_on=date(2019, 9, 1))
        made.append(household)
    return made


def all_pass(**fails):
    results = {item: (Outcome.PASS, "") for item in CheckItem.values}
    results.update({item: (Outcome.FAIL, note) for item, note in fails.items()})
    return results


def png() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (8, 8), "red")
    image.save(out, "PNG", pnginfo=_info())
    return out.getvalue()


def _info():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("GPS", "25.29,117.42")
    return info


class PlanTests(AnjuTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.households = make_households()
        cls.county = cls.regions["350881000000"]

    def plan(self, **kw):
        args = {"share_percent": 20, "seed": "fixed-seed"} | kw
        return services.plan_create(
            actor=self.carol, region=self.county, name="县级抽查", population="renovated", **args
        )

    def test_it_takes_the_level_from_the_planner(self):
        self.assertEqual(self.plan().level, 3)
        town = services.plan_create(
            actor=self.alice,
            region=self.regions[XINQIAO],
            name="乡镇自查",
            population="renovated",
            count_per_township=2,
        )
        self.assertEqual(town.level, 4)
        self.assertEqual(len(town.seed), 16)  # generated and recorded

    def test_it_refuses_a_region_outside_the_planner(self):
        with self.assertRaises(ValidationError):
            services.plan_create(
                actor=self.alice,
                region=self.county,
                name="越权",
                population="renovated",
                share_percent=10,
            )

    def test_it_draws_per_township_and_records_the_strata(self):
        plan = services.plan_draw(actor=self.carol, plan=self.plan())
        self.assertEqual(plan.strata[XINQIAO], {"population": 30, "drawn": 6})
        self.assertEqual(plan.strata[SHUANGYANG], {"population": 10, "drawn": 2})
        self.assertEqual(plan.houses.filter(township_id=XINQIAO).count(), 6)
        self.assertEqual(len(plan.frame), 40)

    def test_the_same_seed_draws_the_same_households(self):
        one = services.plan_draw(actor=self.carol, plan=self.plan())
        two = services.plan_draw(actor=self.carol, plan=self.plan())
        other = services.plan_draw(actor=self.carol, plan=self.plan(seed="another"))
        ids = lambda p: set(p.houses.values_list("household_id", flat=True))  # noqa: E731
        self.assertEqual(ids(one), ids(two))
        self.assertNotEqual(ids(one), ids(other))

    def test_the_insertion_order_of_households_does_not_matter(self):
        first = services.plan_draw(actor=self.carol, plan=self.plan())
        drawn = set(first.houses.values_list("household__head_id", flat=True))
        rows = list(
            Household.objects.order_by("pk").values_list("region_id", "head_name", "head_id")
        )
        first.delete()
        Household.objects.all().delete()
        for region, name, head_id in reversed(rows):  # new keys, in the opposite order
            household = Household.objects.create(region_id=region, head_name=name, head_id=head_id)
            Renovation.objects.create(household=household, year=2019, accepted_on=date(2019, 9, 1))
        again = services.plan_draw(actor=self.carol, plan=self.plan())
        self.assertEqual(set(again.houses.values_list("household__head_id", flat=True)), drawn)

    def test_it_verifies_the_draw_and_catches_tampering(self):
        plan = services.plan_draw(actor=self.carol, plan=self.plan())
        check = services.plan_verify(plan)
        self.assertTrue(check.ok)
        self.assertFalse(check.population_changed)
        Renovation.objects.create(
            household=Household.objects.create(
                region_id=XIPU, head_name="新户", head_id="350881195001019999"
            ),
            year=2020,
            accepted_on=date(2020, 5, 1),
        )
        self.assertTrue(services.plan_verify(plan).population_changed)
        self.assertTrue(services.plan_verify(plan).ok)  # the recorded frame still re-draws
        house = plan.houses.first()
        outsider = next(h for h in self.households if not plan.houses.filter(household=h).exists())
        SampledHouse.objects.filter(pk=house.pk).update(household=outsider)
        self.assertFalse(services.plan_verify(plan).same_sample)

    def test_weights_favour_households_with_findings(self):
        from anju.crosscheck.models import CheckRun, Finding

        run = CheckRun.objects.create(region_id="350881000000", actor_name="t", status="done")
        flagged = self.households[:3]
        for h in flagged:
            Finding.objects.create(
                rule="NO_TOILET",
                fingerprint=f"NO_TOILET:{h.pk}",
                region_id=h.region_id,
                household=h,
                evidence="无厕所",
                first_run=run,
                last_run=run,
            )
        hits = 0
        for n in range(30):
            plan = services.plan_draw(
                actor=self.carol, plan=self.plan(seed=f"w{n}", weight_findings=10)
            )
            drawn = list(plan.houses.filter(household__in=flagged))
            hits += len(drawn)
            # A draw may hold none of them (the keys are blind indexes under the run's key, so
            # each run draws differently): the ones drawn carry their weight.
            self.assertEqual({house.weight for house in drawn} - {11}, set())
        # Unweighted, 3 of 30 houses with 6 drawn: 0.6 a draw; weighted, well above that.
        self.assertGreater(hits / 30, 1.5)

    def drawn(self):
        plan = services.plan_draw(actor=self.carol, plan=self.plan())
        services.plan_assign(actor=self.carol, plan=plan, inspectors=[self.carol, self.alice])
        return plan

    def test_it_assigns_inspectors_of_the_region_only(self):
        plan = self.drawn()
        xinqiao = plan.houses.filter(township_id=XINQIAO)
        self.assertTrue(xinqiao.filter(inspector=self.alice).exists())
        self.assertFalse(plan.houses.filter(township_id=SHUANGYANG, inspector=self.alice).exists())
        with self.assertRaises(ValidationError):
            services.plan_assign(actor=self.carol, plan=plan, inspectors=[self.xavier])

    def test_a_failed_item_opens_a_problem_on_the_township_list(self):
        plan = self.drawn()
        house = plan.houses.filter(township_id=XINQIAO).first()
        services.inspection_record(
            actor=self.alice,
            house=house,
            results=all_pass(toilet="未建卫生厕所"),
            inspected_on=date.today(),
            photos=[png()],
        )
        result = CheckResult.objects.get(house=house, item=CheckItem.TOILET)
        services.result_follow_up(actor=self.alice, result=result, kind="item", owner="黄某")
        result.refresh_from_db()
        item = RectificationItem.objects.get(pk=result.problem_id)
        self.assertEqual(item.source, "spot_check")
        self.assertEqual(item.region_id, XINQIAO)
        self.assertIn("卫生厕所", item.description)
        photo = house.photos.get()
        self.assertEqual(photo.content_type, "image/png")
        self.assertNotIn(b"25.29", bytes(photo.data))  # the text chunk is gone
        with self.assertRaises(ValidationError):
            services.result_follow_up(actor=self.alice, result=result, kind="clue")

    def test_a_failed_item_can_open_a_clue_in_the_ledger(self):
        plan = self.drawn()
        house = plan.houses.filter(township_id=SHUANGYANG).first()
        services.inspection_record(
            actor=self.carol,
            house=house,
            results=all_pass(payment="补助少发5000元"),
            inspected_on=date.today(),
        )
        result = CheckResult.objects.get(house=house, item=CheckItem.PAYMENT)
        services.result_follow_up(actor=self.carol, result=result, kind="clue")
        clue = Clue.objects.get(pk=CheckResult.objects.get(pk=result.pk).clue_id)
        self.assertEqual(clue.source_channel, "inspection_tour")
        self.assertEqual(clue.category, "funds")
        # 关联档案 holds the head's ID masked; the full number is sealed with the clue.
        self.assertEqual(clue.links, house.household.head_id_masked)
        numbers = list(clue.id_links.values_list("id_number", flat=True))
        self.assertEqual(numbers, [house.household.head_id])

    def test_recording_needs_an_inspector_a_note_and_all_nine_items(self):
        plan = self.drawn()
        house = plan.houses.filter(township_id=SHUANGYANG).first()
        with self.assertRaises(ValidationError):  # bob is not an inspector of this plan
            services.inspection_record(
                actor=self.bob, house=house, results=all_pass(), inspected_on=date.today()
            )
        with self.assertRaises(ValidationError):
            services.inspection_record(
                actor=self.carol, house=house, results=all_pass(area=""), inspected_on=date.today()
            )
        partial = all_pass()
        partial.pop("plate")
        with self.assertRaises(ValidationError):
            services.inspection_record(
                actor=self.carol, house=house, results=partial, inspected_on=date.today()
            )

    def test_it_reports_failure_rates_per_level_and_township(self):
        plan = self.drawn()
        houses = list(plan.houses.filter(township_id=XINQIAO)[:3])
        services.inspection_record(
            actor=self.alice,
            house=houses[0],
            results=all_pass(plate="未挂牌"),
            inspected_on=date.today(),
        )
        services.inspection_record(
            actor=self.alice, house=houses[1], results=all_pass(), inspected_on=date.today()
        )
        unknown = all_pass()
        unknown["plate"] = (Outcome.UNVERIFIABLE, "")
        services.inspection_record(
            actor=self.alice, house=houses[2], results=unknown, inspected_on=date.today()
        )
        rows, totals = failure_rates(CheckResult.objects.all())
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual((row.level, row.township_name, row.houses), (3, "新桥镇", 3))
        plate = row.rates["plate"]
        self.assertEqual((plate.failed, plate.checked, plate.unverifiable), (1, 2, 1))
        self.assertEqual(plate.percent, 50.0)
        self.assertEqual(row.rates["toilet"].percent, 0.0)
        self.assertEqual(totals[0].houses, 3)


class PlanPageTests(AnjuTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_households(10, 5)
        plan = services.plan_create(
            actor=cls.carol,
            region=cls.regions["350881000000"],
            name="页面抽查",
            population="renovated",
            count_per_township=2,
            seed="page",
        )
        cls.plan = services.plan_draw(actor=cls.carol, plan=plan)
        services.plan_assign(actor=cls.carol, plan=cls.plan, inspectors=[cls.alice])
        cls.house = cls.plan.houses.filter(township_id=XINQIAO).first()

    def test_the_planner_sees_the_plan_and_a_neighbour_county_does_not(self):
        self.login(self.carol)
        self.assertContains(
            self.client.get(reverse("spotchecks:plan", args=[self.plan.pk])), "page"
        )
        self.login(self.xavier)
        self.assertEqual(
            self.client.get(reverse("spotchecks:plan", args=[self.plan.pk])).status_code, 404
        )

    def test_a_township_inspector_finds_the_county_plan_and_her_houses(self):
        self.login(self.alice)
        page = self.client.get(reverse("spotchecks:plans"))
        self.assertContains(page, "页面抽查")
        self.assertContains(page, "待我核查")
        self.assertContains(page, reverse("spotchecks:house", args=[self.house.pk]))
        self.login(self.bob)  # not an inspector, and the plan is the county's
        self.assertNotContains(self.client.get(reverse("spotchecks:plans")), "页面抽查")

    def test_a_role_without_spot_checks_is_refused(self):
        self.login(self.pete)
        self.assertEqual(self.client.get(reverse("spotchecks:plans")).status_code, 403)
        self.login(self.dora)  # discipline inspection reads, but does not plan
        response = self.client.post(reverse("spotchecks:plan_draw", args=[self.plan.pk]))
        self.assertEqual(response.status_code, 403)

    def test_a_township_inspector_records_through_the_page(self):
        self.login(self.alice)
        url = reverse("spotchecks:house_record", args=[self.house.pk])
        data = {"inspected_on": date.today().isoformat()}
        for item in CheckItem.values:
            data[f"{item}_outcome"] = "pass"
            data[f"{item}_note"] = ""
        data["occupancy_outcome"], data["occupancy_note"] = "fail", "仍住老房"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        result = CheckResult.objects.get(house=self.house, item="occupancy")
        response = self.client.post(
            reverse("spotchecks:follow_up", args=[result.pk]), {"kind": "item", "owner": "李某"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertIsNotNone(CheckResult.objects.get(pk=result.pk).problem_id)
        page = self.client.get(reverse("spotchecks:house", args=[self.house.pk]))
        self.assertContains(page, "已转入问题清单")
        self.login(self.bob)  # the neighbouring township does not see this house
        self.assertEqual(
            self.client.get(reverse("spotchecks:house", args=[self.house.pk])).status_code, 404
        )

    def test_the_verify_action_says_the_draw_holds(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("spotchecks:plan_verify", args=[self.plan.pk]), follow=True
        )
        self.assertContains(response, "核验通过")

    def test_results_export_is_a_workbook(self):
        self.login(self.carol)
        response = self.client.get(reverse("spotchecks:results_export"))
        self.assertEqual(response.status_code, 200)
        from anju.tabular.limits import limits_for
        from anju.tabular.sheets import read_rows

        rows = read_rows(b"".join(response.streaming_content), limits_for("lists"))
        self.assertIn("不合格率", rows[0][0])
        self.assertEqual(rows[1][:3], ["抽查层级", "乡镇（街道）", "核查户数"])


class DepartmentSpotCheckTests(AnjuTestCase):
    """Issue 30, point 4: a participating department plans and records spot checks in its own
    field (civil affairs on eligibility, finance on payments) with the same reproducible draw,
    its own checklist, and failures into housing's ledger; no other unit sees them."""

    @classmethod
    def setUpTestData(cls):
        from anju.accounts.models import Unit
        from anju.accounts.roles import Role
        from tests.base import make_user

        super().setUpTestData()
        make_households()
        cls.county = cls.regions["350881000000"]
        cls.civil = Unit.objects.create(
            name="漳平市民政局", kind="civil_affairs", region=cls.county
        )
        cls.finance = Unit.objects.create(name="漳平市财政局", kind="finance", region=cls.county)
        cls.mina = make_user("mina", Role.DEPARTMENT, "350881000000", work_unit=cls.civil)
        cls.mike = make_user("mike", Role.DEPARTMENT, "350881000000", work_unit=cls.civil)
        cls.fiona = make_user("fiona", Role.DEPARTMENT, "350881000000", work_unit=cls.finance)

    def civil_plan(self, **kw):
        args = {"share_percent": 20, "seed": "fixed-seed"} | kw
        return services.plan_create(
            actor=self.mina,
            region=self.county,
            name="低保对象资格抽查",
            population="renovated",
            **args,
        )

    def test_a_departments_plan_is_its_units_with_its_own_checklist(self):
        plan = self.civil_plan()
        self.assertEqual(plan.unit, self.civil)
        self.assertEqual(plan.check_items(), ["identity", "eligibility", "occupancy"])
        finance = services.plan_create(
            actor=self.fiona,
            region=self.county,
            name="补助资金抽查",
            population="renovated",
            count_per_township=2,
        )
        self.assertEqual(finance.check_items(), ["identity", "payment"])
        chosen = self.civil_plan(items=["eligibility"])
        self.assertEqual(chosen.check_items(), ["eligibility"])
        with self.assertRaises(ValidationError):
            self.civil_plan(items=["nonsense"])
        housing = services.plan_create(
            actor=self.carol,
            region=self.county,
            name="县级抽查",
            population="renovated",
            share_percent=20,
            seed="fixed-seed",
        )
        self.assertIsNone(housing.unit)
        self.assertEqual(housing.check_items(), CheckItem.values)

    def test_the_same_seed_draws_the_same_houses_as_housing_would(self):
        plan = services.plan_draw(actor=self.mina, plan=self.civil_plan())
        housing = services.plan_create(
            actor=self.carol,
            region=self.county,
            name="县级抽查",
            population="renovated",
            share_percent=20,
            seed="fixed-seed",
        )
        services.plan_draw(actor=self.carol, plan=housing)
        ids = lambda p: sorted(p.houses.values_list("household_id", flat=True))  # noqa: E731
        self.assertEqual(ids(plan), ids(housing))
        self.assertTrue(services.plan_verify(plan).same_sample)

    def test_only_the_units_users_inspect_and_a_failure_goes_to_housings_ledger(self):
        plan = services.plan_draw(actor=self.mina, plan=self.civil_plan())
        eligible = services.eligible_inspectors(plan)
        self.assertEqual(sorted(u.username for u in eligible), ["mike", "mina"])
        with self.assertRaises(ValidationError):
            services.plan_assign(actor=self.mina, plan=plan, inspectors=[self.alice])
        services.plan_assign(actor=self.mina, plan=plan, inspectors=[self.mike])
        house = plan.houses.first()
        self.assertEqual(house.inspector, self.mike)
        with self.assertRaises(ValidationError):  # the nine items are not this plan's list
            services.inspection_record(
                actor=self.mike, house=house, results=all_pass(), inspected_on=date.today()
            )
        results = {
            "identity": (Outcome.PASS, ""),
            "eligibility": (Outcome.FAIL, "家庭已购商品房，不符合低保条件"),
            "occupancy": (Outcome.PASS, ""),
        }
        services.inspection_record(
            actor=self.mike, house=house, results=results, inspected_on=date.today()
        )
        result = CheckResult.objects.get(house=house, item=CheckItem.ELIGIBILITY)
        with self.assertRaises(ValidationError):  # no township problem list for a department
            services.result_follow_up(actor=self.mike, result=result, kind="item")
        services.result_follow_up(actor=self.mike, result=result, kind="clue")
        clue = Clue.objects.get(pk=CheckResult.objects.get(pk=result.pk).clue_id)
        self.assertEqual((clue.source_channel, clue.category), ("department", "targeting"))
        from anju.oversight.access import clues_visible_to

        self.assertIn(clue, clues_visible_to(self.carol))  # in the county's ledger
        self.assertIn(clue, clues_visible_to(self.mina))  # the unit follows it
        self.assertNotIn(clue, clues_visible_to(self.fiona))

    def test_another_unit_sees_none_of_it_and_housing_sees_all(self):
        from anju.spotchecks.access import sampled_houses_visible_to, spot_check_plans_visible_to

        plan = services.plan_draw(actor=self.mina, plan=self.civil_plan())
        housing = services.plan_create(
            actor=self.carol,
            region=self.county,
            name="县级抽查",
            population="renovated",
            share_percent=20,
        )
        self.assertEqual(list(spot_check_plans_visible_to(self.mike)), [plan])
        self.assertFalse(spot_check_plans_visible_to(self.fiona).exists())
        self.assertFalse(sampled_houses_visible_to(self.fiona).exists())
        self.assertEqual(set(spot_check_plans_visible_to(self.carol)), {plan, housing})
        self.login(self.fiona)
        self.assertEqual(
            self.client.get(reverse("spotchecks:plan", args=[plan.pk])).status_code, 404
        )
        house = plan.houses.first()
        self.assertEqual(
            self.client.get(reverse("spotchecks:house", args=[house.pk])).status_code, 404
        )
        self.login(self.mina)
        self.assertEqual(
            self.client.get(reverse("spotchecks:plan", args=[housing.pk])).status_code, 404
        )

    def test_through_the_pages_a_department_plans_and_records_its_own_items(self):
        self.login(self.mina)
        page = self.client.get(reverse("spotchecks:plans"))
        self.assertContains(page, "漳平市民政局的职责范围")
        self.assertContains(page, 'value="eligibility" id="id_items_1" checked', html=False)
        response = self.client.post(
            reverse("spotchecks:plan_new"),
            {
                "name": "低保对象资格抽查",
                "region_code": "350881000000",
                "population": "renovated",
                "share_percent": "20",
                "items": ["identity", "eligibility"],
            },
        )
        from anju.spotchecks.models import SpotCheckPlan

        plan = SpotCheckPlan.objects.get()
        self.assertRedirects(response, reverse("spotchecks:plan", args=[plan.pk]))
        self.assertEqual(plan.check_items(), ["identity", "eligibility"])
        self.client.post(reverse("spotchecks:plan_draw", args=[plan.pk]))
        self.client.post(
            reverse("spotchecks:plan_assign", args=[plan.pk]), {"inspectors": [self.mina.pk]}
        )
        shown = self.client.get(reverse("spotchecks:plan", args=[plan.pk]))
        self.assertContains(shown, "身份信息、对象资格")
        house = SampledHouse.objects.filter(plan=plan).first()
        form = self.client.get(reverse("spotchecks:house", args=[house.pk]))
        self.assertContains(form, "对象资格")
        self.assertNotContains(form, "卫生厕所")
        self.client.post(
            reverse("spotchecks:house_record", args=[house.pk]),
            {
                "inspected_on": f"{date.today():%Y-%m-%d}",
                "identity_outcome": "pass",
                "eligibility_outcome": "fail",
                "eligibility_note": "收入超标",
            },
        )
        self.assertEqual(CheckResult.objects.filter(house=house).count(), 2)
        after = self.client.get(reverse("spotchecks:house", args=[house.pk]))
        self.assertContains(after, "移送住建部门（登记为问题线索）")
        self.assertNotContains(after, "转入乡镇问题清单")
