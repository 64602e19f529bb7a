"""What any import of the archive must spend at the least, each part timed with the bare tool:
reading (python-calamine, timed by the caller), sealing the personal numbers (cryptography's
AESGCM and hmac, nothing of ours) and writing the rows the import wrote (the sqlite3 module's
executemany into a copy of the database as it was before the import, one transaction). Checking
the values, matching known households and the overview's summary come on top.

SQLite only: on PostgreSQL `snapshot` returns None and nothing is replayed."""

import hmac
import os
import shutil
import sqlite3
import tempfile
import time

TABLES = [
    "households_importbatch",
    "households_household",
    "households_person",
    "households_house",
    "households_categoryrecord",
    "households_assessment",
    "households_renovation",
]


def _path() -> str | None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    return str(connection.settings_dict["NAME"])


def snapshot() -> tuple[str, dict[str, int]] | None:
    """Before the import: a copy of the database and each archive table's highest rowid."""
    path = _path()
    if path is None:
        return None
    copy = os.path.join(tempfile.mkdtemp(prefix="anju-floor-"), "before.sqlite3")
    with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        highest = {
            table: source.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]  # noqa: S608
            for table in TABLES
        }
    return copy, highest


def replay(copy: str, highest: dict[str, int]) -> tuple[int, float]:
    """After the import: the rows it added, written by bare sqlite3 into a copy of the database
    as it was before, with the import's settings (WAL, synchronous NORMAL, foreign keys on, the
    same page cache), each way the import could: one executemany per table, and each table's
    rows bound into an index-less temporary table first and moved with one INSERT ... SELECT (as
    `anju.tabular.inserts` does). (rows, seconds of the faster way, commit included); the rows
    are read before the clock starts."""
    with sqlite3.connect(_path()) as source:
        added = {
            table: source.execute(
                f"SELECT * FROM {table} WHERE rowid > ? ORDER BY rowid",  # noqa: S608
                (highest[table],),
            ).fetchall()
            for table in TABLES
        }
    fresh = copy + ".run"
    times = []
    try:
        for staged in (False, True):
            shutil.copyfile(copy, fresh)
            times.append(_write(fresh, added, staged))
            os.remove(fresh)
    finally:
        os.remove(copy)
    return sum(len(rows) for rows in added.values()), min(times)


def _write(path: str, added: dict[str, list[tuple]], staged: bool) -> float:
    from anju.tabular.inserts import BULK_CACHE_KIB

    target = sqlite3.connect(path, isolation_level=None)
    try:
        target.execute("PRAGMA journal_mode=WAL")
        target.execute("PRAGMA synchronous=NORMAL")
        target.execute("PRAGMA foreign_keys=ON")
        target.execute("PRAGMA temp_store=MEMORY")
        target.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB:d}")
        start = time.perf_counter()
        target.execute("BEGIN IMMEDIATE")
        for table, rows in added.items():
            if not rows:
                continue
            marks = ", ".join("?" * len(rows[0]))
            if staged:
                columns = ", ".join(f"c{i}" for i in range(len(rows[0])))
                target.execute(f"CREATE TEMPORARY TABLE floor_stage ({columns})")
                target.executemany(f"INSERT INTO floor_stage VALUES ({marks})", rows)  # noqa: S608
                target.execute(f"INSERT INTO {table} SELECT * FROM floor_stage")  # noqa: S608
                target.execute("DROP TABLE floor_stage")
            else:
                target.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608
        target.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        target.close()


def seal(heads: list[str], accounts: list[str]) -> float:
    """Seconds to do what the import's sealing does for these values with the bare library:
    each head's ID encrypted twice (household and person columns) and its blind index, each
    account encrypted with its blind index; AES-256-GCM with a fresh nonce per value."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    cipher = AESGCM(AESGCM.generate_key(bit_length=256))
    index_key = os.urandom(32)
    encrypt = cipher.encrypt
    start = time.perf_counter()
    for text in heads:
        value = text.encode()
        encrypt(os.urandom(12), value, b"households_household.head_id")
        encrypt(os.urandom(12), value, b"households_person.id_number")
        hmac.digest(index_key, b"id\x00" + value, "sha256")
    for text in accounts:
        if text:
            value = text.encode()
            encrypt(os.urandom(12), value, b"households_household.account_number")
            hmac.digest(index_key, b"account\x00" + value, "sha256")
    return time.perf_counter() - start
