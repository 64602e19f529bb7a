"""What any import of the archive must spend at the least, each part timed with the bare tool:
reading (python-calamine, timed by the caller), sealing the personal numbers (cryptography's
AESGCM and hmac, nothing of ours) and writing the rows the import wrote into a copy of the
database as it was before the import, in one transaction with the same constraints: the sqlite3
module's executemany on SQLite, psycopg's COPY on PostgreSQL. Checking the values, matching
known households and the overview's summary come on top."""

import hmac
import os
import shutil
import sqlite3
import tempfile
import time
import uuid

TABLES = [  # parents first
    "households_importbatch",
    "households_household",
    "households_person",
    "households_house",
    "households_categoryrecord",
    "households_assessment",
    "households_renovation",
]


def _highest(cursor) -> dict[str, int]:
    out = {}
    for table in TABLES:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 (our table names)
        out[table] = cursor.fetchone()[0]
    return out


def _added(cursor, highest: dict[str, int], mark: str) -> dict[str, list[tuple]]:
    out = {}
    for table in TABLES:
        cursor.execute(
            f"SELECT * FROM {table} WHERE id > {mark} ORDER BY id",  # noqa: S608
            (highest[table],),
        )
        out[table] = [tuple(row) for row in cursor.fetchall()]
    return out


class Floor:
    """`Floor()` before the import copies the database; `replay()` after it writes what the
    import added into the copy with the bare driver: (rows, seconds, commit included)."""

    def __init__(self):
        from django.db import connection

        self.vendor = connection.vendor
        self.settings = connection.settings_dict
        if self.vendor == "sqlite":
            self.copy = os.path.join(tempfile.mkdtemp(prefix="anju-floor-"), "before.sqlite3")
            with sqlite3.connect(self.settings["NAME"]) as source:
                with sqlite3.connect(self.copy) as target:
                    source.backup(target)
                self.highest = _highest(source.cursor())
        else:
            import psycopg

            with connection.cursor() as cursor:
                self.highest = _highest(cursor)
            connection.close()  # CREATE DATABASE ... TEMPLATE wants the source idle
            self.copy = f"anju_floor_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(**self._params("postgres"), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.copy}" TEMPLATE "{self.settings["NAME"]}"')

    def _params(self, name: str) -> dict:
        params = {"dbname": name, "user": self.settings.get("USER") or None}
        for key, option in (("host", "HOST"), ("port", "PORT"), ("password", "PASSWORD")):
            if self.settings.get(option):
                params[key] = self.settings[option]
        return params

    def replay(self) -> tuple[int, float]:
        if self.vendor == "sqlite":
            return self._replay_sqlite()
        return self._replay_postgresql()

    def _replay_sqlite(self) -> tuple[int, float]:
        """Each way the import could: one executemany per table, and each table's rows bound
        into an index-less temporary table first and moved with one INSERT ... SELECT (as
        `anju.tabular.inserts` does); the faster counts. The import's settings: WAL,
        synchronous NORMAL, foreign keys on, the same page cache."""
        with sqlite3.connect(self.settings["NAME"]) as source:
            added = _added(source.cursor(), self.highest, "?")
        fresh = self.copy + ".run"
        times = []
        try:
            for staged in (False, True):
                shutil.copyfile(self.copy, fresh)
                times.append(_write_sqlite(fresh, added, staged))
                os.remove(fresh)
        finally:
            os.remove(self.copy)
        return sum(len(rows) for rows in added.values()), min(times)

    def _replay_postgresql(self) -> tuple[int, float]:
        """COPY of each table's added rows, parents first, then the commit (which runs the
        deferred foreign-key checks, as the import's does)."""
        import psycopg
        from django.db import connection

        with connection.cursor() as cursor:
            added = _added(cursor, self.highest, "%s")
        try:
            with psycopg.connect(**self._params(self.copy)) as target:
                start = time.perf_counter()
                with target.cursor() as cursor:
                    for table, rows in added.items():
                        with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                target.commit()
                seconds = time.perf_counter() - start
        finally:
            with psycopg.connect(**self._params("postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.copy}"')
        return sum(len(rows) for rows in added.values()), seconds


def _write_sqlite(path: str, added: dict[str, list[tuple]], staged: bool) -> float:
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
