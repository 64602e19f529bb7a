"""Two-way transfer (线索双向移送): sent, acknowledged, reported back."""

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, has_role, region_visible, require, unit_bound, unit_of
from anju.accounts.models import Unit, UnitKind
from anju.accounts.roles import Role
from anju.audit.models import Action
from anju.audit.services import audit
from anju.oversight import deadlines
from anju.oversight.choices import (
    Disposal,
    TransferTarget,
)
from anju.oversight.models import (
    Clue,
    ClueEvent,
    Transfer,
)
from anju.oversight.services.clues import S, _save, today
from anju.regions.models import Level, Region
from anju.tabular.text import clean


def transfer_send(
    *,
    actor,
    clue: Clue,
    version: int,
    target: str = "",
    to_region: Region | None = None,
    to_unit: str = "",
    note: str = "",
    receiver: Unit | None = None,
) -> Transfer:
    """Send a clue to another district, department or discipline office; to a unit inside the
    system (`receiver`) its region, name and kind decide where it goes and who signs for it."""
    require(actor, Perm.HANDLE_CLUES)
    if receiver is not None:
        to_region, to_unit = receiver.region, receiver.name
        # The unit's kind says what it is: the discipline body, another district's housing
        # bureau, or a department (the form's 移送对象 is for receivers outside the system).
        if receiver.kind == UnitKind.DISCIPLINE:
            target = TransferTarget.DISCIPLINE
        elif receiver.kind == UnitKind.HOUSING:
            target = TransferTarget.DISTRICT
        else:
            target = TransferTarget.DEPARTMENT
        if receiver.pk == getattr(unit_of(actor), "pk", None):
            raise ValidationError("接收单位：不能移送给本单位。")
    if to_region is None:
        raise ValidationError("请选择接收单位，或填写接收方区划代码。")
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
            receiver=receiver,
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
            after={
                "to_unit": transfer.to_unit,
                "to_region": to_region.code,
                "receiver": receiver.pk if receiver else None,
            },
        )
    return transfer


def _receiver(actor, transfer: Transfer) -> None:
    require(actor, Perm.RECEIVE_TRANSFERS)
    if transfer.receiver_id is not None:
        # Addressed to a unit: its users alone sign and answer, whatever anyone's region.
        if getattr(unit_of(actor), "pk", None) != transfer.receiver_id:
            raise ValidationError(f"只有{transfer.to_unit}的人员才能签收和反馈。")
        return
    if unit_bound(actor) or not region_visible(actor, transfer.to_region_id):
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
