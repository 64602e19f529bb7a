from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from anju.audit.models import AuditEntry
from anju.oversight import services
from anju.oversight.models import Clue, ClueEvent
from tests.base import AnjuTestCase, make_user
from tests.oversight.helpers import register

SH = ZoneInfo("Asia/Shanghai")


def evidence(actor, clue):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 140, 60)).save(out, "PNG")
    services.attachment_add(
        actor=actor, clue=clue, name="整改照片.png", data=out.getvalue(), is_evidence=True
    )


class TransitionTests(AnjuTestCase):
    def setUp(self):
        self.clue, _ = register(self.carol)

    def fresh(self) -> Clue:
        return Clue.objects.get(pk=self.clue.pk)

    def walk_to_rectifying(self, actor=None):
        actor = actor or self.carol
        c = self.fresh()
        services.clue_assign(actor=actor, clue=c, version=c.version, handling_unit="新桥镇")
        services.clue_start_verification(actor=actor, clue=c, version=c.version)
        services.clue_dispose(actor=actor, clue=c, version=c.version, disposal="preliminary")
        services.clue_start_rectification(actor=actor, clue=c, version=c.version)
        return c

    def walk_to_pending_close(self, actor=None):
        actor = actor or self.carol
        c = self.walk_to_rectifying(actor)
        evidence(actor, c)
        services.clue_request_close(
            actor=actor,
            clue=c,
            version=c.version,
            rectification="已整改",
            recovered=Decimal(0),
            accountable=0,
        )
        return c

    def test_registration_numbers_audits_and_starts_the_clock(self):
        c = self.fresh()
        self.assertEqual(c.number, "350881-2026-00001")
        self.assertEqual(c.status, "registered")
        self.assertIsNotNone(c.due_on)
        self.assertTrue(AuditEntry.objects.filter(action="create", object_id=str(c.pk)).exists())

    def test_each_step_in_order_leaves_a_row(self):
        c = self.walk_to_rectifying()
        evidence(self.carol, c)
        services.clue_request_close(
            actor=self.carol,
            clue=c,
            version=c.version,
            rectification="已追回并发放到户",
            recovered=Decimal("2"),
            accountable=1,
        )
        services.clue_approve_close(actor=self.rita, clue=c, version=c.version)
        c = self.fresh()
        self.assertEqual(c.status, "closed")
        self.assertEqual(c.closed_by, self.rita)
        steps = list(
            ClueEvent.objects.filter(clue=c)
            .exclude(to_status="")
            .values_list("from_status", "to_status")
        )
        self.assertEqual(
            steps,
            [
                ("", "registered"),
                ("registered", "assigned"),
                ("assigned", "verifying"),
                ("verifying", "disposing"),
                ("disposing", "rectifying"),
                ("rectifying", "pending_close"),
                ("pending_close", "closed"),
            ],
        )

    def test_a_step_out_of_order_is_refused_in_chinese(self):
        c = self.fresh()
        with self.assertRaisesMessage(ValidationError, "不能转为「核查」"):
            services.clue_start_verification(actor=self.carol, clue=c, version=c.version)
        with self.assertRaisesMessage(ValidationError, "分办须指定承办单位"):
            services.clue_assign(actor=self.carol, clue=c, version=c.version, handling_unit=" ")

    def test_close_out_needs_rectification_and_evidence(self):
        c = self.walk_to_rectifying()
        with self.assertRaisesMessage(ValidationError, "整改情况"):
            services.clue_request_close(
                actor=self.carol,
                clue=c,
                version=c.version,
                rectification="",
                recovered=Decimal(0),
                accountable=0,
            )
        with self.assertRaisesMessage(ValidationError, "佐证材料"):
            services.clue_request_close(
                actor=self.carol,
                clue=c,
                version=c.version,
                rectification="已整改",
                recovered=Decimal(0),
                accountable=0,
            )

    def test_the_clerk_who_did_the_work_cannot_approve(self):
        reviewer = make_user("rev2", "county_reviewer", "350881000000")
        c = self.walk_to_pending_close(reviewer)
        with self.assertRaisesMessage(ValidationError, "经办人不能审批"):
            services.clue_approve_close(actor=reviewer, clue=c, version=c.version)
        with self.assertRaises(PermissionDenied):
            services.clue_approve_close(actor=self.carol, clue=c, version=c.version)
        services.clue_approve_close(actor=self.rita, clue=c, version=c.version)

    def test_a_rejected_close_goes_back_to_rectification(self):
        c = self.walk_to_pending_close()
        services.clue_reject_close(actor=self.rita, clue=c, version=c.version, reason="佐证不足")
        self.assertEqual(self.fresh().status, "rectifying")

    def test_reopening_keeps_the_history(self):
        c = self.walk_to_pending_close()
        services.clue_approve_close(actor=self.rita, clue=c, version=c.version)
        services.clue_reopen(actor=self.carol, clue=c, version=c.version, reason="回访发现返危")
        c = self.fresh()
        self.assertEqual((c.status, c.closed_on), ("verifying", None))
        self.assertTrue(ClueEvent.objects.filter(clue=c, to_status="closed").exists())
        self.assertTrue(ClueEvent.objects.filter(clue=c, note__contains="回头看").exists())

    def test_a_township_clerk_registers_but_cannot_handle(self):
        clue, _ = register(self.alice, summary="东洋村另一问题：验收走过场", names=("李四",))
        with self.assertRaises(PermissionDenied):
            services.clue_assign(
                actor=self.alice, clue=clue, version=clue.version, handling_unit="x"
            )

    def test_the_summary_is_limited_to_300_characters(self):
        with self.assertRaisesMessage(ValidationError, "限 300 字"):
            register(self.carol, summary="长" * 301)

    def test_one_to_three_persons(self):
        with self.assertRaisesMessage(ValidationError, "1—3 人"):
            register(self.carol, names=("甲", "乙", "丙", "丁"), summary="另一个问题")


