from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.households import changes
from anju.households.imports import import_households
from anju.households.models import ChangeRequest, Household, Renovation
from tests.base import AnjuTestCase
from tests.households.files import rid, row, xlsx


class ChangeRequestTests(AnjuTestCase):
    def setUp(self):
        import_households(actor="test", file_name="t.xlsx", data=xlsx([row(1)]))
        self.household = Household.objects.get()
        self.renovation = Renovation.objects.get()

    def propose(self, field, value, actor=None, **kw):
        return changes.change_propose(
            actor=actor or self.alice,
            household=self.household,
            field=field,
            new_value=value,
            reason="户主更换银行卡",
            **kw,
        )

    def test_nothing_changes_until_a_reviewer_agrees(self):
        request = self.propose("account_number", "6217 9999 8888 7777")
        self.assertEqual(Household.objects.get().account_number, "6217001234567890")
        changes.change_decide(actor=self.rita, request=request, approve=True)
        self.assertEqual(Household.objects.get().account_number, "6217999988887777")
        entry = AuditEntry.objects.filter(changes__note="变更审核").get()
        self.assertEqual(entry.changes["after"]["account_number"], "************7777")

    def test_the_proposer_cannot_decide_and_a_clerk_cannot_approve(self):
        request = self.propose("account_holder", "陈某", actor=self.carol)
        with self.assertRaises(PermissionDenied):
            changes.change_decide(actor=self.carol, request=request, approve=True)
        from tests.base import make_user

        reviewer = make_user("rev2", "county_reviewer", "350881000000")
        reviewer.role_grants.create(role="county_clerk")
        reviewer = type(reviewer).objects.get(pk=reviewer.pk)
        own = changes.change_propose(
            actor=reviewer,
            household=self.household,
            field="subsidy_fen",
            new_value="45000",
            reason="复核",
            renovation=self.renovation,
        )
        with self.assertRaisesMessage(ValidationError, "不能审核自己提出的变更"):
            changes.change_decide(actor=reviewer, request=own, approve=True)

    def test_a_rejection_needs_a_reason_and_changes_nothing(self):
        request = self.propose("subsidy_fen", "50,000", renovation=self.renovation)
        with self.assertRaisesMessage(ValidationError, "驳回须说明理由"):
            changes.change_decide(actor=self.rita, request=request, approve=False)
        changes.change_decide(actor=self.rita, request=request, approve=False, note="无依据")
        self.assertEqual(Renovation.objects.get().subsidy_fen, 4_000_000)
        self.assertEqual(ChangeRequest.objects.get().status, "rejected")

    def test_head_id_and_categories(self):
        new_id = rid(9)
        changes.change_decide(
            actor=self.rita, request=self.propose("head_id", new_id.lower()), approve=True
        )
        self.assertEqual(Household.objects.get().head_id, new_id)
        request = self.propose("categories", "低保、五保")
        self.assertEqual(request.old_value, "低保户、建档立卡贫困户")
        changes.change_decide(actor=self.rita, request=request, approve=True)
        current = set(
            self.household.categories.filter(end__isnull=True).values_list("category", flat=True)
        )
        self.assertEqual(current, {"subsistence", "extreme_poor"})
        self.assertTrue(
            self.household.categories.filter(category="registered_poor", end=date.today()).exists()
        )

    def test_an_import_may_not_change_an_approved_households_account_or_subsidy(self):
        result = import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx([row(1, **{"一卡通账号": "6217000000000001", "补助金额(元)": "45000"})]),
        )
        self.assertFalse(result.ok)
        text = " ".join(str(e) for e in result.errors)
        self.assertIn("账号须通过变更申请修改", text)
        self.assertIn("金额须通过变更申请修改", text)
        self.assertEqual(Renovation.objects.get().subsidy_fen, 4_000_000)

    def test_the_review_page_shows_old_and_new_side_by_side(self):
        self.propose("account_holder", "陈二")
        self.login(self.rita)
        page = self.client.get(reverse("households:changes"))
        self.assertContains(page, "陈二")
        self.assertContains(page, self.household.account_holder)
        change = ChangeRequest.objects.get()
        self.client.post(
            reverse("households:change_decide", args=[change.pk]), {"decision": "approve"}
        )
        self.assertEqual(Household.objects.get().account_holder, "陈二")
