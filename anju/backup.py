"""`anju backup`, `anju restore` and the check that a backup restores: the whole database (the
uploaded files live in it), with a manifest of row counts and SHA-256 checksums per table.

SQLite: SQLite's online backup into `database.sqlite3`. PostgreSQL: `pg_dump -Fc` of a snapshot
exported from the very transaction that computes the manifest, so the numbers describe exactly what
was dumped. Verification restores into a scratch database (a temporary file; a temporary database on
the same server) and compares every table's checksum with the manifest.

The keys (`secret_key`, `field_key`) are not in the backup: keep them apart, as the README says.
"""

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.db import connection

MANIFEST = "manifest.json"


def _tables() -> list[tuple[str, str, list[str]]]:
    """(table, primary key column, columns) of every table the project's models own."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        found.append((meta.db_table, meta.pk.column, [f.column for f in meta.concrete_fields]))
    return sorted(set((t, pk, tuple(cols)) for t, pk, cols in found))


def _normal(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "b:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, bool):
        return str(int(value))
    return "" if value is None else str(value)


def _existing(cursor) -> set[str]:
    """The tables the database has (a model's table is missing until its migration runs)."""
    try:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    except Exception:  # SQLite
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in cursor.fetchall()}


def checksums(cursor, quote=lambda n: f'"{n}"') -> dict[str, dict]:
    """Row count and SHA-256 of each table, rows in primary-key order, through `cursor`."""
    out = {}
    existing = _existing(cursor)
    for table, pk, columns in _tables():
        if table not in existing:
            continue
        digest = hashlib.sha256()
        count = 0
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608
            f"ORDER BY {quote(pk)}"
        )
        while rows := cursor.fetchmany(5000):
            for row in rows:
                digest.update("\x1f".join(_normal(v) for v in row).encode())
                digest.update(b"\x1e")
                count += 1
        out[table] = {"rows": count, "sha256": digest.hexdigest()}
    return out


def _open(path: Path) -> sqlite3.Connection:
    """A plain connection to a backup file, with the REGEXP function Django's constraints use."""
    db = sqlite3.connect(path)
    db.create_function(
        "REGEXP",
        2,
        lambda pattern, value: value is not None and bool(re.search(pattern, str(value))),
    )
    return db


def _sqlite_checksums(path: Path) -> dict:
    db = _open(path)
    try:
        return checksums(db.cursor())
    finally:
        db.close()


def _tool(name: str) -> str:
    """The PostgreSQL client program's full path (postgresql-client)."""
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"找不到 {name}：请安装 PostgreSQL 客户端（postgresql-client）")
    return found


def _pg_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or ""
    auth = f"{user}:{s.get('PASSWORD')}@" if s.get("PASSWORD") else (f"{user}@" if user else "")
    return f"postgresql://{auth}{s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/"


def backup(directory: Path) -> Path:
    """Write a backup folder under `directory`; returns its path."""
    target = Path(directory) / datetime.now().strftime("anju-%Y%m%d-%H%M%S")
    target.mkdir(parents=True)
    manifest = {
        "created": datetime.now().isoformat(timespec="seconds"),
        "vendor": connection.vendor,
    }
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        out = sqlite3.connect(target / "database.sqlite3")
        connection.connection.backup(out)
        out.close()
        manifest["tables"] = _sqlite_checksums(target / "database.sqlite3")
        manifest["file"] = "database.sqlite3"
    elif connection.vendor == "postgresql":
        import psycopg

        name = connection.settings_dict["NAME"]
        with psycopg.connect(_pg_url() + name, autocommit=False) as pg, pg.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            dump = subprocess.run(  # noqa: S603 (fixed program, our own arguments)
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target / 'database.dump'}",
                    f"--dbname={_pg_url() + name}",
                ],
                capture_output=True,
                text=True,
            )
            if dump.returncode:
                raise RuntimeError(f"pg_dump 失败：{dump.stderr.strip()}")
            manifest["tables"] = checksums(cursor)
        manifest["file"] = "database.dump"
    else:
        raise RuntimeError(f"不支持的数据库：{connection.vendor}")
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    return target


def _differences(expected: dict, actual: dict) -> list[str]:
    problems = []
    for table, want in sorted(expected.items()):
        got = actual.get(table)
        if got != want:
            problems.append(f"{table}: 备份 {want} ≠ 恢复后 {got}")
    return problems


def verify(folder: Path) -> list[str]:
    """Restore the backup into a scratch database and compare; [] when every table matches."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    if manifest["vendor"] == "sqlite":
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "restored.sqlite3"
            shutil.copyfile(folder / manifest["file"], copy)
            db = _open(copy)
            check = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
            if check != "ok":
                return [f"完整性检查失败：{check}"]
            return _differences(manifest["tables"], _sqlite_checksums(copy))
    import psycopg

    scratch = f"anju_verify_{datetime.now():%Y%m%d%H%M%S}"
    with psycopg.connect(_pg_url() + "postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        _pg_restore(folder / manifest["file"], scratch)
        with psycopg.connect(_pg_url() + scratch) as pg, pg.cursor() as cursor:
            return _differences(manifest["tables"], checksums(cursor))
    finally:
        with psycopg.connect(_pg_url() + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def _pg_restore(dump: Path, database: str, *, clean: bool = False) -> None:
    extra = ["--clean", "--if-exists"] if clean else []
    done = subprocess.run(  # noqa: S603 (fixed program, our own arguments)
        [_tool("pg_restore"), "--no-owner", *extra, f"--dbname={_pg_url() + database}", str(dump)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"pg_restore 失败：{done.stderr.strip()[:500]}")


def restore(folder: Path, *, force: bool = False) -> None:
    """Put the backup in place of the configured database (which must be empty unless `force`).
    Stop the server and the worker first."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    if manifest["vendor"] != connection.vendor:
        raise RuntimeError(f"备份来自 {manifest['vendor']}，当前数据库是 {connection.vendor}")
    if connection.vendor == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        if target.exists() and target.stat().st_size and not force:
            raise RuntimeError(f"{target} 已有数据：确认覆盖请加 --force")
        connection.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(folder / manifest["file"], target)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if cursor.fetchone()[0] and not force:
            raise RuntimeError("目标数据库已有表：确认覆盖请先清空该数据库，或加 --force")
    connection.close()
    _pg_restore(folder / manifest["file"], connection.settings_dict["NAME"], clean=force)
