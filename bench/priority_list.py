"""A department's 100,000-person priority list imported on the demo (issue #24): every person the
archive lacks becomes a pending household (待建档) placed by the list's township and village
columns, every newcomer an assessment task. Time and the process's peak memory, beside the
archive import's rows/s (bench/households.py, when it ran in the same `make bench`)."""

import io
import os
import random
import time

# BENCH_PRIORITY_PEOPLE: a smaller list for a quick look (default 100,000).
N = int(os.environ.get("BENCH_PRIORITY_PEOPLE", "100000"))


def workbook(rows: list[list]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "新识别建档立卡贫困人口名单")
    header = ["序号", "姓名", "公民身份号码", "户主身份证号", "乡镇（街道）", "行政村", "识别日期"]
    sheet.write_row(2, 0, header)
    for i, row in enumerate(rows, 3):
        sheet.write_number(i, 0, i - 2)
        for j, value in enumerate(row, 1):
            sheet.write_string(i, j, value)
    book.close()
    return out.getvalue()


def run() -> None:
    from anju.assessments.models import AssessmentTask
    from anju.crosscheck.references import import_reference
    from anju.households.demo import resident_id
    from anju.households.models import Household, Person
    from anju.regions.models import Level, Region
    from bench import households as archive_bench
    from bench.memory import high_water_mb, reset_high_water

    city = Region.objects.filter(level=Level.CITY).order_by("code").first()
    villages = list(
        Region.objects.within(city)
        .filter(level=Level.VILLAGE)
        .select_related("parent")
        .values_list("code", "name", "parent__name")
    )
    rng = random.Random("priority-bench")
    archived = list(
        Household.objects.filter(region__code__startswith=city.code[:4])
        .order_by("pk")
        .values_list("head_name", "head_id")[: N // 2]
    )
    rows = [[name, number, "", "", "", "2026-11-01"] for name, number in archived]
    serial = 0
    head = place = None
    while len(rows) < N:
        serial += 1
        if serial % 10 and head is not None:
            # Members listed under the head of a new family (户主身份证号): they join the head's
            # pending household. The family begun by every 40th new person has its head on the
            # list only by ID.
            number = resident_id(head[:6] + "000000", 800_000 + serial)
            rows.append([f"新户{serial}", number, head, *place, "2026-11-01"])
            if serial % 10 == 3:
                head = None
            continue
        code, village, town = villages[rng.randrange(len(villages))]
        number = resident_id(code[:6] + "000000", 800_000 + serial)
        head, place = number, (town, village)
        if serial % 40:
            rows.append([f"新户{serial}", number, "", town, village, "2026-11-01"])
    data = workbook(rows)
    households_before = Household.objects.count()
    tasks_before = AssessmentTask.objects.count()
    reset_high_water()
    before = high_water_mb()
    start = time.perf_counter()
    result = import_reference(
        actor="bench", kind="poverty", data=data, file_name="priority.xlsx", region=city
    )
    seconds = time.perf_counter() - start
    assert result.ok, result.errors[:3]
    created = Household.objects.count() - households_before
    members = Person.objects.filter(household__pending=True, relation="家庭成员").count()
    tasks = AssessmentTask.objects.count() - tasks_before
    unplaced = Household.objects.filter(pending=True, region__level__lt=Level.TOWNSHIP).count()
    beside = getattr(archive_bench, "RATE", None)
    print(
        f"priority list import: {N:,} people ({len(data) / 1e6:.1f} MB xlsx; {len(archived):,} "
        f"already in the archive) in {seconds:.1f} s ({N / seconds:,.0f} rows/s"
        + (f"; the archive import {beside:,.0f} rows/s" if beside else "")
        + f"); {created:,} pending households ({unplaced:,} left for the county to place; "
        f"{members:,} family members joined their head's), "
        f"{tasks:,} assessment tasks; process peak {high_water_mb():.0f} MB ({before:.0f} MB "
        "before it)"
    )
