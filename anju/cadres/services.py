"""Assistance cadres: assigning households to a cadre, the cadre's observations on a visit, and
the township's answer to each (a problem-list item, or closing it with a reason). All audited."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, region_visible, require
from anju.accounts.roles import Role
from anju.audit.models import Action
from anju.audit.services import audit
from anju.cadres.models import (
    Assignment,
    Observation,
    ObservationKind,
    ObservationPhoto,
    ObservationStatus,
)
from anju.decisions import lock_for_decision, taken
from anju.households.merges import move_records
from anju.households.models import Household
from anju.oversight.deadlines import WORKING, add_days, urgency
from anju.oversight.services import item_create
from anju.photos import PhotoFacts, clean_photo_with_facts
from anju.regions.models import Region, is_within
from anju.tabular.text import clean

PHOTOS = 3
# The township's answer to an observation: the only moves there are.
TRANSITIONS = {
    ObservationStatus.NEW: {ObservationStatus.ITEM_OPENED, ObservationStatus.CLOSED},
}


def response_days() -> int:
    return int(getattr(settings, "ANJU_CADRE_RESPONSE_DAYS", 3))


def respond_by(reported: date) -> date:
    """The day the township must have acted by: working days after the report (holidays and
    make-up working days as the ledger counts them)."""
    return add_days(reported, response_days(), WORKING)


def observation_urgency(observation: Observation, today: date) -> str:
    """'overdue', 'at_risk' or '' while new; '' once acted on."""
    if observation.status != ObservationStatus.NEW:
        return ""
    return urgency(observation.respond_by, today)


def assignment_create(*, actor, cadre, household: Household) -> Assignment:
    require(actor, Perm.ASSIGN_CADRES)
    if Role.CADRE not in cadre.roles or not cadre.is_active:
        raise ValidationError("只能分配给在用的帮扶责任人账号。")
    if cadre.region_id is None or not region_visible(actor, cadre.region_id):
        raise ValidationError("该帮扶责任人不在本人所辖区划。")
    if not region_visible(actor, household.region_id):
        raise ValidationError("该农户不在本人所辖区划。")
    if not is_within(household.region_id, cadre.region_id):
        raise ValidationError("该农户不在帮扶责任人的工作区划内。")
    if Assignment.objects.filter(cadre=cadre, household=household).exists():
        raise ValidationError("该户已分配给这位帮扶责任人。")
    with transaction.atomic():
        assignment = Assignment.objects.create(cadre=cadre, household=household, assigned_by=actor)
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=assignment,
            region_code=household.region_id,
            after={"cadre": cadre.get_username(), "household": household.pk},
        )
    return assignment


def assignment_delete(*, actor, assignment: Assignment) -> None:
    require(actor, Perm.ASSIGN_CADRES)
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.DELETE,
            obj=assignment,
            region_code=assignment.household.region_id,
            before={"cadre": assignment.cadre.get_username(), "household": assignment.household_id},
        )
        assignment.delete()


def observation_record(
    *,
    actor,
    household: Household,
    kind: str,
    visited_on: date,
    note: str = "",
    photos: list[bytes] = (),
    phone: PhotoFacts | None = None,
    key: str = "",
) -> Observation:
    """A cadre's observation on a visit to an assigned household (the caller has checked the
    assignment through access_cadre_household). Photos are re-encoded from their pixels: typed by
    content, metadata (EXIF, GPS) dropped, its time and place kept beside it first (`phone`: the
    phone's location at capture, where the photo has none and the cadre allowed it). `key`: the
    phone's idempotency key of a queued report: sent again, the report already made is returned
    and nothing is written."""
    require(actor, Perm.CADRE_VISIT)
    key = key.strip()[:64]
    if key:
        made = Observation.objects.filter(cadre=actor, client_key=key).first()
        if made is not None:
            return made
    if kind not in ObservationKind.values:
        raise ValidationError("请从列表中选择发现的问题。")
    today = timezone.localdate()
    if visited_on > today:
        raise ValidationError("走访日期不能晚于今天。")
    if visited_on < today - timedelta(days=60):
        raise ValidationError("走访日期不能早于60天前：请及时报告。")
    note = clean(note)[:500]
    if kind == ObservationKind.OTHER and not note:
        raise ValidationError("选择「其他」时请写明情况。")
    if len(photos) > PHOTOS:
        raise ValidationError(f"照片最多{PHOTOS}张。")
    cleaned = [clean_photo_with_facts(p, phone=phone) for p in photos]
    with transaction.atomic():
        observation = Observation(
            household=household,
            region_id=household.region_id,
            cadre=actor,
            kind=kind,
            note=note,
            visited_on=visited_on,
            respond_by=respond_by(today),
            client_key=key,
        )
        if kind == ObservationKind.NOTHING:
            # Nothing for the township to act on: on record as visited, closed as it comes.
            observation.status, observation.acted_on = ObservationStatus.CLOSED, today
            observation.close_reason = "走访未发现问题"
        observation.full_clean()
        observation.save()
        ObservationPhoto.objects.bulk_create(
            [
                ObservationPhoto(observation=observation, data=d, content_type=t, **f.fields())
                for d, t, f in cleaned
            ]
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=observation,
            region_code=household.region_id,
            after={
                "household": household.pk,
                "kind": kind,
                "visited_on": str(visited_on),
                "photos": len(cleaned),
                "respond_by": str(observation.respond_by),
            },
        )
    return observation


def _claim(*, actor, observation: Observation, to: str) -> None:
    """Lock the observation for the caller's transaction, read it again, and check the move is
    in TRANSITIONS (someone else may have acted on it since the page was shown)."""
    lock_for_decision(observation)
    if to not in TRANSITIONS.get(ObservationStatus(observation.status), set()):
        state = observation.get_status_display()
        raise taken("该走访报告", state, by_id=observation.acted_by_id, actor=actor)


def _act(*, actor, observation: Observation, to: str, **changes) -> Observation:
    """Move a new observation to `to` with `changes` (saved and audited, in the caller's
    transaction, which must have called _claim first)."""
    before = observation.status
    observation.status = to
    observation.acted_by, observation.acted_on = actor, timezone.localdate()
    for name, value in changes.items():
        setattr(observation, name, value)
    observation.save(update_fields=["status", "acted_by", "acted_on", *changes])
    after = {"status": to, **{k: getattr(v, "pk", v) for k, v in changes.items()}}
    audit(
        actor=actor,
        action=Action.UPDATE,
        obj=observation,
        region_code=observation.region_id,
        before={"status": before},
        after=after,
    )
    return observation


def observation_open_item(
    *, actor, observation: Observation, owner: str, deadline: date, measure: str = ""
) -> Observation:
    """Act on an observation by putting it on the township's problem list."""

    require(actor, Perm.HANDLE_OBSERVATIONS)
    with transaction.atomic():
        _claim(actor=actor, observation=observation, to=ObservationStatus.ITEM_OPENED)
        household = observation.household
        township = Region.objects.get(code=household.region_id[:9] + "000")
        item = item_create(
            actor=actor,
            region=township,
            source="cadre",
            description=f"{household.region.name}{household.head_name}：帮扶责任人"
            f"{observation.visited_on.month}月{observation.visited_on.day}日走访发现"
            f"{observation.get_kind_display()}"
            + (f"（{observation.note}）" if observation.note else ""),
            owner=owner,
            deadline=deadline,
            measure=measure,
        )
        return _act(
            actor=actor, observation=observation, to=ObservationStatus.ITEM_OPENED, item=item
        )


def observation_close(*, actor, observation: Observation, reason: str) -> Observation:
    """Act on an observation by closing it with a reason (e.g. found in order on checking)."""
    require(actor, Perm.HANDLE_OBSERVATIONS)
    reason = clean(reason)[:300]
    if not reason:
        raise ValidationError("关闭须写明理由。")
    with transaction.atomic():
        _claim(actor=actor, observation=observation, to=ObservationStatus.CLOSED)
        return _act(
            actor=actor, observation=observation, to=ObservationStatus.CLOSED, close_reason=reason
        )


def on_household_records_moved(*, actor, source_id: int, target_id: int, only) -> dict:
    """A household merged (or a merge undone): the cadres' assignments and observations follow
    it, except the assignment of a cadre who has the household kept already."""
    assignments = Assignment.objects.all()
    if only is None:
        assignments = assignments.exclude(
            cadre_id__in=Assignment.objects.filter(household_id=target_id).values("cadre_id")
        )
    return move_records(
        actor=actor,
        kinds={"cadres.assignments": assignments, "cadres.observations": Observation.objects.all()},
        source_id=source_id,
        target_id=target_id,
        only=only,
        note="合并重复户：帮扶责任人和走访报告随户移动",
    )
