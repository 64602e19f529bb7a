# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""The money as it was paid, for every payment rule: the finance bureau's one-card list
(惠民惠农"一卡通") and the archive's own payments, each payment matched to the renovation it
belongs to, counted once.

A payment of the finance list names a person (any member of the household) and a day, not a
renovation: it belongs to the household's renovation whose approval came last on or before the
day it was paid (a payment before the first approval belongs to the first renovation). Each
approved renovation is thus a window of days, from its approval to the next one's.

Where the finance list holds payments for a renovation, they are what was paid (the archive's
entries for it are the same payments as the clerk wrote them down; where they say otherwise,
that is `disagreements`' finding). Where it holds none, the archive's entries are.
"""

from anju.crosscheck.choices import Kind
from anju.crosscheck.rules.base import SCOPE, Context, marks

# The approved renovations in scope, each with the days its payments fall in.
WINDOWS = f"""(SELECT v.id AS vid, v.household_id AS hid, v.year, v.approved_on, v.accepted_on,
        v.subsidy_fen,
        (SELECT MAX(w.approved_on) FROM households_renovation w
         WHERE w.household_id = v.household_id AND w.approved_on < v.approved_on) AS prev_on,
        (SELECT MIN(w.approved_on) FROM households_renovation w
         WHERE w.household_id = v.household_id AND w.approved_on > v.approved_on) AS next_on
    FROM households_renovation v JOIN households_household h ON h.id = v.household_id
    WHERE {SCOPE} AND v.approved_on IS NOT NULL)"""
COLUMNS = "w.vid, w.hid, w.year, w.approved_on, w.accepted_on, w.subsidy_fen, w.prev_on"


def fits(day: str) -> str:
    """SQL: the payment made on `day` belongs to the renovation window `w`."""
    return (
        f"(w.prev_on IS NULL OR {day} >= w.approved_on)"
        f" AND (w.next_on IS NULL OR {day} < w.next_on)"
    )


def finance_lists(ctx: Context) -> list[int]:
    return ctx.ids(Kind.PAYMENTS)


def _finance(ctx: Context) -> tuple[str, list]:
    lists = finance_lists(ctx)
    sql = f"""SELECT {COLUMNS}, r.start AS paid_on, r.amount_fen, r.account_number,
                  r.account_number_digest, r.account_holder, 'finance' AS source
            FROM {WINDOWS} w
            JOIN households_person p ON p.household_id = w.hid
            JOIN crosscheck_referencerecord r ON r.id_number_digest = p.id_number_digest
            WHERE +r.reference_id IN ({marks(lists)}) AND r.amount_fen IS NOT NULL
              AND r.start IS NOT NULL AND {fits("r.start")}"""
    return sql, [*ctx.bounds, *lists]


def of_window(ctx: Context, select: str, also: str = "") -> tuple[str, list]:
    """SQL (and its parameters): a subquery selecting `select` from the finance list's payments
    of renovation window `w` (`r`, and `also` further conditions on them)."""
    lists = finance_lists(ctx)
    sql = f"""(SELECT {select} FROM households_person q
                JOIN crosscheck_referencerecord r ON r.id_number_digest = q.id_number_digest
                WHERE q.household_id = w.hid AND +r.reference_id IN ({marks(lists)})
                  AND r.amount_fen IS NOT NULL AND r.start IS NOT NULL AND {fits("r.start")}
                  {also})"""
    return sql, lists


def held_by_finance(ctx: Context) -> tuple[str, list]:
    """SQL (and its parameters): the finance list holds a payment of renovation window `w`."""
    sql, params = of_window(ctx, "1")
    return f"EXISTS {sql}", params


def payments(ctx: Context) -> tuple[str, list]:
    """A derived table (and its parameters) of what was paid for each approved renovation in
    scope: vid, hid, year, approved_on, accepted_on, subsidy_fen, prev_on (NULL for a household's
    first renovation), paid_on, amount_fen, account_number (sealed), account_number_digest,
    account_holder, source ('finance' or 'archive')."""
    archive = f"""SELECT {COLUMNS}, pay.paid_on, pay.amount_fen, pay.account_number,
                      pay.account_number_digest, pay.account_holder, 'archive' AS source
                FROM {WINDOWS} w JOIN households_payment pay ON pay.renovation_id = w.vid"""
    if not finance_lists(ctx):
        return f"({archive})", [*ctx.bounds]
    finance, params = _finance(ctx)
    held, held_params = held_by_finance(ctx)
    return (
        f"({finance} UNION ALL {archive} WHERE NOT {held})",
        [*params, *ctx.bounds, *held_params],
    )


def source_name(source: str) -> str:
    return "财政一卡通发放记录" if source == "finance" else "档案记载"


def fitted(year: int, prev_on) -> str:
    """Evidence words for a household with more than one renovation: which one a payment of the
    finance list was counted for."""
    return f"（按发放日期归入{year}年度改造）" if prev_on is not None else ""


def disagreements(ctx: Context) -> tuple[str, list] | None:
    """A derived table of the renovations both sources pay: the archive's total, first day and
    count beside the finance list's (vid, hid, year, a_total, a_first, f_total, f_first), or None
    without a finance list."""
    if not finance_lists(ctx):
        return None
    finance, params = _finance(ctx)
    sql = f"""(SELECT a.vid, a.hid, a.year, a.total AS a_total, a.first AS a_first,
                   f.total AS f_total, f.first AS f_first
            FROM (SELECT w.vid, w.hid, w.year, SUM(pay.amount_fen) AS total,
                         MIN(pay.paid_on) AS first
                  FROM {WINDOWS} w JOIN households_payment pay ON pay.renovation_id = w.vid
                  GROUP BY w.vid, w.hid, w.year) a
            JOIN (SELECT vid, SUM(amount_fen) AS total, MIN(paid_on) AS first
                  FROM ({finance}) fin GROUP BY vid) f ON f.vid = a.vid)"""
    return sql, [*ctx.bounds, *params]
