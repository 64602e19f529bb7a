"""A small cluster on this machine (docs/cluster.md): a PostgreSQL primary with a streaming read
replica the test builds itself (initdb, pg_basebackup -R, on spare ports in a scratch folder),
two `anju serve` app servers with different local data dirs, three `anju worker` processes, and
the Redis on 127.0.0.1:6379 as the shared cache (under a key prefix of this run's own).

It proves what two app servers behind a proxy need: a user starts an upload on server A and
follows its progress, its outcome and the export on server B; a photo sent through A opens on B;
a lockout earned on A holds on B; each queued job runs once however many workers take jobs; a
worker killed mid-job leaves the job failed and the file can be sent again; list pages read the
replica (stale while its replay is paused) while the writer's own next reads go to the primary.

PostgreSQL only (a streaming replica); CI runs it in the PostgreSQL pass (.ci/run)."""

import http.cookiejar
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from base64 import b64encode
from pathlib import Path

import pytest

from bench.pgcluster import Postgres, free_port, pg_bin
from tests.base import PASSWORD
from tests.households.files import rid
from tests.logcheck import find_secrets
from tests.photos import jpeg

ROOT = Path(__file__).resolve().parent.parent
SUITE_URL = os.environ.get("ANJU_DATABASE_URL", "")
REDIS_URL = os.environ.get("ANJU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROWS = 4000
STICKY = 2  # ANJU_REPLICA_STICKY_SECONDS of the servers

pytestmark = [
    # One cluster for the module: under `pytest -n 2 --dist loadgroup` (.ci/run) its tests stay
    # on one worker instead of each worker building a primary, a replica and five processes.
    pytest.mark.xdist_group("cluster"),
    pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL and /proc"),
    pytest.mark.skipif(
        not SUITE_URL.startswith("postgres"),
        reason="PostgreSQL only: the cluster test builds a PostgreSQL streaming replica "
        "(run with ANJU_DATABASE_URL=postgres://…)",
    ),
]


def missing(reason: str) -> None:
    """A missing program or service: CI must run this test, so there it fails; elsewhere it is
    skipped with the reason."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class Browser:
    """One person's browser: one cookie jar for both servers (as behind one proxy address: a
    cookie is per host, not per port), following redirects."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, url: str, data: bytes | None = None, headers: dict | None = None):
        """(status, final url, body)."""
        req = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.geturl(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read()

    def get(self, url: str):
        return self.request(url)

    def csrf(self, url: str) -> str:
        status, _, body = self.get(url)
        assert status == 200, (url, status)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert found, f"no CSRF token on {url}"
        return found.group(1).decode()

    def post(self, url: str, fields: dict, files: dict | None = None, form: str | None = None):
        token = self.csrf(form or url)
        fields = {**fields, "csrfmiddlewaretoken": token}
        headers = {"Referer": url}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in fields.items():
                for one in value if isinstance(value, list) else [value]:
                    parts.append(
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                        f"{one}\r\n".encode()
                    )
            for name, (filename, content, ctype) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request(url, body, headers)

    def login(self, server: str, username: str, password: str = PASSWORD):
        return self.post(f"{server}/accounts/login/", {"username": username, "password": password})


class Cluster:
    def __init__(self, folder: Path, pg: Postgres, prefix: str):
        self.folder, self.pg, self.prefix = folder, pg, prefix
        self.processes: list[subprocess.Popen] = []
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
        self.env.update(
            DJANGO_SETTINGS_MODULE="anju.settings",
            ANJU_HTTPS="0",
            ANJU_OTP_REQUIRED="0",
            ANJU_DATABASE_URL=pg.url(pg.primary_port),
            ANJU_DATABASE_REPLICA_URL=pg.url(pg.replica_port),
            ANJU_REPLICA_STICKY_SECONDS=str(STICKY),
            ANJU_CACHE_URL=REDIS_URL,
            ANJU_CACHE_PREFIX=prefix,
            # Every process of an installation shares its keys; each machine has its own dir.
            ANJU_SECRET_KEY=b64encode(os.urandom(48)).decode(),
            ANJU_FIELD_KEY=b64encode(os.urandom(32)).decode(),
            ANJU_AUDIT_KEY=b64encode(os.urandom(32)).decode(),
            ANJU_LOG_LEVEL="WARNING",
        )
        self.urls: list[str] = []
        self.workers: list[subprocess.Popen] = []

    def machine(self, name: str) -> dict:
        data = self.folder / name
        data.mkdir()
        return {**self.env, "ANJU_DATA_DIR": str(data)}

    def steps(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tests.cluster_steps", *args],
            cwd=ROOT,
            env=self.machine(f"steps-{len(os.listdir(self.folder))}"),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout.strip()

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "anju", *args],
            cwd=ROOT,
            env=self.machine(name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the test ends what it started, nothing else
        )
        self.processes.append(process)
        return process

    def serve(self, name: str) -> str:
        port = free_port()
        self.start(name, "serve", "--port", str(port), "--workers", "1", "--no-worker")
        url = f"http://127.0.0.1:{port}"
        self.urls.append(url)
        return url

    def wait_up(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for url in self.urls:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"{url} did not come up"
                time.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=12)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.folder.glob("*.log"))

    def primary(self, statement: str, params=()) -> list:
        return self.pg.sql(self.pg.primary_port, statement, params)

    def job_of_upload(self, upload_id: int) -> tuple:
        rows = self.primary(
            "SELECT id, status, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'anju.households.tasks.run_import' AND args_kwargs->'args'->>0 = %s",
            [str(upload_id)],
        )
        assert len(rows) == 1, rows
        return rows[0]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.fixture(scope="module")
