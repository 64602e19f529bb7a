"""One household, one record (issue 25, point 2): a household entered twice is merged into the one
kept, one created by mistake with nothing attached is withdrawn. Each is a change request that a
second person approves (anju.households.changes.change_decide), and each is undone by a second
change request: a merge moves back exactly what it moved (HouseholdMerge.moved), a withdrawn
household comes back on record.

Nothing is deleted. The household merged away keeps its head's ID (the kept household's former
ID, shown on its page) and the records that were its own only (its head as a person, a category
the kept household has too); merged or withdrawn, it leaves the lists, the figures and the
cross-check (Household.objects, the tally's and the rules' scope)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit, audit_many
from anju.households.events import household_records_moved, registry_changed
from anju.households.facts import facts_refresh
from anju.households.models import (
    CategoryRecord,
    ChangeField,
    ChangeRequest,
    ChangeStatus,
    FollowUpVisit,
    House,
    Household,
    HouseholdMerge,
    HouseholdState,
    InfoReview,
    Person,
    Renovation,
    RenovationCase,
    SafetyPlate,
)

F = ChangeField
# Change requests about the household record itself (not moved with the household's others).
RECORD_CHANGES = (F.MERGE, F.UNMERGE, F.WITHDRAW, F.RESTORE)
TOWNSHIP_DIGITS = 9


def label(household: Household) -> str:
    """How a household is named in a request and the log: name, masked ID, village."""
    return f"{household.head_name}（{household.head_id_masked}，{household.region.name}）"


def move_records(
    *,
    actor,
    kinds: dict[str, QuerySet],
    source_id: int,
    target_id: int,
    only: dict | None,
    note: str,
) -> dict[str, list[int]]:
    """Move each kind's records (a queryset of a model with a `household` key) from household
    `source_id` to `target_id`: all of them, or those `only` names under the kind's key. One
    audit entry per record moved. Answers {kind: [ids moved]}."""
    moved: dict[str, list[int]] = {}
    for kind, rows in kinds.items():
        rows = rows.filter(household_id=source_id)
        if only is not None:
            rows = rows.filter(pk__in=only.get(kind, []))
        found = list(rows.only("pk", "household_id"))
        if not found:
            continue
        ids = [r.pk for r in found]
        rows.model._default_manager.filter(pk__in=ids).update(household_id=target_id)
        audit_many(
            actor=actor,
            action=Action.UPDATE,
            items=[(r, {"household": source_id}, {"household": target_id}) for r in found],
            note=note,
        )
        moved[kind] = ids
    return moved


def attached(household: Household) -> dict[str, int]:
    """What hangs on a household beyond its own entry (its people, categories, houses): the
    records a withdrawal may not leave behind, and the merge screen's counts."""
    return {
        "改造记录": household.renovations.count(),
        "鉴定记录": House.objects.filter(household=household, assessments__isnull=False).count(),
        "回访记录": household.visits.count(),
        "安全状况牌": household.plates.count(),
        "危房整改事项": household.cases.count(),
        "信息复核": household.reviews.count(),
        "并入的户": Household.everything.filter(merged_into=household).count(),
    }


def _pending(household: Household) -> bool:
    return (
        ChangeRequest.objects.filter(
            household=household, field__in=RECORD_CHANGES, status=ChangeStatus.PENDING
        ).exists()
        or ChangeRequest.objects.filter(
            into=household, field=F.MERGE, status=ChangeStatus.PENDING
        ).exists()
    )


def _both_open_cases(gone: Household, kept: Household) -> bool:
    return (
        RenovationCase.objects.filter(household=gone, closed_on__isnull=True).exists()
        and RenovationCase.objects.filter(household=kept, closed_on__isnull=True).exists()
    )


def _check_merge(gone: Household, kept: Household) -> None:
    if gone.pk == kept.pk:
        raise ValidationError({"other": "请选择另一户：不能与自己合并。"})
    for household in (gone, kept):
        if household.state != HouseholdState.ACTIVE:
            raise ValidationError(
                {"other": f"{label(household)}{household.get_state_display()}，不能合并。"}
            )
    if gone.region_id[:TOWNSHIP_DIGITS] != kept.region_id[:TOWNSHIP_DIGITS]:
        raise ValidationError({"other": "只能合并同一乡镇的两户；跨乡镇的请先办理迁移。"})
    if _both_open_cases(gone, kept):
        raise ValidationError(
            {"other": "两户都有未完成的危房整改事项：请先在其中一户办结或关闭，再合并。"}
        )


