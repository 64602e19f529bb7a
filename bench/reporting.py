"""Annexes 1-2 for every district of the demo for one month: time per district.

The ledger is filled in bulk (CLUES_PER_DISTRICT clues a district, with persons and sanctions)
so the counting queries work on a realistic volume; generation goes through the same sources
the workflow and `anju report` use.
"""

import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

CLUES_PER_DISTRICT = 60
PERIOD = date(2026, 10, 1)


def fill_ledger(districts, clerk) -> int:
    from anju.oversight.models import Clue, CluePerson, Sanction
    from anju.regions.models import Level, Region

    rng = random.Random("bench-ledger")
    clues, persons, sanctions = [], [], []
    for district in districts:
        places = list(Region.objects.within(district).filter(level=Level.VILLAGE)[:50]) or [
            district
        ]
        for i in range(CLUES_PER_DISTRICT):
            received = PERIOD + timedelta(days=rng.randint(-20, 29))
            clues.append(
                Clue(
                    number=f"{district.code[:6]}-B-{i:05d}",
                    region=rng.choice(places),
                    place=district.name,
                    source_channel="petition",
                    received_on=received,
                    category="funds",
                    summary=f"基准线索 {district.name} {i}",
                    funds=Decimal(rng.randint(0, 50)) / 10,
                    status="verifying",
                    status_since=received,
                    registered_by=clerk,
                )
            )
    Clue.objects.bulk_create(clues, batch_size=2000)
    for clue in clues:
        persons.append(CluePerson(clue=clue, name="张三", post="村主任", level="village"))
        if rng.random() < 0.2:
            sanctions.append(
                Sanction(
                    clue=clue,
                    region=clue.region,
                    kind="party",
                    person_name="张三",
                    level="village",
                    form=2,
                    decided_on=PERIOD + timedelta(days=5),
                    recorded_by=clerk,
                )
            )
    CluePerson.objects.bulk_create(persons, batch_size=2000)
    Sanction.objects.bulk_create(sanctions, batch_size=2000)
    return len(clues)


def run() -> None:
    from anju.accounts.models import User
    from anju.oversight.annexes import annex1_source, annex2_source
    from anju.regions.models import Level, Region

    districts = list(Region.objects.filter(level=Level.COUNTY).order_by("code"))
    clerk = User.objects.get(username="zp_clerk")
    start = time.perf_counter()
    made = fill_ledger(districts, clerk)
    print(
        f"reporting: {made:,} clues over {len(districts)} districts filled in "
        f"{time.perf_counter() - start:.1f} s"
    )
    per_district = []
    start = time.perf_counter()
    for district in districts:
        t0 = time.perf_counter()
        annex1_source(district, PERIOD, "")
        annex2_source(district, PERIOD, "")
        per_district.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    per_district.sort()
    p95 = per_district[int(0.95 * (len(per_district) - 1))]
    print(
        f"Annexes 1+2 for {len(districts)} districts, {PERIOD:%Y-%m}: {total:.2f} s in all; "
        f"per district median {statistics.median(per_district) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {per_district[-1] * 1000:.0f} ms"
    )
