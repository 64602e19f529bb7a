# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""The cross-check rules (CONTRACT.md's codes), each a small unit: one or two set-based SQL
queries over the registry and the departments' lists in use, run by the database; Python only
words the evidence of what was found (and, for names, drops the candidates that differ only by a
full-width space or a traditional character).

Every query is limited to the households of one region subtree: `h.region_id BETWEEN lo AND hi`.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from opencc import OpenCC

from anju.crosscheck.choices import PRIORITY_KINDS, Kind, Rule
from anju.crypto import unseal_checked
from anju.households.choices import REVISITED, Category, Method
from anju.households.ids import mask_id
from anju.regions.models import Level, Region, subtree_bounds
from anju.tabular.text import squeeze

# Parameters (settings.ANJU_CROSSCHECK overrides any of them).
DEFAULTS = {
    # 财社〔2022〕42号: subsidies paid within 30 days of acceptance.
    "payment_days": 30,
    # A completed renovation is accepted within this many days.
    "acceptance_days": 30,
    # Seed 003: a new poor household is assessed within one month of its list arriving.
    "assessment_window_months": 1,
    # Seed 003: earth, earth-timber and brick-timber houses revisited every quarter.
    "visit_interval_days": 92,
    # The national built-area standard: 1-3 persons at least 20/30/40 m², at most 60 m²; more
    # than 3 persons 13-18 m² a person.
    "area_standard": {"1": [20, 60], "2": [30, 60], "3": [40, 60], "per_person": [13, 18]},
}

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


def parameters() -> dict:
    return {**DEFAULTS, **getattr(settings, "ANJU_CROSSCHECK", {})}


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

    def __post_init__(self):
        self.dialect = self.dialect or connection.vendor

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


SCOPE = "h.region_id BETWEEN %s AND %s"
# The sealed columns the rules read back (anju.sealed: table.column, bound to the row's digest).
HEAD_ID = ("households_household.head_id", "id")
TASK_ID = ("assessments_assessmenttask.id_number", "id")
PERSON_ID = ("households_person.id_number", "id")
REFERENCE_ID = ("crosscheck_referencerecord.id_number", "id")
HOUSEHOLD_ACCOUNT = ("households_household.account_number", "account")
PAYMENT_ACCOUNT = ("households_payment.account_number", "account")
# `+r.reference_id IN (...)` below: the unary plus keeps SQLite from walking a whole list by its
# list key; it looks each person of the archive up in the list's ID index instead (a list may be
# ten times the archive). PostgreSQL and DuckDB read it as the plain column.
RULES: dict[str, Callable[[Context], Iterator[Hit]]] = {}


def rule(code: Rule):
    def register(fn):
        RULES[code.value] = fn
        return fn

    return register


@rule(Rule.DECEASED_BENEFICIARY)
def deceased_beneficiary(ctx: Context) -> Iterator[Hit]:
    """Approved, or paid, on or after the death of the head or a member of the household (the
    deaths list, or a death recorded in the registry)."""
    lists = ctx.ids(Kind.DEATHS)
    # Deaths of the people in scope: each person's ID looked up in the lists' index (a death
    # register far longer than the archive is never scanned), or the registry's own record.
    deaths = f"""
        SELECT pid, MIN(died) AS died FROM (
            SELECT p.id AS pid, r.start AS died FROM households_person p
            JOIN households_household h ON h.id = p.household_id
            JOIN crosscheck_referencerecord r
              ON r.id_number_digest = p.id_number_digest AND +r.reference_id IN ({marks(lists)})
            WHERE {SCOPE} AND r.start IS NOT NULL
            UNION ALL
            SELECT p.id, p.deceased_on FROM households_person p
            JOIN households_household h ON h.id = p.household_id
            WHERE {SCOPE} AND p.deceased_on IS NOT NULL
        ) d GROUP BY pid"""
    joins = f"""
        FROM ({deaths}) d
        JOIN households_person p ON p.id = d.pid
        JOIN households_household h ON h.id = p.household_id
        JOIN households_renovation v ON v.household_id = h.id"""
    base = f"{joins} WHERE {SCOPE}"
    approved = ctx.query(
        f"""SELECT h.id, h.region_id, p.id_number, p.id_number_digest, p.name, p.relation, v.year,
                   d.died,
                   v.approved_on, v.subsidy_fen {base} AND v.approved_on >= d.died""",
        [*lists, *ctx.bounds, *ctx.bounds, *ctx.bounds],
        sealed={2: PERSON_ID},
    )
    for hid, region, number, name, relation, year, died, approved_on, subsidy in approved:
        yield Hit(
            key=f"{number}:{year}:approved",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=subsidy,
            evidence=f"{who(relation, name)}于{day(died)}死亡，{day(approved_on)}仍审批其"
            f"{year}年度危房改造补助{yuan(subsidy)}",
        )
    paid = ctx.query(
        f"""SELECT h.id, h.region_id, p.id_number, p.id_number_digest, p.name, p.relation, v.year,
                   d.died,
                   MIN(pay.paid_on), SUM(pay.amount_fen)
            {joins} JOIN households_payment pay ON pay.renovation_id = v.id
            WHERE {SCOPE} AND pay.paid_on >= d.died
            GROUP BY h.id, h.region_id, p.id_number, p.id_number_digest, p.name, p.relation,
                v.year, d.died""",
        [*lists, *ctx.bounds, *ctx.bounds, *ctx.bounds],
        sealed={2: PERSON_ID},
    )
    for hid, region, number, name, relation, year, died, paid_on, amount in paid:
        yield Hit(
            key=f"{number}:{year}:paid",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=amount,
            evidence=f"{who(relation, name)}于{day(died)}死亡，{day(paid_on)}仍拨付补助资金"
            f"{yuan(amount)}",
        )


