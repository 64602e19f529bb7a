"""Township problem lists (一乡镇一清单)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.oversight.choices import (
    ItemStatus,
)
from anju.oversight.models import (
    Clue,
    RectificationItem,
)
from anju.oversight.services.clues import today
from anju.regions.models import Level, Region
from anju.tabular.text import clean


def item_create(
    *,
    actor,
    region: Region,
    source: str,
    description: str,
    owner: str,
    deadline: date,
    measure: str = "",
    clue: Clue | None = None,
) -> RectificationItem:
    require(actor, Perm.MANAGE_ITEMS)
    if region.level != Level.TOWNSHIP:
        raise ValidationError("问题清单按乡镇（街道）建立。")
    if not region_visible(actor, region.code):
        raise ValidationError("只能为本人所辖乡镇建立问题清单。")
    with transaction.atomic():
        item = RectificationItem(
            region=region,
            source=source,
            description=clean(description),
            measure=clean(measure),
            owner=clean(owner),
            deadline=deadline,
            clue=clue,
            created_by=actor,
        )
        item.full_clean()
        item.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=item,
            after={"description": item.description, "owner": item.owner, "deadline": str(deadline)},
        )
    return item


def item_from_visit(*, actor, township: str, description: str, owner: str, deadline: date):
    """anju.households.events.visit_findings_recorded: a follow-up visit's findings become an
    item of the township's problem list, in the visit's transaction."""
    return item_create(
        actor=actor,
        region=Region.objects.get(code=township),
        source="visit",
        description=description,
        owner=owner,
        deadline=deadline,
    )


def item_done(*, actor, item: RectificationItem, done_on: date | None = None) -> RectificationItem:
    require(actor, Perm.MANAGE_ITEMS)
    if item.status == ItemStatus.DONE:
        raise ValidationError("该事项已整改完成。")
    with transaction.atomic():
        item.status, item.done_on = ItemStatus.DONE, done_on or today()
        item.save(update_fields=["status", "done_on"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=item,
            before={"status": "open"},
            after={"status": "done", "done_on": str(item.done_on)},
        )
    return item