def _request(*, actor, household, field, old, new, reason, into=None) -> ChangeRequest:
    request = ChangeRequest.objects.create(
        household=household,
        into=into,
        field=field,
        old_value=old[:200],
        new_value=new[:200],
        reason=reason,
        proposed_by=actor,
    )
    audit(
        actor=actor,
        action=Action.CREATE,
        obj=request,
        region_code=household.region_id,
        after={"field": field, "old": old, "new": new, "reason": reason},
    )
    return request


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            {"reason": "请写明理由（例如：同一户重复建档，哪一户的信息是对的）。"}
        )
    return reason[:300]


def merge_propose(*, actor, gone: Household, kept: Household, reason: str) -> ChangeRequest:
    """Propose merging `gone` (entered twice) into `kept`; a second person decides."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    reason = _reason(reason)
    _check_merge(gone, kept)
    if _pending(gone) or _pending(kept):
        raise ValidationError({"other": "这两户中已有一份待审核的合并或撤销申请，请等审核后再提。"})
    with transaction.atomic():
        return _request(
            actor=actor,
            household=gone,
            into=kept,
            field=F.MERGE,
            old=f"{label(gone)} 在册",
            new=f"并入 {label(kept)}",
            reason=reason,
        )


def unmerge_propose(*, actor, gone: Household, reason: str) -> ChangeRequest:
    """Propose undoing the merge of `gone`: what moved goes back, `gone` is on record again."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    reason = _reason(reason)
    merge = HouseholdMerge.objects.filter(gone=gone, undone_at__isnull=True).first()
    if gone.state != HouseholdState.MERGED or merge is None:
        raise ValidationError({"reason": "该户没有并入另一户，无需撤销合并。"})
    if _pending(gone):
        raise ValidationError({"reason": "该户已有一份待审核的撤销合并申请。"})
    with transaction.atomic():
        return _request(
            actor=actor,
            household=gone,
            into=merge.kept,
            field=F.UNMERGE,
            old=f"已并入 {label(merge.kept)}",
            new=f"{label(gone)} 恢复在册，合并时移过去的记录移回",
            reason=reason,
        )


def withdraw_propose(*, actor, household: Household, reason: str) -> ChangeRequest:
    """Propose withdrawing a household created by mistake: only one with nothing attached."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    reason = _reason(reason)
    if household.state != HouseholdState.ACTIVE:
        raise ValidationError({"reason": f"该户{household.get_state_display()}。"})
    found = [f"{kind}{n}条" for kind, n in attached(household).items() if n]
    if found:
        raise ValidationError(
            {
                "reason": "该户已有" + "、".join(found) + "，不能撤销；"
                "若是与另一户重复建档，请用“合并重复户”。"
            }
        )
    if _pending(household):
        raise ValidationError({"reason": "该户已有一份待审核的合并或撤销申请。"})
    with transaction.atomic():
        return _request(
            actor=actor,
            household=household,
            field=F.WITHDRAW,
            old=f"{label(household)} 在册",
            new="撤销（误建）",
            reason=reason,
        )


def restore_propose(*, actor, household: Household, reason: str) -> ChangeRequest:
    """Propose bringing a withdrawn household back on record."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    reason = _reason(reason)
    if household.state != HouseholdState.WITHDRAWN:
        raise ValidationError({"reason": "该户没有被撤销。"})
    if _pending(household):
        raise ValidationError({"reason": "该户已有一份待审核的恢复申请。"})
    with transaction.atomic():
        return _request(
            actor=actor,
            household=household,
            field=F.RESTORE,
            old="撤销（误建）",
            new=f"{label(household)} 恢复在册",
            reason=reason,
        )


def _registry_kinds(gone: Household, kept: Household, merging: bool) -> dict[str, QuerySet]:
    """The registry's records of a household, by kind. Merging, a person already in the kept
    household (and the gone head, whose ID stays with the household merged away as the former
    ID) stays, and so does a category the kept household has and a renovation of a year it has
    (with its payments): what was entered twice stays on file, out of the figures."""
    people = Person.objects.all()
    categories = CategoryRecord.objects.all()
    changes = ChangeRequest.objects.exclude(field__in=RECORD_CHANGES)
    renovations = Renovation.objects.all()
    if merging:
        # The same year's renovation entered twice: the kept household's stays the record, the
        # other stays on file with the household merged away (one renovation a year).
        renovations = renovations.exclude(
            year__in=Renovation.objects.filter(household=kept).values("year")
        )
        present = set(
            Person.objects.filter(household=kept).values_list("id_number_digest", flat=True)
        )
        people = people.exclude(id_number_digest__in=present | {gone.head_id_digest})
        categories = categories.exclude(
            category__in=CategoryRecord.objects.filter(household=kept).values("category")
        )
    return {
        "people": people,
        "categories": categories,
        "houses": House.objects.all(),
        "renovations": renovations,
        "visits": FollowUpVisit.objects.all(),
        "plates": SafetyPlate.objects.all(),
        "cases": RenovationCase.objects.all(),
        "reviews": InfoReview.objects.all(),
        "changes": changes,
    }


