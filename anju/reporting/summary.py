"""The city's summaries, built from what districts submitted (never recounted)."""

from datetime import date
from decimal import Decimal

from anju.regions.models import Region
from anju.reporting.annexes import Annex1, Annex2, Annex2Row, Person, Signature
from anju.reporting.layout import write_annex1, write_annex2
from anju.reporting.models import Report, ReportStatus
from anju.reporting.queries import districts_within


def current_submissions(region: Region, kind: str, period: date) -> list[Report]:
    """Each district's standing submitted version (a returned one does not count)."""
    codes = [d.code for d in districts_within(region)]
    reports = Report.objects.filter(
        kind=kind, period=period, region__in=codes, status=ReportStatus.SUBMITTED
    ).select_related("region")
    return sorted(reports, key=lambda r: r.region_id)


def city_annex1(region: Region, period: date) -> tuple[bytes, list[str]]:
    """Annex 1 summed over the districts that submitted; names those that did not."""
    reports = current_submissions(region, "annex1", period)
    totals = [Decimal(0)] * 34
    for report in reports:
        for i, value in enumerate(report.values.get("values", [])[:34]):
            totals[i] += Decimal(str(value))
    submitted = {r.region_id for r in reports}
    missing = [d.name for d in districts_within(region) if d.code not in submitted]
    remarks = f"汇总 {len(reports)} 个区县" + (f"；未报：{'、'.join(missing)}" if missing else "")
    data = Annex1(
        district=region.name,
        month=f"{period:%Y-%m}",
        values=totals,
        remarks=remarks,
        signature=Signature(unit=region.name),
    )
    return write_annex1(data), missing


def city_annex2(region: Region, period: date) -> bytes:
    """All districts' Annex 2 rows in one table, district by district, with a 区县 column in
    front so that the city can tell the rows apart."""
    rows: list[Annex2Row] = []
    for report in current_submissions(region, "annex2", period):
        for row in report.values.get("rows", []):
            rows.append(
                Annex2Row(
                    source=row.get("source", ""),
                    place=row.get("place", ""),
                    persons=[
                        Person(p.get("name", ""), p.get("post", ""), p.get("level", ""))
                        for p in row.get("persons", [])
                    ],
                    summary=row.get("summary", ""),
                    funds=Decimal(str(row.get("funds", 0))),
                    disposal=row.get("disposal", ""),
                    rectification=row.get("rectification", ""),
                    recovered=Decimal(str(row.get("recovered", 0))),
                    accountable=int(row.get("accountable", 0)),
                    district=report.region.name,
                )
            )
    return write_annex2(
        Annex2(
            district=region.name,
            month=f"{period:%Y-%m}",
            rows=rows,
            signature=Signature(unit=region.name),
        ),
        district_column=True,
    )
