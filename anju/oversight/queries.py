"""Reads of the ledger."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet

from anju.oversight.choices import ClueStatus
from anju.oversight.deadlines import AT_RISK_DAYS
from anju.oversight.idlinks import digests_of
from anju.oversight.models import Transfer
from anju.regions.models import Region, subtree_bounds

OPEN = Q(
    status__in=[s for s in ClueStatus.values if s not in (ClueStatus.CLOSED, ClueStatus.MERGED)]
)


def ledger(
    clues: QuerySet,
    *,
    status: str = "",
    category: str = "",
    urgency: str = "",
    supervised: bool = False,
    q: str = "",
    today: date,
) -> QuerySet:
    """The filtered ledger list, with what its rows show."""
    if status in ClueStatus.values:
        clues = clues.filter(status=status)
    if category:
        clues = clues.filter(category=category)
    if urgency == "open":
        clues = clues.filter(OPEN)
    elif urgency == "overdue":
        clues = clues.filter(OPEN, due_on__lt=today)
    elif urgency == "at_risk":
        clues = clues.filter(OPEN, due_on__gte=today, due_on__lte=today + timedelta(AT_RISK_DAYS))
    if supervised:
        clues = clues.filter(supervised=True)
    if q:
        match = (
            Q(number__icontains=q)
            | Q(summary__icontains=q)
            | Q(persons__name__icontains=q)
            | Q(place__icontains=q)
        )
        digests = digests_of(q)
        if digests:  # a full ID number: the clues that name it, through the blind index
            match |= Q(id_links__id_number_digest__in=digests)
        clues = clues.filter(match).distinct()
    return (
        clues.select_related("region").prefetch_related("persons").order_by("-received_on", "-pk")
    )


def urgency_counts(clues: QuerySet, today: date) -> dict[str, int]:
    open_clues = clues.filter(OPEN)
    return {
        "overdue": open_clues.filter(due_on__lt=today).count(),
        "at_risk": open_clues.filter(
            due_on__gte=today, due_on__lte=today + timedelta(AT_RISK_DAYS)
        ).count(),
        "supervised": open_clues.filter(supervised=True).count(),
        "open": open_clues.count(),
    }


def transfers_in(region: Region) -> QuerySet:
    return (
        Transfer.objects.filter(to_region__code__range=subtree_bounds(region.code))
        .select_related("clue", "to_region")
        .order_by("reported_on", "-sent_on")
    )


def transfers_out(region: Region) -> QuerySet:
    return (
        Transfer.objects.filter(clue__region__code__range=subtree_bounds(region.code))
        .select_related("clue", "to_region")
        .order_by("reported_on", "-sent_on")
    )


def supervision_board(clues: QuerySet) -> QuerySet:
    return (
        clues.filter(supervised=True).select_related("region").order_by("status", "supervision_due")
    )


def long_open(clues: QuerySet, today: date, days: int = 90) -> QuerySet:
    """Open clues received more than `days` ago: candidates for key supervision."""
    return clues.filter(OPEN, supervised=False, received_on__lt=today - timedelta(days))
