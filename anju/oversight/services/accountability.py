"""Key supervision, accountability, public exposure and typical cases."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.oversight.choices import (
    UNIT_SANCTIONS,
    CadreLevel,
    SanctionKind,
)
from anju.oversight.models import (
    SUMMARY_LIMIT,
    Clue,
    ClueEvent,
    Exposure,
    Sanction,
    TypicalCase,
)
from anju.oversight.services.clues import S, _save, today
from anju.regions.models import Region
from anju.tabular.text import clean


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


def case_publish(*, actor, case: TypicalCase | Exposure, public: bool) -> None:
    """A district puts one of its typical cases or exposures on the portal's 通报 page, or
    takes it off (names masked there as the city decides: settings.ANJU_PORTAL_NAMES)."""
    from django.utils import timezone

    require(actor, Perm.RECORD_ACCOUNTABILITY)
    if not region_visible(actor, case.region_id):
        raise ValidationError("只能公开本人所辖区县的案例和通报。")
    before = {"公开": case.published_at is not None}
    with transaction.atomic():
        case.published_at = timezone.now() if public else None
        case.save(update_fields=["published_at"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=case,
            before=before,
            after={"公开": public},
            note="在门户公开" if public else "撤回门户公开",
        )
