"""Field work by the village (issue 29):

- saving a village worksheet of BENCH_SHEET_HOUSES (300) due houses in one transaction (one visit,
  one audit entry each, a tenth with findings that open problem-list items), beside the same
  number of bare FollowUpVisit INSERTs (bulk_create) that check and audit nothing;
- importing BENCH_VISIT_ROWS (100,000) visits from an xlsx file (rows/s, the process's peak
  memory) beside a bare python-calamine read of the same file;
- printing BENCH_PLATES (1,000) plates in one PDF, A5 and two to an A4 sheet (seconds, file size,
  the embedded font subset included), and the A4 worksheet PDF of the same houses.

`make bench` runs it after loading the demo of BENCH_SIZE; on a demo already built:
    ANJU_DATA_DIR=/tmp/wb-city BENCH_ONLY=field .venv/bin/python -m bench
"""

import os
import time

HOUSES = int(os.environ.get("BENCH_SHEET_HOUSES", "300"))
PLATES = int(os.environ.get("BENCH_PLATES", "1000"))
VISIT_ROWS = int(os.environ.get("BENCH_VISIT_ROWS", "100000"))


def visits_file(path: str, households: list[tuple[str, str]], rows: int, today) -> None:
    """`rows` visits as a clerk's workbook: a title row, then one visit a row, each household
    visited on successive days from 2001 (before any visit the demo holds), one row in a
    hundred with findings."""
    from datetime import date, timedelta

    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "季度回访登记表")
    sheet.write_row(1, 0, ["户主姓名", "户主身份证号", "回访日期", "发现问题", "情况说明"])
    for i in range(rows):
        name, head_id = households[i % len(households)]
        day = date(2001, 1, 1) + timedelta(days=i // len(households))
        finding = "漏雨透风" if i % 100 == 0 else "未发现问题"
        sheet.write_row(i + 2, 0, [name, head_id, f"{day:%Y-%m-%d}", finding, ""])
    book.close()


def top_up(count: int) -> None:
    """`count` more households with an earth-timber house in one village of 漳平市."""
    from django.db import transaction

    from anju.households.choices import Structure
    from anju.households.models import House, Household
    from anju.regions.models import Level, Region

    village = Region.objects.filter(code__startswith="350881", level=Level.VILLAGE).first()
    first = Household.objects.filter(head_name__startswith="工作表户").count()  # a reused data dir
    with transaction.atomic():
        made = [
            Household.objects.create(
                region=village, head_name=f"工作表户{i:04d}", head_id=f"3508811960{i:07d}7"
            )
            for i in range(first, first + count)
        ]
        House.objects.bulk_create(
            [House(household=h, structure=Structure.EARTH_TIMBER) for h in made]
        )


def run() -> None:
    from django.db import transaction
    from django.utils import timezone

    from anju.accounts.models import User
    from anju.households import plates, worksheets
    from anju.households.models import Finding, FollowUpVisit, Household, SafetyPlate

    clerk = User.objects.get(username="zp_clerk")
    today = timezone.localdate()
    county = Household.objects.filter(region__code__startswith="350881")
    due = list(worksheets.sheet_households(county, today)[:HOUSES])
    if len(due) < HOUSES:  # a small demo: top the sheet up with earth-timber houses of one village
        top_up(HOUSES - len(due))
        due = list(worksheets.sheet_households(county, today)[:HOUSES])
    rows = [
        worksheets.SheetRow(
            household=h,
            ticks=[Finding.LEAKY] if i % 10 == 0 else [worksheets.NO_PROBLEM],
            note="屋面漏雨" if i % 10 == 0 else "",
        )
        for i, h in enumerate(due)
    ]
    start = time.perf_counter()
    saved = worksheets.sheet_save(actor=clerk, visited_on=today, rows=rows)
    ours = time.perf_counter() - start
    assert len(saved) == len(due)

    class Rollback(Exception):
        pass

    start = time.perf_counter()
    try:
        with transaction.atomic():
            FollowUpVisit.objects.bulk_create(
                [FollowUpVisit(household=h, visited_on=today, visitor=clerk) for h in due]
            )
            raise Rollback
    except Rollback:
        pass
    bare = time.perf_counter() - start
    print(
        f"village worksheet save: {len(due)} houses in one transaction {ours:.2f} s "
        f"({ours / max(len(due), 1) * 1000:.1f} ms a house, audited, "
        f"{sum(1 for r in rows if r.findings)} problem-list items); bare bulk INSERT of the same "
        f"visits {bare * 1000:.0f} ms"
    )

    visit_import(clerk, today)

    households = list(county.select_related("region")[: min(PLATES, 5000)])
    made = [
        SafetyPlate(
            household=households[i % len(households)],
            number=f"350881-{today:%Y}-{i + 1:06d}",
            grade="C",
            issued_on=today,
            deadline=today,
            public_token=f"bench{i:027d}",
        )
        for i in range(PLATES)
    ]
    url = "https://anju.example/portal/plate/{}/".format
    for two in (False, True):
        start = time.perf_counter()
        pdf = plates.plates_pdf(made, lambda p: url(p.public_token), two_per_a4=two)
        took = time.perf_counter() - start
        print(
            f"plates PDF: {PLATES:,} plates {'two to an A4' if two else 'A5 each'} in {took:.1f} s "
            f"({PLATES / took:,.0f} plates/s), {len(pdf) / 1e6:.1f} MB "
            f"({len(pdf) / PLATES / 1024:.1f} KB a plate, font subset embedded once)"
        )
    start = time.perf_counter()
    sheet = worksheets.sheet_pdf(
        due, region_name="漳平市", quarter=today, printed_at=f"{today:%Y-%m-%d}"
    )
    print(
        f"worksheet PDF: {len(due)} houses in {time.perf_counter() - start:.2f} s, "
        f"{len(sheet) / 1e3:.0f} KB"
    )


def visit_import(clerk, today) -> None:
    import tempfile

    from python_calamine import CalamineWorkbook

    from anju.households.models import Household
    from anju.households.visit_file import import_visits
    from bench.memory import high_water_mb, reset_high_water

    scope = Household.objects.filter(region__code__startswith="350881")
    # One visit a day a household from 2001 on: ~9,000 days, enough households for the rows.
    people = list(scope.values_list("head_name", "head_id")[:50_000])
    rows = min(VISIT_ROWS, len(people) * 1000)
    path = os.path.join(tempfile.mkdtemp(), "visits.xlsx")
    visits_file(path, people, rows, today)
    with open(path, "rb") as fh:
        data = fh.read()
    start = time.perf_counter()
    CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    bare = time.perf_counter() - start
    reset_high_water()
    before = high_water_mb()
    start = time.perf_counter()
    result = import_visits(actor=clerk, data=data, households=scope)
    took = time.perf_counter() - start
    assert result.ok, [str(e) for e in result.errors[:3]]
    print(
        f"visits import: {rows:,} rows ({len(data) / 1e6:.1f} MB xlsx) in {took:.1f} s "
        f"({rows / took:,.0f} rows/s, {result.with_findings:,} problem-list items, every visit "
        f"audited), {took / bare:.1f}× the bare python-calamine read ({bare:.2f} s); process "
        f"peak {high_water_mb():.0f} MB ({before:.0f} MB before it)"
    )
