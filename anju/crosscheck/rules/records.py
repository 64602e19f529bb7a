# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""Rules on the records of a renovation: invalid IDs, records the poverty office contradicts,
no or a mismatched danger assessment, a new house outside the area standard, no toilet, no
acceptance."""

from collections.abc import Iterator
from datetime import timedelta

from anju.crosscheck.choices import Kind, Rule
from anju.crosscheck.rules.base import (
    HEAD_ID,
    NEW_HOUSE_METHODS,
    PERSON_ID,
    REBUILDS,
    SCOPE,
    Context,
    Hit,
    day,
    marks,
    rule,
    same_name,
    who,
)
from anju.households.choices import Category, Method
from anju.identity import mask_id, problem_with


@rule(Rule.INVALID_ID)
def invalid_id(ctx: Context) -> Iterator[Hit]:
    """An ID in the registry that fails GB 11643 (check digit, birth date, province)."""

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
    # The household's latest approved renovation: the finding joins its case (an INELIGIBLE
    # finding on the same fact is on that renovation).
    latest = """(SELECT MAX(v.year) FROM households_renovation v
                 WHERE v.household_id = h.id AND v.approved_on IS NOT NULL)"""
    candidates = ctx.query(
        f"""SELECT DISTINCT h.id, h.region_id, p.id_number, p.id_number_digest, p.name,
                   p.relation, r.name, {latest}
            FROM crosscheck_referencerecord r
            JOIN households_person p ON p.id_number_digest = r.id_number_digest
            JOIN households_household h ON h.id = p.household_id
            WHERE {SCOPE} AND r.reference_id IN ({marks(lists)}) AND r.name <> p.name""",
        [*ctx.bounds, *lists],
        sealed={2: PERSON_ID},
    )
    for hid, region, number, name, relation, listed, year in candidates:
        if same_name(name, listed):  # a full-width space, a traditional character: same name
            continue
        yield Hit(
            key=f"{number}:name",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
            evidence=f"身份证号{mask_id(number)}在农户档案中为{who(relation, name)}，"
            f"在扶贫部门建档立卡名单中为「{listed}」",
        )
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, {latest}
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
    for hid, region, number, name, year in rows:
        yield Hit(
            key=f"{number}:category",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            renovation_year=year,
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
              WHERE {SCOPE} AND v.approved_on IS NOT NULL {ctx.fence}) t
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
