"""Writes to the ledger. Every state change goes through `_move`, every save of a clue through
`_save` (which refuses a lost update), and every write is audited in its transaction."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.identity import mask_ids_in
from anju.oversight import deadlines
from anju.oversight.choices import (
    CadreLevel,
    ClueStatus,
    Disposal,
    ProblemKind,
    SourceChannel,
)
from anju.oversight.dedup import CANDIDATES, Match, find_duplicates
from anju.oversight.idlinks import copy_links, keep_ids, link_key, set_links, typed_link_key
from anju.oversight.models import (
    SUMMARY_LIMIT,
    Attachment,
    Clue,
    ClueEvent,
    ClueLink,
    CluePerson,
    ClueSource,
    LinkSource,
)
from anju.photos import clean_photo
from anju.regions.models import Level, Region, subtree_bounds
from anju.sealed import IdMasking
from anju.tabular.text import clean

S = ClueStatus

# The allowed moves, each with the permission it needs. Close-out has its own services.
TRANSITIONS: dict[tuple[str, str], Perm] = {
    (S.REGISTERED, S.ASSIGNED): Perm.HANDLE_CLUES,
    (S.ASSIGNED, S.VERIFYING): Perm.HANDLE_CLUES,
    (S.VERIFYING, S.DISPOSING): Perm.HANDLE_CLUES,
    (S.DISPOSING, S.RECTIFYING): Perm.HANDLE_CLUES,
    (S.RECTIFYING, S.PENDING_CLOSE): Perm.HANDLE_CLUES,
    (S.PENDING_CLOSE, S.CLOSED): Perm.APPROVE_CLOSE,
    (S.PENDING_CLOSE, S.RECTIFYING): Perm.APPROVE_CLOSE,
    (S.CLOSED, S.VERIFYING): Perm.HANDLE_CLUES,  # 回头看: reopened, history kept
}

MAX_ATTACHMENT = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    b"%PDF": "application/pdf",
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"PK\x03\x04": "application/zip",  # docx, xlsx
    b"\xd0\xcf\x11\xe0": "application/msword",  # doc, xls
}


class StaleEdit(ValidationError):
    """Someone else saved the clue since it was read: nothing is overwritten."""


@dataclass
class PersonInput:
    name: str
    post: str
    level: str


def today() -> date:
    return timezone.localdate()


STALE = "该线索已被他人修改，您的修改未保存。请刷新页面，核对后重新提交。"


def _save(clue: Clue, version: int, fields: list[str]) -> None:
    if clue.version != version:
        raise StaleEdit(STALE)
    for name in fields:  # free text as stored (ID numbers masked), for the audit entry too
        if isinstance(Clue._meta.get_field(name), IdMasking):
            setattr(clue, name, mask_ids_in(getattr(clue, name)))
    values = {name: getattr(clue, name) for name in fields}
    updated = Clue.objects.filter(pk=clue.pk, version=version).update(
        **values, version=F("version") + 1
    )
    if not updated:
        raise StaleEdit(STALE)
    clue.version = version + 1


def _move(clue: Clue, to: str, *, actor, version: int, note: str = "", fields=()) -> None:
    if clue.version != version:
        raise StaleEdit(STALE)
    perm = TRANSITIONS.get((clue.status, to))
    if perm is None:
        raise ValidationError(
            f"线索当前为「{clue.get_status_display()}」，不能转为「{S(to).label}」。"
        )
    require(actor, perm)
    before = clue.status
    clue.status = to
    clue.status_since = today()
    clue.due_on = deadlines.due_for(to, clue.status_since)
    _save(clue, version, ["status", "status_since", "due_on", *fields])
    ClueEvent.objects.create(
        clue=clue,
        from_status=before,
        to_status=to,
        actor=actor,
        on=clue.status_since,
        note=note[:500],
    )
    audit(
        actor=actor,
        action=Action.UPDATE,
        obj=clue,
        before={"status": before},
        after={"status": to, **{f: str(getattr(clue, f)) for f in fields}},
        note=note,
    )


def clue_send(
    *,
    actor,
    region: Region,
    place: str,
    received_on: date,
    category: str,
    summary: str,
    funds: Decimal,
    persons: list[PersonInput],
) -> Clue:
    """A clue a participating department found, passed to housing (seed 003, 线索双向移送):
    registered in the county's ledger through the one intake, 来源 部门移送, the sender named
    on its first event. Never held back as a likely duplicate: the sender cannot see the
    county's other clues, so the county's clerks merge a repeat themselves (clue_merge)."""
    require(actor, Perm.SEND_CLUES)
    unit = getattr(actor, "work_unit", None)
    if unit is None:
        raise ValidationError("您的账号尚未归属任何单位，不能移送线索：请联系安全管理员。")
    with transaction.atomic():
        clue, _ = clue_register(
            actor=actor,
            region=region,
            place=place,
            source_channel=SourceChannel.DEPARTMENT,
            received_on=received_on,
            category=category,
            summary=summary,
            funds=funds,
            persons=persons,
            confirm_new=True,
        )
        ClueEvent.objects.filter(clue=clue).update(note=f"来源：部门移送（{unit.name}）")
    return clue


def _persons(raw: list[PersonInput]) -> list[PersonInput]:
    persons = [p for p in raw if clean(p.name)]
    if not 1 <= len(persons) <= 3:
        raise ValidationError("被反映主要对象应填写 1—3 人。")
    for person in persons:
        if person.level not in CadreLevel.values:
            raise ValidationError(f"「{person.name}」的级别须从下拉列表选择。")
    return persons


def _check_fields(*, summary: str, funds: Decimal, source_channel: str, category: str) -> str:
    summary = clean(summary)
    if not summary:
        raise ValidationError("问题线索摘要不能为空。")
    if len(summary) > SUMMARY_LIMIT:
        raise ValidationError(f"问题线索摘要限 {SUMMARY_LIMIT} 字，现有 {len(summary)} 字。")
    if funds < 0:
        raise ValidationError("涉及资金不能为负数。")
    if source_channel not in SourceChannel.values:
        raise ValidationError("来源渠道须从下拉列表选择。")
    if category not in ProblemKind.values:
        raise ValidationError("问题类别须从下拉列表选择。")
    return summary


def likely_duplicates(
    *, region: Region, summary: str, names: list[str], links: str = "", exclude: int | None = None
) -> list[tuple[Clue, Match]]:
    """Clues of the same district that look like this one, best first. `summary` and `links`
    as typed: compared masked, as the ledger stores them, and links by their numbers' blind
    indexes too."""
    district = region.code[:6] + "000000"
    pool = (
        Clue.objects.filter(region__code__range=subtree_bounds(district))
        .exclude(status=S.MERGED)
        .order_by("-received_on")[:CANDIDATES]
    )
    clues = {c.pk: c for c in pool.prefetch_related("persons")}
    numbers = defaultdict(set)
    linked = ClueLink.objects.filter(clue_id__in=list(clues), source=LinkSource.LINKS)
    for clue_id, digest in linked.values_list("clue_id", "id_number_digest"):
        numbers[clue_id].add(digest)
    candidates = [
        (c.pk, c.summary, [p.name for p in c.persons.all()], link_key(c.links, numbers[c.pk]))
        for c in clues.values()
        if c.pk != exclude
    ]
    found = find_duplicates(mask_ids_in(summary), names, typed_link_key(links), candidates)
    return [(clues[m.clue_id], m) for m in found]


def _next_number(region: Region, year: int) -> str:
    prefix = f"{region.code[:6]}-{year}-"
    last = (
        Clue.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:05d}"


def _save_numbered(clue: Clue, region: Region, year: int) -> None:
    """Insert a new clue under the next free number. Two clerks registering at the same moment
    on PostgreSQL both read the same last number (SQLite's IMMEDIATE transactions take turns);
    the unique constraint refuses the second insert, which then takes the number after."""
    for _ in range(20):
        try:
            with transaction.atomic():  # a savepoint: the refused insert leaves the rest intact
                clue.save()
            return
        except IntegrityError:
            if not Clue.objects.filter(number=clue.number).exists():
                raise  # another constraint
            clue.number = _next_number(region, year)
    raise ValidationError("台账编号分配冲突，请重新提交。")


def clue_register(
    *,
    actor,
    region: Region,
    place: str,
    source_channel: str,
    received_on: date,
    category: str,
    summary: str,
    funds: Decimal,
    persons: list[PersonInput],
    links: str = "",
    confirm_new: bool = False,
    merge_into: Clue | None = None,
    registrar=None,
) -> tuple[Clue | None, list[tuple[Clue, Match]]]:
    """The one intake the UI, the public portal and the cross-check all call.

    Returns (clue, []) once registered or merged; (None, duplicates) when likely duplicates were
    found and the caller has neither confirmed a new clue nor chosen one to merge into.
    `actor` is a user, or a string naming a system channel (the portal, the cross-check); a
    system channel names the account recorded as registrar (`registrar`).
    """
    system = isinstance(actor, str)
    if not system:
        # A department's clue comes through clue_send; every other channel is registered by
        # the ledger's own clerks.
        sent = source_channel == SourceChannel.DEPARTMENT
        require(actor, Perm.SEND_CLUES if sent else Perm.REGISTER_CLUES)
        if not region_visible(actor, region.code):
            raise ValidationError("只能登记本人所辖区划内的问题线索。")
    if region.level < Level.COUNTY:
        raise ValidationError("涉及地方至少应具体到区县。")
    summary = _check_fields(
        summary=summary, funds=funds, source_channel=source_channel, category=category
    )
    persons = _persons(persons)
    if received_on > today():
        raise ValidationError("收到日期不能晚于今天。")
    registrar = registrar if system else actor
    with transaction.atomic():
        if merge_into is not None:
            if merge_into.region_id[:6] != region.code[:6]:
                raise ValidationError("只能并入同一区县的线索。")
            ClueSource.objects.create(
                clue=merge_into,
                source_channel=source_channel,
                received_on=received_on,
                summary=keep_ids(merge_into, summary),
                merged_by=registrar or merge_into.registered_by,
            )
            ClueEvent.objects.create(
                clue=merge_into,
                actor=registrar or merge_into.registered_by,
                on=today(),
                note=f"重复件并入：{SourceChannel(source_channel).label} {received_on}",
            )
            audit(
                actor=actor,
                action=Action.UPDATE,
                obj=merge_into,
                note="重复件并入",
                after={"source_channel": source_channel, "received_on": str(received_on)},
            )
            return merge_into, []
        if not confirm_new:
            found = likely_duplicates(
                region=region, summary=summary, names=[p.name for p in persons], links=links
            )
            if found:
                return None, found
        if registrar is None:
            raise ValidationError("系统渠道登记须指定登记人。")
        clue = Clue(
            number=_next_number(region, received_on.year),
            region=region,
            place=clean(place),
            source_channel=source_channel,
            received_on=received_on,
            category=category,
            summary=mask_ids_in(summary),
            funds=funds,
            links=mask_ids_in(clean(links)),
            registered_by=registrar,
            status=S.REGISTERED,
            status_since=today(),
            # The handling clock starts on the day the clue was received (the date on the
            # complaint, or the day the finding was confirmed), not the day it was typed in.
            due_on=deadlines.due_for(S.REGISTERED, received_on),
        )
        clue.full_clean(exclude=["number"])  # taken at insert: _save_numbered
        _save_numbered(clue, region, received_on.year)
        # The full numbers, sealed with their blind indexes; the clue's text keeps the masks.
        set_links(clue, clean(links))
        keep_ids(clue, summary)
        summary = clue.summary
        CluePerson.objects.bulk_create(
            [
                CluePerson(
                    clue=clue, ordinal=i, name=clean(p.name), post=clean(p.post), level=p.level
                )
                for i, p in enumerate(persons, 1)
            ]
        )
        ClueEvent.objects.create(
            clue=clue,
            to_status=S.REGISTERED,
            actor=registrar,
            on=today(),
            note=f"来源：{SourceChannel(source_channel).label}",
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=clue,
            after={
                "number": clue.number,
                "summary": summary,
                "funds": str(funds),
                "persons": [p.name for p in persons],
                "source_channel": source_channel,
            },
        )
    return clue, []


def clue_merge(*, actor, duplicate: Clue, into: Clue, version: int) -> Clue:
    """Fold an already registered duplicate into another clue; its source and date are kept."""
    require(actor, Perm.HANDLE_CLUES)
    if duplicate.pk == into.pk or duplicate.region_id[:6] != into.region_id[:6]:
        raise ValidationError("只能并入同一区县的另一条线索。")
    with transaction.atomic():
        ClueSource.objects.create(
            clue=into,
            source_channel=duplicate.source_channel,
            received_on=duplicate.received_on,
            summary=duplicate.summary,
            merged_from=duplicate,
            merged_by=actor,
        )
        copy_links(duplicate, into)
        before = duplicate.status
        duplicate.status = S.MERGED
        duplicate.merged_into = into
        duplicate.due_on = None
        _save(duplicate, version, ["status", "merged_into", "due_on"])
        ClueEvent.objects.create(
            clue=duplicate,
            from_status=before,
            to_status=S.MERGED,
            actor=actor,
            on=today(),
            note=f"并入 {into.number}",
        )
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=duplicate,
            before={"status": before},
            after={"status": S.MERGED, "merged_into": into.number},
        )
    return into


def clue_update(
    *,
    actor,
    clue: Clue,
    version: int,
    summary: str,
    funds: Decimal,
    category: str,
    place: str,
    links: str = "",
) -> Clue:
    """Correct a clue's particulars (not once it is struck off)."""
    require(actor, Perm.HANDLE_CLUES)
    if clue.status in (S.CLOSED, S.MERGED):
        raise ValidationError("已销号或已并入的线索不能修改。")
    summary = _check_fields(
        summary=summary, funds=funds, source_channel=clue.source_channel, category=category
    )
    before = {
        "summary": clue.summary,
        "funds": str(clue.funds),
        "category": clue.category,
        "place": clue.place,
        "links": clue.links,
    }
    with transaction.atomic():
        clue.summary, clue.funds, clue.category = keep_ids(clue, summary), funds, category
        clue.place, clue.links = clean(place), set_links(clue, clean(links))
        _save(clue, version, ["summary", "funds", "category", "place", "links"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=clue,
            before=before,
            after={
                "summary": clue.summary,
                "funds": str(funds),
                "category": category,
                "place": clue.place,
                "links": clue.links,
            },
        )
    return clue


def clue_assign(*, actor, clue: Clue, version: int, handling_unit: str, handler=None) -> Clue:
    if not clean(handling_unit):
        raise ValidationError({"handling_unit": "分办须指定承办单位。"})
    with transaction.atomic():
        clue.handling_unit = clean(handling_unit)
        clue.handler = handler or actor
        _move(
            clue,
            S.ASSIGNED,
            actor=actor,
            version=version,
            note=f"分办至{clue.handling_unit}",
            fields=["handling_unit", "handler"],
        )
    return clue


def clue_start_verification(*, actor, clue: Clue, version: int) -> Clue:
    with transaction.atomic():
        _move(clue, S.VERIFYING, actor=actor, version=version, note="开始核查")
    return clue


def clue_dispose(*, actor, clue: Clue, version: int, disposal: str, note: str = "") -> Clue:
    if disposal not in Disposal.values:
        raise ValidationError("请选择处置方式。")
    with transaction.atomic():
        clue.disposal = disposal
        _move(
            clue,
            S.DISPOSING,
            actor=actor,
            version=version,
            note=f"处置：{Disposal(disposal).label} {note}".strip(),
            fields=["disposal"],
        )
    return clue


def clue_start_rectification(*, actor, clue: Clue, version: int, note: str = "") -> Clue:
    with transaction.atomic():
        _move(clue, S.RECTIFYING, actor=actor, version=version, note=note or "进入整改")
    return clue


def attachment_add(*, actor, clue: Clue, name: str, data: bytes, is_evidence: bool) -> Attachment:
    """Keep a file with the clue; its type is read from its content, not its name."""
    require(actor, Perm.HANDLE_CLUES)
    if not data:
        raise ValidationError("文件是空的。")
    if len(data) > MAX_ATTACHMENT:
        raise ValidationError(f"附件不能超过 {MAX_ATTACHMENT // 1024 // 1024} MB。")
    content_type = next(
        (t for magic, t in ATTACHMENT_TYPES.items() if data.startswith(magic)), None
    )
    if content_type is None:
        raise ValidationError("只接受 PDF、JPG、PNG、Word/Excel 文件（按文件内容识别）。")
    # sha256 is the uploaded file's, as evidence of what was received; a photo is then kept
    # re-encoded from its pixels, without the EXIF/GPS position and camera it came with.
    sha256 = hashlib.sha256(data).hexdigest()
    if content_type.startswith("image/"):
        data, content_type = clean_photo(data, limit=MAX_ATTACHMENT)
    with transaction.atomic():
        item = Attachment.objects.create(
            clue=clue,
            is_evidence=is_evidence,
            name=clean(name)[:200] or "附件",
            content_type=content_type,
            size=len(data),
            sha256=sha256,
            data=data,
            uploaded_by=actor,
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=clue,
            note=f"上传附件 {item.name}",
            after={"attachment": item.name, "sha256": item.sha256, "evidence": is_evidence},
        )
    return item


def clue_request_close(
    *, actor, clue: Clue, version: int, rectification: str, recovered: Decimal, accountable: int
) -> Clue:
    """Ask for the clue to be struck off: rectification, evidence, money recovered, persons."""
    rectification = clean(rectification)
    if not rectification:
        raise ValidationError("申请销号须填写整改情况。")
    if recovered < 0 or accountable < 0:
        raise ValidationError("追缴资金和问责人数不能为负数。")
    if not clue.attachments.filter(is_evidence=True).exists():
        raise ValidationError("申请销号须上传整改佐证材料。")
    with transaction.atomic():
        clue.rectification, clue.recovered, clue.accountable = rectification, recovered, accountable
        clue.close_requested_by = actor
        _move(
            clue,
            S.PENDING_CLOSE,
            actor=actor,
            version=version,
            note="申请销号",
            fields=["rectification", "recovered", "accountable", "close_requested_by"],
        )
    return clue


def clue_approve_close(*, actor, clue: Clue, version: int, note: str = "") -> Clue:
    """The county reviewer strikes the clue off; never the person who did the work."""
    require(actor, Perm.APPROVE_CLOSE)
    if actor.pk in (clue.close_requested_by_id, clue.handler_id):
        raise ValidationError("经办人不能审批自己办理的线索销号。")
    with transaction.atomic():
        clue.closed_on = today()
        clue.closed_by = actor
        _move(
            clue,
            S.CLOSED,
            actor=actor,
            version=version,
            note=note or "同意销号",
            fields=["closed_on", "closed_by"],
        )
        clue.due_on = None
    return clue


def clue_reject_close(*, actor, clue: Clue, version: int, reason: str) -> Clue:
    if not clean(reason):
        raise ValidationError("退回整改须说明原因。")
    with transaction.atomic():
        _move(clue, S.RECTIFYING, actor=actor, version=version, note=f"销号退回：{reason}")
    return clue


def clue_reopen(*, actor, clue: Clue, version: int, reason: str) -> Clue:
    """回头看: a struck-off clue is opened again; its earlier history stays."""
    if not clean(reason):
        raise ValidationError("重新打开须说明原因。")
    with transaction.atomic():
        clue.closed_on = None
        clue.closed_by = None
        _move(
            clue,
            S.VERIFYING,
            actor=actor,
            version=version,
            note=f"回头看：{reason}",
            fields=["closed_on", "closed_by"],
        )
    return clue