@rule(Rule.INELIGIBLE)
def ineligible(ctx: Context) -> Iterator[Hit]:
    """Approved while in no priority category: neither a department's list in use nor (for a
    category no list in use covers) the registry places the household in one on that day."""
    listed = ctx.ids(*PRIORITY_KINDS)
    kinds_in_use = {kind for kind in PRIORITY_KINDS if ctx.lists.get(kind)}
    trusted = [c.value for c in Category if LIST_OF_CATEGORY.get(c) not in kinds_in_use]
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year,
                   v.approved_on, v.subsidy_fen
            FROM households_renovation v JOIN households_household h ON h.id = v.household_id
            WHERE {SCOPE} AND v.approved_on IS NOT NULL
              AND NOT EXISTS (
                SELECT 1 FROM households_person p
                WHERE p.household_id = h.id AND EXISTS (
                  SELECT 1 FROM crosscheck_referencerecord r
                  WHERE r.id_number_digest = p.id_number_digest
                      AND r.reference_id IN ({marks(listed)})
                    AND (r.start IS NULL OR r.start <= v.approved_on)
                    AND (r."end" IS NULL OR r."end" > v.approved_on)))
              AND NOT EXISTS (
                SELECT 1 FROM households_categoryrecord c
                WHERE c.household_id = h.id AND c.category IN ({marks(trusted)})
                  AND (c.start IS NULL OR c.start <= v.approved_on)
                  AND (c."end" IS NULL OR c."end" > v.approved_on))
              AND NOT EXISTS (
                SELECT 1 FROM crosscheck_referencerecord r
                WHERE r.head_id_digest = h.head_id_digest AND r.reference_id IN ({marks(listed)})
                  AND (r.start IS NULL OR r.start <= v.approved_on)
                  AND (r."end" IS NULL OR r."end" > v.approved_on))""",
        [*ctx.bounds, *listed, *trusted, *listed],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, approved_on, subsidy in rows:
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=subsidy,
            evidence=f"户主{name}{year}年度改造于{day(approved_on)}审批（补助{yuan(subsidy)}），"
            "审批时不在建档立卡、低保、特困、贫困残疾人等任何重点对象名单或类别中",
        )


@rule(Rule.DUPLICATE_SUBSIDY)
def duplicate_subsidy(ctx: Context) -> Iterator[Hit]:
    """The same person subsidised in more than one renovation (the same household twice, or as a
    member of two households)."""
    lo, hi = ctx.bounds
    # Only IDs that can be subsidised twice are aggregated: those on more than one person record
    # and the people of households with more than one renovation (two index-only passes).
    rows = ctx.query(
        """SELECT (SELECT s.id_number FROM households_person s
                    WHERE s.id_number_digest = p.id_number_digest LIMIT 1),
                   p.id_number_digest, MIN(p.name), COUNT(DISTINCT v.id),
                   SUM(v.subsidy_fen), MIN(v.year), MAX(v.year), MAX(h.region_id), MAX(h.id)
            FROM (
                SELECT id_number_digest FROM households_person
                GROUP BY id_number_digest HAVING COUNT(*) > 1
                UNION
                SELECT q.id_number_digest FROM households_person q
                JOIN (SELECT household_id FROM households_renovation
                      GROUP BY household_id HAVING COUNT(*) > 1) m
                  ON m.household_id = q.household_id
            ) c
            JOIN households_person p ON p.id_number_digest = c.id_number_digest
            JOIN households_renovation v ON v.household_id = p.household_id
            JOIN households_household h ON h.id = v.household_id
            WHERE v.subsidy_fen > 0 AND v.approved_on IS NOT NULL
              AND EXISTS (
                SELECT 1 FROM households_person p2
                JOIN households_household h2 ON h2.id = p2.household_id
                WHERE p2.id_number_digest = p.id_number_digest AND h2.region_id BETWEEN %s AND %s)
            GROUP BY p.id_number_digest HAVING COUNT(DISTINCT v.id) > 1""",
        [lo, hi],
        sealed={0: PERSON_ID},
    )
    for number, name, times, total, first, last, region, hid in rows:
        years = f"{first}年度和{last}年度" if times == 2 else f"{first}—{last}年度间{times}次"
        yield Hit(
            key=number,
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=last,
            amount_fen=total,
            evidence=f"{name}（{mask_id(number)}）于{years}重复享受危房改造补助，共{yuan(total)}",
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


@rule(Rule.INVALID_ID)
def invalid_id(ctx: Context) -> Iterator[Hit]:
    """An ID in the registry that fails GB 11643 (check digit, birth date, province)."""
    from anju.households.ids import problem_with

    rows = ctx.query(
        f"""SELECT h.id, h.region_id, p.id_number, p.id_number_digest, p.name, p.relation
            FROM households_person p JOIN households_household h ON h.id = p.household_id
            WHERE {SCOPE} AND p.id_valid = %s""",
        [*ctx.bounds, False],
        sealed={2: PERSON_ID},
    )
    for hid, region, number, name, relation in rows:
        yield Hit(
            key=number,
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"{who(relation, name)}的身份证号{mask_id(number)}不符合GB 11643："
            f"{problem_with(number)}",
        )


@rule(Rule.RECORD_MISMATCH)
def record_mismatch(ctx: Context) -> Iterator[Hit]:
    """The poverty office's records say otherwise: the same ID under another name, or a
    household entered as 建档立卡 whose people the poverty list does not know."""
    lists = ctx.ids(Kind.POVERTY)
    if not lists:
        return
    candidates = ctx.query(
        f"""SELECT DISTINCT h.id, h.region_id, p.id_number, p.id_number_digest, p.name,
                   p.relation, r.name
            FROM crosscheck_referencerecord r
            JOIN households_person p ON p.id_number_digest = r.id_number_digest
            JOIN households_household h ON h.id = p.household_id
            WHERE {SCOPE} AND r.reference_id IN ({marks(lists)}) AND r.name <> p.name""",
        [*ctx.bounds, *lists],
        sealed={2: PERSON_ID},
    )
    for hid, region, number, name, relation, listed in candidates:
        if same_name(name, listed):  # a full-width space, a traditional character: same name
            continue
        yield Hit(
            key=f"{number}:name",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"身份证号{mask_id(number)}在农户档案中为{who(relation, name)}，"
            f"在扶贫部门建档立卡名单中为「{listed}」",
        )
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name
            FROM households_household h
            WHERE {SCOPE} AND EXISTS (
                SELECT 1 FROM households_categoryrecord c
                WHERE c.household_id = h.id AND c.category = %s)
              AND NOT EXISTS (
                SELECT 1 FROM crosscheck_referencerecord r
                JOIN households_person p ON p.id_number_digest = r.id_number_digest
                WHERE p.household_id = h.id AND r.reference_id IN ({marks(lists)}))
              AND NOT EXISTS (
                SELECT 1 FROM crosscheck_referencerecord r
                WHERE r.head_id_digest = h.head_id_digest
                    AND r.reference_id IN ({marks(lists)}))""",
        [*ctx.bounds, Category.REGISTERED_POOR.value, *lists, *lists],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name in rows:
        yield Hit(
            key=f"{number}:category",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"户主{name}在农户档案中登记为建档立卡贫困户，扶贫部门建档立卡名单中"
            "没有该户任何成员",
        )


