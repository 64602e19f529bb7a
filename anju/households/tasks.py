"""Household archive imports in the background: the upload page queues the file, `anju worker`
(started by `anju serve`) imports it, and the page shows a progress bar until it is done.

Progress goes through the cache (files under the data dir, shared by every process), never the
database: the import holds its one transaction open until the end, and on SQLite a second writer
would only wait for it."""

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from anju.households.imports import import_households
from anju.households.models import ImportUpload

Status = ImportUpload.Status
# An upload still queued after this long means no worker is taking jobs: the page says so.
WORKER_SILENT_AFTER = 30


def _key(upload_id: int) -> str:
    return f"household-import:{upload_id}"


def progress_of(upload: ImportUpload) -> dict:
    """{"percent": 0-100, "stage": "检查数据"} for a queued or running upload."""
    if upload.finished:
        return {"percent": 100, "stage": upload.get_status_display()}
    found = cache.get(_key(upload.pk))
    if found is None:
        return {"percent": 0, "stage": "排队等待" if upload.status == Status.QUEUED else "开始"}
    return found


def worker_silent(upload: ImportUpload) -> bool:
    waited = (timezone.now() - upload.uploaded_at).total_seconds()
    return upload.status == Status.QUEUED and waited > WORKER_SILENT_AFTER


def queue_import(*, user, file_name: str, data: bytes) -> ImportUpload:
    """Keep the uploaded file and queue its import; the caller shows the upload's page."""
    upload = ImportUpload.objects.create(
        uploaded_by=user, file_name=file_name[:200], data=data, status=Status.QUEUED
    )
    # The database queue writes its job row in this same transaction: no worker sees it early.
    run_import.enqueue(upload.pk)
    return upload


@task()
def run_import(upload_id: int) -> str:
    """Import one queued upload (once: a repeated delivery of the job finds it taken)."""
    claimed = ImportUpload.objects.filter(pk=upload_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "already taken"
    upload = ImportUpload.objects.select_related("uploaded_by").get(pk=upload_id)
    last = {"percent": -1}

    def progress(percent: int, stage: str) -> None:
        if percent != last["percent"]:
            last["percent"] = percent
            cache.set(_key(upload_id), {"percent": percent, "stage": stage}, 3600)

    try:
        result = import_households(
            actor=upload.uploaded_by,
            data=bytes(upload.data),
            file_name=upload.file_name,
            progress=progress,
        )
    except Exception:
        ImportUpload.objects.filter(pk=upload_id).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message="导入因系统错误中断，未写入任何数据。请稍后重新上传，或联系系统管理员。",
        )
        raise
    finally:
        cache.delete(_key(upload_id))
    upload.status = Status.DONE if result.ok else Status.REJECTED
    upload.rows = result.rows
    upload.households_created = result.households_created
    upload.households_updated = result.households_updated
    upload.renovations_created = result.renovations_created
    upload.renovations_updated = result.renovations_updated
    upload.errors = [
        {"row": e.row, "column": e.column, "message": e.message} for e in result.errors
    ]
    upload.batch = result.batch
    upload.finished_at = timezone.now()
    upload.save()
    return upload.status


def fail_interrupted() -> int:
    """Uploads left running by a worker that died (killed, machine restarted): their
    transaction was rolled back, so nothing was written; say so and let the clerk re-upload.
    Called when a worker starts (one worker per installation)."""
    return ImportUpload.objects.filter(status=Status.RUNNING).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        message="导入进程意外中止，未写入任何数据。请重新上传该文件。",
    )
