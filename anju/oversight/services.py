"""Writes to the ledger. Every state change goes through `_move`, every save of a clue through
`_save` (which refuses a lost update), and every write is audited in its transaction."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from anju.accounts.access import Perm, has_role, region_visible, require
from anju.accounts.roles import Role
from anju.audit.models import Action
from anju.audit.services import audit
from anju.oversight import deadlines
from anju.oversight.choices import (
    UNIT_SANCTIONS,
    CadreLevel,
    ClueStatus,
    Disposal,
    ItemStatus,
    ProblemKind,
    SanctionKind,
    SourceChannel,
    TransferTarget,
)
from anju.oversight.dedup import CANDIDATES, Match, find_duplicates
from anju.oversight.models import (
    SUMMARY_LIMIT,
    Attachment,
    Clue,
    ClueEvent,
    CluePerson,
    ClueSource,
    Exposure,
    RectificationItem,
    Sanction,
    Transfer,
    TypicalCase,
)
from anju.regions.models import Level, Region, subtree_bounds
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
    """Clues of the same district that look like this one, best first."""
    district = region.code[:6] + "000000"
    pool = (
        Clue.objects.filter(region__code__range=subtree_bounds(district))
        .exclude(status=S.MERGED)
        .order_by("-received_on")[:CANDIDATES]
    )
    clues = {c.pk: c for c in pool.prefetch_related("persons")}
    candidates = [
        (c.pk, c.summary, [p.name for p in c.persons.all()], c.links)
        for c in clues.values()
        if c.pk != exclude
    ]
    return [(clues[m.clue_id], m) for m in find_duplicates(summary, names, links, candidates)]


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
) -> tuple[Clue | None, list[tuple[Clue, Match]]]:
    """The one intake the UI, the public portal and the cross-check all call.

    Returns (clue, []) once registered or merged; (None, duplicates) when likely duplicates were
    found and the caller has neither confirmed a new clue nor chosen one to merge into.
    `actor` is a user, or a string naming a system channel (the portal, the cross-check).
    """
    system = isinstance(actor, str)
    if not system:
        require(actor, Perm.REGISTER_CLUES)
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
    registrar = None if system else actor
    with transaction.atomic():
        if merge_into is not None:
            if merge_into.region_id[:6] != region.code[:6]:
                raise ValidationError("只能并入同一区县的线索。")
            ClueSource.objects.create(
                clue=merge_into,
                source_channel=source_channel,
                received_on=received_on,
                summary=summary,
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
            summary=summary,
            funds=funds,
            links=clean(links),
            registered_by=registrar,
            status=S.REGISTERED,
            status_since=today(),
            due_on=deadlines.due_for(S.REGISTERED, today()),
        )
        clue.full_clean()
        clue.save()
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
        clue.summary, clue.funds, clue.category = summary, funds, category
        clue.place, clue.links = clean(place), clean(links)
        _save(clue, version, ["summary", "funds", "category", "place", "links"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=clue,
            before=before,
            after={
                "summary": summary,
                "funds": str(funds),
                "category": category,
                "place": clue.place,
                "links": clue.links,
            },
        )
    return clue


def clue_assign(*, actor, clue: Clue, version: int, handling_unit: str, handler=None) -> Clue:
    if not clean(handling_unit):
        raise ValidationError("分办须指定承办单位。")
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
    with transaction.atomic():
        item = Attachment.objects.create(
            clue=clue,
            is_evidence=is_evidence,
            name=clean(name)[:200] or "附件",
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
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


# Two-way transfer -----------------------------------------------------------------------------


def transfer_send(
    *, actor, clue: Clue, version: int, target: str, to_region: Region, to_unit: str, note: str = ""
) -> Transfer:
    require(actor, Perm.HANDLE_CLUES)
    if target not in TransferTarget.values:
        raise ValidationError("请选择移送对象。")
    if not clean(to_unit):
        raise ValidationError("请填写接收单位。")
    if to_region.level > Level.COUNTY:
        raise ValidationError("接收方应为区县或以上的单位。")
    if clue.status in (S.CLOSED, S.MERGED):
        raise ValidationError("已销号或已并入的线索不能移送。")
    sent = today()
    with transaction.atomic():
        _save(clue, version, [])
        transfer = Transfer.objects.create(
            clue=clue,
            target=target,
            to_region=to_region,
            to_unit=clean(to_unit),
            note=clean(note)[:300],
            sent_by=actor,
            sent_on=sent,
            due_on=deadlines.add_days(sent, *deadlines.TRANSFER_REPLY),
        )
        if target == TransferTarget.DISCIPLINE and not clue.disposal:
            clue.disposal = Disposal.TRANSFER
            clue.save(update_fields=["disposal"])
        ClueEvent.objects.create(
            clue=clue,
            actor=actor,
            on=sent,
            note=f"移送{transfer.get_target_display()}：{transfer.to_unit}",
        )
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=clue,
            note="线索移送",
            after={"to_unit": transfer.to_unit, "to_region": to_region.code},
        )
    return transfer


def _receiver(actor, transfer: Transfer) -> None:
    require(actor, Perm.HANDLE_CLUES)
    if not region_visible(actor, transfer.to_region_id):
        raise ValidationError("只有接收方才能签收和反馈。")
    if transfer.target == TransferTarget.DISCIPLINE and not has_role(actor, Role.DISCIPLINE):
        raise ValidationError("移送纪检监察机关的线索由纪检监察人员签收。")


def transfer_acknowledge(*, actor, transfer: Transfer) -> Transfer:
    _receiver(actor, transfer)
    if transfer.acknowledged_on:
        raise ValidationError("已经签收。")
    with transaction.atomic():
        transfer.acknowledged_on, transfer.acknowledged_by = today(), actor
        transfer.save(update_fields=["acknowledged_on", "acknowledged_by"])
        ClueEvent.objects.create(
            clue=transfer.clue, actor=actor, on=today(), note=f"{transfer.to_unit}已签收"
        )
        audit(actor=actor, action=Action.UPDATE, obj=transfer.clue, note="签收移送线索")
    return transfer


def transfer_report_back(*, actor, transfer: Transfer, report: str) -> Transfer:
    _receiver(actor, transfer)
    if not clean(report):
        raise ValidationError("请填写办理结果。")
    with transaction.atomic():
        if not transfer.acknowledged_on:
            transfer.acknowledged_on, transfer.acknowledged_by = today(), actor
        transfer.reported_on, transfer.reported_by = today(), actor
        transfer.report = clean(report)
        transfer.save()
        ClueEvent.objects.create(
            clue=transfer.clue,
            actor=actor,
            on=today(),
            note=f"{transfer.to_unit}反馈：{transfer.report}"[:500],
        )
        audit(actor=actor, action=Action.UPDATE, obj=transfer.clue, note="移送线索办理反馈")
    return transfer


# Key supervision, accountability, exposure, typical cases -----------------------------------


def supervision_set(*, actor, clue: Clue, version: int, due: date, note: str) -> Clue:
    require(actor, Perm.SUPERVISE)
    if due < today():
        raise ValidationError("督办时限不能早于今天。")
    with transaction.atomic():
        clue.supervised, clue.supervision_due, clue.supervision_note = True, due, clean(note)
        _save(clue, version, ["supervised", "supervision_due", "supervision_note"])
        ClueEvent.objects.create(
            clue=clue,
            actor=actor,
            on=today(),
            note=f"列为重点督办，时限 {due}：{clue.supervision_note}"[:500],
        )
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=clue,
            after={"supervised": True, "supervision_due": str(due)},
        )
    return clue


def sanction_add(
    *,
    actor,
    clue: Clue,
    kind: str,
    decided_on: date,
    unit: str = "",
    person_name: str = "",
    level: str = "",
    form: int | None = None,
    note: str = "",
) -> Sanction:
    require(actor, Perm.RECORD_ACCOUNTABILITY)
    if kind not in SanctionKind.values:
        raise ValidationError("请选择处理方式。")
    if kind in UNIT_SANCTIONS:
        if not clean(unit):
            raise ValidationError("单位问责须填写被问责单位。")
        person_name, level, form = "", "", None
    else:
        if not clean(person_name) or level not in CadreLevel.values:
            raise ValidationError("个人问责须填写姓名和级别。")
        if form not in (1, 2, 3, 4):
            raise ValidationError("请选择四种形态中的一种。")
    with transaction.atomic():
        sanction = Sanction(
            clue=clue,
            region=clue.region,
            kind=kind,
            unit=clean(unit),
            person_name=clean(person_name),
            level=level,
            form=form,
            decided_on=decided_on,
            note=clean(note),
            recorded_by=actor,
        )
        sanction.full_clean()
        sanction.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=sanction,
            after={
                "clue": clue.number,
                "kind": kind,
                "person": sanction.person_name,
                "unit": sanction.unit,
                "form": form,
                "decided_on": str(decided_on),
            },
        )
    return sanction


def exposure_add(
    *,
    actor,
    region: Region,
    exposed_on: date,
    channel: str,
    problems: int,
    persons: int,
    clues: list[Clue] = (),
) -> Exposure:
    require(actor, Perm.RECORD_ACCOUNTABILITY)
    if not region_visible(actor, region.code):
        raise ValidationError("只能登记本人所辖区划的通报曝光。")
    with transaction.atomic():
        exposure = Exposure(
            region=region,
            exposed_on=exposed_on,
            channel=clean(channel),
            problems=problems,
            persons=persons,
            recorded_by=actor,
        )
        exposure.full_clean()
        exposure.save()
        exposure.clues.set(clues)
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=exposure,
            after={"exposed_on": str(exposed_on), "problems": problems, "persons": persons},
        )
    return exposure


def typical_case_add(*, actor, clue: Clue, month: date, text: str) -> TypicalCase:
    require(actor, Perm.RECORD_ACCOUNTABILITY)
    if clue.status != S.CLOSED:
        raise ValidationError("典型案例须从已销号（了结）的线索中选取。")
    text = clean(text)
    if not text or len(text) > SUMMARY_LIMIT:
        raise ValidationError(f"典型案例须填写，且不超过 {SUMMARY_LIMIT} 字。")
    month = month.replace(day=1)
    district = clue.district_code
    if TypicalCase.objects.filter(region_id=district, month=month).count() >= 3:
        raise ValidationError("每月典型案例最多 3 个。")
    with transaction.atomic():
        case = TypicalCase.objects.create(
            clue=clue, region_id=district, month=month, text=text, chosen_by=actor
        )
        audit(actor=actor, action=Action.CREATE, obj=case, after={"clue": clue.number})
    return case


# Township problem lists ----------------------------------------------------------------------


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
