# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""Rules on the payment of subsidies: into the wrong account, of the wrong amount, too late.
Each reads the money as it was paid (`paid.payments`: the finance bureau's one-card list and
the archive's payments, matched to their renovation, counted once); where the two sources
disagree about a renovation's payments, that is a finding of its own, with both values."""

from collections.abc import Iterator
from datetime import timedelta

from anju.crosscheck.choices import Rule
from anju.crosscheck.rules.base import (
    HEAD_ID,
    HOUSEHOLD_ACCOUNT,
    PAYMENT_ACCOUNT,
    SCOPE,
    Context,
    Hit,
    day,
    marks,
    rule,
    same_name,
    yuan,
)
from anju.crosscheck.rules.paid import (
    RENOVATIONS_OF_HOUSEHOLD,
    archive_payments,
    disagreements,
    finance_lists,
    finance_paid,
    fitted,
    held_by_finance,
    of_renovation,
    paid_totals,
    source_name,
)
from anju.crypto import unseal_checked

# The sealed account of a finance list's row (the same kind of blind index as the household's).
FINANCE_ACCOUNT = ("crosscheck_referencerecord.account_number", "account")
HEAD = "h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name"


def _tail(account: str | None) -> str:
    return f"尾号{account[-4:]}" if account else "（未填账号）"


@rule(Rule.PAYMENT_ACCOUNT)
def payment_account(ctx: Context) -> Iterator[Hit]:
    """Paid into an account that is not the household's one-card account, or whose holder is no
    one of the household (name variants are the same name)."""
    # Only the payments whose account or holder differs need their renovation (the finance
    # list's) or a look for the same payment in the list (the archive's): the filter runs first.
    member = """(SELECT MIN(p.name) FROM households_person p
                 WHERE p.household_id = h.id AND p.name = {0}.account_holder)"""
    differs = """((h.account_number_digest <> ''
                   AND {0}.account_number_digest <> h.account_number_digest)
                  OR {0}.account_holder <> h.head_name)"""
    columns = f"{HEAD}, h.account_number, h.account_number_digest"
    rows = []
    lists = finance_lists(ctx)
    if lists:
        rows += ctx.query(
            f"""SELECT {columns}, r.year, r.start, r.amount_fen,
                       r.account_number, r.account_number_digest, r.account_holder, 'finance',
                       {RENOVATIONS_OF_HOUSEHOLD}, {member.format("r")}
                FROM {finance_paid(ctx)} r JOIN households_household h ON h.id = r.hid
                WHERE {differs.format("r")}""",
            [],
            sealed={2: HEAD_ID, 5: HOUSEHOLD_ACCOUNT},
        )
    held = held_by_finance(ctx) if lists else "0 = 1"
    rows += ctx.query(
        f"""SELECT {columns}, v.year, pay.paid_on, pay.amount_fen, pay.account_number,
                   pay.account_number_digest, pay.account_holder, 'archive',
                   {RENOVATIONS_OF_HOUSEHOLD}, {member.format("pay")}
            {archive_payments(ctx)} AND {differs.format("pay")} AND NOT {held}""",
        [*ctx.bounds],
        sealed={2: HEAD_ID, 5: HOUSEHOLD_ACCOUNT},
    )
    rows = [row for row in rows if row[5] is not None]  # a payment with no approved renovation
    unmatched = {row[0] for row in rows if row[-1] is None}
    names = _household_names(ctx, unmatched) if unmatched else {}
    for row in rows:
        hid, region, number, name, own, year, paid_on, amount, sealed, digest, holder = row[:11]
        source, renovations, member = row[11:]
        # The account's ciphertext is bound to the table it came from.
        purpose = FINANCE_ACCOUNT[0] if source == "finance" else PAYMENT_ACCOUNT[0]
        account = unseal_checked(sealed, purpose, digest, "account")
        other_account = bool(own) and account != own
        if not other_account and (
            member is not None or any(same_name(holder, n) for n in names.get(hid, ()))
        ):
            continue
        problem = f"而非本户一卡通账号（{_tail(own)}）" if other_account else "户名不是本户家庭成员"
        yield Hit(
            key=f"{number}:{year}:{account}:{paid_on}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=amount,
            evidence=f"{source_name(source)}：户主{name}{year}年度补助{yuan(amount)}"
            f"{fitted(year, renovations) if source == 'finance' else ''}于{day(paid_on)}发放至"
            f"{holder or '（未填户名）'}名下{_tail(account)}的账户，{problem}",
        )
    yield from _accounts_disagree(ctx)


def _household_names(ctx: Context, households: set[int]) -> dict[int, list[str]]:
    """The names of the people of `households` (for the few holders not matched exactly)."""
    names: dict[int, list[str]] = {}
    chosen = sorted(households)
    for at in range(0, len(chosen), 500):
        part = chosen[at : at + 500]
        for hid, name in ctx.query(
            f"SELECT household_id, name FROM households_person "
            f"WHERE household_id IN ({marks(part)})",
            part,
        ):
            names.setdefault(hid, []).append(name)
    return names


def _accounts_disagree(ctx: Context) -> Iterator[Hit]:
    """The archive's payment went into an account the finance list never paid this renovation
    into: both accounts in the evidence."""
    if disagreements(ctx) is None:
        return
    held = held_by_finance(ctx)
    same = of_renovation(ctx, "1", "AND r.account_number_digest = pay.account_number_digest")
    first = "ORDER BY r.start, r.id LIMIT 1"
    theirs = of_renovation(ctx, "r.account_number", first)
    theirs_digest = of_renovation(ctx, "r.account_number_digest", first)
    rows = ctx.query(
        f"""SELECT {HEAD}, v.year, pay.paid_on, pay.amount_fen, pay.account_number,
                   pay.account_number_digest, {theirs}, {theirs_digest}
            {archive_payments(ctx)} AND {held} AND NOT EXISTS {same}""",
        [*ctx.bounds],
        sealed={2: HEAD_ID, 8: PAYMENT_ACCOUNT, 10: FINANCE_ACCOUNT},
    )
    for hid, region, number, name, year, paid_on, amount, account, finance in rows:
        yield Hit(
            key=f"{number}:{year}:{account}:{paid_on}:sources",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=amount,
            evidence=f"户主{name}{year}年度补助{yuan(amount)}：档案记载于{day(paid_on)}发放至"
            f"{_tail(account)}的账户，财政一卡通发放记录为发放至{_tail(finance)}的账户，"
            "两者不一致",
        )


@rule(Rule.PAYMENT_AMOUNT)
def payment_amount(ctx: Context) -> Iterator[Hit]:
    """What was paid for a renovation differs from its approved subsidy (the finance list's
    payments where it holds them, else the archive's); and the two sources' totals differ."""
    rows = ctx.query(
        f"""SELECT {HEAD}, v.year, v.subsidy_fen, t.total, t.times, t.source,
                   {RENOVATIONS_OF_HOUSEHOLD}
            FROM {paid_totals(ctx)} t
            JOIN households_renovation v ON v.id = t.vid
            JOIN households_household h ON h.id = v.household_id
            WHERE t.total <> v.subsidy_fen""",
        [],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, approved, total, times, source, renovations in rows:
        installments = f"分{times}笔" if times > 1 else ""
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=abs(approved - total),
            evidence=f"户主{name}{year}年度核定补助{yuan(approved)}，{source_name(source)}"
            f"{fitted(year, renovations) if source == 'finance' else ''}显示{installments}"
            f"发放{yuan(total)}，相差{yuan(abs(approved - total))}",
        )
    yield from _sources_disagree(
        ctx,
        "total",
        lambda name, year, archive, finance: (
            f"户主{name}{year}年度补助：档案记载发放"
            f"{yuan(archive)}，财政一卡通发放记录为{yuan(finance)}，两者不一致"
        ),
    )


@rule(Rule.PAYMENT_LATE)
def payment_late(ctx: Context) -> Iterator[Hit]:
    """Paid later than the configured days after acceptance, or not paid at all by now (the
    finance list's payments where it holds them, else the archive's); and the two sources
    disagree about the day it was first paid."""
    allowed = int(ctx.params["payment_days"])
    cutoff = ctx.today - timedelta(days=allowed)
    gap = ctx.days("f.first_paid", "v.accepted_on")
    rows = ctx.query(
        f"""SELECT {HEAD}, v.year, v.accepted_on, v.subsidy_fen, f.first_paid, {gap}, f.source
            FROM households_renovation v
            JOIN households_household h ON h.id = v.household_id
            LEFT JOIN {paid_totals(ctx)} f ON f.vid = v.id
            WHERE {SCOPE} AND v.accepted_on IS NOT NULL AND v.subsidy_fen > 0
              AND ((f.first_paid IS NULL AND v.accepted_on < %s) OR {gap} > %s)""",
        [*ctx.bounds, cutoff, allowed],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, accepted, subsidy, first_paid, days, source in rows:
        if first_paid is None:
            late = f"至今未发放补助（规定验收后{allowed}天内发放）"
        else:
            late = (
                f"{source_name(source)}显示{day(first_paid)}才发放补助，相隔{days}天"
                f"（规定{allowed}天内）"
            )
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=subsidy,
            evidence=f"户主{name}{year}年度改造于{day(accepted)}验收，{late}",
        )
    yield from _sources_disagree(
        ctx,
        "first",
        lambda name, year, archive, finance: (
            f"户主{name}{year}年度补助：档案记载于"
            f"{day(archive)}首次发放，财政一卡通发放记录为{day(finance)}，两者不一致"
        ),
    )


def _sources_disagree(ctx: Context, what: str, words) -> Iterator[Hit]:
    """Renovations both sources pay whose `what` ("total" or "first", the first day paid)
    differs: a finding with both values (`words(name, year, archive's, finance list's)`)."""
    both = disagreements(ctx)
    if both is None:
        return
    sql, params = both
    rows = ctx.query(
        f"""SELECT {HEAD}, d.year, d.a_{what}, d.f_{what}
            FROM {sql} d JOIN households_household h ON h.id = d.hid
            WHERE d.a_{what} <> d.f_{what}""",
        params,
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, archive, finance in rows:
        yield Hit(
            key=f"{number}:{year}:sources",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=abs(archive - finance) if what == "total" else 0,
            evidence=words(name, year, archive, finance),
        )