class LostUpdateTests(AnjuTestCase):
    def test_the_second_save_is_refused_and_nothing_is_overwritten(self):
        clue, _ = register(self.carol)
        first = Clue.objects.get(pk=clue.pk)
        second = Clue.objects.get(pk=clue.pk)
        services.clue_update(
            actor=self.carol,
            clue=first,
            version=first.version,
            summary="第一人修改的摘要",
            funds=Decimal("3"),
            category="funds",
            place="新桥镇",
        )
        with self.assertRaisesMessage(ValidationError, "已被他人修改"):
            services.clue_update(
                actor=self.rita,
                clue=second,
                version=second.version,
                summary="第二人修改的摘要",
                funds=Decimal("9"),
                category="style",
                place="新桥镇",
            )
        stored = Clue.objects.get(pk=clue.pk)
        self.assertEqual((stored.summary, stored.funds), ("第一人修改的摘要", Decimal("3.00")))

    def test_a_stale_state_change_is_refused_too(self):
        clue, _ = register(self.carol)
        stale = Clue.objects.get(pk=clue.pk)
        services.clue_assign(
            actor=self.carol, clue=clue, version=clue.version, handling_unit="新桥镇"
        )
        with self.assertRaises(ValidationError):
            services.clue_assign(
                actor=self.rita, clue=stale, version=stale.version, handling_unit="别的单位"
            )
        self.assertEqual(Clue.objects.get(pk=clue.pk).handling_unit, "新桥镇")


class DeadlineTests(AnjuTestCase):
    def test_preliminary_verification_counts_working_days_across_national_day(self):
        from anju.oversight.deadlines import add_days, due_for, is_workday

        # 2026: 10-1..10-7 National Day holiday; Saturday 10-10 a make-up working day.
        self.assertFalse(is_workday(date(2026, 10, 5)))
        self.assertTrue(is_workday(date(2026, 10, 10)))
        self.assertEqual(add_days(date(2026, 9, 30), 1, "working"), date(2026, 10, 8))
        # From 9-30: 10-8, 10-9, 10-10 (make-up), 10-12 ... the 15th working day is 10-27.
        self.assertEqual(due_for("verifying", date(2026, 9, 30)), date(2026, 10, 27))
        self.assertEqual(due_for("disposing", date(2026, 9, 30)), date(2026, 10, 30))

    def test_overdue_and_at_risk_with_a_frozen_clock(self):
        from anju.oversight.queries import urgency_counts

        with time_machine.travel(datetime(2026, 10, 9, 9, tzinfo=SH)):
            clue, _ = register(self.carol, received_on=date(2026, 10, 9))
        due = Clue.objects.get(pk=clue.pk).due_on  # 5 working days from Friday 10-9,
        self.assertEqual(due, date(2026, 10, 15))  # Saturday 10-10 a make-up working day
        visible = Clue.objects.all()
        self.assertEqual(urgency_counts(visible, date(2026, 10, 11))["at_risk"], 0)
        self.assertEqual(urgency_counts(visible, date(2026, 10, 12))["at_risk"], 1)
        self.assertEqual(urgency_counts(visible, date(2026, 10, 15))["overdue"], 0)
        self.assertEqual(urgency_counts(visible, date(2026, 10, 16))["overdue"], 1)

    def test_overdue_clues_show_on_the_owners_list(self):
        with time_machine.travel(datetime(2026, 10, 9, 9, tzinfo=SH)):
            register(self.carol, received_on=date(2026, 10, 9))
        with time_machine.travel(datetime(2026, 10, 20, 9, tzinfo=SH)):
            self.login(self.carol)
            from django.urls import reverse

            response = self.client.get(reverse("oversight:clues") + "?urgency=overdue")
            self.assertContains(response, "超期")
            home = self.client.get(reverse("home"))
            self.assertContains(home, "350881-2026-00001")
            self.assertContains(home, "已逾期")
