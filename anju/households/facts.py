"""What the household list filters on, kept on the household's own row.

The list's filters on assessments, renovations, payments and categories would otherwise be an
EXISTS per household in scope, two index probes each: 200–800 ms for a city of 90,000
households (docs/households.md). Kept here instead, as columns of the household that the list's
index (region, name, key, facts…) holds, so a filtered count and a filtered page are one range
scan of that index and nothing else:

- `grades`: every grade the household's houses were ever assessed, letters in order ("BD");
  "" means never assessed;
- `has_unaccepted` / `has_accepted`: a renovation not yet accepted / one accepted;
- `longest_pay_wait`: the most days from acceptance to the first payment over its accepted,
  subsidised, paid renovations;
- `unpaid_accepted_on`: the earliest acceptance among its accepted, subsidised, unpaid ones;
- `category_codes`, `renovation_years`, `renovation_methods`: every category it was ever
  recognised in, every renovation year and method, as `listed()` codes (",a,b,").

`longest_pay_wait` and `unpaid_accepted_on` hold no deadline: "paid late" is
`longest_pay_wait > payment days` or `unpaid_accepted_on < today − payment days`
(`late_payment`), so neither a change of the payment days nor the passing of time leaves them
stale.

The services that change any of these call `facts_refresh([household_id])` in their own
transaction; the bulk paths call it once with what they touched (the archive import computes the
new households' facts from the file instead, `new_household_facts`). `facts_differences()`
compares the rows with a recount (tests, `anju manage households_facts --check`)."""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import cache

from django.db import connection
from django.db.models import Q

from anju.households.choices import Category, Method
from anju.households.models import (
    LIST_FACTS,
    Assessment,
    CategoryRecord,
    House,
    Household,
    Payment,
    Renovation,
)

FIELDS = LIST_FACTS
GRADES = ("A", "B", "C", "D")
# The choices' codes in their order, once (an enum's `.values` walks its members at each use).
CATEGORIES = tuple(Category.values)
METHODS = tuple(Method.values)


def listed(values: Iterable) -> str:
    """A set of codes as the facts keep it: ",a,b," in a fixed order, "" when empty, so that
    `listed_contains(v)` is one LIKE that cannot match part of another code."""
    values = [str(v) for v in values]
    return f",{','.join(values)}," if values else ""


def listed_contains(value) -> str:
    return f",{value},"


def _listed_sql(column: str, codes: Iterable[str]) -> str:
    """SQL for `listed()` of the rows' `column`, over a fixed list of codes (the choices), so
    both databases give the same order without an ordered aggregate."""
    parts = " || ".join(
        f"MAX(CASE WHEN {column} = '{code}' THEN '{code},' ELSE '' END)" for code in codes
    )
    return f"NULLIF(',' || {parts}, ',')"


def _years_sql(r: str) -> str:
    """SQL for `listed()` of the household's renovation years, in order."""
    rows = f"FROM {r} y WHERE y.household_id = h.id"  # the model's table name
    if connection.vendor == "postgresql":
        years = "string_agg(DISTINCT y.year::text, ',' ORDER BY y.year::text)"
        return f"(SELECT ',' || {years} || ',' {rows})"
    inner = f"SELECT DISTINCT y.year AS year {rows} ORDER BY y.year"
    return f"(SELECT ',' || group_concat(year, ',') || ',' FROM ({inner}))"  # noqa: S608


CHUNK = 900  # keys per statement (SQLite binds at most 999 parameters in older builds)


def late_payment(payment_days: int, today: date) -> Q:
    """Households with a renovation paid late or not at all: first paid more than the payment
    days after acceptance, or unpaid once those days have passed (the cross-check's
    PAYMENT_LATE, the overview's late-payment figure)."""
    return Q(longest_pay_wait__gt=payment_days) | Q(
        unpaid_accepted_on__lt=today - timedelta(days=payment_days)
    )


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS integer)"


