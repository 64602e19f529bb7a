"""Keeping the overview's summary (Tally) equal to what the archive holds.

The unit of maintenance is a region subtree: `tally_refresh(codes)` recounts, set-based, the
subtrees that hold the changed records and swaps their rows, in the caller's transaction. The
services that change a counted record call it with the household's region (a township's worth of
rows, a few milliseconds); the bulk paths (the archive import, the demo loader), which write
without signals or services, call it once at the end with every region they touched, grouped up
to counties or cities so a large import costs a few range scans, not one recount per township.
`tally_rebuild()` recounts everything (`anju manage dashboard_rebuild`), and
`tally_differences()` compares the summary with a full recount (`--check`).

What each figure counts (统计口径, docs/dashboard.md) is defined once, in `recount`, and mirrors
the archive's own reads: anju.households.visits (revisited, overdue), anju.households.plates
(missing plates), anju.crosscheck.rules PAYMENT_LATE (payment days)."""

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from anju.dashboard.models import Figure, Tally
from anju.households.choices import REVISITED
from anju.households.models import (
    Assessment,
    FollowUpVisit,
    House,
    Household,
    Payment,
    Renovation,
    SafetyPlate,
)
from anju.parameters import payment_days
from anju.regions.models import CODE_LENGTH, PREFIX_LENGTH, Level, ancestor_codes, subtree_bounds
from anju.reporting.deadlines import add_months

EVERYTHING = ("0" * CODE_LENGTH, "9" * CODE_LENGTH)
# More touched subtrees than this at one level: refresh their parents instead.
MAX_ROOTS = 20


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _plus_days(column: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + {int(days)})"
    return f"date({column}, '+{int(days)} days')"


def _key(prefix: int) -> str:
    """SQL for the region a household's row is counted under: its code cut to `prefix` digits."""
    if prefix >= CODE_LENGTH:
        return "h.region_id"
    return f"substr(h.region_id, 1, {prefix}) || '{'0' * (CODE_LENGTH - prefix)}'"


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def recount(
    bounds: tuple[str, str], *, prefix: int = PREFIX_LENGTH[Level.TOWNSHIP]
) -> list[tuple[str, str, date | None, int]]:
    """(region, figure, day, count) for the households whose region lies in `bounds`, counted
    under their region cut to `prefix` digits (townships for the summary; villages when a
    township's overview is drawn straight from the archive)."""
    h, house, assessment = Household._meta.db_table, House._meta.db_table, Assessment._meta.db_table
    plate, visit = SafetyPlate._meta.db_table, FollowUpVisit._meta.db_table
    renovation, payment = Renovation._meta.db_table, Payment._meta.db_table
    key = _key(prefix)
    # Households on record only (not merged into another, not withdrawn).
    where = "h.state = 'active' AND h.region_id BETWEEN %s AND %s"
    assessed = f"""EXISTS (SELECT 1 FROM {house} o JOIN {assessment} a ON a.house_id = o.id
                           WHERE o.household_id = h.id)"""  # noqa: S608
    structures = ", ".join(f"'{s}'" for s in sorted(REVISITED))
    accepted = f"r.accepted_on IS NOT NULL AND {where}"
    queries = {
        Figure.HOUSEHOLDS: f"""SELECT {key}, NULL, COUNT(*) FROM {h} h
                WHERE {where} GROUP BY 1""",  # noqa: S608
        # Households with an assessment, by the month of the first one. (Correlated per
        # household, so a township's recount walks its own households, not every assessment.)
        Figure.ASSESSED: f"""SELECT k, {_month("f")}, COUNT(*) FROM (
                SELECT {key} AS k, (SELECT MIN(a.assessed_on) FROM {house} o
                    JOIN {assessment} a ON a.house_id = o.id WHERE o.household_id = h.id) AS f
                FROM {h} h WHERE {where} AND {assessed}) s GROUP BY 1, 2""",  # noqa: S608
        # Assessed households with a plate on the wall (plates.missing_plates is the rest), by
        # the month the first went up.
        Figure.PLATED: f"""SELECT k, {_month("f")}, COUNT(*) FROM (
                SELECT {key} AS k, (SELECT MIN(p.installed_on) FROM {plate} p
                    WHERE p.household_id = h.id AND p.installed_on IS NOT NULL) AS f
                FROM {h} h WHERE {where} AND {assessed} AND EXISTS (
                    SELECT 1 FROM {plate} p WHERE p.household_id = h.id
                    AND p.installed_on IS NOT NULL)) s GROUP BY 1, 2""",  # noqa: S608
        # visits.revisited(), by the exact day of the last visit (null: never visited).
        Figure.REVISITED: f"""SELECT k, f, COUNT(*) FROM (
                SELECT {key} AS k,
                       (SELECT MAX(v.visited_on) FROM {visit} v WHERE v.household_id = h.id) AS f
                FROM {h} h WHERE {where} AND EXISTS (
                    SELECT 1 FROM {house} o WHERE o.household_id = h.id
                    AND o.structure IN ({structures}))) s GROUP BY 1, 2""",  # noqa: S608
        Figure.VISITS: f"""SELECT {key}, {_month("v.visited_on")}, COUNT(*) FROM {visit} v
                JOIN {h} h ON h.id = v.household_id WHERE {where} GROUP BY 1, 2""",  # noqa: S608
        Figure.RENOVATIONS: f"""SELECT {key}, NULL, COUNT(*) FROM {renovation} r
                JOIN {h} h ON h.id = r.household_id WHERE {where} GROUP BY 1""",  # noqa: S608
        Figure.ACCEPTED: f"""SELECT {key}, {_month("r.accepted_on")}, COUNT(*) FROM {renovation} r
                JOIN {h} h ON h.id = r.household_id WHERE {accepted} GROUP BY 1, 2""",  # noqa: S608
        # PAYMENT_LATE's population: accepted renovations with a subsidy.
        Figure.PAYABLE: f"""SELECT {key}, {_month("r.accepted_on")}, COUNT(*) FROM {renovation} r
                JOIN {h} h ON h.id = r.household_id WHERE {accepted} AND r.subsidy_fen > 0
                GROUP BY 1, 2""",  # noqa: S608
        # ... of which the first payment came within the payment days (not PAYMENT_LATE).
        Figure.PAID_ON_TIME: f"""SELECT {key}, {_month("r.accepted_on")}, COUNT(*)
                FROM {renovation} r JOIN {h} h ON h.id = r.household_id
                WHERE {accepted} AND r.subsidy_fen > 0
                AND (SELECT MIN(p.paid_on) FROM {payment} p WHERE p.renovation_id = r.id)
                    <= {_plus_days("r.accepted_on", payment_days())}
                GROUP BY 1, 2""",  # noqa: S608
    }
    rows = []
    with connection.cursor() as cursor:
        for figure, sql in queries.items():
            cursor.execute(sql, list(bounds))
            rows += [(k, figure.value, _as_date(d), n) for k, d, n in cursor.fetchall()]
    return collapse(rows, timezone.localdate())


