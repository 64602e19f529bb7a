"""The background worker's start: what a worker that died (SIGKILL, power loss) left running.

One worker per installation (`anju serve` starts it beside gunicorn), so when a worker starts,
whatever is marked running was running in a dead process: its transaction was rolled back, so
nothing of it was written. The app's own records (uploads, cross-check runs) say so to the
user, and the queue's record of the job is closed too instead of staying "running" for ever."""

import ctypes
import os
import signal

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anju.crosscheck.tasks import fail_interrupted as runs_interrupted
from anju.households.tasks import fail_interrupted as imports_interrupted

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
