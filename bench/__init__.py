"""Benchmarks, run by `make bench`. Each prints its figures beside the bare tool's.

BENCH_SMOKE=1 (tests/test_setup.py) runs every part with two repetitions instead of tens: the
figures mean nothing then, but a part that no longer runs fails the suite."""

import os


def repeats(n: int) -> int:
    """`n` repetitions for a measurement, 2 in a smoke run."""
    return 2 if os.environ.get("BENCH_SMOKE") == "1" else n
