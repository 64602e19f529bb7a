# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""Rules on who was subsidised: a deceased beneficiary, an ineligible household, the same
person subsidised twice."""

from collections.abc import Iterator

from anju.crosscheck.choices import PRIORITY_KINDS, Kind, Rule
from anju.crosscheck.rules.base import (
    HEAD_ID,
    LIST_OF_CATEGORY,
    PERSON_ID,
    SCOPE,
    Context,
    Hit,
    day,
    marks,
    rule,
    who,
    yuan,
)
from anju.crosscheck.rules.paid import as_paid, paid_since, source_name
from anju.households.choices import Category
from anju.identity import mask_id


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
    # Both questions below (approved after, paid after) read the deaths once: a table of the
    # run's own (`Context.table`).
    dead = ctx.table("deaths", deaths, [*lists, *ctx.bounds, *ctx.bounds], index=("pid",))
    base = f"""
        FROM {dead} d
        JOIN households_person p ON p.id = d.pid
        JOIN households_household h ON h.id = p.household_id
        JOIN households_renovation v ON v.household_id = h.id
        WHERE {SCOPE}"""
    approved = ctx.query(
        f"""SELECT h.id, h.region_id, p.id_number, p.id_number_digest, p.name, p.relation, v.year,
                   d.died,
                   v.approved_on, v.subsidy_fen {base} AND v.approved_on >= d.died""",
        [*ctx.bounds],
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
    # Paid on or after the death: the money as it was paid (the finance list's one-card
    # payments where it holds any for the renovation, else the archive's), looked up for the
    # few renovations of the dead only.
    money, money_params = paid_since(ctx, "d.died")
    paid = []
    for row in ctx.query(
        f"""SELECT h.id, h.region_id, p.id_number, p.id_number_digest, p.name, p.relation, v.year,
                   d.died, {money} {base}""",
        [*money_params, *ctx.bounds],
        sealed={2: PERSON_ID},
    ):
        first, total, source = as_paid(row[7:])
        if first is not None:
            paid.append((*row[:7], first, total, source))
    for hid, region, number, name, relation, year, died, paid_on, amount, source in paid:
        yield Hit(
            key=f"{number}:{year}:paid",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            amount_fen=amount,
            evidence=f"{who(relation, name)}于{day(died)}死亡，{day(paid_on)}仍拨付补助资金"
            f"{yuan(amount)}"
            + (f"（{source_name(source)}，{year}年度）" if source == "finance" else ""),
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
                WHERE p2.id_number_digest = p.id_number_digest AND h2.state = 'active'
                  AND h2.region_id BETWEEN %s AND %s)
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
