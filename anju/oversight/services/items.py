"""Township problem lists (一乡镇一清单)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.decisions import lock_for_decision, taken
from anju.oversight.choices import (
    ItemSource,
    ItemStatus,
)
from anju.oversight.models import (
    Clue,
    RectificationItem,
)
from anju.oversight.services.clues import today
from anju.parameters import item_close_review
from anju.photos import clean_photo
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


# Items whose close-out needs a photo of the put-right house (they came from what someone saw
# or what the data showed, not from the township's own word).
EVIDENCE_NEEDED = frozenset({ItemSource.VISIT, ItemSource.FINDING, ItemSource.CADRE})


def item_done(
    *,
    actor,
    item: RectificationItem,
    note: str,
    evidence: bytes | None = None,
    done_on: date | None = None,
) -> RectificationItem:
    """Close a problem-list item: how it was put right (`note`), and where it came from a
    visit, a cross-check finding or a cadre's report, a photo of it (`evidence`)."""

    require(actor, Perm.MANAGE_ITEMS)
    if item.status == ItemStatus.DONE:
        raise ValidationError("该事项已整改完成。")
    if item.status == ItemStatus.REVIEW:
        raise ValidationError("该事项已提交整改完成，正等另一人复核。")
    note = " ".join(note.split())
    if not note:
        raise ValidationError({"note": "请写明整改情况（做了什么、谁核实的）。"})
    kind = ""
    if evidence:
        evidence, kind = clean_photo(evidence)
    elif item.source in EVIDENCE_NEEDED:
        raise ValidationError(
            {"evidence": f"来自“{item.get_source_display()}”的事项须上传整改后的照片作为佐证。"}
        )
    review = item_close_review(item.region_id)
    with transaction.atomic():
        item.status = ItemStatus.REVIEW if review else ItemStatus.DONE
        item.done_on, item.done_by = done_on or today(), actor
        item.done_note, item.done_evidence, item.done_evidence_type = note, evidence, kind
        item.reviewed_by, item.review_note = None, ""
        item.save(
            update_fields=[
                "status",
                "done_on",
                "done_by",
                "done_note",
                "done_evidence",
                "done_evidence_type",
                "reviewed_by",
                "review_note",
            ]
        )
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=item,
            before={"status": "open"},
            after={
                "status": item.status,
                "done_on": str(item.done_on),
                "note": item.done_note,
                "evidence": bool(evidence),
            },
        )
    return item


def item_review(
    *, actor, item: RectificationItem, approve: bool, note: str = ""
) -> RectificationItem:
    """A second person's review of a close-out (where the township asks for one): agreed, the
    item is done; returned (with the reason), it is open again with what was said kept."""
    require(actor, Perm.MANAGE_ITEMS)
    note = " ".join(note.split())[:300]
    if not approve and not note:
        raise ValidationError({"note": "退回须写明理由（哪里还没整改到位）。"})
    with transaction.atomic():
        lock_for_decision(item)
        if item.status != ItemStatus.REVIEW:
            raise taken("该事项", item.get_status_display(), by_id=item.reviewed_by_id, actor=actor)
        if item.done_by_id == actor.pk:
            raise ValidationError("整改完成须由另一人复核，不能复核自己提交的。")
        item.status = ItemStatus.DONE if approve else ItemStatus.OPEN
        item.reviewed_by, item.review_note = actor, note
        item.save(update_fields=["status", "reviewed_by", "review_note"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=item,
            region_code=item.region_id,
            note="整改完成复核",
            before={"status": ItemStatus.REVIEW},
            after={"status": item.status, "note": note},
        )
    return item
