"""Test settings: the production module, on plain http, with a fast password hasher."""

import os
from pathlib import Path

os.environ.setdefault("ANJU_HTTPS", "0")
# Inside this checkout (var/ is ignored), so two checkouts never share a test database.
os.environ.setdefault("ANJU_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))

from anju import settings as base
from anju.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if base.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: WAL and IMMEDIATE transactions behave as in production, and
    # concurrent-writer tests get real locking.
    base.DATABASES["default"]["TEST"] = {"NAME": str(base.DATA_DIR / "test.sqlite3")}

# Background tasks run at once inside the request in tests; tests/households/test_background.py
# drives the real database queue and worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# One cache per test process: xdist workers have their own databases (and so the same row keys).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