@rule(Rule.NO_ASSESSMENT)
def no_assessment(ctx: Context) -> Iterator[Hit]:
    """Renovated (approved) with no danger assessment of the household's house on or before
    the approval."""
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year,
                   v.approved_on
            FROM households_renovation v JOIN households_household h ON h.id = v.household_id
            WHERE {SCOPE} AND v.approved_on IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM households_assessment a
                JOIN households_house o ON o.id = a.house_id
                WHERE o.household_id = h.id
                  AND (a.assessed_on IS NULL OR a.assessed_on <= v.approved_on))""",
        [*ctx.bounds],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, approved_on in rows:
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            evidence=f"户主{name}{year}年度改造于{day(approved_on)}审批，审批前没有房屋危险性"
            "鉴定记录",
        )


@rule(Rule.GRADE_MISMATCH)
def grade_mismatch(ctx: Context) -> Iterator[Hit]:
    """A grade A or B house renovated, or a grade C house rebuilt (the grade: the latest
    assessment on or before the approval)."""
    rows = ctx.query(
        f"""SELECT * FROM (
              SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year, v.method,
                (SELECT a.grade FROM households_assessment a
                 JOIN households_house o ON o.id = a.house_id
                 WHERE o.household_id = h.id
                   AND (a.assessed_on IS NULL OR a.assessed_on <= v.approved_on)
                 ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1) AS grade
              FROM households_renovation v JOIN households_household h ON h.id = v.household_id
              WHERE {SCOPE} AND v.approved_on IS NOT NULL) t
            WHERE t.grade IN ('A', 'B') OR (t.grade = 'C' AND t.method IN ({marks(REBUILDS)}))""",
        [*ctx.bounds, *REBUILDS],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, method, grade in rows:
        done = Method(method).label if method else "改造"
        why = "不属于危房" if grade in ("A", "B") else "应以修缮加固为主"
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            evidence=f"户主{name}的房屋鉴定为{grade}级（{why}），{year}年度却按{done}予以补助",
        )


@rule(Rule.AREA_STANDARD)
def area_standard(ctx: Context) -> Iterator[Hit]:
    """A new house's built area outside the standard for the household's size."""
    table = ctx.params["area_standard"]
    per_low, per_high = table["per_person"]
    small = sorted((int(k), v) for k, v in table.items() if k != "per_person")
    low = " ".join(f"WHEN h.size = {n} THEN {lo}" for n, (lo, _) in small)
    high = " ".join(f"WHEN h.size = {n} THEN {hi}" for n, (_, hi) in small)
    rows = ctx.query(
        f"""SELECT * FROM (
              SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year, h.size,
                  v.built_area,
                CASE {low} ELSE h.size * %s END AS lo,
                CASE {high} ELSE h.size * %s END AS hi
              FROM households_renovation v JOIN households_household h ON h.id = v.household_id
              WHERE {SCOPE} AND v.built_area IS NOT NULL AND h.size IS NOT NULL AND h.size > 0
                AND v.method IN ({marks(NEW_HOUSE_METHODS)})) t
            WHERE t.built_area < t.lo OR t.built_area > t.hi""",
        [per_low, per_high, *ctx.bounds, *NEW_HOUSE_METHODS],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, size, area, lo, hi in rows:
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            evidence=f"户主{name}家{size}口人，{year}年度新建住房{float(area):g}平方米，"
            f"标准为{float(lo):g}—{float(hi):g}平方米",
        )


@rule(Rule.NO_TOILET)
def no_toilet(ctx: Context) -> Iterator[Hit]:
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year,
                   v.accepted_on
            FROM households_renovation v JOIN households_household h ON h.id = v.household_id
            WHERE {SCOPE} AND v.accepted_on IS NOT NULL AND v.has_toilet = %s""",
        [*ctx.bounds, False],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, accepted in rows:
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            evidence=f"户主{name}{year}年度改造于{day(accepted)}验收，验收记录为无卫生厕所",
        )