MONTHLY = {Figure.ASSESSED, Figure.PLATED, Figure.VISITS} | {
    Figure.ACCEPTED,
    Figure.PAYABLE,
    Figure.PAID_ON_TIME,
}
# A last visit this long ago is overdue on every later day (the interval is 92 days).
VISIT_HORIZON_DAYS = 120


def collapse(rows, today: date) -> list[tuple[str, str, date | None, int]]:
    """Fold the dates no overview will tell apart again into one row: months before the
    twelve-month trend into the month before it, last visits long overdue into one day. The
    folds only move dates that every later day reads the same way, so the summary stays exact
    while a township's rows stay few."""
    months = add_months(today.replace(day=1), -12)
    visits = today - timedelta(days=VISIT_HORIZON_DAYS)
    folded: dict[tuple, int] = {}
    for k, f, d, n in rows:
        if d is not None:
            if f in MONTHLY and d < months:
                d = months
            elif f == Figure.REVISITED and d < visits:
                d = visits
        folded[(k, f, d)] = folded.get((k, f, d), 0) + n
    return [(k, f, d, n) for (k, f, d), n in folded.items()]


def _lock(root: str | None) -> None:
    """Serialise refreshes of overlapping subtrees on PostgreSQL: the root's region row FOR
    UPDATE, its ancestors FOR SHARE (SQLite serialises every write transaction already)."""
    if connection.vendor != "postgresql" or root is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM regions_region WHERE code = %s FOR UPDATE", [root])
        above = ancestor_codes(root)
        if above:
            cursor.execute(
                "SELECT code FROM regions_region WHERE code = ANY(%s) FOR SHARE", [above]
            )


def _replace(root: str | None) -> int:
    bounds = subtree_bounds(root) if root else EVERYTHING
    _lock(root)
    Tally.objects.filter(region_code__range=bounds).delete()
    rows = recount(bounds)
    Tally.objects.bulk_create(
        [Tally(region_code=k, figure=f, day=d, count=n) for k, f, d, n in rows], batch_size=5000
    )
    return len(rows)


def roots_for(codes: Iterable[str]) -> list[str] | None:
    """The subtrees to recount for changes in `codes`: their townships, or (when there are many)
    their counties, cities, provinces; None for everything."""
    codes = {c for c in codes if c}
    for level in (Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE):
        n = PREFIX_LENGTH[level]
        roots = {c[:n] + "0" * (CODE_LENGTH - n) for c in codes}
        if len(roots) <= MAX_ROOTS:
            return sorted(roots)
    return None


