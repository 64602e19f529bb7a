"""Changes that need a second pair of eyes: the head's ID, the categories, the one-card account
and the subsidy amount, once a renovation is approved."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.decisions import lock_for_decision, taken
from anju.households import merges
from anju.households.archive_file import CATEGORY_LOOKUP, words
from anju.households.choices import CATEGORY_DEPARTMENT, Category
from anju.households.events import registry_changed
from anju.households.facts import facts_refresh
from anju.households.models import (
    CategoryRecord,
    ChangeField,
    ChangeRequest,
    ChangeStatus,
    Household,
    Person,
    Renovation,
)
from anju.identity import mask_account, mask_id, parse_id
from anju.tabular.values import BadValue

F = ChangeField


def _shown(field: str, value: str) -> str:
    """How a value appears in lists and the audit log (personal numbers masked)."""
    if field == F.HEAD_ID:
        return mask_id(value)
    if field == F.ACCOUNT_NUMBER:
        return mask_account(value)
    return value


def _current(household: Household, field: str, renovation: Renovation | None) -> str:
    if field == F.CATEGORIES:
        return "、".join(
            sorted(r.get_category_display() for r in household.categories.all() if r.end is None)
        )
    if field == F.SUBSIDY:
        return f"{Decimal(renovation.subsidy_fen) / 100:.2f}" if renovation else ""
    return getattr(household, field)


def _normalise(field: str, value: str, household: Household) -> str:
    value = value.strip()
    if field == F.HEAD_ID:
        resident = parse_id(value)
        if resident is None:
            raise ValidationError("新的身份证号格式不对。")
        if Household.everything.filter(head_id=resident.number).exclude(pk=household.pk).exists():
            raise ValidationError("该身份证号已是另一户的户主。")
        return resident.number
    if field == F.ACCOUNT_NUMBER:
        value = "".join(value.split())
        if not value.isdigit():
            raise ValidationError("账号只能是数字。")
        return value
    if field == F.SUBSIDY:
        try:
            amount = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise ValidationError("补助金额应为数字（元）。") from None
        if amount < 0:
            raise ValidationError("补助金额不能为负数。")
        return f"{amount:.2f}"
    if field == F.CATEGORIES:
        try:
            found = words(value, CATEGORY_LOOKUP, "农户类别")
        except BadValue as error:
            raise ValidationError(str(error)) from None
        return "、".join(sorted(Category(c).label for c in found))
    if not value:
        raise ValidationError("新值不能为空。")
    return value


def change_propose(
    *,
    actor,
    household: Household,
    field: str,
    new_value: str,
    reason: str,
    renovation: Renovation | None = None,
) -> ChangeRequest:
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if field not in F.values or field in merges.RECORD_CHANGES:
        raise ValidationError("请选择变更事项。")
    if field == F.SUBSIDY and renovation is None:
        raise ValidationError("变更补助金额须指明改造年度。")
    if not reason.strip():
        raise ValidationError("请填写变更理由。")
    new = _normalise(field, new_value, household)
    old = _current(household, field, renovation)
    if new == old:
        raise ValidationError("新值与原值相同。")
    with transaction.atomic():
        request = ChangeRequest.objects.create(
            household=household,
            renovation=renovation,
            field=field,
            old_value=old[:200],
            new_value=new[:200],
            reason=reason.strip()[:300],
            proposed_by=actor,
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=request,
            region_code=household.region_id,
            after={
                "field": field,
                "old": _shown(field, old),
                "new": _shown(field, new),
                "reason": request.reason,
            },
        )
    return request


def _apply(request: ChangeRequest) -> None:
    household, field, value = request.household, request.field, request.new_value
    if field == F.HEAD_ID:
        resident = parse_id(value)
        for person in Person.objects.filter(household=household, id_number=household.head_id):
            person.id_number, person.id_valid = resident.number, resident.valid
            person.save(update_fields=["id_number", "id_valid"])
        household.head_id, household.head_id_valid = resident.number, resident.valid
        household.save(update_fields=["head_id", "head_id_valid"])
    elif field in (F.ACCOUNT_NUMBER, F.ACCOUNT_HOLDER):
        setattr(household, field, value)
        household.save(update_fields=[field])
    elif field == F.SUBSIDY:
        request.renovation.subsidy_fen = int(Decimal(value) * 100)
        request.renovation.save(update_fields=["subsidy_fen"])
        # Whether a subsidy is owed decides whether the renovation counts for payment on time.
        registry_changed.announce(regions=[household.region_id])
        facts_refresh([household.pk])
    elif field == F.CATEGORIES:
        wanted = {c for c, label in Category.choices if label in value.split("、")}
        today = timezone.localdate()
        for record in household.categories.filter(end__isnull=True):
            if record.category not in wanted:
                record.end = today
                record.save(update_fields=["end"])
        have = set(household.categories.filter(end__isnull=True).values_list("category", flat=True))
        for category in wanted - have:
            CategoryRecord.objects.create(
                household=household,
                category=category,
                department=CATEGORY_DEPARTMENT[Category(category)],
                start=today,
            )
        facts_refresh([household.pk])
        if wanted - have:
            # Newly in a priority category: assessed within a month, like a list's newcomer.
            from anju.households.events import assessment_due

            assessment_due.announce(
                actor=request.decided_by,
                household_id=household.pk,
                reason="new_category",
                kind=sorted(wanted - have)[0],
            )


def change_decide(*, actor, request: ChangeRequest, approve: bool, note: str = "") -> ChangeRequest:
    """A reviewer who did not propose it approves (the change is made) or rejects it."""
    require(actor, Perm.APPROVE_CHANGES)
    if request.proposed_by_id == actor.pk:
        raise ValidationError("不能审核自己提出的变更。")
    if not approve and not note.strip():
        raise ValidationError("驳回须说明理由。")
    with transaction.atomic():
        lock_for_decision(request)
        if request.status != ChangeStatus.PENDING:
            raise taken(
                "该申请", request.get_status_display(), by_id=request.decided_by_id, actor=actor
            )
        request.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.decision_note = note.strip()[:300]
        request.save()
        if approve and request.field in merges.RECORD_CHANGES:
            merges.apply(request)
        elif approve:
            _apply(request)
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=request.household,
            region_code=request.household.region_id,
            note="变更审核",
            before={request.field: _shown(request.field, request.old_value)},
            after={
                request.field: _shown(request.field, request.new_value),
                "decision": request.status,
                "note": request.decision_note,
            },
        )
    return request