@rule(Rule.NO_ACCEPTANCE)
def no_acceptance(ctx: Context) -> Iterator[Hit]:
    allowed = int(ctx.params["acceptance_days"])
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, v.year,
                   v.completed_on
            FROM households_renovation v JOIN households_household h ON h.id = v.household_id
            WHERE {SCOPE} AND v.completed_on IS NOT NULL AND v.accepted_on IS NULL
              AND v.completed_on < %s""",
        [*ctx.bounds, ctx.today - timedelta(days=allowed)],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, year, completed in rows:
        yield Hit(
            key=f"{number}:{year}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            evidence=f"户主{name}{year}年度改造于{day(completed)}竣工，超过{allowed}天仍未验收",
        )


def _month_before(today: date, months: int) -> date:
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (today.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@rule(Rule.ASSESSMENT_OVERDUE)
def assessment_overdue(ctx: Context) -> Iterator[Hit]:
    """A person on a priority list that arrived over a month ago, still current, whose house has
    no assessment and no renovation yet (or who is in no household of the registry at all). A
    renovated house without an assessment is NO_ASSESSMENT's finding, not this one.

    Also every open assessment task past its due date (anju.assessments): the task keeps the
    household on the hook after its list has been superseded or the person has left it."""
    seen: set[str] = set()
    for hit in _overdue_from_lists(ctx):
        seen.add(hit.key)
        yield hit
    yield from (hit for hit in _overdue_tasks(ctx) if hit.key not in seen)


def _overdue_from_lists(ctx: Context) -> Iterator[Hit]:
    cutoff = _month_before(ctx.today, int(ctx.params["assessment_window_months"]))
    lists = [pk for pk in ctx.ids(*PRIORITY_KINDS) if ctx.received.get(pk, ctx.today) <= cutoff]
    if not lists:
        return
    lo, hi = ctx.bounds
    rows = ctx.query(
        f"""SELECT (SELECT s.id_number FROM crosscheck_referencerecord s
                    WHERE s.id_number_digest = r.id_number_digest LIMIT 1),
                   r.id_number_digest, MIN(r.name), MIN(l.received_on), MIN(l.kind),
                   MIN(h.id), MIN(h.region_id)
            FROM crosscheck_referencerecord r
            JOIN crosscheck_referencelist l ON l.id = r.reference_id
            LEFT JOIN households_person p ON p.id_number_digest = r.id_number_digest
            LEFT JOIN households_household h ON h.id = p.household_id
            WHERE r.reference_id IN ({marks(lists)})
              AND (r."end" IS NULL OR r."end" > %s)
              AND (h.id IS NULL OR (NOT EXISTS (
                SELECT 1 FROM households_assessment a
                JOIN households_house o ON o.id = a.house_id WHERE o.household_id = h.id)
                AND NOT EXISTS (
                SELECT 1 FROM households_renovation v WHERE v.household_id = h.id)))
            GROUP BY r.id_number_digest""",
        [*lists, ctx.today],
        sealed={0: REFERENCE_ID},
    )
    counties = set(Region.objects.filter(level=Level.COUNTY).values_list("code", flat=True))
    for number, name, received, kind, hid, region in rows:
        if region is None:  # not in the registry: the county its ID was issued in
            county = number[:6] + "000000"
            region = county if county in counties else None
        if region is None or not lo <= region <= hi:
            continue
        where = "其房屋" if hid else "档案中没有该户，房屋"
        yield Hit(
            key=number,
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"{name}（{mask_id(number)}）列入{PRIORITY_KINDS[Kind(kind)]}名单"
            f"（{day(received)}收到），{where}超过一个月仍未开展危险性鉴定",
        )


def _overdue_tasks(ctx: Context) -> Iterator[Hit]:
    """Open assessment tasks past due whose household still has no assessment (nor a
    renovation: renovated without an assessment is NO_ASSESSMENT's finding)."""
    rows = ctx.query(
        # One open task per household (a constraint): no grouping, and the sealed ID comes
        # back with its blind index, opened only for the rows found.
        f"""SELECT t.id_number, t.id_number_digest, t.name, t.received_on, t.due_on, t.kind,
                   h.id, h.region_id
            FROM assessments_assessmenttask t
            JOIN households_household h ON h.id = t.household_id
            WHERE {SCOPE} AND t.done_on IS NULL AND t.due_on < %s
              AND NOT EXISTS (SELECT 1 FROM households_assessment a
                JOIN households_house o ON o.id = a.house_id WHERE o.household_id = h.id)
              AND NOT EXISTS (
                SELECT 1 FROM households_renovation v WHERE v.household_id = h.id)""",
        [*ctx.bounds, ctx.today],
        sealed={0: TASK_ID},
    )
    for number, name, received, due, kind, hid, region in rows:
        label = PRIORITY_KINDS.get(kind, kind)
        yield Hit(
            key=number,
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"{name}（{mask_id(number)}）列入{label}名单（{day(received)}收到），"
            f"鉴定任务应于{day(due)}前完成，至今未开展危险性鉴定",
        )


@rule(Rule.VISIT_OVERDUE)
def visit_overdue(ctx: Context) -> Iterator[Hit]:
    """An earth, earth-timber or brick-timber house not revisited for more than a quarter."""
    interval = int(ctx.params["visit_interval_days"])
    limit = ctx.today - timedelta(days=interval)
    kinds = [s.value for s in REVISITED]
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name,
                   (SELECT MAX(visited_on) FROM households_followupvisit f
                    WHERE f.household_id = h.id) AS last_visit
            FROM households_household h
            WHERE {SCOPE} AND EXISTS (SELECT 1 FROM households_house o
                WHERE o.household_id = h.id AND o.structure IN ({marks(kinds)}))
              AND NOT EXISTS (SELECT 1 FROM households_followupvisit f
                WHERE f.household_id = h.id AND f.visited_on >= %s)""",
        [*ctx.bounds, *kinds, limit],
        sealed={2: HEAD_ID},
    )
    quarter = f"{ctx.today.year}Q{(ctx.today.month - 1) // 3 + 1}"
    for hid, region, number, name, last in rows:
        since = f"上次回访为{day(last)}" if last else "从未回访"
        yield Hit(
            key=f"{number}:{quarter}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"户主{name}家为土坯/土木/砖木结构房屋，应每季度回访，{since}，已超过"
            f"{interval}天",
        )


@rule(Rule.PLATE_MISSING)
def plate_missing(ctx: Context) -> Iterator[Hit]:
    """A safety plate issued but not on the wall by its deadline."""
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, s.number, s.deadline
            FROM households_safetyplate s JOIN households_household h ON h.id = s.household_id
            WHERE {SCOPE} AND s.installed_on IS NULL AND s.deadline < %s
              AND NOT EXISTS (SELECT 1 FROM households_safetyplate t
                WHERE t.household_id = h.id AND t.installed_on IS NOT NULL)""",
        [*ctx.bounds, ctx.today],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, plate, deadline in rows:
        yield Hit(
            key=f"{number}:{plate}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"户主{name}家的安全状况牌{plate}应于{day(deadline)}前挂牌，至今未挂",
        )


@rule(Rule.STILL_IN_DANGEROUS_HOUSE)
def still_in_dangerous_house(ctx: Context) -> Iterator[Hit]:
    """A household with a safe house (an accepted rebuild, new build or move) still living in
    the old one: as the latest visit found, or as the house records say."""
    # Driven from the visits that found the family in the old house; the latest visit decides.
    rows = ctx.query(
        f"""SELECT DISTINCT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name,
                   f.visited_on,
                   (SELECT MAX(v.year) FROM households_renovation v
                    WHERE v.household_id = h.id AND v.accepted_on IS NOT NULL
                      AND v.method IN ({marks(NEW_HOUSE_METHODS)})) AS year
            FROM households_followupvisit f
            JOIN households_household h ON h.id = f.household_id
            WHERE {SCOPE} AND CAST(f.findings AS TEXT) LIKE %s
              AND f.visited_on = (SELECT MAX(g.visited_on) FROM households_followupvisit g
                                  WHERE g.household_id = h.id)""",
        [*NEW_HOUSE_METHODS, *ctx.bounds, "%still_in_old%"],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, visited, year in rows:
        if year is None:
            continue  # no safe house yet: VISIT findings, not this rule
        yield Hit(
            key=f"{number}:visit",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            evidence=f"户主{name}家{year}年度已建成并验收安全住房，{day(visited)}回访发现"
            "仍住在原危房中",
        )
    rows = ctx.query(
        f"""SELECT DISTINCT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name
            FROM households_household h
            JOIN households_house o ON o.household_id = h.id
            WHERE {SCOPE} AND o.is_new = %s AND o.lived_in = %s
              AND EXISTS (SELECT 1 FROM households_house n
                WHERE n.household_id = h.id AND n.is_new = %s)
              AND (SELECT a.grade FROM households_assessment a WHERE a.house_id = o.id
                   ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1) IN ('C', 'D')""",
        [*ctx.bounds, False, True, True],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name in rows:
        yield Hit(
            key=f"{number}:house",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"户主{name}家已有新建住房，房屋档案显示仍居住在鉴定为C/D级的原危房中",
        )
