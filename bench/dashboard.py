"""The overview (总览): page latency for the city office and a township clerk, the summary's
size and full rebuild, and what keeping it costs a single write (one township recounted).

`make bench` runs it after loading the demo of BENCH_SIZE; on a demo already built run it alone:
    ANJU_DATA_DIR=/tmp/dash-prov .venv/bin/python -m bench.dashboard
"""

import os
import sys
import time

from bench import repeats


def timings(client, url: str, n: int = 40) -> dict[str, float]:
    """Wall-clock and CPU p50/p95 in ms. On a shared machine the wall clock mostly measures the
    neighbours; the process's CPU time (SQLite runs in-process, so it includes the queries) is
    the figure that compares across runs."""
    wall, cpu = [], []
    n = repeats(n)
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        assert response.status_code == 200, (url, response.status_code)
    wall.sort()
    cpu.sort()
    p95 = int(0.95 * (n - 1))
    return {
        "p50": wall[n // 2] * 1000,
        "p95": wall[p95] * 1000,
        "cpu50": cpu[n // 2] * 1000,
        "cpu95": cpu[p95] * 1000,
    }


def run() -> None:
    from django.db import connection, transaction

    from anju.dashboard.models import Tally
    from anju.dashboard.tally import tally_differences, tally_rebuild, tally_refresh
    from anju.households.models import Household
    from bench.households import signed_in

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
    for username, url in (
        ("city", "/overview/"),
        ("zp_clerk", "/overview/"),
        ("xq_clerk", "/overview/"),
        # Beside them, a page of known cost (PERFORMANCE.md: ~15 ms on an idle machine).
        ("city", "/households/"),
    ):
        client = signed_in(username)
        client.get(url)  # warm the caches once, as a running server has them
        t = timings(client, url)
        figures.append(
            f"{username} {url} p50 {t['p50']:.0f} ms, p95 {t['p95']:.0f} ms "
            f"(CPU p50 {t['cpu50']:.0f} ms, p95 {t['cpu95']:.0f} ms)"
        )
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
