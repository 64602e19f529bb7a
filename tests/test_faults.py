"""Killed mid-job: real processes (`anju worker`, `anju serve`), real SIGKILL, on scratch
installations under the production settings (SQLite, or PostgreSQL when the suite runs there).

Each case kills the process while the job is in the middle of its work (found by polling the
job's progress, which the worker keeps in the shared cache), then checks that nothing of the job
was written, that the restarted worker marks the job failed, and that running it again gives
exactly what an undisturbed installation got from the same file and lists."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from tests.logcheck import find_secrets

ROOT = Path(__file__).resolve().parent.parent
ROWS = 3000
SUITE_URL = os.environ.get("ANJU_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL and /proc")


def server(statement: str, database: str) -> None:
    """CREATE/DROP DATABASE on the suite's PostgreSQL server (outside any transaction)."""
    import psycopg
    from psycopg import sql

    url = urlsplit(SUITE_URL)
    with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as db:
        db.execute(sql.SQL(statement).format(sql.Identifier(database)))


class Installation:
    """One scratch installation: its data dir and (on PostgreSQL) its own database."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
        self.env.update(ANJU_DATA_DIR=str(folder), ANJU_HTTPS="0", ANJU_OTP_REQUIRED="0")
        self.env["DJANGO_SETTINGS_MODULE"] = "anju.settings"
        self.env.pop("ANJU_DATABASE_URL", None)
        self.database = None
        if SUITE_URL.startswith("postgres"):
            self.database = f"anju_faults_{uuid.uuid4().hex[:10]}"
            server("CREATE DATABASE {}", self.database)
            url = urlsplit(SUITE_URL)
            self.env["ANJU_DATABASE_URL"] = urlunsplit(url._replace(path=f"/{self.database}"))
        self.cache = FileBasedCache(str(folder / "cache"), {})
        self.outputs: list[Path] = []

    def drop(self) -> None:
        if self.database:
            server("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database)

    def run(self, *args: str, timeout: int = 300) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        # Logs go to stderr; the steps' stdout is data (the state dump holds ID numbers).
        self.check_output(
            done.stderr if args[1] == "tests.fault_steps" else done.stdout + done.stderr
        )
        assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def step(self, *args: str) -> str:
        return self.run("-m", "tests.fault_steps", *args).strip()

    def state(self) -> dict:
        return json.loads(self.step("state"))

    def start(self, *args: str) -> subprocess.Popen:
        out = self.folder / f"process-{len(self.outputs)}.log"
        self.outputs.append(out)
        return subprocess.Popen(
            [sys.executable, "-m", "anju", *args],
            cwd=ROOT,
            env=self.env,
            stdout=out.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the test ends what it started, nothing else
        )

    def worker_batch(self) -> str:
        """A worker that runs what is queued and stops (and, first, marks what was interrupted)."""
        return self.run("-m", "anju", "worker", "--batch")

    def wait_for(self, key: str, stage: str, timeout: float = 180) -> dict:
        """Poll the job's progress until it reports `stage` (short of 100 %)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.cache.get(key)
            if found and found["stage"] == stage and found["percent"] < 100:
                return found
            time.sleep(0.005)
        raise AssertionError(f"{key} never reached {stage!r}")

    def check_output(self, text: str) -> None:
        found = find_secrets(text)
        assert not found, f"the processes' output holds secrets: {found[:3]}"

    def check_logs(self) -> None:
        for out in self.outputs:
            self.check_output(out.read_text(errors="replace"))


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def end_group(process: subprocess.Popen) -> None:
    """Stop a process this test started and whatever it started (its own session)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has died


def uploads_reach(site: Installation, statuses: list[str], timeout: float = 240) -> dict:
    """The installation's state once its uploads have `statuses` (or at the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        state = site.state()
        if [u["status"] for u in state["uploads"]] == statuses or time.monotonic() > deadline:
            return state
        time.sleep(1)


def empty_archive(content: dict) -> bool:
    return not any(content.values())


def assert_same(got, want) -> None:
    """Equal, or a short account of the first difference (pytest's own diff of two archives of
    thousands of rows runs for many minutes)."""
    if got == want:
        return
    if isinstance(got, dict):
        for table in sorted(set(got) | set(want)):
            a, b = got.get(table, []), want.get(table, [])
            if a != b:
                extra = [r for r in a if r not in b][:2]
                lost = [r for r in b if r not in a][:2]
                raise AssertionError(
                    f"{table}: {len(a)} rows vs {len(b)}; only here {extra}; only there {lost}"
                )
    raise AssertionError(
        f"{len(got)} vs {len(want)} items; first differences: "
        f"{[x for x in got if x not in want][:3]} / {[x for x in want if x not in got][:3]}"
    )


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory(prefix="anju-faults-") as folder:
        made: list[Installation] = []

        def make(name: str) -> Installation:
            path = Path(folder) / name
            path.mkdir()
            installation = Installation(path)
            made.append(installation)
            installation.step("setup", str(path), str(ROWS))
            return installation

        yield make
        for installation in made:
            installation.check_logs()
            installation.drop()


