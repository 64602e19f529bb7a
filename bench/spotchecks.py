"""The spot-check draw on a province-sized frame: 1,000,000 houses in 1,000 townships, 5% per
township, a tenth of the houses weighted, beside the bare standard library doing an unweighted
random.sample per township (the floor any draw pays). No database.

    .venv/bin/python -m bench.spotchecks
"""

import random
import statistics
import time

from anju.spotchecks.draw import Unit, draw, frame_digest, frame_rows

HOUSES, TOWNSHIPS, SHARE = 1_000_000, 1_000, 5


def frame() -> list[Unit]:
    rng = random.Random("bench-frame")
    return [
        Unit(
            key=f"35{i:016d}",
            township=f"35{i % TOWNSHIPS:07d}000",
            weight=4 if rng.random() < 0.1 else 1,
        )
        for i in range(HOUSES)
    ]


def median(fn, repeat=3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def bare(units: list[Unit]) -> None:
    strata: dict[str, list[Unit]] = {}
    for unit in units:
        strata.setdefault(unit.township, []).append(unit)
    for township, members in strata.items():
        random.Random(township).sample(members, len(members) * SHARE // 100)


def main() -> None:
    units = frame()
    ours = median(lambda: draw(units, seed="bench", share_percent=SHARE))
    floor = median(lambda: bare(units))
    digest = median(lambda: frame_digest(frame_rows(units)))
    print(
        f"draw {HOUSES:,} houses / {TOWNSHIPS} townships at {SHARE}%: {ours:.2f} s "
        f"(bare random.sample per township {floor:.2f} s); frame rows + SHA-256 {digest:.2f} s"
    )


if __name__ == "__main__":
    main()
