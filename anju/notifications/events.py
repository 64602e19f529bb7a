"""What the notifications app listens to: the domain apps' records of work being put on
someone's list (a clue's state change, a transfer, a report's state change, a change request,
a cadre's observation, a problem-list item). It subscribes; the domain apps never call it.

Each event, once its transaction commits, queues a refresh of the lists of the people whose
region contains the place concerned (and, for a transfer, the receiver's)."""

from django.db import transaction
from django.db.models.signals import post_save


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


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # fixtures
        return
    codes = sorted(set(_codes(sender, instance)))

    def queue() -> None:
        from anju.notifications.tasks import refresh_task

        refresh_task.enqueue(codes)

    transaction.on_commit(queue)


WATCHED = [
    "oversight.ClueEvent",
    "oversight.Transfer",
    "oversight.RectificationItem",
    "reporting.ReportEvent",
    "households.ChangeRequest",
    "cadres.Observation",
]


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        post_save.connect(
            _on_save, sender=apps.get_model(label), dispatch_uid=f"notifications:{label}"
        )
