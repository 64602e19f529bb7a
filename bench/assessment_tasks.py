"""Assessment tasks from a 100,000-row list: `python -m bench.assessment_tasks` (a fresh SQLite
data dir unless ANJU_DATABASE_URL). Archive households without assessments; a poverty list of
100,000 people (nine in ten in the archive) imported beside the same rows as a deaths list (no
tasks: the bare import), then a second poverty list with 10,000 newcomers."""

import csv
import io
import os
import tempfile
import time

N = int(os.environ.get("BENCH_TASK_ROWS", "100000"))


def main() -> None:
    os.environ.setdefault("ANJU_DATA_DIR", tempfile.mkdtemp(prefix="anju-bench-tasks-"))
    os.environ.setdefault("ANJU_HTTPS", "0")
    from anju.cli import _migrate, _setup

    _setup()
    _migrate()
    from django.db import connection, transaction

    from anju.assessments.models import AssessmentTask
    from anju.crosscheck.references import import_reference
    from anju.demo import region_csv
    from anju.households.demo import resident_id
    from anju.households.models import Household, Person
    from anju.regions.models import Level, Region
    from anju.regions.services import regions_import
    from anju.tabular.inserts import insert_rows, reserve_ids

    regions_import(actor="bench", data=region_csv("small"), source="bench")
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith="350881").values_list(
            "code", flat=True
        )
    )
    ids = [resident_id("350881000000", n) for n in range(N + N // 10)]
    archived = [n for i, n in enumerate(ids) if i % 10]  # nine in ten are in the archive
    with transaction.atomic():
        keys = reserve_ids(Household, len(archived))
        insert_rows(
            Household,
            ["id", "region_id", "head_name", "head_id"],
            ((k, villages[i % len(villages)], f"户主{i}", archived[i]) for i, k in enumerate(keys)),
        )
        insert_rows(
            Person,
            ["household_id", "name", "id_number", "relation"],
            ((k, f"户主{i}", archived[i], "户主") for i, k in enumerate(keys)),
        )
    print(f"archive: {Household.objects.count()} households ({connection.vendor})")
    top = Region.objects.get(code="350800000000")

    def listed(kind: str, numbers: list[str]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["姓名", "身份证号", "识别日期" if kind == "poverty" else "死亡日期"])
        writer.writerows([f"人员{i}", n, "2026-01-01"] for i, n in enumerate(numbers))
        return out.getvalue().encode()

    def timed(kind: str, numbers: list[str]) -> float:
        data = listed(kind, numbers)
        start = time.perf_counter()
        result = import_reference(
            actor="bench", kind=kind, data=data, file_name="b.csv", region=top
        )
        assert result.ok, result.errors[:3]
        return time.perf_counter() - start

    bare = timed("deaths", ids[:N])
    first = timed("poverty", ids[:N])
    first_step = task_step[0]
    made = AssessmentTask.objects.count()
    AssessmentTask.objects.all().delete()  # as if dealt with: the second list's newcomers only
    second = timed("poverty", ids[N // 10 : N + N // 10])
    print(f"{N:,}-row list, bare import (deaths, no tasks): {bare:.2f} s")
    print(
        f"{N:,}-row poverty list, first import: {first:.2f} s, {made:,} tasks "
        f"(the task step {first_step:.2f} s of it)"
    )
    print(
        f"{N:,}-row poverty list against the previous one: {second:.2f} s, "
        f"{AssessmentTask.objects.count():,} tasks for the newcomers in the archive "
        f"(the task step {task_step[0]:.2f} s of it)"
    )


if __name__ == "__main__":
    main()
