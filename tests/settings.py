"""Test settings: the production module, on plain http, with a fast password hasher."""

import os
import tempfile

os.environ.setdefault("ANJU_HTTPS", "0")
os.environ.setdefault("ANJU_DATA_DIR", os.path.join(tempfile.gettempdir(), "anju-test-var"))

from anju import settings as base
from anju.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if base.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: WAL and IMMEDIATE transactions behave as in production, and
    # concurrent-writer tests get real locking.
    base.DATABASES["default"]["TEST"] = {"NAME": str(base.DATA_DIR / "test.sqlite3")}
