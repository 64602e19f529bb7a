"""A short run of bench/load.py: 10 users for 20 s against a real `anju serve` (on PostgreSQL
when the suite runs there, else SQLite): no 5xx, the audit chain verifies, no write lost, the
raced clue edits add up, and the server's log holds no secret."""

import os

import pytest

from bench import load
from tests.logcheck import find_secrets


@pytest.mark.skipif(not os.path.exists("/proc"), reason="needs a POSIX process tree")
def test_ten_users_for_twenty_seconds_lose_nothing(tmp_path):
    url = os.environ.get("ANJU_DATABASE_URL", "")
    code = load.run(
        seconds=20,
        users=10,
        port=8818,
        workers=2,
        postgres=url if url.startswith("postgres") else None,
        folder=tmp_path,
    )
    assert code == 0, "bench.load found problems (printed above)"
    found = find_secrets((tmp_path / "server.log").read_text(errors="replace"))
    assert not found, found[:3]
