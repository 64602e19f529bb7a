"""Household export at 1,000,000 rows: time, file size and the peak memory of the process that
writes it (a fresh child process, so the figure is the export's own, not the import's before it)."""

import json
import os
import subprocess
import sys
import time

TARGET = int(os.environ.get("BENCH_EXPORT_ROWS", "1000000"))


def fill(target: int) -> int:
    """Top the archive up to `target` households with plain generated ones (one insert)."""
    from django.db import transaction

    from anju.households.models import Household
    from anju.regions.models import Level, Region
    from anju.sealed import Sealer
    from anju.tabular.inserts import insert_rows, reserve_ids

    missing = target - Household.objects.count()
    if missing <= 0:
        return 0
    villages = list(Region.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
    heads, accounts = Sealer(Household, "head_id"), Sealer(Household, "account_number")
    with transaction.atomic():
        keys = reserve_ids(Household, missing)
        insert_rows(
            Household,
            [
                "id",
                "region_id",
                "head_name",
                *heads.columns,
                "head_id_valid",
                "size",
                *accounts.columns,
            ],
            (
                (
                    pk,
                    villages[pk % len(villages)],
                    f"户主{pk}",
                    *heads(f"9{pk:017d}"),
                    False,
                    3,
                    *accounts(f"621704{pk:010d}"),
                )
                for pk in keys
            ),
        )
    return missing


def child() -> None:
    """In the child: export every household as the list page's export does; print figures."""
    from anju.cli import _setup
    from bench.memory import high_water_mb

    _setup()
    from anju.households.exports import write_households
    from anju.households.models import Household

    before = high_water_mb()
    start = time.perf_counter()
    handle, rows = write_households(
        Household.objects.order_by("region_id", "head_name"), unmasked=False, watermark="bench"
    )
    took = time.perf_counter() - start
    size = handle.seek(0, os.SEEK_END)
    peak = high_water_mb()
    print(
        json.dumps(
            {"rows": rows, "seconds": took, "mb": size / 1e6, "before": before, "peak": peak}
        )
    )


def run() -> None:
    start = time.perf_counter()
    added = fill(TARGET)
    filled = time.perf_counter() - start
    done = subprocess.run(
        [sys.executable, "-c", "from bench.exports import child; child()"],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"household export: {figures['rows']:,} rows in {figures['seconds']:.1f} s "
        f"({figures['mb']:.0f} MB xlsx); exporting process peak {figures['peak']:.0f} MB "
        f"({figures['before']:.0f} MB before the export started; target under 300 MB) "
        f"[{added:,} generated households added in {filled:.1f} s]"
    )
