"""Issue 34: the cross-check's cost grows with the data, not faster. Every rule at 4,000 and at
16,000 households (lists beside them); a rule whose time grows more than twice as fast as the data
fails the check, and the check does fail on a deliberately quadratic rule."""

from unittest import mock

import time_machine

from anju.crosscheck.rules import RULES, Context
from tests.base import AnjuTestCase
from tests.crosscheck.growth import grow, lists, superlinear, timed_run


def quadratic(ctx: Context):
    """Every person against every other: the cost of a join that lost its key."""
    ctx.query(
        """SELECT COUNT(*) FROM households_person a JOIN households_person b
           ON a.id < b.id AND a.name <> b.name""",
        [],
    )
    return iter(())


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class GrowthTests(AnjuTestCase):
    def test_no_rule_grows_faster_than_the_data(self):
        made = lists()
        grow(0, 4_000, made, self.alice)
        small = timed_run()
        grow(4_000, 16_000, made, self.alice)
        large = timed_run()
        self.assertEqual(superlinear(small, large, 4), {}, f"4,000: {small}\n16,000: {large}")

    def test_it_fails_on_a_quadratic_rule(self):
        made = lists()
        with mock.patch.dict(RULES, {"NO_TOILET": quadratic}):
            # Large enough that the quadratic rule's time at the smaller size is above FLOOR
            # (on SQLite 2,000 people pair up in about 90 ms, 8,000 in about 1.4 s).
            grow(0, 2_000, made, self.alice)
            small = timed_run(["NO_TOILET"], repeat=1)
            grow(2_000, 8_000, made, self.alice)
            large = timed_run(["NO_TOILET"], repeat=1)
        grown = superlinear(small, large, 4)
        self.assertIn("NO_TOILET", grown, f"2,000: {small}\n8,000: {large}")
        self.assertGreater(grown["NO_TOILET"], 8)
