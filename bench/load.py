"""Many staff users at once against a real `anju serve`, then proof that nothing was lost.

    python -m bench.load --minutes 5 --users 50      # (make bench runs it with BENCH_LOAD=1)

On loopback only, bounded in time: a fresh PostgreSQL database (or SQLite with --sqlite) with
the demo (`anju demo --no-serve`), `anju serve` on 127.0.0.1 (ANJU_OTP_REQUIRED=0: the demo
accounts log in with their password alone), then USERS threads, each logged in as a demo account
with its own session, mixing reads (home, household list, search, household page, clue list,
findings) and writes (register a clue, record a follow-up visit, edit a clue with its version
field) with a short pause between clicks. Edits race on a few shared clues on purpose: the loser
of a race must be refused (counted apart), never silently overwritten.

Then: requests and errors by status, p50/p95/p99 per kind; no 5xx; `anju audit verify`; every
write a client saw succeed is in the database; each raced clue's version went up by exactly the
number of edits that succeeded on it, and it holds the text of the last of them. Exit 1 if any
of that fails."""

import argparse
import html
import http.cookiejar
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Clerks write; the others read. Users are given these accounts in turn.
ACCOUNTS = ["zp_clerk", "xq_clerk", "city", "sy_clerk", "zp_reviewer", "zp_jijian"]
WRITERS = {"zp_clerk", "xq_clerk", "sy_clerk"}
HOT_CLUES = 4  # edits race on this many clues of 漳平市
STALE = "该线索已被他人修改"
PAGES = ["home", "households", "search", "household", "clues", "findings"]


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    refused: int = 0
    unsaved: Counter = field(default_factory=Counter)  # writes the app refused otherwise: why
    clues: list = field(default_factory=list)  # (number, token) registered
    visits: list = field(default_factory=list)  # (household pk, token) recorded
    edits: dict = field(default_factory=lambda: defaultdict(list))  # clue pk: [(version, token)]

    def record(self, kind: str, status: int, seconds: float, url: str) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[status] += 1
            if status >= 500 or status == 0:
                self.errors.append((kind, status, url))


class Client:
    """One user: a cookie jar (their session) and urllib over loopback."""

    def __init__(self, base: str, results: Results):
        self.base = base
        self.results = results
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, kind: str, path: str, data: dict | None = None) -> tuple[int, str]:
        url = self.base + path
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        began = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=120) as r:  # noqa: S310 (http://127.0.0.1 only)
                status, text = r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        except OSError as error:  # refused, reset, timed out: counted as status 0
            status, text = 0, str(error)
        self.results.record(kind, status, time.perf_counter() - began, path)
        return status, text

    def login(self, username: str, password: str) -> None:
        _, page = self.request("login", "/accounts/login/")
        status, page = self.request(
            "login",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token(page), "username": username, "password": password},
        )
        if "工作人员登录" in page and 'name="password"' in page:
            raise RuntimeError(f"{username} could not log in ({status})")


def token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def links(page: str, prefix: str) -> list[int]:
    return sorted({int(n) for n in re.findall(rf'href="{prefix}(\d+)/"', page)})