def tally_refresh(codes: Iterable[str]) -> None:
    """Recount the summary for the regions in `codes` (household region codes), in the caller's
    transaction, so the overview changes together with the record."""
    roots = roots_for(codes)
    with transaction.atomic():
        if roots is None:
            _replace(None)
            return
        for root in roots:
            _replace(root)


class NewHousehold(NamedTuple):
    """What a bulk import writes for a household new to the archive: its region, the structure
    of its house, the dates of its assessments and its renovations (acceptance date, subsidy in
    fen). It has no plate, visit or payment yet."""

    region: str
    structure: str
    assessed: tuple[date | None, ...]  # one per assessment (empty: not assessed)
    renovations: tuple[tuple[date | None, int], ...]


def new_household_figures(households: Iterable[tuple]) -> list[tuple]:
    """The summary rows of households that no row counts yet, as `recount` would count them
    (tests/dashboard compare the two after imports): each figure's definition read for a
    household with no plate, visit or payment, so an import adds its new households' figures
    without querying them back. `households`: NewHousehold or plain tuples of its fields."""
    n = PREFIX_LENGTH[Level.TOWNSHIP]
    pad = "0" * (CODE_LENGTH - n)
    households_, assessed, revisited = (
        Figure.HOUSEHOLDS.value,
        Figure.ASSESSED.value,
        Figure.REVISITED.value,
    )
    renovations, accepted, payable = (
        Figure.RENOVATIONS.value,
        Figure.ACCEPTED.value,
        Figure.PAYABLE.value,
    )
    months: dict[date, date] = {}

    def month(day: date) -> date:
        found = months.get(day)
        if found is None:
            found = months[day] = day.replace(day=1)
        return found

    keys = []  # one per counted record, counted at the end
    add = keys.append
    for region, structure, dates, done in households:
        township = region[:n] + pad
        add((township, households_, None))
        if dates:
            first = min((d for d in dates if d is not None), default=None)
            add((township, assessed, first and month(first)))
        if structure in REVISITED:
            add((township, revisited, None))  # never visited
        for accepted_on, subsidy_fen in done:
            add((township, renovations, None))
            if accepted_on is not None:
                add((township, accepted, month(accepted_on)))
                if subsidy_fen > 0:
                    add((township, payable, month(accepted_on)))
    rows = [(*key, count) for key, count in Counter(keys).items()]
    return collapse(rows, timezone.localdate())


def tally_import(touched: Iterable[str], new: Iterable[tuple]) -> None:
    """The summary after a bulk import, in its transaction. `touched`: the region codes of the
    households already on record that the import changed (where they were and where they are
    now): their subtrees are recounted as by `tally_refresh`. `new`: the households the import
    added, which no summary row counts yet: outside those subtrees their figures are added as
    rows of their own (the overview sums a township's rows), so a first import of a city's
    archive does not recount every household of the city."""
    codes = {c for c in touched if c}
    roots = roots_for(codes) if codes else []
    with transaction.atomic():
        if roots is None:
            _replace(None)
            return
        for root in roots:
            _replace(root)
        recounted = [subtree_bounds(root) for root in roots]
        if recounted:
            new = (h for h in new if not any(low <= h[0] <= high for low, high in recounted))
        rows = new_household_figures(new)
        Tally.objects.bulk_create(
            [Tally(region_code=k, figure=f, day=d, count=n) for k, f, d, n in rows],
            batch_size=5000,
        )


def tally_rebuild() -> int:
    """Recount the whole summary from the archive; the number of summary rows."""
    with transaction.atomic():
        return _replace(None)


def tally_differences() -> list[tuple]:
    """Where the summary differs from a full recount: (region, figure, day, kept, counted)."""
    # Rows written on an earlier day were folded at that day's horizons: fold them again at
    # today's, as the recount is, before comparing.
    today = timezone.localdate()
    rows = Tally.objects.values_list("region_code", "figure", "day", "count")
    kept = {(k, f, d): n for k, f, d, n in collapse(rows, today)}
    counted = {(k, f, d): n for k, f, d, n in recount(EVERYTHING)}
    return sorted(
        (
            (*key, kept.get(key, 0), counted.get(key, 0))
            for key in kept.keys() | counted.keys()
            if kept.get(key, 0) != counted.get(key, 0)
        ),
        key=lambda row: (row[0], row[1], str(row[2])),
    )


def on_registry_changed(*, regions: Iterable[str]) -> None:
    """anju.households.events.registry_changed: recount the regions written to."""
    tally_refresh(regions)


def on_archive_imported(*, regions: Iterable[str], new_households: Iterable[tuple]) -> None:
    """anju.households.events.archive_imported: recount the regions of households on record,
    add the new households' figures from what was written."""
    tally_import(regions, new_households)
