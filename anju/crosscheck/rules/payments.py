# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""Rules on the payment of subsidies: into the wrong account, of the wrong amount, too
late."""

from collections.abc import Iterator
from datetime import timedelta

from anju.crosscheck.choices import Kind, Rule
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


@rule(Rule.PAYMENT_ACCOUNT)
def payment_account(ctx: Context) -> Iterator[Hit]:
    """Paid into an account that is not the household's one-card account, or whose holder is no
    one of the household (name variants are the same name)."""
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name,
                   h.account_number, h.account_number_digest, v.year, pay.paid_on, pay.amount_fen,
                   pay.account_number, pay.account_number_digest, pay.account_holder,
                   (SELECT MIN(p.name) FROM households_person p
                    WHERE p.household_id = h.id AND p.name = pay.account_holder)
            FROM households_payment pay
            JOIN households_renovation v ON v.id = pay.renovation_id
            JOIN households_household h ON h.id = v.household_id
            WHERE {SCOPE}
              AND ((h.account_number_digest <> ''
                    AND pay.account_number_digest <> h.account_number_digest)
                   OR pay.account_holder <> h.head_name)""",
        [*ctx.bounds],
        sealed={2: HEAD_ID, 5: HOUSEHOLD_ACCOUNT, 10: PAYMENT_ACCOUNT},
    )
    names = None
    for hid, region, number, name, own, year, paid_on, amount, account, holder, member in rows:
        other_account = bool(own) and account != own
        if member is None and not other_account:
            if names is None:  # the household's names, for the few holders not matched exactly
                names = _household_names(ctx)
            if any(same_name(holder, n) for n in names.get(hid, ())):
                continue
        elif not other_account:
            continue
        problem = (
            f"而非本户一卡通账号（尾号{own[-4:]}）" if other_account else "户名不是本户家庭成员"
        )
        yield Hit(
            key=f"{number}:{year}:{account}:{paid_on}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=amount,
            evidence=f"户主{name}{year}年度补助{yuan(amount)}于{day(paid_on)}发放至"
            f"{holder or '（未填户名）'}名下尾号{account[-4:]}的账户，{problem}",
        )


def _household_names(ctx: Context) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for hid, name in ctx.query(
        f"""SELECT p.household_id, p.name FROM households_person p
            JOIN households_household h ON h.id = p.household_id
            JOIN households_renovation v ON v.household_id = h.id
            JOIN households_payment pay ON pay.renovation_id = v.id
            WHERE {SCOPE} AND NOT EXISTS (SELECT 1 FROM households_person q
                WHERE q.household_id = h.id AND q.name = pay.account_holder)""",
        [*ctx.bounds],
    ):
        names.setdefault(hid, []).append(name)
    return names


@rule(Rule.PAYMENT_AMOUNT)
def payment_amount(ctx: Context) -> Iterator[Hit]:
    """What was paid differs from the approved subsidy: in the registry's payments, and in the
    finance bureau's one-card list where one is in use."""
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year,
                   v.subsidy_fen,
                   SUM(pay.amount_fen)
            FROM households_renovation v
            JOIN households_household h ON h.id = v.household_id
            JOIN households_payment pay ON pay.renovation_id = v.id
            WHERE {SCOPE}
            GROUP BY h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year,
                v.subsidy_fen
            HAVING SUM(pay.amount_fen) <> v.subsidy_fen""",
        [*ctx.bounds],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, approved, paid in rows:
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=abs(approved - paid),
            evidence=f"户主{name}{year}年度核定补助{yuan(approved)}，实际发放{yuan(paid)}，"
            f"相差{yuan(abs(approved - paid))}",
        )
    lists = ctx.ids(Kind.PAYMENTS)
    if not lists:
        return
    # The finance bureau's payments to the household's people, against the approved total.
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, t.approved,
                   t.paid, t.last_year
            FROM households_household h
            JOIN (SELECT household_id, SUM(subsidy_fen) AS approved, MAX(year) AS last_year,
                         (SELECT SUM(r.amount_fen) FROM households_person p
                          JOIN crosscheck_referencerecord r
                              ON r.id_number_digest = p.id_number_digest
                          WHERE p.household_id = v.household_id
                            AND +r.reference_id IN ({marks(lists)})) AS paid
                  FROM households_renovation v WHERE approved_on IS NOT NULL
                  GROUP BY household_id) t ON t.household_id = h.id
            WHERE {SCOPE} AND t.paid IS NOT NULL AND t.paid <> t.approved""",
        [*lists, *ctx.bounds],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, approved, paid, year in rows:
        yield Hit(
            key=f"{number}:finance",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=abs(approved - paid),
            evidence=f"户主{name}核定危房改造补助共{yuan(approved)}，财政一卡通发放记录显示"
            f"发放{yuan(paid)}，相差{yuan(abs(approved - paid))}",
        )


@rule(Rule.PAYMENT_LATE)
def payment_late(ctx: Context) -> Iterator[Hit]:
    """Paid later than the configured days after acceptance, or not paid at all by now."""
    allowed = int(ctx.params["payment_days"])
    cutoff = ctx.today - timedelta(days=allowed)
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year,
                   v.accepted_on,
                   v.subsidy_fen, f.first_paid, {ctx.days("f.first_paid", "v.accepted_on")}
            FROM households_renovation v
            JOIN households_household h ON h.id = v.household_id
            LEFT JOIN (SELECT renovation_id, MIN(paid_on) AS first_paid
                       FROM households_payment GROUP BY renovation_id) f
                   ON f.renovation_id = v.id
            WHERE {SCOPE} AND v.accepted_on IS NOT NULL AND v.subsidy_fen > 0
              AND ((f.first_paid IS NULL AND v.accepted_on < %s)
                   OR {ctx.days("f.first_paid", "v.accepted_on")} > %s)""",
        [*ctx.bounds, cutoff, allowed],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, accepted, subsidy, first_paid, gap in rows:
        if first_paid is None:
            late = f"至今未发放补助（规定验收后{allowed}天内发放）"
        else:
            late = f"{day(first_paid)}才发放补助，相隔{gap}天（规定{allowed}天内）"
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
