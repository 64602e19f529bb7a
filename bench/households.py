"""Household archive: importing 100,000 rows beside a bare python-calamine read of the same file,
and the latency of the household list and page."""

import contextlib
import os
import statistics
import tempfile
import time

import xlsxwriter

from bench import import_floor, repeats
from bench.memory import high_water_mb, private_mb, reset_high_water

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))


def write_archive(path: str) -> int:
    from anju.households.archive_file import LABELS, TEMPLATE
    from anju.households.demo import rows

    records = rows("province", first_serial=5_000_000)[:ROWS]
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [LABELS[f] for f in TEMPLATE])
    for i, record in enumerate(records, 1):
        for j, field in enumerate(TEMPLATE):
            value = record[field]
            if isinstance(value, int):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, str(value))
    book.close()
    return len(records)


@contextlib.contextmanager
def child_memory():
    """The private memory of the import's checking child at the end of its half (its results
    not yet pickled), as a list that holds it afterwards, empty when nothing was forked."""
    from anju.households import archive_file

    halves = archive_file.halves
    seen: list[float] = []
    read_end, write_end = os.pipe()

    def measured(work, items, **options):
        def part(items, here):
            result = work(items, here)
            if not here:
                os.write(write_end, f"{private_mb():.1f}\n".encode())
            return result

        return halves(part, items, **options)

    archive_file.halves = measured
    try:
        yield seen
    finally:
        archive_file.halves = halves
        os.close(write_end)
        with os.fdopen(read_end) as figures:
            seen.extend(float(line) for line in figures)


def latency(client, url: str, n: int = 40) -> tuple[float, float]:
    times = []
    n = repeats(n)
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times) * 1000, times[int(0.95 * (n - 1))] * 1000


RATE: float | None = None


def run() -> None:
    from python_calamine import CalamineWorkbook

    from anju.households.archive_file import TEMPLATE
    from anju.households.imports import import_households
    from anju.households.models import Household, Renovation

    path = os.path.join(tempfile.mkdtemp(), "archive.xlsx")
    count = write_archive(path)
    size_mb = os.path.getsize(path) / 1e6

    start = time.perf_counter()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    bare = time.perf_counter() - start
    assert len(sheet) == count + 1
    head_at, account_at = TEMPLATE.index("head_id"), TEMPLATE.index("account")
    heads = [str(row[head_at]) for row in sheet[1:]]
    accounts = [str(row[account_at] or "") for row in sheet[1:]]
    del sheet
    floor = import_floor.Floor()

    with open(path, "rb") as fh:
        data = fh.read()
    reset_high_water()
    before = high_water_mb()
    with child_memory() as child:
        start = time.perf_counter()
        result = import_households(actor="bench", data=data, file_name="bench.xlsx")
        ours = time.perf_counter() - start
    assert result.ok, result.errors[:3]
    global RATE
    RATE = count / ours  # printed beside the priority list's import (bench/priority_list.py)
    checking = f"; the checking child's own pages {child[0]:.0f} MB" if child else ""
    print(
        f"households import: {count:,} rows ({size_mb:.1f} MB xlsx) in {ours:.1f} s "
        f"({count / ours:,.0f} rows/s, {ours / bare:.1f}× the bare read); bare python-calamine "
        f"read {bare:.1f} s; process peak during the import {high_water_mb():.0f} MB "
        f"({before:.0f} MB before it){checking}"
    )
    written, write_bare = floor.replay()
    seal_bare = import_floor.seal(heads, accounts)
    least = bare + seal_bare + write_bare
    driver = "sqlite3" if floor.vendor == "sqlite" else "psycopg COPY"
    print(
        f"households import floor (bare tools, before any check): read {bare:.2f} s + "
        f"sealing {seal_bare:.2f} s + {driver} writing the same {written:,} rows "
        f"{write_bare:.2f} s = {least:.2f} s ({least / bare:.1f}× the bare read); "
        f"the import is {ours / least:.2f}× its floor"
    )

    client = signed_in("zp_clerk")
    household = Household.objects.filter(region__code__startswith="350881").first()
    list_p50, list_p95 = latency(client, "/households/")
    search_p50, search_p95 = latency(client, f"/households/?q={household.head_name[:2]}")
    page_p50, page_p95 = latency(client, f"/households/{household.pk}/")
    print(
        f"household list ({Household.objects.count():,} households, "
        f"{Renovation.objects.count():,} renovations): p50 {list_p50:.0f} ms, "
        f"p95 {list_p95:.0f} ms · name search p50 {search_p50:.0f} ms, p95 {search_p95:.0f} ms"
        f" · household page p50 {page_p50:.0f} ms, p95 {page_p95:.0f} ms (Django test client)"
    )
    # The list's filters, for the county clerk and for the city office (the widest scope that
    # works the list); the page shows the filtered count. Category, year and method are an
    # EXISTS on another table; the rest read the household's own row (anju.households.facts).
    for username in ("zp_clerk", "city"):
        client = signed_in(username)
        figures = []
        for query in FILTERS:
            _, p95 = latency(client, f"/households/?{query}", n=10)
            figures.append(f"{query} {p95:.0f}")
        print(f"household list filters, {username}, p95 ms: " + " · ".join(figures))


# One of each kind of filter the list offers (anju.households.queries.household_list).
FILTERS = [
    "grade=D",
    "grade=B",
    "category=subsistence",
    "year=2016",
    "method=rebuild",
    "assessed=0",
    "assessed=1",
    "accepted=0",
    "accepted=1",
    "payment=late",
]


def signed_in(username: str):
    """A test client signed in as `username`, as after the password and the TOTP code
    (otherwise every page would be the code page)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from anju.accounts.models import SealedTOTPDevice, User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    device, _ = SealedTOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "bench"}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
