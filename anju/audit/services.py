"""Writing the audit log. Services call `audit` inside their own transaction."""

from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from anju.audit.chain import GENESIS, entry_hash, entry_mac, hashed_content, jsonable
from anju.audit.context import current_request
from anju.audit.models import AuditEntry, AuditHead
from anju.identity import mask_ids_in


def _masked(value):
    """`value` (made JSON-able) with every ID-shaped number in its strings masked: the audit
    log, like every log, holds no full ID number (a service that records one by mistake, free
    text typed by staff). Numbers are audited by their masked form."""
    if isinstance(value, str):
        return mask_ids_in(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _region_of(obj: object, actor) -> str:
    code = getattr(obj, "region_id", None) or getattr(obj, "region_code", None)
    if code is None and obj is not None and obj.__class__.__name__ == "Region":
        code = obj.code
    if code is None and actor is not None and not isinstance(actor, str):
        code = getattr(actor, "region_id", None)
    return code or ""


def _entry(*, actor, action: str, obj, before, after, result: str, note: str, region_code) -> dict:
    request = current_request.get()
    changes = {}
    if before is not None:
        changes["before"] = before
    if after is not None:
        changes["after"] = after
    if note:
        changes["note"] = note
    is_model = isinstance(obj, models.Model)
    # A string actor names an operator outside the web app (the command line).
    authenticated = not isinstance(actor, str) and getattr(actor, "is_authenticated", False)
    if isinstance(actor, str):
        username = actor[:150]
    else:
        username = actor.get_username() if authenticated else ""
    return {
        "at": timezone.now(),
        "actor_id": actor.pk if authenticated else None,
        "actor_username": username,
        "ip": request.ip if request else None,
        "action": action,
        "object_type": obj._meta.label_lower if is_model else (obj or ""),
        "object_id": str(obj.pk) if is_model else "",
        "object_repr": mask_ids_in(str(obj)[:200]) if is_model else "",
        "region_code": region_code if region_code is not None else _region_of(obj, actor),
        "result": result,
        "changes": _masked(jsonable(changes)),
    }


def _append(entries: list[dict]) -> None:
    if not entries:
        return
    with transaction.atomic():
        # The head row lock serialises appenders on PostgreSQL; on SQLite the IMMEDIATE
        # transaction already holds the database's write lock.
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # a flushed test database; a fresh one gets it from a migration
            AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
            head = AuditHead.objects.select_for_update().get(pk=1)
        seq, prev = head.seq, head.hash
        rows = []
        for entry in entries:
            seq += 1
            entry["seq"] = seq
            content = hashed_content(entry)
            digest = entry_hash(content, prev)
            signed = entry_mac(content, prev)
            rows.append(AuditEntry(**entry, prev_hash=prev, hash=digest, mac=signed))
            prev = digest
        AuditEntry.objects.bulk_create(rows, batch_size=1000)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)


def audit(
    *,
    actor,
    action: str,
    obj: models.Model | str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    result: str = "ok",
    note: str = "",
    region_code: str | None = None,
) -> None:
    """Append one entry: who (actor), what (action on obj), before/after values, from where.

    Callers pass personal numbers already masked; the log must never hold them in full.
    """
    _append(
        [
            _entry(
                actor=actor,
                action=action,
                obj=obj,
                before=before,
                after=after,
                result=result,
                note=note,
                region_code=region_code,
            )
        ]
    )


def audit_many(
    *,
    actor,
    action: str,
    items: Iterable[tuple[models.Model, dict | None, dict | None]],
    note: str = "",
) -> int:
    """Append one entry per (object, before, after): for bulk writes, which signals never see."""
    entries = [
        _entry(
            actor=actor,
            action=action,
            obj=obj,
            before=before,
            after=after,
            result="ok",
            note=note,
            region_code=None,
        )
        for obj, before, after in items
    ]
    _append(entries)
    return len(entries)
