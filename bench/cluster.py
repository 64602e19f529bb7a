"""The household list under load: one `anju serve`, the two-server cluster, and a bare Django
list page served the same way, in one run on this machine (docs/cluster.md).

    python -m bench.cluster --seconds 30 --users 16

Builds a PostgreSQL primary and streaming replica on spare ports (bench.pgcluster), loads the
demo into the primary, then, one after the other, for SECONDS each with USERS clients that click
without pause (a closed loop: every client sends its next request when the last one answered):

  one server   `anju serve --workers W` on the primary alone, its file cache, its own worker;
               then again with 2W gunicorn workers (as many web processes as the cluster)
  cluster      two `anju serve --workers W --no-worker`, each with its own data dir, on the
               primary and the replica (list pages read the replica), Redis as the shared
               cache, two `anju worker`; each client's requests alternate between the two
               servers (a round-robin proxy with no sticky sessions)
  bare Django  bench/bare_list.py under gunicorn with W workers: one query, one template

Every client of the Anju runs is signed in (the demo's accounts in turn) and asks for
/households/?page=1..5, the page a clerk opens most. Prints requests/s, p50 and p95 of each.
Every process runs on this one machine: the cluster's two servers share its cores, so the figure
says what the cluster costs and that it serves correctly under load, not what a second machine
would add."""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from base64 import b64encode
from pathlib import Path

from bench.load import (
    ACCOUNTS,
    Client,
    Results,
    db_step,
    percentile,
    together,
    user_loop,
    wait_until_up,
)
from bench.pgcluster import Postgres, free_port, pg_bin

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


class RoundRobin(Client):
    """A client whose requests go to each server in turn (one cookie jar: cookies are per host,
    not per port, as behind one proxy)."""

    def __init__(self, bases: list[str], results: Results):
        super().__init__(bases[0], results)
        self.bases, self.turn = bases, 0

    def request(self, kind, path, data=None):
        self.base = self.bases[self.turn % len(self.bases)]
        self.turn += 1
        return super().request(kind, path, data)


def hammer(clients: list[Client], seconds: float) -> tuple[Results, float]:
    """Every client asks for list pages without pause until the time is up."""
    results = Results()
    for client in clients:
        client.results = results
    deadline = time.monotonic() + seconds

    def loop(i: int) -> None:
        rng = random.Random(i)
        while time.monotonic() < deadline:
            clients[i].request("list", f"/households/?page={rng.randint(1, 5)}")

    began = time.perf_counter()
    together(loop, len(clients), len(clients))
    return results, time.perf_counter() - began


def mixed(clients: list[Client], seconds: float, hot: list[int]) -> tuple[Results, float]:
    """bench.load's staff at work: each client clicks through home, lists, search, household
    pages, clues and findings, the clerks registering clues, recording visits and racing on
    the same clues' edits, with a person's pause between clicks."""
    results = Results()
    for client in clients:
        client.results = results
    deadline = time.monotonic() + seconds

    def work(i: int) -> None:
        user_loop(clients[i], ACCOUNTS[i % len(ACCOUNTS)], deadline, hot, i)

    began = time.perf_counter()
    together(work, len(clients), len(clients))
    return results, time.perf_counter() - began


def line(name: str, results: Results, took: float) -> str:
    # Every request of the measured load (the list pages, or bench.load's mix of kinds); a
    # failure is a server error or no answer (a race lost on a clue's version is a refusal).
    ms = [v * 1000 for kind, times in results.times.items() for v in times]
    bad = sum(n for status, n in results.statuses.items() if status >= 500 or status == 0)
    return (
        f"{name:<18}{len(ms) / took:>10.1f}{percentile(ms, 50):>9.0f}{percentile(ms, 95):>9.0f}"
        f"{len(ms):>9}{bad:>8}"
    )


