"""Quarterly follow-up visits (seed 003, 跟踪回访机制): who is due, who is overdue, and recording a
visit; a finding that needs action opens an item on the township's problem list."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.choices import REVISITED
from anju.households.events import registry_changed, visit_findings_recorded
from anju.households.models import Finding, FollowUpVisit, House, Household

INTERVAL_DAYS = 92  # a quarter


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def revisited(households: QuerySet) -> QuerySet:
    """Households whose (old) house is earth, earth-timber or brick-timber."""
    return households.filter(
        Exists(House.objects.filter(household=OuterRef("pk"), structure__in=list(REVISITED)))
    )


def due_this_quarter(households: QuerySet, today: date) -> QuerySet:
    """Revisited households with no visit yet in the current quarter, last visit annotated."""
    start = quarter_start(today)
    return (
        revisited(households)
        .exclude(
            Exists(FollowUpVisit.objects.filter(household=OuterRef("pk"), visited_on__gte=start))
        )
        .annotate(last_visit=Max("visits__visited_on"))
    )


def overdue(households: QuerySet, today: date) -> QuerySet:
    """Due households whose last visit is more than a quarter ago (or who were never visited)."""
    limit = today - timedelta(days=INTERVAL_DAYS)
    from django.db.models import Q

    return due_this_quarter(households, today).filter(
        Q(last_visit__lt=limit) | Q(last_visit__isnull=True)
    )


def visit_record(
    *,
    actor,
    household: Household,
    visited_on: date,
    findings: list[str],
    note: str = "",
    owner: str = "",
    deadline: date | None = None,
) -> FollowUpVisit:
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if visited_on > timezone.localdate():
        raise ValidationError("回访日期不能晚于今天。")
    unknown = set(findings) - set(Finding.values)
    if unknown:
        raise ValidationError("发现问题须从列表中选择。")
    with transaction.atomic():
        visit = write_visit(
            actor=actor,
            household=household,
            visited_on=visited_on,
            findings=findings,
            note=note,
            owner=owner,
            deadline=deadline,
        )
        registry_changed.announce(regions=[household.region_id])
    return visit


def write_visit(
    *,
    actor,
    household: Household,
    visited_on: date,
    findings: list[str],
    note: str = "",
    owner: str = "",
    deadline: date | None = None,
    key: str = "",
) -> FollowUpVisit:
    """One checked visit, audited, its findings on the township's problem list; the caller holds
    the transaction and announces `registry_changed` (once for a whole worksheet). `key`: the
    phone's idempotency key of the sheet it came in."""
    visit = FollowUpVisit.objects.create(
        household=household,
        visited_on=visited_on,
        findings=sorted(set(findings)),
        note=note.strip(),
        visitor=actor,
        client_key=key,
    )
    audit(
        actor=actor,
        action=Action.CREATE,
        obj=visit,
        after={
            "household": household.pk,
            "visited_on": str(visited_on),
            "findings": visit.findings,
        },
    )
    if findings:
        announce_findings(actor=actor, visit=visit, owner=owner, deadline=deadline)
    return visit


def announce_findings(*, actor, visit: FollowUpVisit, owner: str = "", deadline=None) -> None:
    """A visit's findings to the township's problem list (the ledger hears it)."""
    household = visit.household
    labels = "、".join(visit.finding_labels())
    visit_findings_recorded.announce(
        actor=actor,
        township=household.region_id[:9] + "000",
        description=f"{household.region.name}{household.head_name}：{labels}"
        + (f"（{visit.note}）" if visit.note else ""),
        owner=owner or actor.full_name or actor.get_username(),
        deadline=deadline or visit.visited_on + timedelta(days=30),
    )
