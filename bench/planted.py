"""Issue 31's planted case at bench scale: an archive with no payment columns, the money only in
the finance bureau's one-card list, the usual noise, a known number of anomalies for every rule
(tests/crosscheck/planted_finance.py). Prints recall and precision per rule, and the run's time
beside DuckDB running the same rules' SQL over Parquet copies of the same tables.

    .venv/bin/python -m bench.planted [HOUSEHOLDS]        (default 100,000; a fresh database)

`make bench` runs it (BENCH_PLANTED_HOUSEHOLDS sets the size) in a fresh data dir of its own,
and on PostgreSQL in a fresh database of its own beside ANJU_DATABASE_URL's (dropped afterwards):
the case has its own region tree and today."""

import contextlib
import os
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

from bench.crosscheck import _cpu_line


@contextlib.contextmanager
def fresh_database():
    """On PostgreSQL, ANJU_DATABASE_URL pointed at a new empty database on the same server for
    the duration (the bench's own demo lives in the configured one); SQLite needs nothing."""
    url = os.environ.get("ANJU_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'anju'}_planted_{os.getpid()}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["ANJU_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield
    finally:
        os.environ["ANJU_DATABASE_URL"] = url
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def main(argv: list[str]) -> int:
    with fresh_database():
        return _main(argv)


def _main(argv: list[str]) -> int:
    households = int(argv[0]) if argv else int(os.environ.get("BENCH_PLANTED_HOUSEHOLDS", "100000"))
    os.environ["ANJU_DATA_DIR"] = tempfile.mkdtemp(prefix="anju-planted-")
    os.environ.setdefault("ANJU_HTTPS", "0")
    from anju.cli import _migrate, _setup

    _setup()
    _migrate()
    import time_machine
    from django.db import connection
    from django.utils import timezone

    from anju.accounts.models import User
    from anju.crosscheck.models import Finding
    from anju.crosscheck.references import current_lists
    from anju.crosscheck.rules import RULES, Context
    from anju.crosscheck.runs import execute, start_run
    from anju.regions.models import Region
    from bench.crosscheck import to_parquet
    from bench.memory import high_water_mb, reset_high_water
    from tests.base import make_regions
    from tests.crosscheck.planted_finance import FinanceCase
    from tests.crosscheck.test_planted_finance import scores

    make_regions()
    visitor = User.objects.create_user(
        username="visitor", password=None, full_name="回访人", region_id="350881000000"
    )
    began = time.perf_counter()
    case = FinanceCase(households=households, per_rule=max(3, households // 150)).build()
    with time_machine.travel("2026-11-22 10:00 +0800", tick=True):
        case.load(visitor=visitor)
        loaded = time.perf_counter() - began
        county = Region.objects.get(code="350881000000")
        reset_high_water()
        began, cpu = time.perf_counter(), time.process_time()
        run = execute(start_run(actor="bench", region=county))
        ours, ours_cpu = time.perf_counter() - began, time.process_time() - cpu
        peak = high_water_mb()
        found = set(Finding.objects.filter(last_run=run).values_list("rule", "id_number"))
        result = scores(found, {(str(rule), number) for rule, number in case.expected})
        folder = tempfile.mkdtemp(prefix="anju-parquet-")
        duck = to_parquet(folder)
        lists = list(current_lists(county))
        by_kind: dict[str, list[int]] = {}
        for reference in lists:
            by_kind.setdefault(reference.kind, []).append(reference.pk)
        ctx = Context(
            region=county,
            lists=by_kind,
            today=timezone.localdate(),
            received={r.pk: r.received_on for r in lists},
            dialect="duckdb",
            execute=lambda sql, params: duck.execute(sql.replace("%s", "?"), params).fetchall(),
        )
        began, cpu = time.perf_counter(), time.process_time()
        counts = {code: len({hit.key for hit in rule(ctx)}) for code, rule in RULES.items()}
        baseline, baseline_cpu = time.perf_counter() - began, time.process_time() - cpu
        ctx.close()
    differ = {c: (n, run.counts.get(c)) for c, n in counts.items() if n != run.counts.get(c)}
    worst = min(min(r, p) for r, p in result.values())
    print(
        f"planted case ({households:,} households, {len(case.expected):,} planted, "
        f"{len(case.finance):,} one-card payments; loaded through the imports in {loaded:.0f} s, "
        f"{connection.vendor}): "
        + (
            "recall and precision 1.0 for every rule"
            if worst == 1.0
            else f"recall, precision per rule {result}"
        )
        + f" · full run {ours:.1f} s, rules {run.rules_seconds:.1f} s · DuckDB {baseline:.1f} s · "
        f"rules {run.rules_seconds / baseline:.1f}× DuckDB, full run {ours / baseline:.1f}× · "
        f"run peak {peak:.0f} MB"
        + (f" · counts differ: {differ}" if differ else " · same findings per rule")
        + _cpu_line(ours_cpu, baseline_cpu)
    )
    return 0 if worst == 1.0 and not differ else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
