# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""The money as it was paid, for every payment rule: the finance bureau's one-card list
(惠民惠农"一卡通") and the archive's own payments, each payment matched to the renovation it
belongs to, counted once.

A payment of the finance list names a person (any member of the household) and a day, not a
renovation: it belongs to the household's renovation whose approval came last on or before the
day it was paid (a payment before the first approval belongs to the first renovation): `fit`.

Where the finance list holds payments for a renovation, they are what was paid (the archive's
entries for it are the same payments as the clerk wrote them down; where they say otherwise,
that is `disagreements`' finding). Where it holds none, the archive's entries are.
"""

from anju.crosscheck.choices import Kind
from anju.crosscheck.rules.base import SCOPE, Context, marks

# How many approved renovations the household `h` has (more than one: the evidence says which
# one a payment of the finance list was counted for). Only in the outer query of a rule, so
# it is computed for the rows found, not for every payment.
RENOVATIONS_OF_HOUSEHOLD = """(SELECT COUNT(*) FROM households_renovation x
    WHERE x.household_id = h.id AND x.approved_on IS NOT NULL)"""


def fit(household: str, day: str) -> str:
    """SQL: the year of the approved renovation of `household` a payment made on `day` belongs
    to: the last approved on or before it, else the first (a payment before any approval). An
    aggregate over the household's few renovations, from the (household, year) index."""
    return f"""COALESCE(
        (SELECT MAX(x.year) FROM households_renovation x
         WHERE x.household_id = {household} AND x.approved_on <= {day}),
        (SELECT MIN(x.year) FROM households_renovation x
         WHERE x.household_id = {household} AND x.approved_on IS NOT NULL))"""


def finance_lists(ctx: Context) -> list[int]:
    return ctx.ids(Kind.PAYMENTS)


RENOVATION = (
    "v.id AS vid, v.household_id AS hid, v.year, v.approved_on, v.accepted_on, v.subsidy_fen"
)


def finance_paid(ctx: Context) -> str:
    """The run's table of the finance list's payments to the people in scope, each with the
    renovation it fits (`fit`): id (the list row), vid, hid, year, start (the day paid),
    amount_fen, account_number (sealed), account_number_digest, account_holder.

    Made once per run (`Context.table`) and read by every payment rule: fitting each payment to
    its renovation is the costly part (an aggregate per payment), and the four payment rules
    asked for it five times over. Only where finance lists are in use (`finance_lists`)."""
    lists = finance_lists(ctx)
    sql = f"""SELECT f.id, v.id AS vid, v.household_id AS hid, v.year, f.start, f.amount_fen,
                  f.account_number, f.account_number_digest, f.account_holder
            FROM (SELECT r.id, h.id AS hid, {fit("h.id", "r.start")} AS year, r.start,
                         r.amount_fen, r.account_number, r.account_number_digest,
                         r.account_holder
                  FROM households_household h
                  JOIN households_person p ON p.household_id = h.id
                  JOIN crosscheck_referencerecord r ON r.id_number_digest = p.id_number_digest
                  WHERE {SCOPE} AND +r.reference_id IN ({marks(lists)})
                    AND r.amount_fen IS NOT NULL AND r.start IS NOT NULL) f
            JOIN households_renovation v ON v.household_id = f.hid AND v.year = f.year"""
    return ctx.table("finance_paid", sql, [*ctx.bounds, *lists], index=("vid", "hid"))


def _finance(ctx: Context) -> str:
    """The finance list's payments to the people in scope, with the renovation each fits."""
    return f"""SELECT {RENOVATION}, f.start AS paid_on, f.amount_fen, f.account_number,
                  f.account_number_digest, f.account_holder, 'finance' AS source
            FROM {finance_paid(ctx)} f JOIN households_renovation v ON v.id = f.vid"""


def of_renovation(ctx: Context, select: str, also: str = "") -> str:
    """SQL: a subquery selecting `select` from the finance list's payments that belong to
    renovation `v` (`r`: finance_paid's columns, and `also` further conditions on them)."""
    return f"(SELECT {select} FROM {finance_paid(ctx)} r WHERE r.vid = v.id {also})"


def held_by_finance(ctx: Context) -> str:
    """SQL: the finance list holds a payment of renovation `v`."""
    return f"EXISTS {of_renovation(ctx, '1')}"


def archive_payments(ctx: Context) -> str:
    """FROM and WHERE (parameters: the bounds) of the archive's payments of approved
    renovations in scope (`v`, `h`, `pay`)."""
    return f"""FROM households_renovation v
            JOIN households_household h ON h.id = v.household_id
            JOIN households_payment pay ON pay.renovation_id = v.id
            WHERE {SCOPE} AND v.approved_on IS NOT NULL"""


def payments(ctx: Context) -> tuple[str, list]:
    """A derived table (and its parameters) of what was paid for each approved renovation in
    scope: vid, hid, year, approved_on, accepted_on, subsidy_fen, paid_on, amount_fen,
    account_number (sealed), account_number_digest, account_holder, source ('finance' or
    'archive')."""
    archive = f"""SELECT {RENOVATION}, pay.paid_on, pay.amount_fen, pay.account_number,
                      pay.account_number_digest, pay.account_holder, 'archive' AS source
                {archive_payments(ctx)}"""
    if not finance_lists(ctx):
        return f"({archive})", [*ctx.bounds]
    return (
        f"({_finance(ctx)} UNION ALL {archive} AND NOT {held_by_finance(ctx)})",
        [*ctx.bounds],
    )


def paid_totals(ctx: Context) -> str:
    """The run's table of what was paid for each approved renovation in scope that was paid at
    all (`payments`): vid, first_paid, total, times (how many payments), source. Made once
    per run and read by PAYMENT_AMOUNT and PAYMENT_LATE."""
    paid, params = payments(ctx)
    sql = f"""SELECT vid, MIN(paid_on) AS first_paid, SUM(amount_fen) AS total,
                     COUNT(*) AS times, MIN(source) AS source
              FROM {paid} pay GROUP BY vid"""
    return ctx.table("paid_totals", sql, params, index=("vid",))


def source_name(source: str) -> str:
    return "财政一卡通发放记录" if source == "finance" else "档案记载"


def fitted(year: int, renovations: int) -> str:
    """Evidence words for a household with more than one renovation: which one a payment of the
    finance list was counted for."""
    return f"（按发放日期归入{year}年度改造）" if renovations > 1 else ""


def disagreements(ctx: Context) -> tuple[str, list] | None:
    """A derived table of the renovations both sources pay: the archive's total and first day
    beside the finance list's (vid, hid, year, a_total, a_first, f_total, f_first), or None
    without a finance list. Driven from the archive's payments: the finance list is looked up
    for the renovations the archive pays only (none, where it records no payments)."""
    if not finance_lists(ctx):
        return None
    total = of_renovation(ctx, "SUM(r.amount_fen)")
    first = of_renovation(ctx, "MIN(r.start)")
    # A fence (no flattening): each lookup runs once per renovation, not once per mention.
    fence = ctx.fence
    sql = f"""(SELECT * FROM (
                SELECT a.vid, a.hid, a.year, a.total AS a_total, a.first AS a_first,
                       {total} AS f_total, {first} AS f_first
                FROM (SELECT v.id AS vid, v.household_id AS hid, v.year,
                             SUM(pay.amount_fen) AS total, MIN(pay.paid_on) AS first
                      {archive_payments(ctx)}
                      GROUP BY v.id, v.household_id, v.year) a
                JOIN households_renovation v ON v.id = a.vid {fence}) t
            WHERE t.f_total IS NOT NULL)"""
    return sql, [*ctx.bounds]


def paid_since(ctx: Context, since: str) -> tuple[str, list]:
    """SELECT-list SQL (and its parameters) for renovation `v`: whether the finance list holds
    any payment of it, the first day and total it paid on or after `since`, and the same from
    the archive; `as_paid` reads them. Correlated subqueries: for the few rows of a query
    already narrowed (the renovations of the dead), not for every renovation."""
    archive = f"""(SELECT MIN(pay.paid_on) FROM households_payment pay
                   WHERE pay.renovation_id = v.id AND pay.paid_on >= {since}),
                  (SELECT SUM(pay.amount_fen) FROM households_payment pay
                   WHERE pay.renovation_id = v.id AND pay.paid_on >= {since})"""
    if not finance_lists(ctx):
        return f"0, NULL, NULL, {archive}", []
    held = held_by_finance(ctx)
    first = of_renovation(ctx, "MIN(r.start)", f"AND r.start >= {since}")
    total = of_renovation(ctx, "SUM(r.amount_fen)", f"AND r.start >= {since}")
    return f"CASE WHEN {held} THEN 1 ELSE 0 END, {first}, {total}, {archive}", []


def as_paid(values) -> tuple:
    """(first day, total, source) from `paid_since`'s five columns."""
    held, f_first, f_total, a_first, a_total = values
    if held:
        return f_first, f_total, "finance"
    return a_first, a_total, "archive"
