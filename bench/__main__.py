"""`make bench`: the foundation's figures on a fresh data dir (SQLite unless ANJU_DATABASE_URL).

- scoping: one subtree query by code range (ours) vs LIKE prefix vs a recursive walk
- audit: appending entries one by one and in bulk, vs raw executemany into a bare table
- verify: walking the whole chain
- reporting: Annexes 1-2 for every district for one month (bench/reporting.py)
- households: 100,000-row import beside a bare calamine read; list and page latency
- priority: a 100,000-person priority list (half not in the archive: pending households and
  assessment tasks), time and peak memory beside the archive import's rows/s
- exports: the household list exported at 1,000,000 rows (time, peak memory of the exporter)
- api: the household list as JSON through /api/v1/ beside the HTML list (bench/api.py)
- crosscheck: every rule over the whole demo with lists 10x the archive, beside DuckDB
- planted: issue 31's planted case (payments only in the finance list; BENCH_PLANTED_HOUSEHOLDS,
  default 100,000) in a fresh database: recall and precision per rule, beside DuckDB
- dashboard: the overview's latency (city, county, township), summary rebuild and refresh
- login: the second factor's cost per page and per code, the password history check
- workbench: the to-do home page per role, the daily notification run for every user
- field: a 300-house village worksheet saved in one transaction, 1,000 plates in one PDF (A5 and
  two to an A4), the worksheet PDF (bench/field.py; BENCH_SHEET_HOUSES, BENCH_PLATES)
- load (only with BENCH_LOAD=1): 50 users for 5 minutes against `anju serve` on PostgreSQL
  (bench/load.py; BENCH_LOAD_MINUTES, BENCH_LOAD_USERS)

ANJU_DATA_DIR reuses a data dir that already holds the demo (loading it again is skipped);
BENCH_ONLY=households (or priority, reporting, api, crosscheck, planted, exports, dashboard,
login,
workbench, field; comma-separated) runs only those parts.
"""

import os
import statistics
import sys
import tempfile
import time


def timed(fn, repeat=5):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> int:
    os.environ.setdefault("ANJU_DATA_DIR", tempfile.mkdtemp(prefix="anju-bench-"))
    os.environ.setdefault("ANJU_HTTPS", "0")
    size = os.environ.get("BENCH_SIZE", "city")
    from anju.cli import _migrate, _setup

    _setup()
    _migrate()
    from django.conf import settings
    from django.db import connection

    from anju.demo import load_demo
    from anju.regions.models import Region

    start = time.perf_counter()
    load_demo(size=size, actor="bench")
    print(
        f"demo --size {size}: {Region.objects.count()} regions loaded in "
        f"{time.perf_counter() - start:.2f} s ({connection.vendor})"
    )

    only = {part for part in os.environ.get("BENCH_ONLY", "").split(",") if part}
    if not only:
        foundation()
    from bench import (
        api,
        crosscheck,
        dashboard,
        exports,
        field,
        households,
        login,
        priority_list,
        reporting,
        workbench,
    )

    settings.ANJU_API_RATE = 1_000_000  # measure the API, not the throttle
    for name, part in [
        ("reporting", reporting),
        ("households", households),
        ("priority", priority_list),
        ("api", api),
        ("crosscheck", crosscheck),
        ("exports", exports),
        ("dashboard", dashboard),
        ("login", login),
        ("workbench", workbench),
        ("field", field),
    ]:
        if not only or name in only:
            part.run()
    if not only or "planted" in only:
        # Issue 31's planted case, in a fresh database of its own (bench/planted.py).
        import subprocess

        planted = subprocess.run([sys.executable, "-m", "bench.planted"], check=False)
        if planted.returncode:
            return planted.returncode
    if os.environ.get("BENCH_LOAD") == "1":
        from bench import load

        minutes = os.environ.get("BENCH_LOAD_MINUTES", "5")
        users = os.environ.get("BENCH_LOAD_USERS", "50")
        return load.main(["--minutes", minutes, "--users", users])
    return 0


def foundation() -> None:
    from django.db import connection, transaction

    from anju.audit.models import AuditEntry
    from anju.audit.services import audit, audit_many
    from anju.audit.verify import verify_chain
    from anju.regions.models import Region

    county = "350881000000"
    ours = timed(lambda: list(Region.objects.within(county).values_list("code", flat=True)))
    like = timed(
        lambda: list(
            Region.objects.filter(code__startswith="350881").values_list("code", flat=True)
        )
    )

    def recursive():
        frontier, found = [county], []
        while frontier:
            kids = list(
                Region.objects.filter(parent_id__in=frontier).values_list("code", flat=True)
            )
            found += kids
            frontier = kids
        return found

    walk = timed(recursive)
    n = Region.objects.within(county).count()
    print(
        f"subtree of 漳平市 ({n} regions): range {ours * 1000:.2f} ms · "
        f"LIKE prefix {like * 1000:.2f} ms · recursive walk {walk * 1000:.2f} ms"
    )

    def one_by_one():
        for i in range(200):
            audit(actor="bench", action="update", obj="bench.object", after={"i": i})

    per = timed(one_by_one, repeat=3) / 200
    regions = list(Region.objects.all()[:1000])
    bulk = timed(
        lambda: audit_many(
            actor="bench", action="update", items=[(r, None, {"n": r.name}) for r in regions]
        ),
        repeat=3,
    )

    def bare():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bare_log (a text, b text, c text)")
            cursor.executemany(
                "INSERT INTO bare_log VALUES (%s, %s, %s)",
                [(str(i), "update", "x" * 64) for i in range(1000)],
            )

    raw = timed(bare, repeat=3)
    print(
        f"audit append: one entry {per * 1000:.2f} ms (own transaction) · "
        f"1,000 in bulk {bulk * 1000:.0f} ms ({1000 / bulk:,.0f}/s) · "
        f"bare executemany of 1,000 rows {raw * 1000:.0f} ms"
    )

    total = AuditEntry.objects.count()
    took = timed(verify_chain, repeat=3)
    print(f"audit verify: {total:,} entries in {took:.2f} s ({total / took:,.0f}/s)")
    assert verify_chain().ok


if __name__ == "__main__":
    sys.exit(main())
