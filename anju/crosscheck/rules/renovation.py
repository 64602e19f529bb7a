# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""NOT_RENOVATED (seed 003: 一经鉴定为危房，即行整改): a house assessed grade C or D, its household
in a priority category, the configured days since the assessment passed, and still no renovation
begun.

A renovation begun after the window clears the finding: the house is being renovated, and the
evidence ("未见…改造记录") would be untrue. Archives carry the approval as the first date, and the
approval comes one to three months after the assessment as a rule (application, village review
and 公示, township review, county approval): counting those as findings reported 31,497 of the
city demo's 42,954 households, burying the houses nobody has begun to renovate."""

from collections.abc import Iterator
from datetime import timedelta

from anju.crosscheck.choices import Rule
from anju.crosscheck.rules.base import HEAD_ID, SCOPE, Context, Hit, day, rule


@rule(Rule.NOT_RENOVATED)
def not_renovated(ctx: Context) -> Iterator[Hit]:
    """The household's latest assessment (over all its houses) is C or D, at least `days` old;
    the household was in a category on that day; and it has no renovation that was not already
    accepted before the assessment (whenever begun, or carrying no dates at all), nor a
    relocation (造福工程) whose eligibility has been recognised."""
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
                  AND (v.accepted_on IS NULL OR v.accepted_on >= a.assessed_on))
              AND NOT EXISTS (SELECT 1 FROM households_renovationcase c
                WHERE c.household_id = h.id AND c.kind = 'relocation'
                  AND c.eligible_on IS NOT NULL)""",
        [*ctx.bounds, cutoff],
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