def cluster():
    bindir = pg_bin()
    if bindir is None or not (bindir / "pg_basebackup").exists():
        missing("the PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) are not installed")
    import redis

    try:
        cache = redis.Redis.from_url(REDIS_URL)
        cache.ping()
    except redis.RedisError as error:
        missing(f"no Redis at {REDIS_URL} ({error})")
    folder = Path(tempfile.mkdtemp(prefix="anju-cluster-"))
    folder.chmod(0o755)
    pg = Postgres(folder / "pg", bindir)
    (folder / "pg").mkdir()
    prefix = f"anju-cluster-{uuid.uuid4().hex[:10]}"
    site = Cluster(folder / "machines", pg, prefix)
    site.folder.mkdir()
    try:
        pg.start()
        site.household = int(site.steps("setup", str(site.folder), str(ROWS)))
        site.a = site.serve("server-a")
        site.b = site.serve("server-b")
        site.workers = [site.start(f"worker-{n}", "worker") for n in range(3)]
        site.wait_up()
        yield site
        found = find_secrets(site.logs())
        assert not found, f"the processes' output holds secrets: {found[:3]}"
    finally:
        site.stop()
        pg.stop()
        for key in cache.scan_iter(f"{prefix}:*"):
            cache.delete(key)
        shutil.rmtree(folder, ignore_errors=True)


def upload(browser: Browser, server: str, archive: bytes) -> int:
    status, url, body = browser.post(
        f"{server}/households/import/",
        {},
        files={"file": ("农户档案.xlsx", archive, "application/octet-stream")},
    )
    found = re.search(r"/households/import/(\d+)/$", url)
    assert status == 200 and found, (status, url, body[:500])
    return int(found.group(1))


