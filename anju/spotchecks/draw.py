"""The draw: stratified by township, weighted sampling without replacement (Efraimidis and
Spirakis, 2006: each unit gets the key u ** (1 / w) and the k largest keys are taken).

Reproducible by anyone from the recorded seed and frame: every stratum has its own generator,
random.Random(f"{seed}:{township}"), which Python seeds from the string's SHA-512 on every
platform, and the units are visited in the order of their stable key (the head's resident ID),
so neither the database, nor the insertion order, nor other strata change a stratum's sample.
The global generator is never used.
"""

import hashlib
import heapq
import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter


@dataclass(frozen=True)
class Unit:
    key: str  # the stable key: the head's 18-digit resident ID
    township: str  # the stratum: the township's 12-digit code
    weight: int = 1


def stratum_size(population: int, *, share_percent: int | None, count: int | None) -> int:
    """How many to draw from a stratum of `population`: the count (at most all), or the share
    rounded up, so that every township with houses gets at least one visit."""
    if population <= 0:
        return 0
    if count is not None:
        return min(count, population)
    if share_percent is None:
        raise ValueError("share_percent or count")
    return min(population, math.ceil(population * share_percent / 100))


def draw(
    units: Iterable[Unit], *, seed: str, share_percent: int | None = None, count: int | None = None
) -> tuple[list[Unit], dict[str, dict[str, int]]]:
    """The sample (stratum by stratum, best key first) and, per stratum, its population and how
    many were drawn."""
    strata: dict[str, list[Unit]] = {}
    for unit in units:
        strata.setdefault(unit.township, []).append(unit)
    sample: list[Unit] = []
    sizes: dict[str, dict[str, int]] = {}
    for township in sorted(strata):
        members = sorted(strata[township], key=attrgetter("key"))
        k = stratum_size(len(members), share_percent=share_percent, count=count)
        draw_u = random.Random(f"{seed}:{township}").random
        # u ** (1/w) with u in [0, 1): a larger weight pushes the key towards 1. The k largest
        # keys win; ties (vanishingly rare) go to the smaller stable key.
        keyed = [(-(draw_u() ** (1.0 / max(u.weight, 1))), u.key, i) for i, u in enumerate(members)]
        sample.extend(members[i] for _, _, i in heapq.nsmallest(k, keyed))
        sizes[township] = {"population": len(members), "drawn": k}
    return sample, sizes


def frame_rows(units: Iterable[Unit]) -> list[list]:
    return [[u.key, u.township, u.weight] for u in sorted(units, key=lambda u: (u.key, u.township))]


def frame_digest(rows: list[list]) -> str:
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def units_of(rows: list[list]) -> list[Unit]:
    return [Unit(key=k, township=t, weight=w) for k, t, w in rows]
