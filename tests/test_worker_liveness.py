"""Several workers on PostgreSQL (anju.worker): a worker that starts fails the jobs of a dead
worker only, never those a live worker on another machine is still running."""

import subprocess
import sys
import time

import pytest
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anju import worker
from anju.households import tasks
from anju.households.models import ImportUpload
from tests.base import make_cast, make_regions

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: SQLite runs one worker per installation (fails every running job)",
)

# A worker elsewhere: holds its lock (anju.worker.hold_liveness) until killed.
HOLDER = """
import sys, time, psycopg
db = psycopg.connect(sys.argv[1], autocommit=True)
db.execute("SELECT pg_advisory_lock(%s, %s)", [int(sys.argv[2]), int(sys.argv[3])])
print("held", flush=True)
time.sleep(600)
"""


def dsn() -> str:
    params = connection.get_connection_params()
    keys = ("host", "port", "user", "password", "dbname")
    return " ".join(f"{k}={params[k]}" for k in keys if params.get(k))


@override_settings(TASKS=DATABASE_QUEUE)
class LivenessTests(TransactionTestCase):
    def setUp(self):
        make_regions()
        self.alice = make_cast()["alice"]

    def running_import(self, worker_id: str) -> tuple[ImportUpload, DBTaskResult]:
        upload = ImportUpload.objects.create(
            uploaded_by=self.alice, file_name="a.xlsx", data=b"", status="running"
        )
        result = tasks.run_import.enqueue(upload.pk)
        job = DBTaskResult.objects.get(pk=result.id)
        job.claim(worker_id)
        return upload, job

    def test_a_live_workers_job_is_left_running_and_a_dead_ones_is_failed(self):
        alive_id, dead_id = worker.new_worker_id(), worker.new_worker_id()
        key = [str(worker.LIVENESS_SPACE), str(worker._lock_key(alive_id))]
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, dsn(), *key], stdout=subprocess.PIPE, text=True
        )
        try:
            self.assertEqual(holder.stdout.readline().strip(), "held")
            alive_upload, alive_job = self.running_import(alive_id)
            dead_upload, dead_job = self.running_import(dead_id)
            self.assertEqual(worker.fail_interrupted(), 1)
            alive_job.refresh_from_db()
            dead_job.refresh_from_db()
            alive_upload.refresh_from_db()
            dead_upload.refresh_from_db()
            self.assertEqual(alive_job.status, TaskResultStatus.RUNNING)
            self.assertEqual(alive_upload.status, ImportUpload.Status.RUNNING)
            self.assertEqual(dead_job.status, TaskResultStatus.FAILED)
            self.assertEqual(dead_upload.status, ImportUpload.Status.FAILED)
            self.assertIn("重新上传", dead_upload.message)
            # Killed: its lock goes with its connection, and the next look fails its job.
            holder.kill()
            holder.wait(timeout=10)
            deadline = time.monotonic() + 10
            while worker.fail_interrupted() == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            alive_job.refresh_from_db()
            self.assertEqual(alive_job.status, TaskResultStatus.FAILED)
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait(timeout=10)

    def test_this_workers_own_lock_says_it_is_alive(self):
        me = worker.new_worker_id()
        worker.hold_liveness(me)
        try:
            _, job = self.running_import(me)
            self.assertEqual(worker.fail_interrupted(), 0)
            job.refresh_from_db()
            self.assertEqual(job.status, TaskResultStatus.RUNNING)
        finally:
            worker._liveness.close()
            worker._liveness = None
