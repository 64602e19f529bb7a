"""The background worker's part (`anju worker`, django-tasks' database queue).

`daily_task` runs once a day at ANJU_DIGEST_HOUR and queues the next day's run itself; the
worker queues the first at start (`schedule`). `refresh_task` follows events; `pump_task`
sends what is due and queues itself again for the next retry.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from anju.notifications import services


def _can_defer() -> bool:
    return bool(getattr(default_task_backend, "supports_defer", False))


def _queued(task_obj) -> bool:
    """A job of this task waiting in the database queue already."""
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover
        return False
    return DBTaskResult.objects.filter(
        task_path=task_obj.module_path, status=TaskResultStatus.READY
    ).exists()


def next_digest_at(now: datetime | None = None) -> datetime:
    """Today's digest hour if today's run is still to come, else tomorrow's."""
    from anju.notifications.models import DigestRun

    now = timezone.localtime(now or timezone.now())
    at = timezone.make_aware(datetime.combine(now.date(), time(settings.ANJU_DIGEST_HOUR)))
    if now >= at:
        if not DigestRun.objects.filter(day=now.date()).exists():
            return now  # missed today's hour (the worker was down): run now
        at += timedelta(days=1)
    return at


# The advisory lock that lets one worker at a time look for a queued daily run and queue one.
SCHEDULE_LOCK = 0x616E6A75_0001


def schedule() -> None:
    """Queue the next daily run unless one is queued (called by every worker at start, and by
    the daily run for the next day). Several workers starting together look in turn, so one
    run is queued, not one per worker; the run itself is claimed by its day
    (services.daily), so a day's digest goes out once whatever else happens."""
    if not _can_defer():
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULE_LOCK])
        # SQLite: the transaction is BEGIN IMMEDIATE (settings), one writer at a time already.
        if not _queued(daily_task):
            daily_task.using(run_after=next_digest_at()).enqueue()


@task()
def daily_task() -> str:
    run = services.daily()
    if _can_defer():
        schedule()
        _retry_later()
    if run is None:
        return "already done"
    return f"users {run.users}, notifications {run.notifications}, deliveries {run.deliveries}"


def _retry_later() -> None:
    at = services.next_attempt()
    if at is not None and _can_defer():
        pump_task.using(run_after=max(at, timezone.now())).enqueue()


@task()
def pump_task() -> dict:
    tally = services.pump()
    if tally.get("retry"):
        _retry_later()
    return tally


@task()
def refresh_task(codes: list[str]) -> int:
    """After an event in these regions: refresh the lists of the people above them."""
    made = 0
    for user in services.users_over(codes):
        made += len(services.refresh(user))
    tally = services.pump()
    if tally.get("retry"):
        _retry_later()
    return made
