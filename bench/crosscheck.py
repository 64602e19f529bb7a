# ruff: noqa: S608  (table and file names from the models and a temporary folder)
"""Cross-check: the full rule set over the whole demo, with departments' lists grown to ten
times the households, beside DuckDB running the very same rules' SQL over Parquet copies of the
same tables (the rules take a DuckDB `execute`; Python words the evidence in both runs)."""

import csv
import os
import tempfile
import time

from bench.memory import high_water_mb, reset_high_water

LIST_FACTOR = int(os.environ.get("BENCH_LIST_FACTOR", "10"))


def grow_lists(factor: int) -> int:
    """Top the deaths list up with people outside the archive (a city's whole death register),
    so that the lists hold `factor` times as many rows as the archive has households."""
    from datetime import date, timedelta

    from django.db import transaction

    from anju.crosscheck.models import ReferenceList, ReferenceRecord
    from anju.households.demo import resident_id
    from anju.households.models import Household
    from anju.sealed import Sealer
    from anju.tabular.inserts import insert_rows

    deaths = ReferenceList.objects.filter(kind="deaths", superseded_by__isnull=True).first()
    if deaths is None:
        return 0
    missing = factor * Household.objects.count() - ReferenceRecord.objects.count()
    if missing <= 0:
        return 0
    start = date(2010, 1, 1)
    ids = Sealer(ReferenceRecord, "id_number")
    with transaction.atomic():
        insert_rows(
            ReferenceRecord,
            ["reference_id", "row", "name", *ids.columns, "id_valid", "start"],
            (
                (
                    deaths.pk,
                    deaths.rows + n + 2,
                    "逝者",
                    *ids(resident_id("350802000000", 20_000_000 + n)),
                    True,
                    start + timedelta(days=n % 5000),
                )
                for n in range(missing)
            ),
        )
    ReferenceList.objects.filter(pk=deaths.pk).update(rows=deaths.rows + missing)
    return missing


def _duck_type(field) -> str:
    kind = field.get_internal_type()
    if kind in ("DateField",):
        return "DATE"
    if kind == "DateTimeField":
        return "TIMESTAMP"
    if kind == "BooleanField":
        return "BOOLEAN"
    if kind == "DecimalField":
        return f"DECIMAL({field.max_digits},{field.decimal_places})"
    if kind in (
        "AutoField",
        "BigAutoField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
    ):
        return "BIGINT"
    if kind == "ForeignKey":
        return _duck_type(field.target_field)
    return "VARCHAR"


def _csv_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def to_parquet(folder: str):
    """Every table the rules read, as Parquet, and a DuckDB connection with a view per table."""
    import duckdb
    from django.apps import apps
    from django.db import connection

    names = [
        "households.Household",
        "households.Person",
        "households.House",
        "households.Assessment",
        "households.Renovation",
        "households.Payment",
        "households.CategoryRecord",
        "households.FollowUpVisit",
        "households.SafetyPlate",
        "households.RenovationCase",
        "crosscheck.ReferenceList",
        "crosscheck.ReferenceRecord",
        "assessments.AssessmentTask",
    ]
    duck = duckdb.connect()
    for name in names:
        model = apps.get_model(name)
        fields = [f for f in model._meta.concrete_fields]
        table = model._meta.db_table
        if model._meta.model_name == "safetyplate":
            fields = [f for f in fields if f.name != "photo"]
        columns = [f.column for f in fields]
        path = os.path.join(folder, f"{table}.csv")
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with open(path, "w", newline="", encoding="utf-8") as out, connection.cursor() as cursor:
            writer = csv.writer(out)
            writer.writerow(columns)
            cursor.execute(f"SELECT {quoted} FROM {table}")
            while rows := cursor.fetchmany(20000):
                writer.writerows([[_csv_value(v) for v in row] for row in rows])
        types = ", ".join(f"'{f.column}': '{_duck_type(f)}'" for f in fields)
        parquet = os.path.join(folder, f"{table}.parquet")
        # Ciphertext travels as hex through the CSV and is BLOB again in Parquet.
        blobs = [f.column for f in fields if f.get_internal_type() == "BinaryField"]
        replace = f" REPLACE ({', '.join(f'unhex({c}) AS {c}' for c in blobs)})" if blobs else ""
        duck.execute(
            f"COPY (SELECT *{replace} FROM read_csv('{path}', header=true, nullstr='\\N', "
            f"columns={{{types}}})) TO '{parquet}' (FORMAT parquet)"
        )
        os.remove(path)
        duck.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{parquet}')")
    return duck


def run() -> None:
    from django.utils import timezone

    from anju.crosscheck.models import CheckRun
    from anju.crosscheck.references import current_lists
    from anju.crosscheck.rules import RULES, Context
    from anju.crosscheck.runs import execute, start_run
    from anju.households.models import Household
    from anju.regions.models import Region

    start = time.perf_counter()
    added = grow_lists(LIST_FACTOR)
    grown = time.perf_counter() - start
    top = Region.objects.order_by("level", "code").first()
    from anju.crosscheck.models import ReferenceRecord

    households, listed = Household.objects.count(), ReferenceRecord.objects.count()

    reset_high_water()
    start, cpu = time.perf_counter(), time.process_time()
    ours_run = execute(start_run(actor="bench", region=top))
    ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = high_water_mb()
    assert ours_run.status == "done", ours_run.message

    folder = tempfile.mkdtemp(prefix="anju-parquet-")
    start = time.perf_counter()
    duck = to_parquet(folder)
    exported = time.perf_counter() - start
    lists = list(current_lists(top))
    by_kind: dict[str, list[int]] = {}
    for reference in lists:
        by_kind.setdefault(reference.kind, []).append(reference.pk)
    ctx = Context(
        region=top,
        lists=by_kind,
        today=timezone.localdate(),
        received={r.pk: r.received_on for r in lists},
        dialect="duckdb",
        execute=lambda sql, params: duck.execute(sql.replace("%s", "?"), params).fetchall(),
    )
    counts = {}
    start, cpu = time.perf_counter(), time.process_time()
    for code, rule in RULES.items():
        counts[code] = len({hit.key for hit in rule(ctx)})
    baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu
    ctx.close()
    differ = {
        c: (n, ours_run.counts.get(c)) for c, n in counts.items() if n != ours_run.counts.get(c)
    }
    rules_wall = CheckRun.objects.get(pk=ours_run.pk).rules_seconds
    print(
        f"cross-check ({households:,} households, {listed:,} list rows; {added:,} generated "
        f"death-register rows added in {grown:.1f} s): full run {ours:.1f} s, of which the rules "
        f"{rules_wall:.1f} s on two connections ({ours_run.found:,} findings kept) · DuckDB on "
        f"Parquet, same rules' SQL {baseline:.1f} s (export {exported:.1f} s, not counted) · "
        f"rules {rules_wall / baseline:.1f}× DuckDB, full run {ours / baseline:.1f}× · run peak "
        f"{peak:.0f} MB"
        + (f" · counts differ: {differ}" if differ else " · same findings per rule")
        + _cpu_line(ours_cpu, baseline_cpu)
    )


def _cpu_line(ours: float, duck: float) -> str:
    """CPU seconds of the full run beside DuckDB's (both in this process: SQLite works in it, as
    DuckDB's threads do), which a busy machine does not inflate as it does the clock. Not on
    PostgreSQL, whose work is in its server processes."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return ""
    return f" · CPU: full run {ours:.1f} s, DuckDB {duck:.1f} s ({ours / duck:.1f}×)"
