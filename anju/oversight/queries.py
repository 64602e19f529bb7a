"""Reads of the ledger."""

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from anju.oversight.choices import ClueStatus
from anju.oversight.deadlines import limit_days, soon_until
from anju.oversight.idlinks import digests_of
from anju.oversight.models import Transfer
from anju.regions.models import Region, subtree_bounds

OPEN = Q(
    status__in=[s for s in ClueStatus.values if s not in (ClueStatus.CLOSED, ClueStatus.MERGED)]
)


def over_limit_q(today: date) -> Q:
    """Open clues received longer ago than the overall limit (ANJU_CLUE_LIMIT_DAYS)."""
    return OPEN & Q(received_on__lt=today - timedelta(days=limit_days()))


def overdue_q(today: date) -> Q:
    """Open clues past their stage's deadline or past the overall limit, whichever is first."""
    return OPEN & (Q(due_on__lt=today) | Q(received_on__lt=today - timedelta(days=limit_days())))


def at_risk_q(today: date) -> Q:
    """Open clues not yet overdue whose stage deadline or overall limit falls within three
    working days."""
    until = soon_until(today)
    overall_until = until - timedelta(days=limit_days())
    return OPEN & ~overdue_q(today) & (Q(due_on__lte=until) | Q(received_on__lte=overall_until))


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
        clues = clues.filter(overdue_q(today))
    elif urgency == "at_risk":
        clues = clues.filter(at_risk_q(today))
    elif urgency == "over_limit":
        clues = clues.filter(over_limit_q(today))
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
    return open_clues.aggregate(
        overdue=Count("pk", filter=overdue_q(today)),
        at_risk=Count("pk", filter=at_risk_q(today)),
        over_limit=Count("pk", filter=over_limit_q(today)),
        supervised=Count("pk", filter=Q(supervised=True)),
        open=Count("pk"),
    )


def transfers_ordered(transfers: QuerySet) -> QuerySet:
    return transfers.select_related(
        "clue__region", "to_region", "receiver", "sent_by__work_unit"
    ).order_by("reported_on", "-sent_on")


def transfer_board(region: Region, today: date) -> list[dict]:
    """Per receiving unit of the region (units of the system): what it holds (not yet answered),
    of that not yet signed for, overdue (past the reply deadline, unanswered), and answered."""
    rows = (
        Transfer.objects.filter(
            receiver__isnull=False, receiver__region__code__range=subtree_bounds(region.code)
        )
        .values("receiver_id", "receiver__name")
        .annotate(
            held=Count("pk", filter=Q(reported_on__isnull=True)),
            unsigned=Count("pk", filter=Q(acknowledged_on__isnull=True)),
            overdue=Count("pk", filter=Q(reported_on__isnull=True, due_on__lt=today)),
            answered=Count("pk", filter=Q(reported_on__isnull=False)),
        )
        .order_by("-overdue", "-held", "receiver__name")
    )
    return list(rows)


def transfers_in(region: Region) -> QuerySet:
    return (
        Transfer.objects.filter(to_region__code__range=subtree_bounds(region.code))
        .select_related("clue", "to_region")
        .order_by("reported_on", "-sent_on")
    )


def transfers_out(region: Region) -> QuerySet:
    return (
        Transfer.objects.filter(clue__region__code__range=subtree_bounds(region.code))
        .select_related("clue", "to_region", "receiver")
        .order_by("reported_on", "-sent_on")
    )


def supervision_board(clues: QuerySet) -> QuerySet:
    return (
        clues.filter(supervised=True).select_related("region").order_by("status", "supervision_due")
    )


def long_open(clues: QuerySet, today: date, days: int | None = None) -> QuerySet:
    """Open clues received more than `days` (default: the overall limit) ago: candidates for
    key supervision."""
    days = limit_days() if days is None else days
    return clues.filter(OPEN, supervised=False, received_on__lt=today - timedelta(days))
