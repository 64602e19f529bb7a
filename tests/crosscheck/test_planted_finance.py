"""Issue 31's case, generated: 3,000 households whose payments are known only from the finance
bureau's one-card list, with the usual noise (tests/crosscheck/planted_finance.py). Every rule
finds exactly what was planted (recall and precision 1.0 per rule, the rules not planted
included), and a household's findings on one renovation year are one case."""

from collections import Counter, defaultdict

import time_machine

from anju.crosscheck.choices import Rule
from anju.crosscheck.models import Finding
from anju.crosscheck.runs import execute, start_run
from anju.regions.models import Region
from tests.base import AnjuTestCase
from tests.crosscheck.planted_finance import PLANTED, FinanceCase


def scores(found: set, planted: set) -> dict[str, tuple[float, float]]:
    """Recall and precision per rule."""
    out = {}
    for code in Rule.values:
        f = {x for x in found if x[0] == code}
        p = {x for x in planted if x[0] == code}
        hit = f & p
        out[code] = (len(hit) / len(p) if p else 1.0, len(hit) / len(f) if f else 1.0)
    return out


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class FinanceListCaseTests(AnjuTestCase):
    def test_every_rule_finds_what_was_planted_and_nothing_else(self):
        case = FinanceCase(households=3000, per_rule=20).build()
        case.load(visitor=self.alice)
        run = execute(start_run(actor="test", region=Region.objects.get(code="350881000000")))
        found = set(Finding.objects.filter(last_run=run).values_list("rule", "id_number"))
        self.assertEqual({rule for rule, _ in case.expected}, {r.value for r in PLANTED})
        result = scores(found, case.expected)
        wrong = {code: rp for code, rp in result.items() if rp != (1.0, 1.0)}
        self.assertEqual(
            wrong,
            {},
            f"missed: {sorted(case.expected - found)[:10]} "
            f"not planted: {sorted(found - case.expected)[:10]}",
        )
        # No PAYMENT_LATE where the list shows timely payment; no visits owed for rebuilt houses.
        counts = Counter(rule for rule, _ in found)
        self.assertEqual(counts[Rule.PAYMENT_LATE], 20)
        self.assertEqual(counts[Rule.VISIT_OVERDUE], 20)
        # The same fact twice (entered as 建档立卡, unknown to the poverty office) is one case.
        cases = defaultdict(set)
        for household, year, code in Finding.objects.filter(last_run=run).values_list(
            "household_id", "renovation_year", "rule"
        ):
            cases[household, year].add(code)
        both = [codes for codes in cases.values() if {"INELIGIBLE", "RECORD_MISMATCH"} <= codes]
        self.assertEqual(len(both), 10)
