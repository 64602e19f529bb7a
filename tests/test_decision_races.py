"""Two people deciding the same item at the same moment (issue #33 F5): exactly one decision
wins, the other is told "已由他人处理", and the record stays consistent (a rejected change is not
applied, a dismissed finding opens no clue, a closed observation opens no problem-list item).

Each person's thread loads the item as their page did, then both wait at a barrier and decide at
once: without the row lock both read "pending" and both "succeed". Run on PostgreSQL
(ANJU_DATABASE_URL=postgres://…) for real row locks; on SQLite the write lock serialises them."""

import threading
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connections
from django.test import TransactionTestCase

from anju.accounts.models import User
from anju.accounts.roles import Role
from anju.audit.models import AuditEntry
from anju.audit.verify import verify_chain
from anju.cadres import services as cadres
from anju.cadres.models import Observation
from anju.crosscheck import triage
from anju.crosscheck.models import Finding
from anju.households import changes
from anju.households.models import ChangeRequest, Household, Renovation
from anju.oversight.models import Clue, RectificationItem
from anju.oversight.services import PersonInput
from tests.base import make_cast, make_regions, make_user
from tests.crosscheck.helpers import archive, found
from tests.households.files import row

ROUNDS = 3


def race(*deciders) -> tuple[list, list[str]]:
    """Run each decider (a function of nothing) in its own thread, all released at once.
    Returns (results of the winners, messages of the refused)."""
    barrier = threading.Barrier(len(deciders))
    won, refused, errors = [], [], []

    def run(decide):
        try:
            prepared = decide()  # loads the item as the person's page did
            barrier.wait(timeout=30)
            won.append(prepared())
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(d,)) for d in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
    return won, refused


class RaceCase(TransactionTestCase):
    def setUp(self):
        make_regions()
        self.users = make_cast()

    def user(self, name: str) -> User:
        return User.objects.get(username=name)

    def assertOneWinner(self, won, refused):
        self.assertEqual(len(won), 1, (won, refused))
        self.assertEqual(len(refused), 1, refused)
        self.assertIn("已由他人处理", refused[0])
        self.assertTrue(verify_chain().ok)


class ChangeDecisionRaceTests(RaceCase):
    def test_approve_and_reject_at_once_one_wins_and_the_record_agrees(self):
        make_user("rev2", Role.COUNTY_REVIEWER, "350881000000")
        archive(row(1))
        household = Household.objects.get()
        for n in range(ROUNDS):
            request = changes.change_propose(
                actor=self.user("alice"),
                household=household,
                field="subsidy_fen",
                new_value=str(50_000 + n),
                reason="复核后调整",
                renovation=Renovation.objects.get(),
            )

            def approve(pk=request.pk):
                item = ChangeRequest.objects.get(pk=pk)
                actor = self.user("rita")
                return lambda: changes.change_decide(actor=actor, request=item, approve=True)

            def reject(pk=request.pk):
                item = ChangeRequest.objects.get(pk=pk)
                actor = self.user("rev2")
                return lambda: changes.change_decide(
                    actor=actor, request=item, approve=False, note="依据不足"
                )

            self.assertOneWinner(*race(approve, reject))
            request.refresh_from_db()
            subsidy = Renovation.objects.get().subsidy_fen
            if request.status == "approved":
                self.assertEqual(subsidy, (50_000 + n) * 100)
            else:
                self.assertEqual(request.status, "rejected")
                self.assertNotEqual(subsidy, (50_000 + n) * 100)
            decisions = AuditEntry.objects.filter(
                object_id=str(household.pk), changes__note="变更审核"
            )
            self.assertEqual(decisions.count(), n + 1)


class FindingTriageRaceTests(RaceCase):
    def test_confirm_and_dismiss_at_once_one_wins_and_the_record_agrees(self):
        archive(*[row(n, **{"有无卫生厕所": "无"}) for n in range(1, ROUNDS + 1)])
        for finding in found("NO_TOILET"):

            def confirm(pk=finding.pk):
                item = Finding.objects.get(pk=pk)
                actor = self.user("carol")
                person = PersonInput(name="农户", post="农户", level="other")
                return lambda: triage.confirm(
                    actor=actor, finding=item, persons=[person], confirm_new=True
                )

            def dismiss(pk=finding.pk):
                item = Finding.objects.get(pk=pk)
                actor = self.user("dora")
                return lambda: triage.dismiss(actor=actor, finding=item, reason="已补建")

            self.assertOneWinner(*race(confirm, dismiss))
            finding.refresh_from_db()
            if finding.status == "confirmed":
                self.assertIsNotNone(finding.clue_id)
            else:
                self.assertEqual(finding.status, "dismissed")
                self.assertIsNone(finding.clue_id)
        confirmed = Finding.objects.filter(status="confirmed").count()
        self.assertEqual(Clue.objects.count(), confirmed)


class ObservationRaceTests(RaceCase):
    def test_open_item_and_close_at_once_one_wins_and_the_record_agrees(self):
        cathy = make_user("cathy", Role.CADRE, "350881100000")
        archive(row(1))
        household = Household.objects.get()
        made = [
            cadres.observation_record(
                actor=cathy, household=household, kind="storm_damage", visited_on=date.today()
            )
            for _ in range(ROUNDS)
        ]
        make_user("alice2", Role.TOWNSHIP_CLERK, "350881100000")
        for observation in made:

            def open_item(pk=observation.pk):
                item = Observation.objects.get(pk=pk)
                actor = self.user("alice")
                return lambda: cadres.observation_open_item(
                    actor=actor, observation=item, owner="村建站", deadline=date(2030, 1, 1)
                )

            def close(pk=observation.pk):
                item = Observation.objects.get(pk=pk)
                actor = self.user("alice2")
                return lambda: cadres.observation_close(
                    actor=actor, observation=item, reason="已核实无隐患"
                )

            self.assertOneWinner(*race(open_item, close))
            observation.refresh_from_db()
            if observation.status == "item_opened":
                self.assertIsNotNone(observation.item_id)
            else:
                self.assertEqual(observation.status, "closed")
                self.assertIsNone(observation.item_id)
        opened = Observation.objects.filter(status="item_opened").count()
        self.assertEqual(RectificationItem.objects.count(), opened)
