"""What the notifications app listens to: the domain apps' announcements of work being put on
someone's list. It subscribes; the domain apps never call it.

- the registry's `registry_changed` domain event (anju.events: plates, visits, changes ...);
- until the ledger, the reports and the cadres announce domain events of their own, Django's
  post_save of the rows their services write for each step: a clue's state change (ClueEvent),
  a transfer, a report's state change (ReportEvent), a change request, a cadre's observation,
  a problem-list item.

Each, once its transaction commits, queues a refresh of the lists of the people whose region
contains the place concerned (and, for a transfer, the receiver's)."""

from django.db import transaction
from django.db.models.signals import post_save

from anju.households.events import registry_changed


def _codes(sender, instance) -> list[str]:
    name = sender._meta.label
    if name == "oversight.ClueEvent":
        return [instance.clue.region_id]
    if name == "oversight.Transfer":
        return [instance.clue.region_id, instance.to_region_id]
    if name == "reporting.ReportEvent":
        return [instance.report.region_id]
    if name == "households.ChangeRequest":
        return [instance.household.region_id]
    return [instance.region_id]


def _queue_refresh(codes) -> None:
    codes = sorted(set(codes))

    def queue() -> None:
        from anju.notifications.tasks import refresh_task

        refresh_task.enqueue(codes)

    transaction.on_commit(queue)


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # fixtures
        return
    _queue_refresh(_codes(sender, instance))


def on_registry_changed(*, regions) -> None:
    codes = [c for c in regions if c]
    if codes:
        _queue_refresh(codes)


WATCHED = [
    "oversight.ClueEvent",
    "oversight.Transfer",
    "oversight.RectificationItem",
    "reporting.ReportEvent",
    "households.ChangeRequest",  # proposed, or decided: not every decision moves the registry
    "cadres.Observation",
]


def connect() -> None:
    from django.apps import apps

    registry_changed.subscribe(on_registry_changed)
    for label in WATCHED:
        post_save.connect(
            _on_save, sender=apps.get_model(label), dispatch_uid=f"notifications:{label}"
        )
