"""The cross-check's growth with the data (issue 34): the same synthetic county at two sizes,
every rule timed at each; a rule whose time grows clearly faster than the data is reported.

The province bench (`BENCH_SIZE=province make bench`) takes most of an hour and is not run after
every change; this takes seconds and catches the cost becoming superlinear (a join that lost its
index, a correlated subquery walking a whole table per row, Python work per pair of rows).

The data is written straight into the tables (`insert_rows`, sealed as the imports seal it):
households, their head, house, assessment and 2019 renovation; payments half in the archive and
half in the finance bureau's list; a death register twice the archive (a few of the archive's
people on it), the poverty list, visits and plates."""

import os
import time
from datetime import date, timedelta
from pathlib import Path

from django.db import connection
from django.utils import timezone

from anju.crosscheck.models import ReferenceList, ReferenceRecord
from anju.crosscheck.references import current_lists
from anju.crosscheck.rules import RULES, Context
from anju.households.demo import resident_id
from anju.households.models import (
    Assessment,
    FollowUpVisit,
    House,
    Household,
    Payment,
    Person,
    Renovation,
)
from anju.regions.models import Region
from anju.sealed import Sealer
from anju.tabular.inserts import analyze, insert_rows

COUNTY = "350881000000"
VILLAGE = "350881100203"
FIRST = 1_000_000  # keys of the generated rows, clear of anything else in the database
# A rule "grows superlinearly" when its time grows more than MARGIN times faster than the data
# (x4 data: more than x8 time); a time under FLOOR at the smaller size counts as FLOOR. Below it,
# timer noise and fixed costs decide the ratio: in CI, beside another worker's tests, a rule
# timed at 19 ms on 4,000 households and 154 ms on 16,000 read as 8.1x, though on a quiet machine
# the same rule takes 27, 123 and 326 ms at 4,000, 16,000 and 64,000 (linear).
MARGIN = 2.0
FLOOR = 0.05


def lists(actor: str = "growth") -> dict[str, ReferenceList]:
    made = {}
    for kind in ("deaths", "poverty", "payments"):
        made[kind] = ReferenceList.objects.create(
            kind=kind,
            department="测试",
            region_id=COUNTY,
            as_of=date(2026, 10, 1),
            file_name=f"{kind}.csv",
            sha256="0" * 64,
            actor_name=actor,
            received_on=date(2026, 10, 1),
        )
    return made