def test_a_list_reads_the_replica_and_the_writer_reads_their_own_write(cluster):
    alice, carol = Browser(), Browser()
    assert alice.login(cluster.a, "alice")[1].endswith("/")
    assert carol.login(cluster.b, "carol")[1].endswith("/")
    time.sleep(STICKY + 0.5)  # their logins (writes) are past: their lists read the replica
    cluster.pg.caught_up()
    cluster.pg.sql(cluster.pg.replica_port, "SELECT pg_wal_replay_pause()")
    try:
        status, url, _ = alice.post(
            f"{cluster.a}/households/new/",
            {
                "region_code": "350881100203",
                "head_name": "陈金水",
                "head_id": rid(50, 1991),  # no row of the archive has this number
                "size": "3",
                "categories": ["registered_poor"],
                "structure": "earth_timber",
            },
        )
        found = re.search(r"/households/(\d+)/$", url)
        assert found, (status, url)
        link = f"/households/{found.group(1)}/".encode()
        # Alice wrote a moment ago: her list, on the other server, comes from the primary.
        assert link in alice.get(f"{cluster.b}/households/")[2]
        # Carol's list reads the replica, whose replay is paused: the new household is not there,
        assert link not in carol.get(f"{cluster.b}/households/")[2]
        # while the household's own page (not a list) reads the primary.
        assert carol.get(f"{cluster.b}{link.decode()}")[0] == 200
        replica_reads = cluster.pg.sql(
            cluster.pg.replica_port,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'anju' AND backend_type = "
            "'client backend' AND pid <> pg_backend_pid()",
        )[0][0]
        assert replica_reads >= 1, "no app server connected to the replica"
        time.sleep(STICKY + 0.5)
        # A few seconds on, Alice's list too is read from the replica: stale as Carol's.
        assert link not in alice.get(f"{cluster.b}/households/")[2]
    finally:
        cluster.pg.sql(cluster.pg.replica_port, "SELECT pg_wal_replay_resume()")
    cluster.pg.caught_up()
    assert link in carol.get(f"{cluster.a}/households/")[2]


