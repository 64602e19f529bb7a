"""Campaigns: measured targets per township, their status, the Word summary, the pages."""

import io
from datetime import date
from unittest import TestCase

from django.urls import reverse
from docx import Document

from anju.assessments.models import AssessmentTask
from anju.campaigns import services
from anju.campaigns.progress import (
    BEHIND,
    DONE,
    NO_UNITS,
    ON_TRACK,
    OVERDUE,
    campaign_progress,
    status_of,
)
from anju.campaigns.summary import summary_docx
from anju.households.models import (
    Assessment,
    CategoryRecord,
    FollowUpVisit,
    House,
    Household,
    InfoReview,
    SafetyPlate,
)
from anju.oversight.models import Clue, RectificationItem, TypicalCase
from tests.base import AnjuTestCase

XIPU, DONGYANG = "350881100203", "350881101201"
XINQIAO, SHUANGYANG = "350881100000", "350881101000"


class StatusTests(TestCase):
    def test_it_judges_against_straight_line_progress(self):
        start, due = date(2020, 5, 1), date(2020, 6, 30)
        mid = date(2020, 5, 31)
        self.assertEqual(status_of(100.0, goal=100, start=start, due=due, on=mid), DONE)
        self.assertEqual(status_of(60.0, goal=100, start=start, due=due, on=mid), ON_TRACK)
        self.assertEqual(status_of(30.0, goal=100, start=start, due=due, on=mid), BEHIND)
        self.assertEqual(
            status_of(99.0, goal=100, start=start, due=due, on=date(2020, 7, 1)), OVERDUE
        )
        self.assertEqual(status_of(None, goal=100, start=start, due=due, on=mid), NO_UNITS)


def poor(region, n, *, since=date(2019, 1, 1)):
    made = []
    for i in range(n):
        household = Household.objects.create(
            region_id=region,
            head_name=f"{region[-3:]}户{i}",
            head_id=f"{region[:6]}19{region[-3:]}{i:07d}",
        )
        CategoryRecord.objects.create(
            household=household, category="registered_poor", department="扶贫办", start=since
        )
        made.append(household)
    return made