@pytest.fixture(scope="module")
def undisturbed(scratch):
    """What an installation gets from the archive's import and a cross-check run, nothing killed."""
    quiet = scratch("undisturbed")
    quiet.step("queue-import", str(quiet.folder / "archive.xlsx"))
    quiet.worker_batch()
    quiet.step("reference", str(quiet.folder / "deaths.csv"))
    quiet.step("queue-check")
    quiet.worker_batch()
    state = quiet.state()
    assert [u["status"] for u in state["uploads"]] == ["done"]
    assert [r["status"] for r in state["runs"]] == ["done"]
    assert len(state["content"]["Household"]) == ROWS
    assert state["findings"], "the undisturbed run found nothing: the case proves nothing"
    return state


def test_it_leaves_nothing_of_an_import_killed_mid_write_and_reruns_it_alike(scratch, undisturbed):
    site = scratch("import-killed")
    upload = site.step("queue-import", str(site.folder / "archive.xlsx"))
    worker = site.start("worker")
    try:
        seen = site.wait_for(f"household-import:{upload}", "写入数据库")
        kill(worker)
    finally:
        end_group(worker)
    state = site.state()
    assert empty_archive(state["content"]), f"half-written after SIGKILL at {seen}"
    assert [u["status"] for u in state["uploads"]] == ["running"]

    site.worker_batch()  # the restarted worker marks the interrupted job
    state = site.state()
    assert [u["status"] for u in state["uploads"]] == ["failed"]
    assert "意外中止" in state["uploads"][0]["message"]
    assert state["tasks"] == ["FAILED"]  # the queue's own record is not left running
    assert empty_archive(state["content"])

    site.step("queue-import", str(site.folder / "archive.xlsx"))
    site.worker_batch()
    state = site.state()
    assert [u["status"] for u in state["uploads"]] == ["failed", "done"]
    assert_same(state["content"], undisturbed["content"])
    site.run("-m", "anju", "audit", "verify")


def test_it_keeps_no_finding_of_a_run_killed_while_saving_and_reruns_it_alike(scratch, undisturbed):
    site = scratch("check-killed")
    site.step("import", str(site.folder / "archive.xlsx"))
    site.step("reference", str(site.folder / "deaths.csv"))
    run = site.step("queue-check")
    worker = site.start("worker")
    try:
        seen = site.wait_for(f"crosscheck-run:{run}", "保存发现")
        kill(worker)
    finally:
        end_group(worker)
    state = site.state()
    assert state["findings"] == [], f"findings kept after SIGKILL at {seen}"
    assert [r["status"] for r in state["runs"]] == ["running"]

    site.worker_batch()
    state = site.state()
    assert [r["status"] for r in state["runs"]] == ["failed"]
    assert state["tasks"] == ["FAILED"]
    assert state["findings"] == []

    site.step("queue-check")
    site.worker_batch()
    state = site.state()
    assert [r["status"] for r in state["runs"]] == ["failed", "done"]
    assert_same(state["findings"], undisturbed["findings"])
    assert state["runs"][1]["found"] == undisturbed["runs"][0]["found"]
    site.run("-m", "anju", "audit", "verify")


def test_killing_the_server_mid_import_takes_its_worker_along_and_a_restart_recovers(
    scratch, undisturbed
):
    site = scratch("server-killed")
    upload = site.step("queue-import", str(site.folder / "archive.xlsx"))
    server = site.start("serve", "--port", "8816", "--workers", "1")
    try:
        site.wait_for(f"household-import:{upload}", "写入数据库")
        helpers = children(server.pid)
        assert helpers, "anju serve started no worker and no gunicorn worker"
        kill(server)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [pid for pid in helpers if alive(pid)]
        assert not left, f"processes of the killed server still running: {left}"
    finally:
        end_group(server)
    state = site.state()
    assert empty_archive(state["content"])
    assert [u["status"] for u in state["uploads"]] == ["running"]

    site.step("queue-import", str(site.folder / "archive.xlsx"))
    server = site.start("serve", "--port", "8816", "--workers", "1")
    try:
        state = uploads_reach(site, ["failed", "done"])
    finally:
        end_group(server)
    assert [u["status"] for u in state["uploads"]] == ["failed", "done"]
    assert_same(state["content"], undisturbed["content"])
    site.run("-m", "anju", "audit", "verify")


def test_a_worker_that_dies_mid_job_is_restarted_marks_the_job_failed_and_goes_on(
    scratch, undisturbed
):
    """F1: a native reader's abort (here SIGKILL of the process running the job) used to leave
    `anju worker` dead, and every later import waiting for ever. The worker runs its jobs in a
    child that is started again: the job is marked failed and the next one is done, with nothing
    restarted by hand."""
    site = scratch("worker-died")
    first = site.step("queue-import", str(site.folder / "archive.xlsx"))
    worker = site.start("worker")
    try:
        site.wait_for(f"household-import:{first}", "写入数据库")
        jobs = children(worker.pid)
        assert len(jobs) == 1, f"anju worker runs its jobs in one child process: {jobs}"
        os.kill(jobs[0], signal.SIGKILL)  # as an abort in the reader would
        site.step("queue-import", str(site.folder / "archive.xlsx"))
        state = uploads_reach(site, ["failed", "done"])
        assert worker.poll() is None, "the supervising worker itself stopped"
        assert children(worker.pid) and children(worker.pid) != jobs, "no new child started"
    finally:
        end_group(worker)
    assert [u["status"] for u in state["uploads"]] == ["failed", "done"]
    assert "意外中止" in state["uploads"][0]["message"]
    assert_same(state["content"], undisturbed["content"])
    site.run("-m", "anju", "audit", "verify")
