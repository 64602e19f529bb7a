"""Inserting many new rows fast: plain tuples through one prepared INSERT and `executemany`.

Django's bulk_create builds a model instance per row and compiles SQL for every batch; on a
100,000-row import that is most of the time. Here the caller gives the columns it knows as plain
values the database driver takes as they are (str, int, bool, date, Decimal, None); every other
column gets its default, prepared once. Primary keys are reserved up front (`reserve_ids`), so
children can point at new parents without reading them back.
"""

import gc
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import DateField, DateTimeField, DecimalField
from django.utils import timezone

CHUNK = 5000
# SQLite's page cache for the duration of a bulk load, in KiB (a negative cache_size is KiB).
# The default 2 MB holds a sliver of the indexes of a million-household archive: every insert
# with a random key (an ID number) read its index pages from the OS and, once the cache was full,
# spilled dirty pages to the WAL mid-transaction, to be written again later.
BULK_CACHE_KIB = 256 * 1024
# PostgreSQL: a bulk write of at least this many rows that also adds more than a tenth of what the
# table's statistics last counted is followed at once by ANALYZE of that table (`analyze`).
ANALYZE_ROWS = 1000


def reserve_ids(model, count: int) -> list[int]:
    """`count` primary keys no other insert will take. Call inside the import's transaction.

    PostgreSQL draws them from the column's own sequence. SQLite has one writer at a time (our
    transactions begin IMMEDIATE), so the keys after the highest ever handed out (AUTOINCREMENT
    keeps that in sqlite_sequence) are free until this transaction ends."""
    if count <= 0:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids needs the transaction that will insert the rows")
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))


def _default(field, connection, now):
    if isinstance(field, DateField) and (field.auto_now or field.auto_now_add):
        value = now if field.get_internal_type() == "DateTimeField" else now.date()
    else:
        value = field.get_default()
    return field.get_db_prep_save(value, connection)


@contextmanager
def no_gc():
    """The cyclic garbage collector off for a bulk load, as it was afterwards. An import holds
    millions of young objects (cells, records, tuples) that all live until it ends; every full
    collection walked all of them again, for no cycles to free: 10 % of an import's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def insert_rows(model, names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """INSERT `rows` (tuples of values for the fields or attnames in `names`, e.g. "id",
    "household_id") into `model`'s table; other columns take their defaults. Returns the count.
    PostgreSQL gets them through COPY, SQLite through executemany in chunks (`_sqlite_insert`)."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    given = [meta.get_field(name) for name in names]
    given_columns = {f.column for f in given}
    now = timezone.now()
    rest, constants = [], []
    for field in meta.concrete_fields:
        if field.column in given_columns or field.primary_key:
            continue
        value = _default(field, connection, now)
        if value is None and field.null:
            continue  # left out of the INSERT: the column is NULL without a parameter to bind
        rest.append(field)
        constants.append(value)
    constants = tuple(constants)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in [*given, *rest])
    if connection.vendor == "postgresql":  # COPY: the rows stream in one statement
        count = 0
        with connection.cursor() as cursor:
            # The raw psycopg cursor: its errors wrapped as Django's own (IntegrityError, ...).
            copy_sql = f"COPY {table} ({columns}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row((*row, *constants))
                    count += 1
        analyze(model, added=count)
        return count
    return _sqlite_insert(connection, table, columns, given, rows, constants)


