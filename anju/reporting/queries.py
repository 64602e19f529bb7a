"""Reads for the monthly reporting."""

from anju.regions.models import Level, Region
from anju.reporting.annexes import Contact as ContactRow
from anju.reporting.models import Contact, ContactRole


def districts_within(region: Region):
    """The districts (county level) at or under `region`."""
    if region.level == Level.COUNTY:
        return Region.objects.filter(code=region.code)
    return Region.objects.within(region).filter(level=Level.COUNTY).order_by("code")


def contact_table(
    region: Region, contacts
) -> list[tuple[Region, list[tuple[str, Contact | None]]]]:
    """Each district under `region` with its four contact slots (None where not yet named)."""
    by_key = {(c.region_id, c.role): c for c in contacts}
    return [
        (district, [(role, by_key.get((district.code, role.value))) for role in ContactRole])
        for district in districts_within(region)
    ]


def annex3_rows(region: Region, contacts) -> list[ContactRow]:
    rows = []
    for district, slots in contact_table(region, contacts):
        for role, contact in slots:
            if contact is not None:
                rows.append(
                    ContactRow(
                        district.name, contact.name, contact.unit_post or role.label, contact.mobile
                    )
                )
    return rows
