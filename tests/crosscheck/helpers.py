"""Building cases for the cross-check tests: an archive through the real import, departments'
lists through the real list import, and one rule run through a real run."""

import csv
import io
from datetime import date

from anju.crosscheck.models import Finding
from anju.crosscheck.references import import_reference
from anju.crosscheck.runs import execute, start_run
from anju.households.imports import import_households
from anju.households.models import Household, Payment
from anju.regions.models import Region
from tests.households.files import rid, row, xlsx

CITY = "350800000000"


def archive(*rows):
    result = import_households(actor="test", data=xlsx(list(rows)), file_name="t.xlsx")
    assert result.ok, result.errors
    return result


def household(n: int) -> Household:
    return Household.objects.get(head_id=rid(n))


def pay(n: int, amount_yuan: int, paid_on: str, *, account=None, holder=None, year=2019):
    h = household(n)
    return Payment.objects.create(
        renovation=h.renovations.get(year=year),
        paid_on=date.fromisoformat(paid_on),
        amount_fen=amount_yuan * 100,
        account_number=account or h.account_number,
        account_holder=holder or h.head_name,
    )


def reference(kind: str, header: list[str], rows: list[list], *, as_of=None, received_on=None):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    result = import_reference(
        actor="test",
        kind=kind,
        data=out.getvalue().encode("utf-8"),
        file_name=f"{kind}.csv",
        region=Region.objects.get(code=CITY),
        as_of=as_of,
    )
    assert result.ok, result.errors
    if received_on:
        result.reference.received_on = date.fromisoformat(received_on)
        result.reference.save()
    return result.reference


def found(code: str, region: str = CITY) -> list[Finding]:
    run = execute(start_run(actor="test", region=Region.objects.get(code=region)), rules=[code])
    return list(Finding.objects.filter(last_run=run, rule=code).order_by("pk"))


__all__ = ["archive", "found", "household", "pay", "reference", "rid", "row"]