def _lock(*households: Household) -> list[Household]:
    return list(
        Household.everything.select_for_update()
        .filter(pk__in=[h.pk for h in households])
        .order_by("pk")
    )


def _after(actor, households: list[Household]) -> None:
    facts_refresh([h.pk for h in households])
    registry_changed.announce(regions=sorted({h.region_id for h in households}))


def apply(request: ChangeRequest) -> None:
    """Carry out an approved request about the household record (change_decide, in its
    transaction, after the request is marked approved)."""
    actor, household = request.decided_by, request.household
    if request.field == F.MERGE:
        _merge(actor, request, household, request.into)
    elif request.field == F.UNMERGE:
        _unmerge(actor, request, household)
    elif request.field == F.WITHDRAW:
        _lock(household)
        household.refresh_from_db()
        if household.state != HouseholdState.ACTIVE or any(attached(household).values()):
            raise ValidationError("该户已有记录或已不在册，不能撤销：请驳回此申请。")
        _set_state(actor, household, HouseholdState.WITHDRAWN, note="撤销误建户")
        _after(actor, [household])
    elif request.field == F.RESTORE:
        _lock(household)
        household.refresh_from_db()
        if household.state != HouseholdState.WITHDRAWN:
            raise ValidationError("该户不是撤销状态，无需恢复：请驳回此申请。")
        _set_state(actor, household, HouseholdState.ACTIVE, note="恢复误撤销的户")
        _after(actor, [household])


def _set_state(actor, household: Household, state: str, *, note: str, into=None) -> None:
    before = {"state": household.state, "merged_into": household.merged_into_id}
    household.state, household.merged_into = state, into
    household.save(update_fields=["state", "merged_into"])
    audit(
        actor=actor,
        action=Action.UPDATE,
        obj=household,
        region_code=household.region_id,
        note=note,
        before=before,
        after={"state": state, "merged_into": household.merged_into_id},
    )


def _merge(actor, request: ChangeRequest, gone: Household, kept: Household) -> None:
    _lock(gone, kept)
    gone.refresh_from_db()
    kept.refresh_from_db()
    _check_merge(gone, kept)
    note = f"合并重复户：{label(gone)} 并入 {label(kept)}"
    moved = move_records(
        actor=actor,
        kinds=_registry_kinds(gone, kept, merging=True),
        source_id=gone.pk,
        target_id=kept.pk,
        only=None,
        note=note,
    )
    for answer in household_records_moved.announce(
        actor=actor, source_id=gone.pk, target_id=kept.pk, only=None
    ):
        moved.update(answer or {})
    _set_state(actor, gone, HouseholdState.MERGED, note=note, into=kept)
    HouseholdMerge.objects.create(gone=gone, kept=kept, request=request, moved=moved)
    _after(actor, [gone, kept])


def _unmerge(actor, request: ChangeRequest, gone: Household) -> None:
    merge = HouseholdMerge.objects.filter(gone=gone, undone_at__isnull=True).first()
    if merge is None:
        raise ValidationError("该户的合并已撤销：请驳回此申请。")
    kept = merge.kept
    _lock(gone, kept)
    gone.refresh_from_db()
    if gone.state != HouseholdState.MERGED:
        raise ValidationError("该户已不是合并状态：请驳回此申请。")
    note = f"撤销合并：{label(gone)} 从 {label(kept)} 分出"
    move_records(
        actor=actor,
        kinds=_registry_kinds(gone, kept, merging=False),
        source_id=kept.pk,
        target_id=gone.pk,
        only=merge.moved,
        note=note,
    )
    household_records_moved.announce(
        actor=actor, source_id=kept.pk, target_id=gone.pk, only=merge.moved
    )
    _set_state(actor, gone, HouseholdState.ACTIVE, note=note)
    merge.undone_by, merge.undone_at = request, timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    _after(actor, [gone, kept])
