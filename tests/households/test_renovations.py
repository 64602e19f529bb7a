from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.households import renovations
from anju.households.models import Household, Payment, Renovation
from tests.base import AnjuTestCase


class StepTests(AnjuTestCase):
    def setUp(self):
        self.household = Household.objects.create(
            region_id="350881100203", head_name="陈金水", head_id="350881195001011231"
        )
        self.renovation = Renovation.objects.create(household=self.household, year=2026)

    def step(self, step, on, **kw):
        return renovations.renovation_step(
            actor=self.carol, renovation=self.renovation, step=step, on=on, **kw
        )

    def walk_to(self, last: str):
        days = {
            "applied_on": date(2026, 1, 5),
            "village_reviewed_on": date(2026, 1, 10),
            "notice_start": date(2026, 1, 11),
            "notice_end": date(2026, 1, 18),
            "township_reviewed_on": date(2026, 1, 20),
            "approved_on": date(2026, 2, 1),
            "started_on": date(2026, 3, 1),
            "completed_on": date(2026, 7, 1),
        }
        for field, _, _ in renovations.STEPS:
            self.step(field, days[field])
            if field == last:
                return

    def test_the_steps_in_order(self):
        self.walk_to("completed_on")
        self.step(
            "accepted_on",
            date(2026, 7, 10),
            checklist={
                "inspector": "郑工",
                "area_ok": True,
                "safe": True,
                "quality": True,
                "toilet": True,
            },
        )
        self.renovation.refresh_from_db()
        self.assertEqual(self.renovation.accepted_on, date(2026, 7, 10))
        self.assertEqual((self.renovation.inspector, self.renovation.has_toilet), ("郑工", True))

    def test_no_acceptance_before_completion(self):
        self.walk_to("started_on")
        with self.assertRaisesMessage(ValidationError, "「竣工」之前不能「验收」"):
            self.step("accepted_on", date(2026, 7, 10), checklist={"inspector": "郑工"})

    def test_a_step_cannot_be_dated_before_the_one_it_follows(self):
        self.walk_to("approved_on")
        with self.assertRaisesMessage(ValidationError, "不能早于"):
            self.step("started_on", date(2026, 1, 2))

    def test_the_public_notice_lasts_seven_days(self):
        self.walk_to("notice_start")
        with self.assertRaisesMessage(ValidationError, "公示期不少于 7 天"):
            self.step("notice_end", date(2026, 1, 14))

    def test_no_payment_before_approval(self):
        with self.assertRaisesMessage(ValidationError, "审批前不能发放补助"):
            renovations.payment_record(
                actor=self.carol,
                renovation=self.renovation,
                paid_on=date(2026, 3, 1),
                amount_fen=100,
                account_number="6217",
                account_holder="陈金水",
            )

    def test_a_payment_after_approval_is_recorded_with_a_masked_audit(self):
        self.walk_to("approved_on")
        renovations.payment_record(
            actor=self.carol,
            renovation=self.renovation,
            paid_on=date(2026, 3, 1),
            amount_fen=2_000_000,
            account_number="6217 0012 3456 7890",
            account_holder="陈金水",
        )
        payment = Payment.objects.get()
        self.assertEqual(payment.account_number, "6217001234567890")
        entry = AuditEntry.objects.filter(object_type="households.payment").get()
        self.assertEqual(entry.changes["after"]["account"], "************7890")

    def test_a_township_clerk_does_not_approve_for_the_county(self):
        self.walk_to("township_reviewed_on")
        with self.assertRaisesMessage(ValidationError, "县级审批由区县办理"):
            renovations.renovation_step(
                actor=self.alice,
                renovation=self.renovation,
                step="approved_on",
                on=date(2026, 2, 1),
            )

    def test_the_page_records_a_step_and_refuses_in_chinese(self):
        self.login(self.alice)
        url = reverse("households:renovation_step", args=[self.renovation.pk])
        self.client.post(url, {"step": "applied_on", "on": "2026-01-05"})
        response = self.client.post(url, {"step": "started_on", "on": "2026-01-06"}, follow=True)
        self.assertContains(response, "之前不能「开工」")
        self.assertEqual(Renovation.objects.get().applied_on, date(2026, 1, 5))
        self.login(self.bob)
        self.assertEqual(
            self.client.post(url, {"step": "village_reviewed_on", "on": "2026-01-06"}).status_code,
            404,
        )
