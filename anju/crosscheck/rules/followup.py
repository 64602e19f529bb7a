# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""Rules on the follow-up after the list or the works: assessments overdue, visits overdue,
safety plates missing, a household still living in its dangerous house."""

from collections.abc import Iterator
from datetime import date, timedelta

from anju.crosscheck.choices import PRIORITY_KINDS, Kind, Rule
from anju.crosscheck.rules.base import (
    HEAD_ID,
    NEW_HOUSE_METHODS,
    REFERENCE_ID,
    SCOPE,
    TASK_ID,
    Context,
    Hit,
    day,
    marks,
    rule,
)
from anju.households.choices import REVISITED
from anju.identity import mask_id
from anju.regions.models import Level, Region


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
    """The house the family lives in now is of earth, earth-timber or brick-timber and was not
    revisited for more than a quarter. After an accepted rebuild (new build, replacement, move)
    that is the new house, as recorded (brick-concrete unless a new house of another structure
    is on record), not the demolished one; after a repair, the repaired house still is."""
    interval = int(ctx.params["visit_interval_days"])
    limit = ctx.today - timedelta(days=interval)
    kinds = [s.value for s in REVISITED]
    rows = ctx.query(
        f"""SELECT h.id, h.region_id, h.head_id, h.head_id_digest, h.head_name,
                   (SELECT MAX(visited_on) FROM households_followupvisit f
                    WHERE f.household_id = h.id) AS last_visit,
                   (SELECT MAX(v.year) FROM households_renovation v
                    WHERE v.household_id = h.id AND v.accepted_on IS NOT NULL) AS renovated
            FROM households_household h
            WHERE {SCOPE}
              AND ((NOT EXISTS (SELECT 1 FROM households_renovation v
                                WHERE v.household_id = h.id AND v.accepted_on IS NOT NULL
                                  AND v.method IN ({marks(NEW_HOUSE_METHODS)}))
                    AND NOT EXISTS (SELECT 1 FROM households_house n
                                    WHERE n.household_id = h.id AND n.is_new = %s)
                    AND EXISTS (SELECT 1 FROM households_house o
                                WHERE o.household_id = h.id AND o.structure IN ({marks(kinds)})))
                   OR EXISTS (SELECT 1 FROM households_house n
                              WHERE n.household_id = h.id AND n.is_new = %s
                                AND n.structure IN ({marks(kinds)})))
              AND NOT EXISTS (SELECT 1 FROM households_followupvisit f
                WHERE f.household_id = h.id AND f.visited_on >= %s)""",
        [*ctx.bounds, *NEW_HOUSE_METHODS, True, *kinds, True, *kinds, limit],
        sealed={2: HEAD_ID},
    )
    quarter = f"{ctx.today.year}Q{(ctx.today.month - 1) // 3 + 1}"
    for hid, region, number, name, last, renovated in rows:
        since = f"上次回访为{day(last)}" if last else "从未回访"
        house = f"（{renovated}年度修缮加固后）" if renovated else ""
        yield Hit(
            key=f"{number}:{quarter}",
            region_code=region,
            household_id=hid,
            id_number=number,
            name=name,
            evidence=f"户主{name}家现住房屋{house}为土坯/土木/砖木结构，应每季度回访，{since}，"
            f"已超过{interval}天",
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