def analyze(*models, added: int | None = None) -> None:
    """PostgreSQL: refresh the planner's statistics of `models`' tables after a bulk write, inside
    the writer's transaction (ANALYZE counts and samples the transaction's own new rows).

    Autovacuum gets there only after the commit and its next round; until then the planner
    still sees the empty tables of a fresh database. The queries that follow a bulk load, in
    the same transaction or just after (the overview's recount, the tasks closed by new
    assessments), then ran a sequential scan of a million-row table once per household: the
    province demo's recount went from 9 s to hours. With `added`, only when that many rows
    is at least ANALYZE_ROWS and more than a tenth of the rows last counted (pg_class.reltuples),
    so a small import into a large table does not pay for it. SQLite: nothing (its planner
    uses no statistics unless asked to keep them, and this project never does)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or (added is not None and added < ANALYZE_ROWS):
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if added is not None:
                cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
                counted = cursor.fetchone()[0]
                if added <= 0.1 * max(counted, 0):
                    continue
            cursor.execute(f"ANALYZE {quote(table)}")


_STAGE = "anju_stage"


def _sqlite_insert(connection, table, columns, given, rows, constants) -> int:
    """SQLite: the rows bound into a temporary table without indexes or constraints, a chunk per
    executemany, then moved into the table in one INSERT ... SELECT. Binding a row costs the
    same either way, but each row's index entries and foreign-key checks are then made in one
    statement that SQLite runs without returning to Python: a quarter less time on the archive
    import's tables. Dates and decimals are passed as the text Django stores them as (its
    sqlite3 adapters would do the same, a Python call per value)."""
    width = len(given)
    stage = connection.ops.quote_name(_STAGE)
    marks = ", ".join(["?"] * width)
    statements = [
        f"DROP TABLE IF EXISTS temp.{stage}",
        f"CREATE TEMPORARY TABLE {stage} ({', '.join(f'c{i}' for i in range(width))})",
    ]
    fill = f"INSERT INTO temp.{stage} VALUES ({marks})"  # noqa: S608 (names from the model)
    # The defaults of the columns not given are bound once, in the move, not once per row.
    fixed = "".join(", ?" for _ in constants)
    move = f"INSERT INTO {table} ({columns}) SELECT *{fixed} FROM temp.{stage}"  # noqa: S608
    convert = [
        (i, str if isinstance(f, DecimalField) else date.isoformat)
        for i, f in enumerate(given)
        if isinstance(f, DecimalField)
        or (isinstance(f, DateField) and not isinstance(f, DateTimeField))
    ]
    connection.ensure_connection()
    cursor = connection.connection.cursor()  # the sqlite3 module's own marks: no Django cursor

    def execute(sql, batch=None, params=()):
        with connection.wrap_database_errors:
            if batch is None:
                cursor.execute(sql, params)
            else:
                cursor.executemany(sql, batch)

    for sql in statements:
        execute(sql)
    count = 0
    batch: list = []
    for row in rows:
        if convert:
            row = list(row)
            for i, to_text in convert:
                value = row[i]
                if value is not None and value.__class__ is not str:
                    row[i] = to_text(value)
        batch.append(row)
        if len(batch) == CHUNK:
            execute(fill, batch)
            count += len(batch)
            batch = []
    if batch:
        execute(fill, batch)
        count += len(batch)
    execute(move, params=constants)
    execute(f"DROP TABLE temp.{stage}")
    cursor.close()
    return count


@contextmanager
def bulk_load(using: str = DEFAULT_DB_ALIAS):
    """A larger SQLite page cache (BULK_CACHE_KIB) and temporary tables in memory for the
    connection while a bulk load runs,
    restored to what it was afterwards, error or not: the connection outlives the import (the
    web and task workers keep theirs), and every other request does well with the default.
    The cache only grows as pages are touched. PostgreSQL: nothing to change."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA temp_store")
        temp_before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB:d}")
        # The staging tables (insert_rows) in memory, not in a file under /var/tmp. SQLite
        # changes it only between transactions (inside one, as in a test, it stays as it is).
        if not connection.in_atomic_block:
            cursor.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before):d}")
            if not connection.in_atomic_block:
                cursor.execute(f"PRAGMA temp_store = {int(temp_before):d}")


@contextmanager
def key_table(values: Iterable[str], name: str = "anju_keys"):
    """A temporary one-column table holding `values`, for joining against in one query
    (`filter(head_id_digest__in=RawSQL(sql, ()))` with the SQL this yields) instead of hundreds of
    IN lists: PostgreSQL scans a table rather than use its index for a 900-value IN list, so a
    re-import of 100,000 rows took 30 s of look-ups that a join does in under one. Use it inside
    the transaction that needs it; the table is dropped on the way out."""
    connection = connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {table} (k varchar(200) PRIMARY KEY)")
        rows = [(v,) for v in dict.fromkeys(values)]
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (k) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.executemany(f"INSERT INTO {table} (k) VALUES (%s)", rows)  # noqa: S608
    try:
        yield f"SELECT k FROM {table}"  # noqa: S608
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
        except DatabaseError:
            # The transaction failed (PostgreSQL refuses every statement until it is rolled back):
            # the rollback removes the table with everything else. Let the first error speak.
            pass