def test_an_upload_on_one_server_is_followed_and_exported_on_the_other(cluster):
    alice = Browser()
    alice.login(cluster.a, "alice")
    archive = (cluster.folder / "archive.xlsx").read_bytes()
    upload_id = upload(alice, cluster.a, archive)
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        page = alice.get(f"{cluster.b}/households/import/{upload_id}/")[2].decode()
        status = re.search(r'data-status="(\w+)"', page).group(1)
        if status == "running":
            seen += [(st, int(p)) for st, p in re.findall(r"：([^（<]+)（(\d+)%）", page)]
        if status in ("done", "rejected", "failed", "warned"):
            break
        time.sleep(0.02)
    assert status == "done", page[-2000:]
    # A stage the worker reported through the shared cache (a page that found nothing in the
    # cache says 开始 at 0 %): server B shows the progress of the job server A queued.
    reported = [(st, p) for st, p in seen if st not in ("开始", "排队等待") and p < 100]
    assert reported, f"server B never showed the worker's progress: {seen}"
    assert (
        f"导入完成：{ROWS} 行".encode()
        in alice.get(f"{cluster.b}/households/import/{upload_id}/")[2]
    )
    # Run once, by one of the three workers.
    _, job_status, worker_ids = cluster.job_of_upload(upload_id)
    assert (job_status, len(worker_ids)) == ("SUCCESSFUL", 1)
    # The export on server B (read from the replica once it has the rows).
    from python_calamine import CalamineWorkbook

    deadline = time.monotonic() + 30
    while True:
        status, _, body = alice.post(
            f"{cluster.b}/households/export.xlsx",
            {"reason": "集群测试核对"},
            form=f"{cluster.b}/households/export.xlsx",
        )
        assert status == 200, body[:500]
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0)
        text = "\n".join("\t".join(map(str, r)) for r in sheet.to_python())
        if text.count("农户") >= ROWS or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert sum(f"农户{i}\t" in text for i in (0, ROWS // 2, ROWS - 1)) == 3, text[:1000]


def test_a_photo_sent_through_one_server_opens_on_the_other(cluster):
    cathy, alice = Browser(), Browser()
    cathy.login(cluster.a, "cathy")
    alice.login(cluster.b, "alice")
    photo = jpeg()
    status, _, _ = cathy.post(
        f"{cluster.a}/cadres/households/{cluster.household}/observe/",
        {"kind": "storm_damage", "visited_on": "2026-11-30", "note": "台风后屋面瓦片掀落"},
        files={"photos": ("IMG_0001.jpg", photo, "image/jpeg")},
        form=f"{cluster.a}/cadres/households/{cluster.household}/",
    )
    assert status == 200
    (photo_id,) = cluster.primary("SELECT id FROM cadres_observationphoto")[0]
    status, _, body = alice.get(f"{cluster.b}/cadres/photos/{photo_id}/")
    assert status == 200
    assert body[:3] == b"\xff\xd8\xff" and len(body) > 100  # a JPEG (kept as sent or re-encoded)


def test_a_lockout_earned_on_one_server_holds_on_the_other(cluster):
    bob = Browser()
    for _ in range(5):
        status, url, body = bob.login(cluster.a, "bob", "wrong-password-1")
        assert "登录已暂时锁定".encode() not in body or _ == 4
    status, url, body = bob.login(cluster.b, "bob")  # the right password, on the other server
    assert "登录已暂时锁定".encode() in body, (status, url)
    assert not url.endswith("/workbench/")
    # Someone else is not locked out by bob's failures.
    assert "登录已暂时锁定".encode() not in Browser().login(cluster.b, "carol")[2]


def test_three_workers_run_each_job_once(cluster):
    ids = json.loads(cluster.steps("queue-refresh", "24"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rows = cluster.primary(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE id::text = ANY(%s)",
            [ids],
        )
        if all(status in ("SUCCESSFUL", "FAILED") for status, _ in rows):
            break
        time.sleep(0.5)
    assert [status for status, _ in rows] == ["SUCCESSFUL"] * 24
    assert all(len(workers) == 1 for _, workers in rows), "a job was taken twice"
    took = {workers[0] for _, workers in rows}
    assert len(took) >= 2, f"the jobs were not shared among the workers: {took}"


def test_a_worker_killed_mid_job_leaves_it_failed_and_the_file_can_be_sent_again(cluster):
    import redis

    alice = Browser()
    alice.login(cluster.a, "alice")
    archive = (cluster.folder / "archive.xlsx").read_bytes()
    upload_id = upload(alice, cluster.a, archive)
    cache = redis.Redis.from_url(REDIS_URL)
    key = f"{cluster.prefix}:1:household-import:{upload_id}"
    import pickle

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        raw = cache.get(key)
        found = pickle.loads(raw) if raw else None  # noqa: S301 (our own cache's value)
        if found and found["stage"] == "写入数据库" and found["percent"] < 100:
            break
        time.sleep(0.005)
    else:
        raise AssertionError("the import never reached 写入数据库")
    _, _, worker_ids = cluster.job_of_upload(upload_id)
    pid = int(worker_ids[-1].rsplit("-", 2)[1])
    ours = {child: w for w in cluster.workers for child in children(w.pid)}
    assert pid in ours, f"the job's worker {pid} is none of this test's workers {ours}"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        (status, message) = cluster.primary(
            "SELECT status, message FROM households_importupload WHERE id = %s", [upload_id]
        )[0]
        if status != "running":
            break
        time.sleep(0.3)
    assert status == "failed" and "意外中止" in message, (status, message)
    assert cluster.job_of_upload(upload_id)[1] == "FAILED"
    assert all(w.poll() is None for w in cluster.workers), "a supervising worker stopped"
    assert children(ours[pid].pid) and pid not in children(ours[pid].pid), "no new child"
    page = alice.get(f"{cluster.b}/households/import/{upload_id}/")[2]
    assert "请重新上传该文件".encode() in page
    # Sent again: imported once (the first import's rows updated, nothing half-written).
    again = upload(alice, cluster.b, archive)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        (status,) = cluster.primary(
            "SELECT status FROM households_importupload WHERE id = %s", [again]
        )[0]
        if status not in ("queued", "running"):
            break
        time.sleep(0.5)
    assert status == "done"
    imported = "SELECT count(*) FROM households_household WHERE head_name LIKE '农户%%'"
    assert cluster.primary(imported)[0][0] == ROWS
