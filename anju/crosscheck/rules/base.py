"""What every cross-check rule is built from: the parameters (settings.ANJU_CROSSCHECK
overrides the defaults), the helpers that word the evidence, Hit (what a rule found), Context
(one run's region, lists and day, and where its SQL runs), the shared SQL snippets and sealed
columns, and the `@rule` registry RULES."""

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from opencc import OpenCC

from anju.crosscheck.choices import Kind, Rule
from anju.crypto import unseal_checked
from anju.households.choices import Category, Method
from anju.parameters import DEFAULTS, parameters  # noqa: F401  (the rules' parameters)
from anju.regions.models import Region, subtree_bounds
from anju.tabular.text import squeeze

# Registry categories backed by a department's list: when such a list is in use, the list (not
# the clerk's entry) decides whether the household was in the category.
LIST_OF_CATEGORY = {
    Category.REGISTERED_POOR: Kind.POVERTY,
    Category.SUBSISTENCE: Kind.SUBSISTENCE,
    Category.EXTREME_POOR: Kind.EXTREME_POOR,
    Category.POOR_DISABLED: Kind.DISABLED,
    Category.VETERAN: Kind.VETERANS,
}
REBUILDS = (Method.REBUILD, Method.NEW)  # a grade C house is repaired, not rebuilt
NEW_HOUSE_METHODS = (Method.REBUILD, Method.NEW, Method.REPLACEMENT, Method.RELOCATION)

_T2S = OpenCC("t2s")


def same_name(a: str, b: str) -> bool:
    """Names equal once spaces (also U+3000) are dropped, full-width forms folded and
    traditional characters read as simplified."""
    a, b = squeeze(a), squeeze(b)
    return a == b or _T2S.convert(a) == _T2S.convert(b)


def day(d: date | str | None) -> str:
    if d is None:
        return "（未填）"
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def yuan(fen: int | None) -> str:
    fen = int(fen or 0)
    whole, cents = divmod(abs(fen), 100)
    text = f"{whole:,}" + (f".{cents:02d}" if cents else "")
    return ("-" if fen < 0 else "") + text + "元"


def who(relation: str | None, name: str) -> str:
    return f"{'户主' if (relation or '户主') == '户主' else (relation or '家庭成员')}{name}"


@dataclass
class Hit:
    """What a rule found: the key (with the rule, the finding's fingerprint), where, who."""

    key: str
    region_code: str
    household_id: int | None
    id_number: str
    name: str
    evidence: str
    renovation_year: int | None = None
    amount_fen: int = 0


@dataclass
class Context:
    region: Region
    lists: dict[str, list[int]]  # kind -> ReferenceList ids in use
    today: date
    params: dict = field(default_factory=parameters)
    received: dict[int, date] = field(default_factory=dict)  # list id -> received on
    # Where the SQL runs: Django's database by default; `make bench` also hands the very same
    # rules to DuckDB over Parquet copies of the tables ("duckdb", with its own `execute`).
    dialect: str = ""
    execute: Callable[[str, list], list[tuple]] | None = None
    # The run's own tables (`table`): name -> table in the database, dropped by `close`.
    scratch: dict[str, str] = field(default_factory=dict, repr=False)
    _making: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self):
        self.dialect = self.dialect or connection.vendor

    @property
    def fence(self) -> str:
        """Closes a subquery (`SELECT * FROM (... {fence}) t`) so that the database computes
        it once per row rather than folding it into the outer query, where a column that is a
        correlated subquery is computed again at each mention in the outer WHERE."""
        return "LIMIT -1 OFFSET 0" if self.dialect == "sqlite" else "OFFSET 0"

    def table(self, name: str, sql: str, params: list, index: tuple[str, ...] = ()) -> str:
        """A table holding the rows of `sql`, made the first time a rule asks for `name` and
        read by every later rule of the run, on any of its connections (a real table, not a
        temporary one: those are private to the connection that made them). Rules that share
        an expensive derived table (what was paid for each renovation) compute it once."""
        with self._making:  # the other connection waits for the table rather than racing it
            if name not in self.scratch:
                table = f"{SCRATCH}{name}_{uuid.uuid4().hex[:12]}"
                unlogged = "UNLOGGED " if self.dialect == "postgresql" else ""
                self.run(f"CREATE {unlogged}TABLE {table} AS {sql}", params)
                if self.dialect != "duckdb":  # DuckDB joins by hashing; it needs no index
                    for column in index:
                        self.run(f"CREATE INDEX {table}_{column} ON {table} ({column})", [])
                if self.dialect == "postgresql":  # the planner's row counts for the new table
                    self.run(f"ANALYZE {table}", [])
                self.scratch[name] = table
        return self.scratch[name]

    def run(self, sql: str, params: list) -> None:
        """Execute a statement that returns no rows."""
        if self.execute is not None:
            self.execute(sql, params)
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    def close(self) -> None:
        """Drop the run's own tables."""
        with self._making:
            for table in self.scratch.values():
                self.run(f"DROP TABLE IF EXISTS {table}", [])
            self.scratch.clear()

    def days(self, later: str, earlier: str) -> str:
        """SQL for the whole days from `earlier` to `later` (two date columns)."""
        if self.dialect == "sqlite":
            return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        if self.dialect == "duckdb":
            return f"date_diff('day', {earlier}, {later})"
        return f"({later} - {earlier})"

    @property
    def bounds(self) -> tuple[str, str]:
        return subtree_bounds(self.region.code)

    def ids(self, *kinds: str) -> list[int]:
        return [pk for kind in kinds for pk in self.lists.get(kind, [])]

    def query(
        self, sql: str, params: list, sealed: dict[int, tuple[str, str]] | None = None
    ) -> list[tuple]:
        """The rows of `sql`. `sealed` names the columns holding ciphertext, by position, each
        followed by its row's blind index (the pair comes back as the one clear value): rules
        join on blind indexes and open only the few rows they found."""
        if self.execute is not None:
            rows = self.execute(sql, params)
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        if not sealed:
            return rows
        opened = []
        for row in rows:
            row = list(row)
            for at in sorted(sealed, reverse=True):
                purpose, kind = sealed[at]
                row[at : at + 2] = [unseal_checked(row[at], purpose, row[at + 1], kind)]
            opened.append(tuple(row))
        return opened


def marks(values) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"


# Households on record only: one merged into another or withdrawn (anju.households.merges) is
# not checked (its records moved to the household kept, or it had none).
SCOPE = "h.state = 'active' AND h.region_id BETWEEN %s AND %s"
# The prefix of a run's own tables (`Context.table`); one left by a run that was killed is
# dropped by the next run (`anju.crosscheck.runs`).
SCRATCH = "anju_scratch_"
# The sealed columns the rules read back (anju.sealed: table.column, bound to the row's digest).
HEAD_ID = ("households_household.head_id", "id")
TASK_ID = ("assessments_assessmenttask.id_number", "id")
PERSON_ID = ("households_person.id_number", "id")
REFERENCE_ID = ("crosscheck_referencerecord.id_number", "id")
HOUSEHOLD_ACCOUNT = ("households_household.account_number", "account")
PAYMENT_ACCOUNT = ("households_payment.account_number", "account")
# `+r.reference_id IN (...)` in the rules' SQL: the unary plus keeps SQLite from walking a whole
# list by its list key; it looks each person of the archive up in the list's ID index instead (a
# list may be ten times the archive). PostgreSQL and DuckDB read it as the plain column.
RULES: dict[str, Callable[[Context], Iterator[Hit]]] = {}


def rule(code: Rule):
    def register(fn):
        RULES[code.value] = fn
        return fn

    return register
