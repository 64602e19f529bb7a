"""The background worker's start: what a worker that died (SIGKILL, power loss) left running.

One worker per installation (`anju serve` starts it beside gunicorn), so when a worker starts,
whatever is marked running was running in a dead process: its transaction was rolled back, so
nothing of it was written. The app's own records (uploads, cross-check runs) say so to the
user, and the queue's record of the job is closed too instead of staying "running" for ever."""

import ctypes
import os
import signal

from django.db import connections, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anju.crosscheck.tasks import fail_interrupted as runs_interrupted
from anju.households.tasks import fail_interrupted as imports_interrupted
from anju.households.tasks import uploads_expire

PR_SET_PDEATHSIG = 1


class WorkerDied(Exception):
    """The worker running this job stopped without finishing it."""


def fail_interrupted() -> int:
    """Mark the jobs a dead worker left running as failed; the number of the app's jobs."""

    with transaction.atomic():
        count = imports_interrupted() + runs_interrupted()
        for result in DBTaskResult.objects.select_for_update().filter(
            status=TaskResultStatus.RUNNING
        ):
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


def _expire_uploads() -> None:
    try:
        uploads_expire()
    finally:
        connections.close_all()  # the supervisor holds no connection while it waits
