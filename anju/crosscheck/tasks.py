"""Cross-check runs in the background ("立即比对"), with progress through the shared cache."""

from django.core.cache import cache
from django_tasks import task

from anju.crosscheck.choices import RunStatus
from anju.crosscheck.models import CheckRun
from anju.crosscheck.runs import execute


def _key(run_id: int) -> str:
    return f"crosscheck-run:{run_id}"


def progress_of(run: CheckRun) -> dict:
    if run.finished:
        return {"percent": 100, "stage": run.get_status_display()}
    return cache.get(_key(run.pk)) or {"percent": 0, "stage": "排队等待"}


@task()
def run_check(run_id: int) -> str:
    run = CheckRun.objects.select_related("region", "started_by").get(pk=run_id)

    def progress(percent: int, stage: str) -> None:
        cache.set(_key(run_id), {"percent": percent, "stage": stage}, 3600)

    try:
        run = execute(run, progress=progress)
    finally:
        cache.delete(_key(run_id))
    return run.status


def fail_interrupted(ids: list[int] | None = None) -> int:
    """Runs left running by a worker that died: nothing of theirs was kept (one transaction).
    Every running one, or those of `ids` (the jobs of a dead worker, anju.worker)."""
    from django.utils import timezone

    running = CheckRun.objects.filter(status=RunStatus.RUNNING)
    if ids is not None:
        running = running.filter(pk__in=ids)
    return running.update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        message="比对进程意外中止，本次未保存任何发现。请重新比对。",
    )