def field_value(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    return html.unescape(found.group(1)) if found else ""


def user_loop(client: Client, username: str, deadline: float, hot: list[int], seed: int):
    rng = random.Random(seed)
    _, listing = client.request("households", "/households/")
    households = links(listing, "/households/") or [0]
    names = re.findall(r">([\u4e00-\u9fff]{2,4})</a>", listing)[:20] or ["王"]
    writer = username in WRITERS
    while time.monotonic() < deadline:
        roll = rng.random()
        if writer and roll < 0.10:
            register_clue(client, rng)
        elif writer and roll < 0.20:
            record_visit(client, rng.choice(households))
        elif username == "zp_clerk" and roll < 0.35 and hot:
            edit_clue(client, rng.choice(hot))
        else:
            page = rng.choice(PAGES)
            path = {
                "home": "/",
                "households": f"/households/?page={rng.randint(1, 5)}",
                "search": "/households/?" + urllib.parse.urlencode({"q": rng.choice(names)}),
                "household": f"/households/{rng.choice(households)}/",
                "clues": "/clues/",
                "findings": "/crosscheck/",
            }[page]
            client.request(page, path)
        time.sleep(rng.uniform(0.1, 0.6))  # a person reads before the next click


def register_clue(client: Client, rng: random.Random) -> None:
    status, form = client.request("clue_form", "/clues/new/")
    if status != 200:
        return
    mark = f"压测{secrets.token_hex(6)}"
    status, page = client.request(
        "register_clue",
        "/clues/new/",
        {
            "csrfmiddlewaretoken": token(form),
            "region_code": field_value(form, "region_code"),
            "place": field_value(form, "place") or "压测",
            "source_channel": "petition",
            "received_on": date.today().isoformat(),
            "category": "responsibility",
            "summary": f"{mark} 反映危改资金拨付不及时，请核查。",
            "funds": "1.5",
            "person1_name": f"某{rng.randint(1, 999)}",
            "person1_level": "county",
            "confirm_new": "True",
        },
    )
    number = re.search(r"已登记，台账编号 ([^。<]+)。", page)
    with client.results.lock:
        if status == 200 and number:
            client.results.clues.append((number.group(1).strip(), mark))
        elif status == 200:
            client.results.unsaved[f"register_clue: {why(page)}"] += 1


def record_visit(client: Client, household: int) -> None:
    status, page = client.request("household", f"/households/{household}/")
    if status != 200 or f'action="/households/{household}/visits/"' not in page:
        return
    mark = f"压测{secrets.token_hex(6)}"
    status, page = client.request(
        "record_visit",
        f"/households/{household}/visits/",
        {
            "csrfmiddlewaretoken": token(page),
            "visited_on": date.today().isoformat(),
            "note": mark,
        },
    )
    with client.results.lock:
        if status == 200 and "回访已记录" in page:
            client.results.visits.append((household, mark))
        elif status == 200:
            client.results.unsaved[f"record_visit: {why(page)}"] += 1


def edit_clue(client: Client, pk: int) -> None:
    status, page = client.request("clue", f"/clues/{pk}/")
    edit = re.search(rf'action="/clues/{pk}/edit/".*?</form>', page, re.S)
    if status != 200 or not edit:
        return
    version = int(field_value(edit.group(0), "version"))
    mark = f"压测{secrets.token_hex(6)}"
    status, page = client.request(
        "edit_clue",
        f"/clues/{pk}/edit/",
        {
            "csrfmiddlewaretoken": token(page),
            "version": version,
            "place": "压测修改",
            "category": "responsibility",
            "summary": f"{mark} 修改后的摘要",
            "funds": "2",
            "links": "",
        },
    )
    if status != 200:
        return
    with client.results.lock:
        if STALE in page:
            client.results.refused += 1
        elif "已保存。" in page:
            client.results.edits[pk].append((version, mark))
        else:
            client.results.unsaved[f"edit_clue: {why(page)}"] += 1


def why(page: str) -> str:
    """The app's message or the form's errors on a page that did not say "saved"."""
    found = re.findall(
        r'<li class="error">(.*?)</li>|<ul class="errorlist[^"]*">(.*?)</ul>', page, re.S
    )
    text = " ".join(a or b for a, b in found)
    return re.sub(r"<[^>]+>", "", text).strip()[:120] or "no message"


def together(work, count: int, threads: int) -> None:
    """work(i) for i in range(count), on `threads` threads at once."""
    pending = list(range(count))
    lock = threading.Lock()

    def take() -> None:
        while True:
            with lock:
                if not pending:
                    return
                i = pending.pop(0)
            work(i)

    pool = [threading.Thread(target=take) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(results: Results, took: float) -> None:
    total = sum(results.statuses.values())
    print(f"\n{total} requests in {took:.0f} s ({total / took:.1f}/s); by status: ", end="")
    print(", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(results.statuses.items())))
    print(f"{'kind':<15}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, values in sorted(results.times.items()):
        ms = [v * 1000 for v in values]
        print(
            f"{kind:<15}{len(ms):>7}{statistics.median(ms):>9.0f}"
            f"{percentile(ms, 95):>9.0f}{percentile(ms, 99):>9.0f}"
        )
    every = [v * 1000 for kind, values in results.times.items() if kind != "login" for v in values]
    print(f"{'all but login':<15}{len(every):>7}{statistics.median(every):>9.0f}", end="")
    print(f"{percentile(every, 95):>9.0f}{percentile(every, 99):>9.0f}")
    edits = sum(len(v) for v in results.edits.values())
    print(
        f"writes seen to succeed: {len(results.clues)} clues registered, "
        f"{len(results.visits)} visits, {edits} clue edits; {results.refused} edits refused "
        "as stale (another user saved first)"
    )
    for reason, n in results.unsaved.most_common():
        print(f"  not saved ({n}): {reason}")


def db_step(env: dict, step: str, data: dict):
    """Run `step` against the run's database in a process of its own (this one may be a test
    process with other settings): JSON in, JSON out."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", "--db-step", step],
        input=json.dumps(data),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def before(_data: dict) -> dict:
    """The demo's password, and the clues of 漳平市 the edits race on with their versions."""
    from anju.demo import DEMO_PASSWORD
    from anju.oversight.models import Clue

    rows = (
        Clue.objects.filter(region__code__startswith="350881")
        .exclude(status__in=["closed", "merged"])
        .order_by("pk")
        .values_list("pk", "version")[:HOT_CLUES]
    )
    return {"password": DEMO_PASSWORD, "clues": {str(pk): version for pk, version in rows}}


def check(data: dict) -> list[str]:
    """Every write a client saw succeed is there; the raced clues' versions add up."""
    from anju.households.models import FollowUpVisit
    from anju.oversight.models import Clue

    problems = []
    clues = [tuple(c) for c in data["clues"]]
    visits = [tuple(v) for v in data["visits"]]
    edits = {int(pk): [tuple(e) for e in done] for pk, done in data["edits"].items()}
    start_versions = {int(pk): v for pk, v in data["start"].items()}
    numbers = dict(Clue.objects.filter(summary__startswith="压测").values_list("number", "summary"))
    for number, mark in clues:
        if not numbers.get(number, "").startswith(mark):
            problems.append(f"registered clue {number} ({mark}) is not in the database")
    notes = set(
        FollowUpVisit.objects.filter(note__startswith="压测").values_list("household_id", "note")
    )
    problems += [f"visit {m} to household {h} lost" for h, m in visits if (h, m) not in notes]
    for pk, start in start_versions.items():
        clue = Clue.objects.get(pk=pk)
        done = edits.get(pk, [])
        if clue.version != start + len(done):
            problems.append(
                f"clue {pk}: version {start} -> {clue.version}, but {len(done)} edits succeeded"
            )
        if done:
            last = max(done)[1]
            if not clue.summary.startswith(last):
                problems.append(f"clue {pk} does not hold the last saved edit {last}")
        versions = sorted(v for v, _ in done)
        if versions != list(range(start, start + len(done))):
            problems.append(f"clue {pk}: edits succeeded on versions {versions}")
    return problems


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("anju serve exited")
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("anju serve did not answer")


def create_database(base_url: str) -> str:
    import psycopg

    name = f"anju_load_{os.getpid()}_{secrets.token_hex(3)}"
    admin = urllib.parse.urlsplit(base_url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlsplit(base_url)._replace(path=f"/{name}").geturl()


def drop_database(url: str) -> None:
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(
    *,
    seconds: float,
    users: int,
    port: int,
    workers: int,
    postgres: str | None,
    size: str = "small",
    folder: Path | None = None,
) -> int:
    """The whole run; 0 when nothing went wrong. The server's log stays in FOLDER/server.log."""
    folder = folder or Path(tempfile.mkdtemp(prefix="anju-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(ANJU_DATA_DIR=str(folder), ANJU_HTTPS="0", ANJU_OTP_REQUIRED="0")
    env["DJANGO_SETTINGS_MODULE"] = "anju.settings"
    env.pop("ANJU_DATABASE_URL", None)
    database = create_database(postgres) if postgres else None
    if database:
        env["ANJU_DATABASE_URL"] = database
    anju = [sys.executable, "-m", "anju"]
    server = None
    try:
        began = time.perf_counter()
        subprocess.run(
            [*anju, "demo", "--size", size, "--no-serve"],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        print(
            f"demo --size {size} loaded in {time.perf_counter() - began:.0f} s "
            f"({'PostgreSQL' if database else 'SQLite'})"
        )
        demo = db_step(env, "before", {})
        start_versions = {int(k): v for k, v in demo["clues"].items()}
        log = (folder / "server.log").open("wb")
        server = subprocess.Popen(
            [*anju, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server)
        results = Results()
        failures = []
        clients = [Client(base, results) for _ in range(users)]
        names = [ACCOUNTS[i % len(ACCOUNTS)] for i in range(users)]

        def login(i: int) -> None:
            try:
                clients[i].login(names[i], demo["password"])
            except Exception as error:
                failures.append(f"user {i} ({names[i]}): {error!r}")

        # Everyone logs in first (password hashing is slow on purpose), then the clock starts.
        began = time.perf_counter()
        together(login, users, min(users, 2 * workers))
        print(
            f"{users} users logged in in {time.perf_counter() - began:.0f} s; "
            f"{seconds:.0f} s of clicks against {base} ({workers} gunicorn workers)"
        )
        deadline = time.monotonic() + seconds

        def one(i: int) -> None:
            try:
                user_loop(clients[i], names[i], deadline, list(start_versions), i)
            except Exception as error:  # a user that could not go on is a failure
                failures.append(f"user {i}: {error!r}")

        began = time.perf_counter()
        together(one, users, users)
        took = time.perf_counter() - began
        report(results, took)
        problems = failures + [f"{kind}: {status} at {url}" for kind, status, url in results.errors]
        problems += db_step(
            env,
            "check",
            {
                "clues": results.clues,
                "visits": results.visits,
                "edits": {str(pk): done for pk, done in results.edits.items()},
                "start": {str(pk): v for pk, v in start_versions.items()},
            },
        )
        verify = subprocess.run(
            [*anju, "audit", "verify"], env=env, cwd=ROOT, capture_output=True, text=True
        )
        print("audit verify:", (verify.stdout + verify.stderr).strip())
        if verify.returncode:
            problems.append("the audit chain does not verify")
        for problem in problems[:30]:
            print("PROBLEM:", problem)
        print("load: OK" if not problems else f"load: {len(problems)} problems")
        return 1 if problems else 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if database:
            drop_database(database)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--db-step"]:
        from anju.cli import _setup

        _setup()
        step = {"before": before, "check": check}[argv[1]]
        print(json.dumps(step(json.loads(sys.stdin.read()))))
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--seconds", type=float, help="instead of --minutes")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--port", type=int, default=8817)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--size", default="small", choices=["small", "city"])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="server to make a scratch database on",
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args(argv)
    return run(
        seconds=args.seconds if args.seconds else args.minutes * 60,
        users=args.users,
        port=args.port,
        workers=args.workers,
        postgres=None if args.sqlite else args.postgres,
        size=args.size,
    )


if __name__ == "__main__":
    sys.exit(main())
