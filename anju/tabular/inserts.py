"""Inserting many new rows fast: plain tuples through one prepared INSERT and `executemany`.

Django's bulk_create builds a model instance per row and compiles SQL for every batch; on a
100,000-row import that is most of the time. Here the caller gives the columns it knows as plain
values the database driver takes as they are (str, int, bool, date, Decimal, None); every other
column gets its default, prepared once. Primary keys are reserved up front (`reserve_ids`), so
children can point at new parents without reading them back.
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import DateField
from django.utils import timezone

CHUNK = 5000


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


def insert_rows(model, names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """INSERT `rows` (tuples of values for the fields or attnames in `names`, e.g. "id",
    "household_id") into `model`'s table; other columns take their defaults. Returns the count.
    PostgreSQL gets them through COPY, SQLite through executemany in chunks."""
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
    columns = ", ".join(quote(f.column) for f in [*given, *rest])
    marks = ", ".join(["%s"] * (len(given) + len(rest)))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
    count = 0
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: the rows stream in one statement
            copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row((*row, *constants))
                    count += 1
            return count
        for row in rows:
            batch.append((*row, *constants))
            if len(batch) == CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


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
