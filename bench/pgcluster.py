"""A PostgreSQL primary and its streaming read replica on this machine, on spare ports in a
scratch folder (initdb, pg_basebackup -R, pg_ctl): for the cluster test (tests/test_cluster.py)
and the cluster bench (bench/cluster.py). Run as the `postgres` account when run as root
(initdb refuses root)."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


def pg_bin() -> Path | None:
    """The PostgreSQL server programs (initdb, pg_ctl, pg_basebackup): ANJU_PG_BIN, else the
    newest /usr/lib/postgresql/N/bin."""
    if os.environ.get("ANJU_PG_BIN"):
        return Path(os.environ["ANJU_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A primary and its streaming replica in `folder`, as the `postgres` account when the test
    runs as root (initdb refuses root)."""

    def __init__(self, folder: Path, bindir: Path):
        self.folder, self.bin = folder, bindir
        self.primary, self.replica = folder / "primary", folder / "replica"
        self.primary_port, self.replica_port = free_port(), free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.started: list[Path] = []

    def run(self, *args) -> None:
        done = subprocess.run(
            [str(self.bin / args[0]), *map(str, args[1:])],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.folder,
        )
        assert done.returncode == 0, f"{args[0]}: {done.stdout}\n{done.stderr}"

    def url(self, port: int, database: str = "anju") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def start(self) -> None:
        self.folder.mkdir(exist_ok=True)  # its parents must let the postgres account through
        if self.user:
            shutil.chown(self.folder, self.user)
        self.run("initdb", "-D", self.primary, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with (self.primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\nwal_level = replica\nmax_wal_senders = 4\n"
                "hot_standby = on\nfsync = off\nsynchronous_commit = off\n"
                "shared_buffers = 32MB\nmax_connections = 60\njit = off\n"
            )
        with (self.primary / "pg_hba.conf").open("a") as hba:
            hba.write("\nhost replication all 127.0.0.1/32 trust\n")
        self.pg_ctl(self.primary, "start")
        import psycopg

        with psycopg.connect(self.url(self.primary_port, "postgres"), autocommit=True) as db:
            db.execute("CREATE DATABASE anju")
        self.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", self.primary_port, "-U", "postgres"),
            *("-D", self.replica, "-R", "-X", "stream", "-c", "fast"),
        )
        with (self.replica / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"\nport = {self.replica_port}\n")
        self.pg_ctl(self.replica, "start")

    def pg_ctl(self, data: Path, action: str) -> None:
        if action == "start":
            self.run("pg_ctl", "-D", data, "-l", f"{data}.log", "-w", "-t", "60", "start")
            self.started.append(data)
        else:
            self.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        for data in reversed(self.started):
            with contextlib.suppress(AssertionError):
                self.pg_ctl(data, "stop")

    def sql(self, port: int, statement: str, params=()) -> list:
        import psycopg

        with psycopg.connect(self.url(port), autocommit=True) as db:
            cursor = db.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def caught_up(self, timeout: float = 30) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        (lsn,) = self.sql(self.primary_port, "SELECT pg_current_wal_lsn()::text")[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.sql(
                self.replica_port, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
            )[0][0]
            if done:
                return
            time.sleep(0.1)
        raise AssertionError("the replica did not catch up")