def _recount_sql() -> str:
    """One SELECT list of the facts, correlated on `h` (the household's table)."""
    a, house = Assessment._meta.db_table, House._meta.db_table
    r, p = Renovation._meta.db_table, Payment._meta.db_table
    c = CategoryRecord._meta.db_table
    letters = " || ".join(f"MAX(CASE WHEN a.grade = '{g}' THEN '{g}' ELSE '' END)" for g in GRADES)
    owed = "r.household_id = h.id AND r.accepted_on IS NOT NULL AND r.subsidy_fen > 0"
    first = f"(SELECT MIN(p.paid_on) FROM {p} p WHERE p.renovation_id = r.id)"  # noqa: S608
    # Table names from the models, nothing from a user.
    return f"""
        COALESCE((SELECT {letters} FROM {a} a JOIN {house} o ON o.id = a.house_id
                  WHERE o.household_id = h.id), ''),
        EXISTS(SELECT 1 FROM {r} r WHERE r.household_id = h.id AND r.accepted_on IS NULL),
        EXISTS(SELECT 1 FROM {r} r WHERE r.household_id = h.id AND r.accepted_on IS NOT NULL),
        (SELECT MAX({_days_between(first, "r.accepted_on")}) FROM {r} r WHERE {owed}),
        (SELECT MIN(r.accepted_on) FROM {r} r WHERE {owed}
            AND NOT EXISTS(SELECT 1 FROM {p} p WHERE p.renovation_id = r.id)),
        COALESCE((SELECT {_listed_sql("c.category", CATEGORIES)} FROM {c} c
                  WHERE c.household_id = h.id), ''),
        COALESCE({_years_sql(r)}, ''),
        COALESCE((SELECT {_listed_sql("r.method", METHODS)} FROM {r} r
                  WHERE r.household_id = h.id), '')"""  # noqa: S608


def facts_refresh(household_ids: Iterable[int] | None = None) -> int:
    """Recount the facts of these households (all of them when None), set-based, in the
    caller's transaction. Returns the number of rows written."""
    table = Household._meta.db_table
    columns = ", ".join(FIELDS)
    # (UPDATE … AS alias: SQLite 3.33 or later, PostgreSQL.)
    update = f"UPDATE {table} AS h SET ({columns}) = (SELECT {_recount_sql()})"  # noqa: S608
    written = 0
    with connection.cursor() as cursor:
        if household_ids is None:
            cursor.execute(update)
            return cursor.rowcount
        keys = sorted(set(household_ids))
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{update} WHERE h.id IN ({marks})", chunk)
            written += cursor.rowcount
    return written


@cache
def _categories(codes: tuple[str, ...]) -> str:
    """`listed()` of a row's categories; a file holds a few distinct sets, said once each."""
    return listed(c for c in CATEGORIES if c in codes)


def new_household_facts(given: Sequence) -> tuple:
    """The facts of a household the archive import creates, from its rows of the file
    (`archive_file.Record`s), in the order of FIELDS; it has no payments yet."""
    if len(given) == 1 and given[0].year is not None:  # most: one row, without the loops below
        (r,) = given
        accepted = r.accepted_on is not None
        return (
            r.grade,
            not accepted,
            accepted,
            None,
            r.accepted_on if r.subsidy_fen > 0 else None,
            _categories(r.categories),
            f",{r.year},",
            f",{r.method}," if r.method in METHODS else "",
        )
    grades = "".join(g for g in GRADES if any(r.grade == g for r in given))
    categories = {c for r in given for c in r.categories}
    records = [r for r in given if r.year is not None]  # a row without a year: no renovation
    owed = [r.accepted_on for r in records if r.accepted_on is not None and r.subsidy_fen > 0]
    methods = {r.method for r in records}
    return (
        grades,
        any(r.accepted_on is None for r in records),
        any(r.accepted_on is not None for r in records),
        None,
        min(owed) if owed else None,
        listed(c for c in CATEGORIES if c in categories),
        listed(sorted({r.year for r in records})),
        listed(m for m in METHODS if m in methods),
    )


def facts_differences(limit: int = 20) -> list[tuple]:
    """Households whose kept facts differ from a recount: (id, kept, recounted), at most
    `limit` of them. Empty when everything agrees."""
    table = Household._meta.db_table
    with connection.cursor() as cursor:
        kept = ", ".join(f"h.{field}" for field in FIELDS)
        recount = f"SELECT h.id, {kept}, {_recount_sql()} FROM {table} h ORDER BY h.id"  # noqa: S608
        cursor.execute(recount)
        found = []
        width = len(FIELDS)
        for row in cursor:
            kept = _normal_row(row[1 : 1 + width])
            counted = _normal_row(row[1 + width :])
            if kept != counted:
                found.append((row[0], kept, counted))
                if len(found) >= limit:
                    break
    return found


YEARS_AT = FIELDS.index("renovation_years")


def _normal_row(values) -> tuple:
    """A row of facts as compared: the years in order (SQLite's group_concat before 3.44 takes
    no ORDER BY; the years are a set either way)."""
    values = [_normal(v) for v in values]
    if values[YEARS_AT]:
        values[YEARS_AT] = listed(sorted(values[YEARS_AT].strip(",").split(","), key=int))
    return tuple(values)


def _normal(value):
    """SQLite returns booleans as 0/1 and dates as text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
