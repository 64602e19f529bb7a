"""Reads of the region tree."""

from django.db.models import QuerySet

from anju.regions.models import Level, Region, subtree_bounds


def children_of(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=region).order_by("code")


def subtree_counts(region: Region) -> dict[int, int]:
    """How many regions of each level lie under `region` (one grouped query)."""
    from django.db.models import Count

    rows = (
        Region.objects.filter(code__range=subtree_bounds(region.code))
        .exclude(code=region.code)
        .values("level")
        .annotate(n=Count("code"))
    )
    return {row["level"]: row["n"] for row in rows}


def base_villages_within(region: Region) -> QuerySet[Region]:
    return Region.objects.within(region).filter(level=Level.VILLAGE, is_base_village=True)