class Processes:
    def __init__(self, folder: Path):
        self.folder, self.running = folder, []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=(self.folder / f"{name}.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.running = []


def run(*, seconds: float, users: int, workers: int, size: str, load: str = "list") -> int:
    bindir = pg_bin()
    if bindir is None:
        print("bench.cluster: no PostgreSQL server programs (initdb, pg_basebackup) here")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="anju-bench-cluster-"))
    folder.chmod(0o755)
    pg = Postgres(folder / "pg", bindir)
    processes = Processes(folder)
    prefix = f"anju-bench-{uuid.uuid4().hex[:8]}"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    for name in ("ANJU_DATABASE_URL", "ANJU_DATABASE_REPLICA_URL", "ANJU_CACHE_URL"):
        base_env.pop(name, None)
    base_env.update(
        DJANGO_SETTINGS_MODULE="anju.settings",
        ANJU_HTTPS="0",
        ANJU_OTP_REQUIRED="0",
        ANJU_LOG_LEVEL="WARNING",
        # One installation: every server has the same keys, whatever its data dir.
        ANJU_SECRET_KEY=b64encode(os.urandom(48)).decode(),
        ANJU_FIELD_KEY=b64encode(os.urandom(32)).decode(),
        ANJU_AUDIT_KEY=b64encode(os.urandom(32)).decode(),
    )
    anju = [sys.executable, "-m", "anju"]

    def machine(name: str, **extra) -> dict:
        data = folder / name
        data.mkdir(exist_ok=True)
        return {**base_env, "ANJU_DATA_DIR": str(data), **extra}

    try:
        pg.start()
        primary, replica = pg.url(pg.primary_port), pg.url(pg.replica_port)
        began = time.perf_counter()
        demo_env = machine("demo", ANJU_DATABASE_URL=primary)
        subprocess.run(
            [*anju, "demo", "--size", size, "--no-serve"],
            env=demo_env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        start = db_step(demo_env, "before", {})
        password, hot = start["password"], [int(pk) for pk in start["clues"]]

        def drive(clients: list[Client]) -> tuple[Results, float]:
            if load == "mixed":
                return mixed(clients, seconds, hot)
            return hammer(clients, seconds)

        pg.caught_up(timeout=120)
        print(
            f"primary :{pg.primary_port} + streaming replica :{pg.replica_port}; demo --size "
            f"{size} loaded in {time.perf_counter() - began:.0f} s; {users} clients, "
            f"{seconds:.0f} s each ({load} load), gunicorn --workers {workers} per server, "
            f"{os.cpu_count()} CPUs"
        )
        rows = []

        def signed_in(make) -> list[Client]:
            clients = [make() for _ in range(users)]
            together(
                lambda i: clients[i].login(ACCOUNTS[i % len(ACCOUNTS)], password),
                users,
                min(users, 4),
            )
            time.sleep(6)  # past read-your-writes after the logins: lists read the replica
            return clients

        # One server, with W gunicorn workers and again with 2W (as many as the cluster's two).
        for count in (workers, 2 * workers):
            port = free_port()
            server = processes.start(
                f"one-{count}",
                [*anju, "serve", "--port", str(port), "--workers", str(count)],
                machine(f"one-{count}", ANJU_DATABASE_URL=primary),
            )
            wait_until_up(f"http://127.0.0.1:{port}", server)
            clients = signed_in(lambda p=port: Client(f"http://127.0.0.1:{p}", Results()))
            rows.append(line(f"one server ×{count}", *drive(clients)))
            processes.stop()

        # The cluster: two servers, two workers, primary + replica, Redis.
        shared = {
            "ANJU_DATABASE_URL": primary,
            "ANJU_DATABASE_REPLICA_URL": replica,
            "ANJU_CACHE_URL": REDIS_URL,
            "ANJU_CACHE_PREFIX": prefix,
        }
        bases = []
        for name in ("a", "b"):
            port = free_port()
            server = processes.start(
                f"server-{name}",
                [*anju, "serve", "--port", str(port), "--workers", str(workers), "--no-worker"],
                machine(f"server-{name}", **shared),
            )
            wait_until_up(f"http://127.0.0.1:{port}", server)
            bases.append(f"http://127.0.0.1:{port}")
        for n in range(2):
            processes.start(f"worker-{n}", [*anju, "worker"], machine(f"worker-{n}", **shared))
        clients = signed_in(lambda: RoundRobin(bases, Results()))
        rows.append(line(f"cluster 2×{workers}", *drive(clients)))
        processes.stop()

        # Bare Django, served the same way.
        port = free_port()
        server = processes.start(
            "bare",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "bench.bare_list:application",
            ],
            {**base_env, "BARE_DATABASE_URL": primary},
        )
        deadline = time.monotonic() + 60
        probe = Client(f"http://127.0.0.1:{port}", Results())
        while probe.request("up", "/households/")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        clients = [Client(f"http://127.0.0.1:{port}", Results()) for _ in range(users)]
        rows.append(line(f"bare Django ×{workers}", *hammer(clients, seconds)))
        processes.stop()

        print(f"\n{'':<18}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'requests':>9}{'failed':>8}")
        for row in rows:
            print(row)
        load = os.getloadavg()
        print(f"load average after the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        return 0
    finally:
        processes.stop()
        pg.stop()
        try:
            import redis

            cache = redis.Redis.from_url(REDIS_URL)
            for key in cache.scan_iter(f"{prefix}:*"):
                cache.delete(key)
        except Exception as error:  # Redis gone: nothing of ours is left there either
            print(f"(Redis keys not cleaned: {error})")
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cluster", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--size", default="small", choices=["small", "city"])
    parser.add_argument(
        "--load",
        default="list",
        choices=["list", "mixed"],
        help="list: household list pages without pause; mixed: bench.load's reads and writes "
        "with a person's pause (the bare Django page is always the list)",
    )
    args = parser.parse_args(argv)
    return run(
        seconds=args.seconds,
        users=args.users,
        workers=args.workers,
        size=args.size,
        load=args.load,
    )


if __name__ == "__main__":
    sys.exit(main())
