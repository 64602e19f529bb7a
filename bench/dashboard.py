"""The overview (总览): page latency for the city office and a township clerk, the summary's
size and full rebuild, and what keeping it costs a single write (one township recounted).

`make bench` runs it after loading the demo of BENCH_SIZE; on a demo already built run it alone:
    ANJU_DATA_DIR=/tmp/dash-prov .venv/bin/python -m bench.dashboard
"""

import os
import sys
import time

from bench.households import latency


def run() -> None:
    from django.db import connection, transaction
    from django.test import Client

    from anju.accounts.models import User
    from anju.dashboard.models import Tally
    from anju.dashboard.tally import tally_differences, tally_rebuild, tally_refresh
    from anju.households.models import Household

    township = "350881100000"  # 新桥镇
    refreshes = []
    for _ in range(10):
        with transaction.atomic():
            start = time.perf_counter()
            tally_refresh([township])
            refreshes.append(time.perf_counter() - start)
            transaction.set_rollback(True)
    refreshes.sort()

    figures = []
    for username in ("city", "zp_clerk", "xq_clerk"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get("/overview/")  # warm the caches once, as a running server has them
        p50, p95 = latency(client, "/overview/", n=40)
        figures.append(f"{username} p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    # The full rebuild and check last: they read the whole archive and cool the caches.
    start = time.perf_counter()
    rows = tally_rebuild()
    rebuild = time.perf_counter() - start
    start = time.perf_counter()
    differences = tally_differences()
    check = time.perf_counter() - start
    assert not differences, differences[:3]

    print(
        f"dashboard ({Household.objects.count():,} households, {Tally.objects.count():,} summary "
        f"rows, {connection.vendor}): " + " · ".join(figures) + " (Django test client) · "
        f"full rebuild {rebuild:.1f} s ({rows:,} rows), recount check {check:.1f} s · "
        f"one township's refresh (what a service adds to its write) "
        f"p50 {refreshes[len(refreshes) // 2] * 1000:.0f} ms · "
        f"load average at the end {os.getloadavg()[0]:.1f} (shared machine)"
    )


def main() -> int:
    os.environ.setdefault("ANJU_HTTPS", "0")
    from anju.cli import _migrate, _setup

    _setup()
    _migrate()
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
