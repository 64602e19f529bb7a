"""A fresh machine installs Anju: complete locks, quiet logs, an icon, a bench that runs."""

import logging
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from tests import lock_check
from tests.base import AnjuTestCase

ROOT = Path(__file__).resolve().parent.parent


def _locks() -> str:
    return "\n".join(
        (ROOT / name).read_text(encoding="utf-8")
        for name in ("requirements.lock", "requirements-dev.lock")
    )


def _roots():
    return lock_check.read_roots(
        (ROOT / name).read_text(encoding="utf-8")
        for name in ("requirements.in", "requirements-dev.in")
    )


def _drop(lock: str, name: str) -> str:
    """The lock text without the pin of `name` (its hash and comment lines too)."""
    dropped = re.sub(rf"(?ms)^{re.escape(name)}==.*?(?=^[A-Za-z0-9])", "", lock)
    assert dropped != lock, name
    return dropped


class LockTests(SimpleTestCase):
    def test_our_locks_pin_every_requirement_with_its_extras(self):
        self.assertEqual(lock_check.problems(lock_check.read_pins([_locks()]), _roots()), [])

    def test_a_lock_that_drops_a_package_only_an_extra_asks_for_fails(self):
        # pip-audit asks for CacheControl[filecache]; only that extra needs filelock (the very
        # gap that broke fresh installs when cachecontrol 0.15.0 came out).
        pins = lock_check.read_pins([_drop(_locks(), "filelock")])
        found = lock_check.problems(pins, _roots())
        self.assertTrue(any("filelock" in line and "cachecontrol" in line for line in found))

    def test_a_lock_that_drops_our_own_extra_fails(self):
        pins = lock_check.read_pins([_drop(_locks(), "psycopg-binary")])
        found = lock_check.problems(pins, _roots())
        self.assertTrue(any("psycopg-binary" in line for line in found), found)

    def test_a_pin_outside_a_requirement_range_fails(self):
        lock = re.sub(r"(?m)^asgiref==[^ ]+", "asgiref==3.0.0", _locks())
        found = lock_check.problems(lock_check.read_pins([lock]), _roots())
        self.assertTrue(any("asgiref" in line and "3.0.0" in line for line in found), found)

    def test_the_command_exits_1_on_an_incomplete_lock(self):
        with tempfile.NamedTemporaryFile("w", suffix=".lock", delete=False) as fh:
            fh.write(_drop(_locks(), "filelock"))
        try:
            done = subprocess.run(
                [sys.executable, "-m", "tests.lock_check", fh.name],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            os.unlink(fh.name)
        self.assertEqual(done.returncode, 1)
        self.assertIn("filelock", done.stderr)

    def test_make_installs_without_resolving_and_checks(self):
        makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
        self.assertIn("--require-hashes --no-deps", makefile)
        self.assertIn("pip check", makefile)
        # The demo needs the runtime lock only.
        self.assertRegex(makefile, r"(?m)^demo: \$\(RUNTIME\)$")
        # A target named like a folder (bench/, tests/) must be phony, or make skips it.
        phony = re.search(r"(?m)^\.PHONY:(.*)$", makefile).group(1).split()
        self.assertTrue({"demo", "test", "bench", "lint"} <= set(phony), phony)


class QuietLogTests(AnjuTestCase):
    def test_a_refusal_is_logged_as_one_line_without_a_traceback(self):
        self.login(self.alice)
        with self.assertLogs("django.request", level="WARNING") as logs:
            response = self.client.get("/audit/")
        self.assertEqual(response.status_code, 403)
        [record] = logs.records
        self.assertIsNone(record.exc_info)
        line = logging.Formatter("%(message)s").format(record)
        self.assertNotIn("Traceback", line)
        self.assertIn("alice", line)
        self.assertIn("/audit/", line)
        self.assertEqual(line.count("\n"), 0)

    def test_the_browser_gets_an_icon_not_a_404(self):
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", response.content)
        login = self.client.get("/accounts/login/").content.decode()
        self.assertIn('rel="icon"', login)


class BenchSmokeTests(SimpleTestCase):
    """Every part of `make bench` runs to the end on the small demo with small sizes (seconds;
    no timing asserted), so a bench that breaks fails CI instead of the next person's run."""

    def test_every_bench_part_runs_on_the_small_demo(self):
        env = {
            **os.environ,
            "ANJU_DATA_DIR": tempfile.mkdtemp(prefix="anju-bench-smoke-"),
            "BENCH_SIZE": "small",
            "BENCH_IMPORT_ROWS": "300",
            "BENCH_EXPORT_ROWS": "2000",
            "BENCH_LIST_FACTOR": "1",
            "BENCH_TASK_ROWS": "300",
            "BENCH_PLANTED_HOUSEHOLDS": "400",
            "BENCH_SHEET_HOUSES": "30",
            "BENCH_PLATES": "40",
            "BENCH_VISIT_ROWS": "300",
            "BENCH_SMOKE": "1",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        done = subprocess.run(
            [sys.executable, "-m", "bench"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        self.assertEqual(done.returncode, 0, done.stdout[-3000:] + done.stderr[-3000:])
        for part in (
            "demo --size small",
            "households import",
            "api household list",
            "planted case",
            "village worksheet save",
            "plates PDF",
            "visits import",
        ):
            self.assertIn(part, done.stdout)
