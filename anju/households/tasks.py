"""Household archive imports and quarterly visits files in the background: the upload page
queues the file, `anju worker` (started by `anju serve`) imports it, and the page shows a
progress bar until it is done.

Progress goes through the cache (files under the data dir, shared by every process), never the
database: the import holds its one transaction open until the end, and on SQLite a second writer
would only wait for it."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from anju.crypto import seal_bytes, unseal_bytes
from anju.households.access import households_visible_to
from anju.households.imports import import_households
from anju.households.models import ImportUpload
from anju.households.visit_file import import_visits
from anju.identity import mask_numbers_in

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


def queue_import(
    *, user, file_name: str, data: bytes, stop_on_warnings: bool = False
) -> ImportUpload:
    """Keep the uploaded file (encrypted under the field key) and queue its import; the caller
    shows the upload's page."""
    upload = ImportUpload.objects.create(
        uploaded_by=user,
        file_name=file_name[:200],
        data=seal_bytes(data, ImportUpload.DATA_PURPOSE),
        status=Status.QUEUED,
        stop_on_warnings=stop_on_warnings,
    )
    # The database queue writes its job row in this same transaction: no worker sees it early.
    run_import.enqueue(upload.pk)
    return upload


def upload_file(upload: ImportUpload) -> bytes | None:
    """The uploaded file in clear, None once it is dropped (imported, or past retention)."""
    if not upload.data:
        return None
    return unseal_bytes(upload.data, ImportUpload.DATA_PURPOSE)


def stored_errors(errors) -> list[dict]:
    """Row errors as the upload keeps them: numbers quoted from cells masked (the file they
    came from is deleted after retention; the errors stay)."""
    stored = []
    for e in errors:
        kept = {"row": e.row, "column": e.column, "message": mask_numbers_in(e.message)}
        if getattr(e, "household", None):
            kept["household"] = e.household  # a warning's possible twin on record
        stored.append(kept)
    return stored


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

    def recorded(result) -> None:
        """The outcome, written inside the import's own transaction: committed with the rows
        or not at all (a crash just after the commit cannot leave it saying nothing was
        written). The file is dropped in the same stroke: it is in the archive now (unless
        it had warnings: kept for the workbook with its 警告 column until retention ends)."""
        ImportUpload.objects.filter(pk=upload_id).update(
            warnings=stored_errors(result.warnings),
            warning_count=result.warning_count,
            status=Status.DONE,
            rows=result.rows,
            households_created=result.households_created,
            households_updated=result.households_updated,
            renovations_created=result.renovations_created,
            renovations_updated=result.renovations_updated,
            batch=result.batch,
            data=upload.data if result.warnings else None,
            finished_at=timezone.now(),
        )

    try:
        result = import_households(
            actor=upload.uploaded_by,
            data=upload_file(upload) or b"",
            file_name=upload.file_name,
            progress=progress,
            recorded=recorded,
            stop_on_warnings=upload.stop_on_warnings,
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
    if result.stopped:
        ImportUpload.objects.filter(pk=upload_id).update(
            status=Status.WARNED,
            rows=result.rows,
            warnings=stored_errors(result.warnings),
            warning_count=result.warning_count,
            finished_at=timezone.now(),
        )
    elif not result.ok:
        ImportUpload.objects.filter(pk=upload_id).update(
            status=Status.REJECTED,
            rows=result.rows,
            errors=stored_errors(result.errors),
            error_count=result.error_count,
            refused=result.refused,
            # A refused file is never read again (not even for the errors workbook): dropped.
            data=None if result.refused else upload.data,
            finished_at=timezone.now(),
        )
    uploads_expire()
    if result.stopped:
        return Status.WARNED
    return Status.DONE if result.ok else Status.REJECTED


def queue_visit_import(*, user, file_name: str, data: bytes) -> ImportUpload:
    """A quarterly visits file (issue 29, point 2), kept encrypted and imported by the worker
    like an archive file; the caller shows the upload's page (progress, then the outcome)."""
    upload = ImportUpload.objects.create(
        kind=ImportUpload.Kind.VISITS,
        uploaded_by=user,
        file_name=file_name[:200],
        data=seal_bytes(data, ImportUpload.DATA_PURPOSE),
        status=Status.QUEUED,
    )
    run_visit_import.enqueue(upload.pk)
    return upload


@task()
def run_visit_import(upload_id: int) -> str:
    """Import one queued visits file (once: a repeated delivery finds it taken), all or
    nothing, within the uploader's own scope as it is now."""
    claimed = ImportUpload.objects.filter(
        pk=upload_id, kind=ImportUpload.Kind.VISITS, status=Status.QUEUED
    ).update(status=Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return "already taken"
    upload = ImportUpload.objects.select_related("uploaded_by").get(pk=upload_id)
    last = {"percent": -1}

    def progress(percent: int, stage: str) -> None:
        if percent != last["percent"]:
            last["percent"] = percent
            cache.set(_key(upload_id), {"percent": percent, "stage": stage}, 3600)

    def recorded(result) -> None:
        # Inside the import's transaction: the outcome commits with the visits (the file goes).
        ImportUpload.objects.filter(pk=upload_id).update(
            status=Status.DONE,
            rows=result.saved,
            visits_with_findings=result.with_findings,
            data=None,
            finished_at=timezone.now(),
        )

    try:
        result = import_visits(
            actor=upload.uploaded_by,
            data=upload_file(upload) or b"",
            households=households_visible_to(upload.uploaded_by),
            progress=progress,
            recorded=recorded,
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
    if not result.ok:
        # A file that could not be read is never read again (no annotated workbook): dropped.
        refused = result.errors[0].column in ("文件", "表头")
        ImportUpload.objects.filter(pk=upload_id).update(
            status=Status.REJECTED,
            rows=result.rows,
            errors=stored_errors(result.errors),
            error_count=result.error_count,
            refused=refused,
            data=None if refused else upload.data,
            finished_at=timezone.now(),
        )
    uploads_expire()
    return Status.DONE if result.ok else Status.REJECTED


def uploads_expire(now=None) -> int:
    """Drop the files of uploads older than UPLOAD_RETENTION_DAYS (rejected or interrupted ones:
    an imported one's file is dropped at once); their outcome and errors stay. The number
    dropped. Run by the worker at its start, after each import and hourly."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.UPLOAD_RETENTION_DAYS)
    return (
        ImportUpload.objects.filter(uploaded_at__lt=cutoff, data__isnull=False)
        .exclude(status__in=(Status.QUEUED, Status.RUNNING))
        .update(data=None, expired_at=now)
    )


def fail_interrupted(ids: list[int] | None = None) -> int:
    """Uploads left running by a worker that died (killed, machine restarted). Their outcome is
    written in the import's own transaction, so one still marked running did not commit: its
    transaction was rolled back and nothing was written. The batch row tells it apart anyway (an
    upload whose batch exists was written), so the message is never wrong. Called when a worker
    starts: every running upload with one worker per installation, or those of `ids` (the jobs
    of a dead worker, anju.worker) with several."""
    now = timezone.now()
    running = ImportUpload.objects.filter(status=Status.RUNNING)
    if ids is not None:
        running = running.filter(pk__in=ids)
    written = running.filter(batch__isnull=False).update(
        status=Status.DONE, data=None, finished_at=now
    )
    return written + running.update(
        status=Status.FAILED,
        finished_at=now,
        message="导入进程意外中止，未写入任何数据。请重新上传该文件。",
    )
