"""Where the cross-check's time goes, rule by rule and statement by statement (issue 34).

    ANJU_DATA_DIR=DIR .venv/bin/python -m bench.explain [--grow N] [--rule CODE ...] [--plans]

Runs every rule (or those named) over the top region of the database in ANJU_DATA_DIR (or
ANJU_DATABASE_URL), timing each SQL statement it sends; `--plans` prints each statement's plan
(SQLite `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN (ANALYZE, BUFFERS)`). `--grow N` first writes N
synthetic households with their lists (tests/crosscheck/growth.py) into an empty database."""

import argparse
import os
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench.explain")
    parser.add_argument("--grow", type=int, default=0)
    parser.add_argument("--rule", action="append", default=[])
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("ANJU_HTTPS", "0")
    from anju.cli import _migrate, _setup

    _setup()
    _migrate()
    from django.db import connection
    from django.utils import timezone

    from anju.crosscheck.references import current_lists
    from anju.crosscheck.rules import RULES, Context
    from anju.regions.models import Region

    if args.grow:
        _grow(args.grow)
    top = Region.objects.order_by("level", "code").first()
    lists = list(current_lists(top))
    by_kind: dict[str, list[int]] = {}
    for reference in lists:
        by_kind.setdefault(reference.kind, []).append(reference.pk)
    statements: list[tuple[str, str, list, float, int]] = []
    current = {"rule": ""}

    def execute(sql: str, params: list) -> list[tuple]:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
        statements.append((current["rule"], sql, params, time.perf_counter() - began, len(rows)))
        return rows

    ctx = Context(
        region=top,
        lists=by_kind,
        today=timezone.localdate(),
        received={r.pk: r.received_on for r in lists},
        execute=execute,
    )
    print(f"{connection.vendor}: region {top.code}, lists {by_kind}")
    # CPU: this process's and (PostgreSQL) its server process's, which neighbours do not inflate.
    from tests.crosscheck.growth import _cpu

    total = [0.0, 0.0]
    for code, rule in RULES.items():
        if args.rule and code not in args.rule:
            continue
        current["rule"] = code
        began, cpu = time.perf_counter(), _cpu()
        found = sum(1 for _ in rule(ctx))
        wall, cpu = time.perf_counter() - began, _cpu() - cpu
        total[0] += wall
        total[1] += cpu
        print(f"{code:26s} {wall:7.2f} s  CPU {cpu:7.2f} s  {found:8,d} found")
    print(f"{'all rules':26s} {total[0]:7.2f} s  CPU {total[1]:7.2f} s")
    print("\nslowest statements:")
    for code, sql, params, seconds, rows in sorted(statements, key=lambda s: -s[3])[:12]:
        print(f"\n{code} {seconds:.2f} s, {rows:,} rows")
        if not sql.lstrip().upper().startswith("SELECT"):
            print("   ", sql.split("(")[0].split(" AS ")[0].strip())  # the run's own table
        elif args.plans:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                    for row in cursor.fetchall():
                        print("   ", row[-1])
                else:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                    for (line,) in cursor.fetchall():
                        print("   ", line)
    ctx.close()
    return 0


def _grow(households: int) -> None:
    from anju.accounts.models import User
    from anju.regions.models import Region
    from tests.base import make_regions
    from tests.crosscheck.growth import grow, lists

    if not Region.objects.exists():
        make_regions()
    visitor = User.objects.filter(username="growth").first() or User.objects.create_user(
        username="growth", password=None, full_name="回访人", region_id="350881000000"
    )
    began = time.perf_counter()
    grow(0, households, lists(), visitor)
    print(f"grew {households:,} households in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())
