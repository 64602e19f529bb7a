# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""NOT_RENOVATED (seed 003: 一经鉴定为危房，即行整改): a house assessed grade C or D, its household
in a priority category, and no renovation begun within the configured days of the assessment."""

from collections.abc import Iterator
from datetime import timedelta

from anju.crosscheck.choices import Rule
from anju.crosscheck.rules.base import HEAD_ID, SCOPE, Context, Hit, day, rule

# The renovation's first recorded step: the household's application, or (archive records often
# carry only these) the village review, the approval or the start of works.
_BEGUN = "COALESCE(v.applied_on, v.village_reviewed_on, v.approved_on, v.started_on)"


@rule(Rule.NOT_RENOVATED)
def not_renovated(ctx: Context) -> Iterator[Hit]:
    """The household's latest assessment (over all its houses) is C or D, at least `days` old;
    the household was in a category on that day; and it has no renovation that was not already
    accepted before the assessment and was begun (or carries no dates at all) within `days`, nor
    a relocation (造福工程) whose eligibility was recognised within `days`."""
    days = int(ctx.params["not_renovated_days"])
    cutoff = ctx.today - timedelta(days=days)
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name, a.grade,
                   a.assessed_on
            FROM households_household h
            JOIN households_house o ON o.household_id = h.id
            JOIN households_assessment a ON a.house_id = o.id
            WHERE {SCOPE} AND a.grade IN ('C', 'D') AND a.assessed_on < %s
              AND NOT EXISTS (SELECT 1 FROM households_assessment b
                JOIN households_house q ON q.id = b.house_id
                WHERE q.household_id = h.id AND (b.assessed_on > a.assessed_on
                  OR (b.assessed_on = a.assessed_on AND b.id > a.id)))
              AND EXISTS (SELECT 1 FROM households_categoryrecord k
                WHERE k.household_id = h.id AND (k."end" IS NULL OR k."end" > a.assessed_on))
              AND NOT EXISTS (SELECT 1 FROM households_renovation v
                WHERE v.household_id = h.id
                  AND (v.accepted_on IS NULL OR v.accepted_on >= a.assessed_on)
                  AND ({_BEGUN} IS NULL OR {ctx.days(_BEGUN, "a.assessed_on")} <= %s))
              AND NOT EXISTS (SELECT 1 FROM households_renovationcase c
                WHERE c.household_id = h.id AND c.kind = 'relocation'
                  AND c.eligible_on IS NOT NULL
                  AND {ctx.days("c.eligible_on", "a.assessed_on")} <= %s)""",
        [*ctx.bounds, cutoff, days, days],
        sealed={2: HEAD_ID},
    )
    for hid, region, number, name, grade, assessed in rows:
        yield Hit(
            key=f"{number}:{assessed}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"户主{name}家为重点对象，房屋于{day(assessed)}鉴定为{grade}级危房，"
            f"超过{days}天未见农户申请、审批或开工等改造记录",
        )