class CampaignCase(AnjuTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        xinqiao = poor(XIPU, 4)
        shuangyang = poor(DONGYANG, 2, since=date(2020, 3, 1))  # new poor households
        # 新桥镇: 3 of 4 assessed, 2 of 4 plated, 1 visited in the campaign.
        for i, household in enumerate(xinqiao):
            house = House.objects.create(household=household)
            if i < 3:
                Assessment.objects.create(house=house, grade="B", assessed_on=date(2020, 5, 20))
            if i < 2:
                SafetyPlate.objects.create(
                    household=household,
                    number=f"P-{i}",
                    grade="B",
                    issued_on=date(2020, 5, 25),
                    deadline=date(2020, 6, 25),
                    installed_on=date(2020, 6, 1),
                )
        FollowUpVisit.objects.create(
            household=xinqiao[0], visited_on=date(2020, 4, 10), visitor=cls.alice
        )
        InfoReview.objects.create(
            household=xinqiao[0],
            reviewed_on=date(2020, 4, 10),
            reviewer=cls.alice,
            result="consistent",
        )
        # 双洋镇: two new households' tasks (lists arrived in March): one assessed within the
        # month, one a month late.
        house = House.objects.create(household=shuangyang[0])
        Assessment.objects.create(house=house, grade="C", assessed_on=date(2020, 4, 1))
        house = House.objects.create(household=shuangyang[1])
        Assessment.objects.create(house=house, grade="C", assessed_on=date(2020, 5, 2))
        for household, done in (
            (shuangyang[0], date(2020, 4, 1)),
            (shuangyang[1], date(2020, 5, 2)),
        ):
            AssessmentTask.objects.create(
                household=household,
                region_id=SHUANGYANG,
                kind="poverty",
                reason="new_person",
                id_number=household.head_id,
                name=household.head_name,
                received_on=date(2020, 3, 10),
                due_on=date(2020, 4, 10),
                done_on=done,
            )
        phases, targets = services.seed003_plan(2020)
        cls.campaign = services.campaign_create(
            actor=cls.carol,
            region=cls.regions["350881000000"],
            name="漳平市贫困人口住房安全有保障专项整治",
            start=date(2020, 4, 1),
            end=date(2020, 11, 30),
            new_since=date(2020, 1, 1),
            lead_unit="市住建局",
            phases=phases,
            targets=targets,
        )
        clue = Clue.objects.create(
            number="350881-2020-00001",
            region_id=XINQIAO,
            place="新桥镇",
            source_channel="petition",
            received_on=date(2020, 6, 2),
            category="funds",
            summary="补助被截留",
            status="closed",
            status_since=date(2020, 8, 1),
            closed_on=date(2020, 8, 1),
            registered_by=cls.carol,
        )
        RectificationItem.objects.create(
            region_id=XINQIAO,
            source="visit",
            description="漏雨",
            owner="黄某",
            deadline=date(2020, 7, 1),
            status="done",
            done_on=date(2020, 6, 20),
            created_by=cls.alice,
        )
        TypicalCase.objects.create(
            clue=clue,
            region_id=XINQIAO,
            month=date(2020, 8, 1),
            text="新桥镇某村干部截留危改补助，给予党内警告处分。",
            chosen_by=cls.carol,
        )

    def cell(self, progress, measure, township):
        target = next(t for t in progress.targets if t.measure == measure)
        return progress.cells[(target.pk, township)]


class CampaignTests(CampaignCase):
    def test_it_has_the_seed_003_phases_and_targets(self):
        self.assertEqual(self.campaign.phases.count(), 4)
        self.assertEqual(
            sorted(self.campaign.targets.values_list("measure", flat=True)),
            ["info_reviewed", "new_poor_assessed", "poor_assessed", "poor_plated"],
        )

    def test_it_measures_each_target_per_township(self):
        progress = campaign_progress(self.campaign, date(2020, 6, 15))
        assessed = self.cell(progress, "poor_assessed", XINQIAO)
        self.assertEqual((assessed.done, assessed.total, assessed.percent), (3, 4, 75.0))
        plated = self.cell(progress, "poor_plated", XINQIAO)
        self.assertEqual((plated.done, plated.total), (2, 4))
        new = self.cell(progress, "new_poor_assessed", SHUANGYANG)
        self.assertEqual((new.done, new.total), (1, 2))
        self.assertEqual(self.cell(progress, "new_poor_assessed", XINQIAO).total, 0)
        reviewed = self.cell(progress, "info_reviewed", XINQIAO)
        self.assertEqual((reviewed.done, reviewed.status), (1, OVERDUE))  # due 30 April
        total = progress.totals[
            next(t.pk for t in progress.targets if t.measure == "poor_assessed")
        ]
        self.assertEqual((total.done, total.total), (5, 6))

    def test_a_target_is_judged_on_what_was_done_by_its_due_date(self):
        later = Assessment.objects.create(
            house=House.objects.filter(household__region_id=XIPU, assessments__isnull=True).first(),
            grade="A",
            assessed_on=date(2020, 8, 1),
        )
        progress = campaign_progress(self.campaign, date(2020, 9, 1))
        cell = self.cell(progress, "poor_assessed", XINQIAO)
        self.assertEqual((cell.done, cell.status), (3, OVERDUE))
        later.delete()

    def test_the_summary_opens_and_shows_the_figures(self):
        data = summary_docx(self.campaign, date(2020, 11, 30))
        doc = Document(io.BytesIO(data))
        text = "\n".join(p.text for p in doc.paragraphs)
        self.assertIn("漳平市贫困人口住房安全有保障专项整治工作总结", text)
        self.assertIn("完成 5 户，应完成 6 户，完成率 83.3%", text)
        self.assertIn("问题清单新增问题", text)
        self.assertIn("完成整改 1 个", text)
        self.assertIn("受理线索 1 条，销号 1 条", text)
        self.assertIn("截留危改补助", text)
        self.assertIn("第二阶段：督导抽查", text)
        table = doc.tables[0]
        names = [row.cells[0].text for row in table.rows]
        self.assertEqual(names, ["乡镇（街道）", "新桥镇", "双洋镇", "合计"])
        self.assertIn(
            "75.0%（3/4）", table.rows[1].cells[1 + self.target_index("poor_assessed")].text
        )

    def target_index(self, measure):
        return [t.measure for t in self.campaign.targets.all()].index(measure)

    def test_the_page_and_the_download(self):
        self.login(self.carol)
        page = self.client.get(reverse("campaigns:campaign", args=[self.campaign.pk]))
        self.assertContains(page, "新桥镇")
        self.assertContains(page, "第四阶段：总结巩固")
        response = self.client.get(reverse("campaigns:summary", args=[self.campaign.pk]))
        self.assertEqual(response.status_code, 200)
        Document(io.BytesIO(response.content))
        self.login(self.xavier)
        response = self.client.get(reverse("campaigns:summary", args=[self.campaign.pk]))
        self.assertEqual(response.status_code, 404)
        self.login(self.pete)
        self.assertEqual(self.client.get(reverse("campaigns:campaigns")).status_code, 403)
        self.login(self.rita)  # reads, does not manage
        response = self.client.post(
            reverse("campaigns:phase_add", args=[self.campaign.pk]),
            {"name": "x", "start": "2020-01-01", "end": "2020-01-02"},
        )
        self.assertEqual(response.status_code, 403)

    def test_the_command_line_writes_the_summary(self):
        import tempfile
        from pathlib import Path

        from anju.cli import main

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "summary.docx"
            code = main(
                [
                    "report",
                    "campaign",
                    "--id",
                    str(self.campaign.pk),
                    "--out",
                    str(out),
                    "--on",
                    "2020-11-30",
                ]
            )
            self.assertEqual(code, 0)
            text = "\n".join(p.text for p in Document(str(out)).paragraphs)
            self.assertIn("完成率 83.3%", text)

    # Issue 26: the summary in GB/T 9704 layout, 统计截至 the end of a past campaign, and the
    # accountability totals the discipline commission's summary asks for.

    def test_it_is_laid_out_as_an_official_document(self):
        data = summary_docx(self.campaign, date(2020, 11, 30), number="漳建〔2020〕88号")
        doc = Document(io.BytesIO(data))
        section = doc.sections[0]
        size = (section.page_width.mm, section.page_height.mm)  # stored in twips: to 0.01 mm
        self.assertEqual(tuple(round(v) for v in size), (210, 297))
        margins = (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
        self.assertEqual(tuple(round(m.mm) for m in margins), (37, 35, 28, 26))
        texts = [p.text for p in doc.paragraphs]
        self.assertEqual(texts[0], "市住建局")  # the issuing authority
        self.assertEqual(texts[1], "漳建〔2020〕88号")  # 文号 line, under it
        self.assertEqual(texts[2], "漳平市贫困人口住房安全有保障专项整治工作总结")
        footer = section.footer.paragraphs[0]._p.xml
        self.assertIn("PAGE", footer)
        self.assertEqual(section.footer.paragraphs[0].text, "—  —")  # — N — around the field
        self.assertTrue(doc.settings.odd_and_even_pages_header_footer)
        self.assertIn("PAGE", section.even_page_footer.paragraphs[0]._p.xml)

    def test_a_past_campaign_is_counted_to_its_end_date(self):
        doc = Document(io.BytesIO(summary_docx(self.campaign, date(2026, 12, 7))))
        text = "\n".join(p.text for p in doc.paragraphs)
        self.assertIn("统计截至：2020年11月30日", text)
        self.assertNotIn("2026年12月07日", text)

    def test_it_totals_sanctions_forms_recovered_funds_and_exposures(self):
        from decimal import Decimal

        from anju.oversight.models import Exposure, Sanction

        clue = Clue.objects.get()
        clue.recovered = Decimal("1.50")
        clue.save()
        for name, kind, form in (("甲", "party", 2), ("甲", "admonish", 1), ("乙", "party", 2)):
            Sanction.objects.create(
                clue=clue,
                region_id=XINQIAO,
                kind=kind,
                person_name=name,
                level="village",
                form=form,
                decided_on=date(2020, 9, 1),
                recorded_by=self.carol,
            )
        Sanction.objects.create(
            clue=clue,
            region_id=XINQIAO,
            kind="party",
            person_name="丙",
            level="village",
            form=3,
            decided_on=date(2021, 1, 5),  # after the campaign: not counted
            recorded_by=self.carol,
        )
        Exposure.objects.create(
            region_id=XINQIAO,
            exposed_on=date(2020, 10, 1),
            channel="市纪委网站",
            problems=2,
            persons=3,
            recorded_by=self.carol,
        )
        text = "\n".join(
            p.text
            for p in Document(io.BytesIO(summary_docx(self.campaign, date(2021, 3, 1)))).paragraphs
        )
        self.assertIn("受处理处分共 2 人", text)
        self.assertIn("第一种形态 1 人，第二种形态 2 人，第三种形态 0 人", text)
        self.assertIn("追缴资金 1.50 万元；通报曝光 1 次，涉及问题 2 个、3 人", text)


class MeasuresFromRecordsTests(CampaignCase):
    """Issue #24 item 4: each measure against a count done here, independently of its code."""

    def test_new_household_tasks_due_on_time_late_and_overdue(self):
        from anju.campaigns.measures import task_breakdown

        on = date(2020, 6, 15)
        tasks = [t for t in AssessmentTask.objects.all() if date(2020, 1, 1) <= t.received_on <= on]
        expected = {
            "tasks": len(tasks),
            "due": sum(t.due_on <= on for t in tasks),
            "on_time": sum(1 for t in tasks if t.done_on and t.done_on <= t.due_on),
            "late": sum(1 for t in tasks if t.done_on and t.done_on > t.due_on),
            "overdue": sum(1 for t in tasks if not t.done_on and t.due_on < on),
        }
        self.assertEqual(task_breakdown(self.campaign, on), expected)
        self.assertEqual(expected, {"tasks": 2, "due": 2, "on_time": 1, "late": 1, "overdue": 0})

    def test_information_review_counts_explicit_reviews_only(self):
        # A visit is not a review: 双洋镇's households are visited, not reviewed.
        for household in Household.objects.filter(region_id=DONGYANG):
            FollowUpVisit.objects.create(
                household=household, visited_on=date(2020, 4, 12), visitor=self.bob
            )
        progress = campaign_progress(self.campaign, date(2020, 4, 30))
        reviewed = {
            r.household_id
            for r in InfoReview.objects.all()
            if date(2020, 4, 1) <= r.reviewed_on <= date(2020, 4, 30)
        }
        cell = self.cell(progress, "info_reviewed", SHUANGYANG)
        self.assertEqual((cell.done, cell.total), (0, 2))
        cell = self.cell(progress, "info_reviewed", XINQIAO)
        self.assertEqual(cell.done, len(reviewed))

    def test_a_village_is_reviewed_at_once_from_its_list(self):
        self.login(self.alice)
        households = list(Household.objects.filter(region_id=XIPU))
        response = self.client.post(
            reverse("households:reviews") + f"?region={XIPU}",
            {
                "household": [h.pk for h in households[:3]],
                "reviewed_on": "2020-04-20",
                "result": "consistent",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(InfoReview.objects.filter(reviewed_on=date(2020, 4, 20)).count(), 3)
        page = self.client.get(reverse("households:reviews") + f"?region={XIPU}")
        self.assertContains(page, "信息一致")
        # A result other than 一致 needs its note, named in the message.
        response = self.client.post(
            reverse("households:review_add", args=[households[3].pk]),
            {"reviewed_on": "2020-04-21", "result": "mismatch"},
            follow=True,
        )
        self.assertContains(response, "请在说明中写明")

    def test_renovation_completion_by_deadline(self):
        from anju.campaigns.measures import case_breakdown
        from anju.households.models import RenovationCase

        xipu = list(Household.objects.filter(region_id=XIPU))
        for household, closed in zip(
            xipu, (date(2020, 7, 1), date(2020, 12, 20), None), strict=False
        ):
            RenovationCase.objects.create(
                household=household,
                kind="renovation",
                source="assessment",
                method="repair",
                opened_on=date(2020, 5, 1),
                start_by=date(2020, 5, 31),
                deadline=date(2020, 10, 28),
                closed_on=closed,
            )
        target = services.target_add(
            actor=self.carol,
            campaign=self.campaign,
            target=services.TargetInput(
                "危房改造按时完成", "renovation_completed", date(2020, 11, 30)
            ),
        )
        progress = campaign_progress(self.campaign, date(2020, 11, 30))
        cases = list(RenovationCase.objects.all())
        in_time = sum(1 for c in cases if c.closed_on and c.closed_on <= c.deadline)
        cell = progress.cells[(target.pk, XINQIAO)]
        self.assertEqual((cell.done, cell.total), (in_time, len(cases)))
        self.assertEqual((cell.done, cell.total), (1, 3))
        figures = case_breakdown(self.campaign, date(2020, 11, 30))
        self.assertEqual((figures["opened"], figures["accepted"], figures["in_time"]), (3, 1, 1))

    def test_a_campaign_not_started_says_so(self):
        progress = campaign_progress(self.campaign, date(2020, 3, 1))
        self.assertEqual(self.cell(progress, "poor_assessed", XINQIAO).status, "未开始")

    def test_a_finished_campaign_is_counted_to_its_end(self):
        later = Assessment.objects.create(
            house=House.objects.filter(household__region_id=XIPU, assessments__isnull=True).first(),
            grade="A",
            assessed_on=date(2021, 3, 1),  # after the campaign ended: not in its figures
        )
        self.login(self.carol)
        page = self.client.get(reverse("campaigns:campaign", args=[self.campaign.pk]))
        self.assertContains(page, "统计截至 2020-11-30，即整治结束日")
        data = summary_docx(self.campaign, date(2026, 1, 1))
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        self.assertIn("统计截至：2020年11月30日", text)
        later.delete()

    def test_every_figure_links_to_its_households(self):
        self.login(self.carol)
        target = self.campaign.targets.get(measure="new_poor_assessed")
        page = self.client.get(reverse("campaigns:campaign", args=[self.campaign.pk]))
        link = reverse("campaigns:figure", args=[self.campaign.pk, target.pk])
        self.assertContains(page, f"{link}?township={SHUANGYANG}&amp;which=done")
        done = self.client.get(f"{link}?township={SHUANGYANG}&which=done").content.decode()
        todo = self.client.get(f"{link}?township={SHUANGYANG}&which=todo").content.decode()
        first, second = Household.objects.filter(region_id=DONGYANG).order_by("pk")
        self.assertIn(first.head_name, done)
        self.assertNotIn(second.head_name, done)
        self.assertIn(second.head_name, todo)
        self.login(self.xavier)  # another county: 404
        self.assertEqual(self.client.get(f"{link}?which=done").status_code, 404)

    def test_base_village_survey_progress_list_and_filter(self):
        self.regions[DONGYANG].is_base_village = True
        self.regions[DONGYANG].save()
        on = date(2020, 6, 15)
        InfoReview.objects.create(
            household=Household.objects.filter(region_id=DONGYANG).first(),
            reviewed_on=date(2020, 5, 1),
            reviewer=self.bob,
            result="consistent",
        )
        from anju.campaigns.summary import base_village_survey

        households = list(Household.objects.filter(region__is_base_village=True))
        assessed = sum(
            1 for h in households if Assessment.objects.filter(house__household=h).exists()
        )
        self.assertEqual(
            base_village_survey(self.campaign, on),
            [(SHUANGYANG, "双洋镇", len(households), 1, assessed)],
        )
        self.login(self.carol)
        listed = self.client.get(reverse("households:list") + "?base_village=1").content.decode()
        self.assertIn(households[0].head_name, listed)
        self.assertNotIn("100203户0", listed)  # 西埔村 is not a base village
        survey = self.client.get(reverse("households:base_villages")).content.decode()
        self.assertIn("东洋村", survey)
        self.assertIn("C级 2020-04-01", survey)
        overview = self.client.get(reverse("dashboard:overview")).content.decode()
        self.assertIn("革命基点村住房排查", overview)
        book = self.client.get(reverse("households:base_villages") + "?format=xlsx")
        self.assertEqual(book.status_code, 200)
        from python_calamine import CalamineWorkbook

        rows = (
            CalamineWorkbook.from_filelike(io.BytesIO(book.content))
            .get_sheet_by_index(0)
            .to_python()
        )
        self.assertEqual(rows[2][:3], ["行政村", "户主", "身份证号"])
        self.assertEqual(len(rows), 3 + len(households))


class EveryMeasureTests(CampaignCase):
    """Issue #24 item 4: every measure's figure, for every township, against a count done here
    from the records one by one; and the households its figure links to."""

    def setUp(self):
        from anju.households.models import RenovationCase

        # Noise each measure must leave out: a category ended before the campaign, a plate put
        # up after the due date, a review before the campaign, a case opened before it.
        ended = Household.objects.create(
            region_id=XIPU, head_name="已退出户", head_id="350881195001019999"
        )
        CategoryRecord.objects.create(
            household=ended,
            category="registered_poor",
            department="扶贫办",
            start=date(2019, 1, 1),
            end=date(2020, 3, 1),
        )
        house = House.objects.create(household=ended)
        Assessment.objects.create(house=house, grade="A", assessed_on=date(2020, 5, 1))
        xipu = list(Household.objects.filter(region_id=XIPU).order_by("pk"))
        SafetyPlate.objects.create(
            household=xipu[2],
            number="P-late",
            grade="B",
            issued_on=date(2020, 9, 1),
            deadline=date(2020, 10, 1),
            installed_on=date(2020, 9, 20),
        )
        InfoReview.objects.create(
            household=xipu[3],
            reviewed_on=date(2020, 3, 1),
            reviewer=self.alice,
            result="consistent",
        )
        for household, opened, closed in (
            (xipu[0], date(2020, 5, 1), date(2020, 7, 1)),  # in time
            (xipu[1], date(2020, 5, 1), None),  # not done
            (xipu[2], date(2020, 3, 1), date(2020, 4, 1)),  # before the campaign
        ):
            RenovationCase.objects.create(
                household=household,
                kind="renovation",
                source="assessment",
                method="repair",
                opened_on=opened,
                start_by=opened,
                deadline=date(2020, 10, 28),
                closed_on=closed,
            )
        services.target_add(
            actor=self.carol,
            campaign=self.campaign,
            target=services.TargetInput(
                "危房改造按时完成", "renovation_completed", date(2020, 11, 30)
            ),
        )

    def independent(self, measure: str, on: date) -> tuple[dict[int, str], set[int]]:
        """({household: township}, {done}) as the 口径 in docs/campaign.md reads."""
        from anju.households.models import RenovationCase

        campaign = self.campaign

        def town(h):
            return h.region_id[:9] + "000"

        poor_ones = {
            r.household_id: town(r.household)
            for r in CategoryRecord.objects.select_related("household")
            if (r.start is None or r.start <= on) and (r.end is None or r.end > on)
        }
        if measure == "poor_assessed":
            done = {a.house.household_id for a in Assessment.objects.all() if a.assessed_on <= on}
        elif measure == "poor_plated":
            done = {
                p.household_id
                for p in SafetyPlate.objects.all()
                if p.installed_on and p.installed_on <= on
            }
        elif measure == "info_reviewed":
            done = {
                r.household_id
                for r in InfoReview.objects.all()
                if campaign.start <= r.reviewed_on <= on
            }
        elif measure == "new_poor_assessed":
            tasks = [
                t
                for t in AssessmentTask.objects.select_related("household")
                if campaign.new_since <= t.received_on <= on
            ]
            members = {t.household_id: town(t.household) for t in tasks}
            done = {t.household_id for t in tasks if t.done_on and t.done_on <= min(t.due_on, on)}
            return members, done
        else:
            cases = [
                c
                for c in RenovationCase.objects.select_related("household")
                if campaign.start <= c.opened_on <= on
            ]
            members = {c.household_id: town(c.household) for c in cases}
            done = {
                c.household_id for c in cases if c.closed_on and c.closed_on <= min(c.deadline, on)
            }
            return members, done
        return poor_ones, done & set(poor_ones)

    def test_every_measure_against_an_independent_count_and_its_households(self):
        from anju.campaigns.measures import REGISTRY

        progress = campaign_progress(self.campaign, date(2020, 11, 30))
        self.login(self.carol)
        measured = set()
        for target in progress.targets:
            on = min(date(2020, 11, 30), target.due)
            members, done = self.independent(target.measure, on)
            measured.add(target.measure)
            for township in (XINQIAO, SHUANGYANG):
                in_town = {pk for pk, t in members.items() if t == township}
                expected = (len(in_town & done), len(in_town))
                cell = progress.cells.get((target.pk, township))
                got = (cell.done, cell.total) if cell and cell.total else (0, 0)
                self.assertEqual(got, expected, (target.measure, township))
                link = reverse("campaigns:figure", args=[self.campaign.pk, target.pk])
                for which, keys in (("done", in_town & done), ("todo", in_town - done)):
                    page = self.client.get(f"{link}?township={township}&which={which}")
                    listed = {
                        h.pk
                        for h in Household.objects.all()
                        if f">{h.head_name}<" in page.content.decode()
                    }
                    self.assertEqual(listed, keys, (target.measure, township, which))
        self.assertEqual(measured, set(REGISTRY))
