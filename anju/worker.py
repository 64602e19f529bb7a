"""The background worker's start: what a worker that died (SIGKILL, power loss) left running.

A job a dead worker was running had its transaction rolled back, so nothing of it was written.
The app's own records (uploads, cross-check runs) say so to the user, and the queue's record of
the job is closed too instead of staying "running" for ever.

SQLite: one worker per installation (`anju serve` starts it beside gunicorn), so when a worker
starts, whatever is marked running was running in a dead process. PostgreSQL: any number of
workers on any machines (docs/cluster.md). Each holds a session-level advisory lock named after
its worker id for as long as it lives, on a connection of its own (`hold_liveness`); PostgreSQL
drops the lock the moment the process dies (the socket closes), however it died. A job marked
running whose worker's lock can be taken belongs to a dead worker; one whose lock is held is
still being run, and is left alone. Each job is taken by one worker only: the queue claims it
with SELECT … FOR UPDATE SKIP LOCKED (django_tasks_db)."""

import ctypes
import hashlib
import os
import signal
import socket
import uuid

from django.db import connections, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anju.crosscheck.tasks import fail_interrupted as runs_interrupted
from anju.crosscheck.tasks import run_check
from anju.households.tasks import fail_interrupted as imports_interrupted
from anju.households.tasks import run_import, uploads_expire

PR_SET_PDEATHSIG = 1
# The first key of every worker's advisory lock (two int4 keys: this, and the worker id's hash).
LIVENESS_SPACE = 0x616E6A75  # "anju"
_liveness = None  # the connection holding this process's lock, kept open while it lives


class WorkerDied(Exception):
    """The worker running this job stopped without finishing it."""


def new_worker_id() -> str:
    """A worker id unique across machines (at most 64 characters, django_tasks_db's limit)."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def _lock_key(worker_id: str) -> int:
    return int.from_bytes(hashlib.sha256(worker_id.encode()).digest()[:4], "big", signed=True)


def many_workers() -> bool:
    """Whether several workers may run at once (PostgreSQL), rather than one per installation."""
    return connections["default"].vendor == "postgresql"


def hold_liveness(worker_id: str) -> None:
    """Hold the advisory lock that says this worker is alive, on a connection of its own (the
    worker's Django connection is closed and opened again between jobs, which would drop it)."""
    global _liveness
    if not many_workers():
        return
    import psycopg

    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    _liveness = psycopg.connect(**params, autocommit=True)
    _liveness.execute("SELECT pg_advisory_lock(%s, %s)", [LIVENESS_SPACE, _lock_key(worker_id)])


def _worker_alive(cursor, worker_id: str) -> bool:
    key = [LIVENESS_SPACE, _lock_key(worker_id)]
    cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
    if not cursor.fetchone()[0]:
        return True
    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    return False


# The app's records of a job, by the job's task: failed with it when its worker died.
_RECORDS = {run_import.module_path: imports_interrupted, run_check.module_path: runs_interrupted}


def fail_interrupted() -> int:
    """Mark the jobs a dead worker left running as failed; the number of the app's jobs."""
    if not many_workers():
        with transaction.atomic():
            count = imports_interrupted() + runs_interrupted()
            for result in DBTaskResult.objects.select_for_update().filter(
                status=TaskResultStatus.RUNNING
            ):
                result.set_failed(WorkerDied("后台任务进程意外中止，任务未完成。"))
        return count
    count = 0
    with transaction.atomic(), connections["default"].cursor() as cursor:
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        )
        for result in running:
            if result.worker_ids and _worker_alive(cursor, result.worker_ids[-1]):
                continue
            fail_records = _RECORDS.get(result.task_path)
            args = result.args_kwargs.get("args") or []
            if fail_records and args:
                count += fail_records(ids=[args[0]])
            result.set_failed(WorkerDied("后台任务进程意外中止，任务未完成。"))
    return count


def die_with_parent(parent: int):
    """For Popen's preexec_fn: the child is killed when `parent` dies (Linux), so a server
    killed with SIGKILL does not leave its worker running on beside the next one."""

    def arrange() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # not Linux: the worker outlives a killed server
            return
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return arrange


# How long the supervisor waits before starting a worker that died again, doubling up to the
# last figure while it keeps dying at once (a broken installation should not spin).
RESTART_DELAYS = (1, 2, 5, 10, 30)
# A worker that ran this long before dying counts as healthy: the next death starts the delays anew.
HEALTHY_AFTER = 60
# How often the supervisor drops uploaded files past their retention period.
EXPIRE_EVERY = 3600


def supervise(command: list[str]) -> int:
    """Run the worker `command` and start it again whenever it dies (an abort in a native
    library, the out-of-memory killer, a crash): the new one marks the job the dead one left
    running as failed (`fail_interrupted`) and takes the next. SIGTERM or SIGINT stop both.
    The child dies with this process (`die_with_parent`). Hourly, uploads past their
    retention period are dropped (`anju.households.tasks.uploads_expire`)."""
    import subprocess
    import sys
    import time

    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    deaths = 0
    last_expiry = 0.0
    sweep = many_workers()
    while not stopping:
        began = time.monotonic()
        child = subprocess.Popen(command, preexec_fn=die_with_parent(os.getpid()))  # noqa: S603
        while True:
            if time.monotonic() - last_expiry > EXPIRE_EVERY:
                last_expiry = time.monotonic()
                _expire_uploads()
            try:
                code = child.wait(timeout=60)
                break
            except subprocess.TimeoutExpired:
                if sweep:  # a worker on another machine may have died: its jobs are closed here
                    _sweep_interrupted()
                continue
        if stopping:
            return 0
        deaths = 1 if time.monotonic() - began > HEALTHY_AFTER else deaths + 1
        delay = RESTART_DELAYS[min(deaths, len(RESTART_DELAYS)) - 1]
        print(
            f"后台任务进程意外退出（状态 {code}），{delay} 秒后重新启动；"
            "它未完成的任务将标记为中断。",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(delay)
    return 0


def _sweep_interrupted() -> None:
    try:
        fail_interrupted()
    finally:
        connections.close_all()


def _expire_uploads() -> None:
    try:
        uploads_expire()
    finally:
        connections.close_all()  # the supervisor holds no connection while it waits
