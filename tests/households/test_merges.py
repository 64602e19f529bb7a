"""One household, one record (issue 25, point 2): merging a household entered twice, undoing the
merge, withdrawing one created by mistake, each decided by a second person."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from anju.assessments.models import AssessmentTask
from anju.audit.models import AuditEntry
from anju.cadres.models import Assignment, Observation
from anju.crosscheck.models import CheckRun, Finding
from anju.crosscheck.runs import execute, run_findings, start_run
from anju.dashboard.tally import recount
from anju.households import changes, merges
from anju.households.imports import import_households
from anju.households.models import (
    Assessment,
    ChangeRequest,
    FollowUpVisit,
    House,
    Household,
    HouseholdMerge,
    InfoReview,
    Payment,
    Person,
    Renovation,
    RenovationCase,
    SafetyPlate,
)
from anju.regions.models import Region
from anju.spotchecks.models import SampledHouse, SpotCheckPlan
from tests.base import AnjuTestCase, make_user
from tests.households.files import rid, row, xlsx

BAD_ID = "350881196001011230"  # the check digit should be 5


def _twins():
    """The clerk's afternoon: a row with a wrong check digit imported, then the fixed file
    imported again, which made a second household."""
    import_households(
        actor="alice",
        file_name="a.xlsx",
        data=xlsx([row(1, 户主姓名="陈秀英", 户主身份证号=BAD_ID)]),
    )
    import_households(
        actor="alice",
        file_name="b.xlsx",
        data=xlsx([row(1, 户主姓名="陈秀英", 户主身份证号=rid(1))]),
    )
    gone = Household.objects.get(head_id=BAD_ID)
    kept = Household.objects.get(head_id=rid(1))
    return gone, kept


class MergeTests(AnjuTestCase):
    def setUp(self):
        self.gone, self.kept = _twins()

    def merge(self, reason="同一户重复建档，保留身份证号正确的一户"):
        request = merges.merge_propose(
            actor=self.alice, gone=self.gone, kept=self.kept, reason=reason
        )
        changes.change_decide(actor=self.rita, request=request, approve=True)
        return request

    def attach_everything(self):
        """One of every kind of record on the household to be merged away."""
        g = self.gone
        Person.objects.create(household=g, name="陈小明", id_number=rid(50, 1990), relation="子")
        house = House.objects.create(household=g, structure="earth")
        Assessment.objects.create(house=house, grade="C", assessor="鉴定站")
        renovation = Renovation.objects.create(household=g, year=2021, subsidy_fen=100)
        Payment.objects.create(renovation=renovation, amount_fen=100, paid_on=date(2022, 1, 1))
        FollowUpVisit.objects.create(household=g, visited_on=date(2026, 1, 1), visitor=self.alice)
        SafetyPlate.objects.create(
            household=g,
            number="P-1",
            grade="A",
            issued_on=date(2026, 1, 1),
            deadline=date(2026, 2, 1),
        )
        RenovationCase.objects.create(
            household=g,
            kind="renovation",
            source="manual",
            method="rebuild",
            opened_on=date(2026, 1, 1),
            start_by=date(2026, 2, 1),
            deadline=date(2026, 6, 1),
        )
        InfoReview.objects.create(
            household=g, reviewed_on=date(2026, 1, 2), reviewer=self.alice, result="consistent"
        )
        ChangeRequest.objects.create(
            household=g,
            field="account_holder",
            new_value="陈秀英",
            reason="户名",
            proposed_by=self.alice,
        )
        AssessmentTask.objects.create(
            household=g,
            region_id="350881100000",
            kind="subsistence",
            reason="entered",
            id_number=BAD_ID,
            name="陈秀英",
            received_on=date(2026, 1, 1),
            due_on=date(2026, 2, 1),
        )
        cadre = make_user("cathy", "cadre", "350881100000")
        Assignment.objects.create(cadre=cadre, household=g, assigned_by=self.alice)
        Observation.objects.create(
            household=g,
            region_id=g.region_id,
            cadre=cadre,
            kind="leaky",
            visited_on=date(2026, 1, 1),
            respond_by=date(2026, 1, 4),
        )
        run = CheckRun.objects.create(region_id="350881000000", actor_name="t", status="done")
        Finding.objects.create(
            rule="INVALID_ID",
            fingerprint="INVALID_ID:merge",
            region_id=g.region_id,
            household=g,
            id_number=BAD_ID,
            name="陈秀英",
            evidence="证据",
            first_run=run,
            last_run=run,
        )
        plan = SpotCheckPlan.objects.create(
            name="抽查",
            level=3,
            region_id="350881000000",
            share_percent=10,
            seed="s",
            status="drawn",
            created_by=self.carol,
        )
        SampledHouse.objects.create(plan=plan, household=g, township_id="350881100000", rank=1)

    KINDS = {
        "renovations": lambda h: Renovation.objects.filter(household=h, year=2021),
        "payments": lambda h: Payment.objects.filter(renovation__household=h),
        "houses": lambda h: House.objects.filter(household=h),
        "assessments": lambda h: Assessment.objects.filter(house__household=h),
        "visits": lambda h: FollowUpVisit.objects.filter(household=h),
        "plates": lambda h: SafetyPlate.objects.filter(household=h),
        "cases": lambda h: RenovationCase.objects.filter(household=h),
        "reviews": lambda h: InfoReview.objects.filter(household=h),
        "changes": lambda h: ChangeRequest.objects.filter(household=h, field="account_holder"),
        "tasks": lambda h: AssessmentTask.objects.filter(household=h),
        "assignments": lambda h: Assignment.objects.filter(household=h),
        "observations": lambda h: Observation.objects.filter(household=h),
        "findings": lambda h: Finding.objects.filter(household=h),
        "sampled": lambda h: SampledHouse.objects.filter(household=h),
        "member": lambda h: Person.objects.filter(household=h, name="陈小明"),
    }

    def counts(self, household):
        return {kind: rows(household).count() for kind, rows in self.KINDS.items()}

    def test_nothing_happens_until_a_second_person_approves(self):
        request = merges.merge_propose(
            actor=self.alice, gone=self.gone, kept=self.kept, reason="重复建档"
        )
        self.assertEqual(Household.objects.count(), 2)
        with self.assertRaises(PermissionDenied):  # a clerk cannot approve
            changes.change_decide(actor=self.alice, request=request, approve=True)
        self.assertEqual(request.into, self.kept)
        self.assertIn("并入 陈秀英", request.new_value)

    def test_a_merge_moves_every_kind_of_record_and_an_undo_moves_them_back(self):
        self.attach_everything()
        before_gone, before_kept = self.counts(self.gone), self.counts(self.kept)
        self.assertTrue(all(before_gone.values()), before_gone)
        self.merge()
        self.gone.refresh_from_db()
        self.assertEqual(self.gone.state, "merged")
        self.assertEqual(self.gone.merged_into, self.kept)
        moved = self.counts(self.kept)
        for kind in self.KINDS:
            self.assertEqual(moved[kind], before_kept[kind] + before_gone[kind], kind)
        self.assertFalse(any(self.counts(self.gone).values()))
        # The 2019 renovation entered twice: the kept one's is the record, the other stays.
        self.assertEqual(Renovation.objects.filter(household=self.gone).get().year, 2019)
        # The gone head stays with the household merged away: the kept one's former ID.
        self.assertEqual(Person.objects.filter(household=self.kept).count(), 2)
        self.assertTrue(Person.objects.filter(household=self.gone, id_number=BAD_ID).exists())
        # Audited record by record (a renovation, a finding, a sampled house among them).
        notes = AuditEntry.objects.filter(changes__note__startswith="合并重复户")
        self.assertEqual(
            notes.filter(object_type="households.renovation").count(),
            1,
        )
        for kind in ("crosscheck.finding", "spotchecks.sampledhouse", "cadres.assignment"):
            self.assertTrue(notes.filter(object_type=kind).exists(), kind)

        undo = merges.unmerge_propose(actor=self.alice, gone=self.gone, reason="合并错了")
        changes.change_decide(actor=self.rita, request=undo, approve=True)
        self.gone.refresh_from_db()
        self.assertEqual(self.gone.state, "active")
        self.assertEqual(self.counts(self.gone), before_gone)
        self.assertEqual(self.counts(self.kept), before_kept)
        self.assertEqual(HouseholdMerge.objects.get().undone_by, undo)

        # Merged again, as the clerk meant to.
        merges.merge_propose(actor=self.alice, gone=self.gone, kept=self.kept, reason="再合并")
        changes.change_decide(
            actor=self.rita,
            request=ChangeRequest.objects.filter(field="merge").first(),
            approve=True,
        )
        self.gone.refresh_from_db()
        self.assertEqual(self.gone.state, "merged")
        self.assertEqual(HouseholdMerge.objects.filter(undone_at__isnull=True).count(), 1)

    def invalid_ids(self):
        region = Region.objects.get(code="350881000000")
        run = execute(start_run(actor="test", region=region), rules=["INVALID_ID"])
        return [f.id_number for f in run_findings(run)]

    def test_a_household_merged_away_leaves_the_list_the_figures_and_the_cross_check(self):
        bounds = ("350881000000", "350881999999")
        households = {r[3] for r in recount(bounds) if r[1] == "households"}
        self.assertEqual(households, {2})
        self.assertEqual(self.invalid_ids(), [BAD_ID])
        self.merge()
        self.assertEqual(list(Household.objects.values_list("pk", flat=True)), [self.kept.pk])
        self.assertEqual({r[3] for r in recount(bounds) if r[1] == "households"}, {1})
        self.assertEqual(self.invalid_ids(), [])
        self.login(self.alice)
        page = self.client.get(reverse("households:list")).content.decode()
        self.assertNotIn(reverse("households:household", args=[self.gone.pk]), page)
        # Its own page still answers, says where it went and is read only.
        page = self.client.get(reverse("households:household", args=[self.gone.pk]))
        self.assertContains(page, "已并入另一户")
        self.assertNotContains(page, "添加家庭成员")
        kept_page = self.client.get(reverse("households:household", args=[self.kept.pk]))
        self.assertContains(kept_page, "曾用身份证号")

    def test_the_old_file_imported_again_is_refused_on_the_former_id(self):
        self.merge()
        result = import_households(
            actor="alice",
            file_name="a.xlsx",
            data=xlsx([row(1, 户主姓名="陈秀英", 户主身份证号=BAD_ID)]),
        )
        self.assertEqual([(e.row, e.column) for e in result.errors], [(4, "户主身份证号")])
        self.assertIn("并入另一户", result.errors[0].message)
        self.assertEqual(Household.everything.count(), 2)

    def test_a_merge_is_refused_across_townships_and_with_two_open_cases(self):
        other = Household.objects.create(
            region_id="350881101201", head_name="陈秀英", head_id=rid(7)
        )
        with self.assertRaisesMessage(ValidationError, "同一乡镇"):
            merges.merge_propose(actor=self.carol, gone=other, kept=self.kept, reason="重复")
        for h in (self.gone, self.kept):
            RenovationCase.objects.create(
                household=h,
                kind="renovation",
                source="manual",
                method="rebuild",
                opened_on=date(2026, 1, 1),
                start_by=date(2026, 2, 1),
                deadline=date(2026, 6, 1),
            )
        with self.assertRaisesMessage(ValidationError, "未完成的危房整改事项"):
            merges.merge_propose(actor=self.alice, gone=self.gone, kept=self.kept, reason="重复")

    def test_the_merge_screen_offers_the_twin_and_keeps_what_was_typed(self):
        self.login(self.alice)
        url = reverse("households:merge", args=[self.kept.pk])
        page = self.client.get(url)
        self.assertContains(page, BAD_ID[:6])
        self.assertContains(page, "校验未通过")
        answer = self.client.post(
            url, {"other": self.gone.pk, "keep": "this", "reason": "重复建档"}
        )  # not confirmed
        self.assertEqual(answer.status_code, 200)
        self.assertContains(answer, "我已核对：两户是同一户：请核对后勾选（")
        self.assertContains(answer, "重复建档</textarea>")
        self.assertEqual(ChangeRequest.objects.filter(field="merge").count(), 0)
        answer = self.client.post(
            url, {"other": self.gone.pk, "keep": "this", "reason": "重复建档", "confirm": "on"}
        )
        self.assertRedirects(answer, reverse("households:household", args=[self.kept.pk]))
        request = ChangeRequest.objects.get(field="merge")
        self.assertEqual((request.household, request.into), (self.gone, self.kept))
        # The reviewer approves it on 变更审核.
        self.login(self.rita)
        self.assertContains(self.client.get(reverse("households:changes")), "合并重复户")
        self.client.post(
            reverse("households:change_decide", args=[request.pk]), {"decision": "approve"}
        )
        self.gone.refresh_from_db()
        self.assertEqual(self.gone.state, "merged")

    def test_the_merge_screen_is_not_for_another_township_or_a_reader(self):
        self.login(self.bob)
        self.assertEqual(
            self.client.get(reverse("households:merge", args=[self.kept.pk])).status_code, 404
        )
        self.login(self.dora)
        self.assertEqual(
            self.client.get(reverse("households:merge", args=[self.kept.pk])).status_code, 403
        )


class WithdrawTests(AnjuTestCase):
    def setUp(self):
        self.household = Household.objects.create(
            region_id="350881100203", head_name="误建户", head_id=rid(3)
        )
        Person.objects.create(household=self.household, name="误建户", id_number=rid(3))

    def test_a_household_with_nothing_attached_is_withdrawn_and_restored(self):
        request = merges.withdraw_propose(
            actor=self.alice, household=self.household, reason="录入错误"
        )
        self.assertEqual(Household.objects.count(), 1)
        changes.change_decide(actor=self.rita, request=request, approve=True)
        self.assertEqual(Household.objects.count(), 0)
        self.assertEqual(Household.everything.get().state, "withdrawn")
        self.assertTrue(
            AuditEntry.objects.filter(
                changes__note="撤销误建户", object_id=str(self.household.pk)
            ).exists()
        )
        self.household.refresh_from_db()
        again = merges.restore_propose(actor=self.alice, household=self.household, reason="撤错了")
        changes.change_decide(actor=self.rita, request=again, approve=True)
        self.assertEqual(Household.objects.get().state, "active")

    def test_a_household_with_records_is_not_withdrawn(self):
        FollowUpVisit.objects.create(
            household=self.household, visited_on=date(2026, 1, 1), visitor=self.alice
        )
        with self.assertRaisesMessage(ValidationError, "回访记录1条"):
            merges.withdraw_propose(actor=self.alice, household=self.household, reason="录入错误")

    def test_the_household_page_asks_for_a_reason_and_a_confirmation(self):
        self.login(self.alice)
        url = reverse("households:withdraw", args=[self.household.pk])
        answer = self.client.post(url, {"reason": "录入错误"}, follow=True)
        self.assertContains(answer, "我确认该户是误建的：请核对后勾选（")
        self.assertContains(answer, "录入错误")
        self.assertFalse(ChangeRequest.objects.exists())
        self.client.post(url, {"reason": "录入错误", "confirm": "on"})
        self.assertEqual(ChangeRequest.objects.get().field, "withdraw")