def grow(start: int, stop: int, made: dict[str, ReferenceList], visitor) -> None:
    """Households `start` to `stop` (exclusive) and their share of every list."""
    heads, accounts = Sealer(Household, "head_id"), Sealer(Household, "account_number")
    people = Sealer(Person, "id_number")
    paid_into = Sealer(Payment, "account_number")
    listed = Sealer(ReferenceRecord, "id_number")
    list_accounts = Sealer(ReferenceRecord, "account_number")
    numbers = {n: resident_id(COUNTY, 100 + n) for n in range(start, stop)}
    approved = {n: date(2019, 3, 1) + timedelta(days=n % 90) for n in numbers}
    accepted = {n: a + timedelta(days=200) for n, a in approved.items()}
    insert_rows(
        Household,
        ["id", "region_id", "head_name", *heads.columns, "size", *accounts.columns],
        (
            (
                FIRST + n,
                VILLAGE,
                f"户主{n % 997}",
                *heads(numbers[n]),
                3,
                *accounts(f"6217{n:012d}"),
            )
            for n in numbers
        ),
    )
    insert_rows(
        Person,
        ["id", "household_id", "name", *people.columns, "relation"],
        ((FIRST + n, FIRST + n, f"户主{n % 997}", *people(numbers[n]), "户主") for n in numbers),
    )
    insert_rows(
        House,
        ["id", "household_id", "structure"],
        (
            (FIRST + n, FIRST + n, "earth_timber" if n % 3 == 0 else "brick_concrete")
            for n in numbers
        ),
    )
    insert_rows(
        Assessment,
        ["house_id", "grade", "assessed_on"],
        ((FIRST + n, "D", approved[n] - timedelta(days=20)) for n in numbers),
    )
    insert_rows(
        Renovation,
        [
            *("id", "household_id", "year", "method", "approved_on", "completed_on"),
            *("accepted_on", "built_area", "has_toilet", "subsidy_fen"),
        ],
        (
            (
                FIRST + n,
                FIRST + n,
                2019,
                "repair" if n % 6 == 0 else "rebuild",
                approved[n],
                accepted[n] - timedelta(days=10),
                accepted[n],
                60,
                True,
                4_000_000,
            )
            for n in numbers
        ),
    )
    insert_rows(
        Payment,
        ["renovation_id", "paid_on", "amount_fen", *paid_into.columns, "account_holder"],
        (
            (
                FIRST + n,
                accepted[n] + timedelta(days=10),
                4_000_000,
                *paid_into(f"6217{n:012d}"),
                f"户主{n % 997}",
            )
            for n in numbers
            if n % 2 == 0
        ),
    )
    records = []
    for n in numbers:
        if n % 2:  # paid through the finance bureau's one-card list
            records.append(
                (
                    made["payments"].pk,
                    n,
                    f"户主{n % 997}",
                    *listed(numbers[n]),
                    accepted[n] + timedelta(days=12),
                    *list_accounts(f"6217{n:012d}"),
                    f"户主{n % 997}",
                    4_000_000,
                )
            )
    insert_rows(
        ReferenceRecord,
        [
            *("reference_id", "row", "name", *listed.columns, "start"),
            *(*list_accounts.columns, "account_holder", "amount_fen"),
        ],
        records,
    )
    insert_rows(
        ReferenceRecord,
        ["reference_id", "row", "name", *listed.columns, "start"],
        (
            (made["poverty"].pk, n, f"户主{n % 997}", *listed(numbers[n]), date(2016, 1, 1))
            for n in numbers
        ),
    )
    # The death register: twice the archive, people outside it, and one in a hundred of its own
    # (most of them long after the money was paid).
    insert_rows(
        ReferenceRecord,
        ["reference_id", "row", "name", *listed.columns, "start"],
        (
            (
                made["deaths"].pk,
                n,
                "逝者",
                *listed(numbers[n // 2] if n % 200 == 0 else resident_id(COUNTY, 5_000_000 + n)),
                date(2025, 1, 1) if n % 400 else date(2019, 5, 1),
            )
            for n in range(2 * start, 2 * stop)
        ),
    )
    FollowUpVisit.objects.bulk_create(
        [
            FollowUpVisit(
                household_id=FIRST + n, visitor=visitor, visited_on=date(2026, 10, 1), findings=[]
            )
            for n in numbers
            if n % 5
        ],
        batch_size=5000,
    )
    # As the demo does after writing visits in bulk (insert_rows analyzes its own tables):
    # PostgreSQL's planner otherwise takes the visits for an empty table.
    analyze(FollowUpVisit)


def _backend_cpu() -> float:
    """CPU seconds this connection's PostgreSQL backend has used (the server runs on this
    machine in the test setup: /proc/<pid>/stat), 0.0 on SQLite, whose work is in-process."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server elsewhere: no CPU figure for it (its share counts as nothing)
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu() -> float:
    return time.process_time() + _backend_cpu()


def timed_run(rules: list[str] | None = None, repeat: int = 3) -> dict[str, float]:
    """Each rule's CPU seconds over the county (the least of `repeat` runs; this process's, which
    on SQLite holds the database's work, plus the PostgreSQL backend's), and "全部" their sum.

    CPU time, not the clock: in CI another worker's tests run beside this one, and a quick rule
    timed by the clock at the smaller size in a quiet moment and at the larger size in a busy
    one read as 14x for 4x the data (PAYMENT_LATE 0.09 s then 1.31 s at a load of 6.5)."""
    county = Region.objects.get(code=COUNTY)
    in_use = list(current_lists(county))
    by_kind: dict[str, list[int]] = {}
    for reference in in_use:
        by_kind.setdefault(reference.kind, []).append(reference.pk)
    best: dict[str, float] = {}
    for code in rules or list(RULES):
        for _ in range(repeat):
            # A fresh context each time: a rule's time includes the run's tables it needs
            # (`Context.table`), made on its first use, whichever rule asks first in a run.
            ctx = Context(
                region=county,
                lists=by_kind,
                today=timezone.localdate(),
                received={r.pk: r.received_on for r in in_use},
            )
            began = _cpu()
            for _hit in RULES[code](ctx):
                pass
            seconds = _cpu() - began
            ctx.close()
            best[code] = min(best.get(code, seconds), seconds)
    best["全部"] = sum(best.values())
    return best


def superlinear(small: dict, large: dict, factor: float) -> dict[str, float]:
    """The rules (and "全部", the whole run) whose time grew more than MARGIN times faster than
    the data between the two sizes (`factor`: how many times the data grew), with their
    ratio."""
    # A rule too quick at the smaller size to time is taken as FLOOR there.
    base = {code: max(small.get(code, 0), FLOOR) for code in large}
    return {
        code: round(large[code] / base[code], 1)
        for code in large
        if large[code] > MARGIN * factor * base[code]
    }
