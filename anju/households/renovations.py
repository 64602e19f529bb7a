"""The renovation's approval steps as the seeds describe them, each a transition that checks its
preconditions, and subsidy payments (no payment before approval)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.choices import NEW_HOUSE_METHODS, Structure
from anju.households.events import registry_changed
from anju.households.facts import facts_refresh
from anju.households.models import House, Payment, Renovation
from anju.identity import mask_account

# (field, label, the field that must come before it)
STEPS: list[tuple[str, str, str | None]] = [
    ("applied_on", "农户申请", None),
    ("village_reviewed_on", "村级评议", "applied_on"),
    ("notice_start", "公示开始", "village_reviewed_on"),
    ("notice_end", "公示结束", "notice_start"),
    ("township_reviewed_on", "乡镇审核", "notice_end"),
    ("approved_on", "县级审批", "township_reviewed_on"),
    ("started_on", "开工", "approved_on"),
    ("completed_on", "竣工", "started_on"),
    ("accepted_on", "验收", "completed_on"),
]
STEP_LABELS = {field: label for field, label, _ in STEPS}
NOTICE_DAYS = 7  # a public notice lasts at least seven days
COUNTY_STEPS = {"approved_on"}


def renovation_step(
    *, actor, renovation: Renovation, step: str, on: date, checklist: dict | None = None
) -> Renovation:
    """Record one step on its date; refused (in Chinese) when out of order or early."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if step in COUNTY_STEPS and actor.region is not None and actor.region.level > 3:
        raise ValidationError("县级审批由区县办理。")
    found = next((s for s in STEPS if s[0] == step), None)
    if found is None:
        raise ValidationError("没有这个环节。")
    field, label, before = found
    if getattr(renovation, field):
        raise ValidationError(f"「{label}」已经记录（{getattr(renovation, field)}）。")
    if on > timezone.localdate():
        raise ValidationError("日期不能晚于今天。")
    if before is not None:
        previous = getattr(renovation, before)
        if previous is None:
            raise ValidationError(f"「{STEP_LABELS[before]}」之前不能「{label}」。")
        if on < previous:
            raise ValidationError(f"「{label}」不能早于「{STEP_LABELS[before]}」（{previous}）。")
    if field == "notice_end" and (on - renovation.notice_start).days < NOTICE_DAYS:
        raise ValidationError(f"公示期不少于 {NOTICE_DAYS} 天。")
    if field == "accepted_on":
        checklist = checklist or {}
        if not checklist.get("inspector"):
            raise ValidationError("验收须填写验收人。")
        renovation.accepted_area_ok = checklist.get("area_ok")
        renovation.accepted_safe = checklist.get("safe")
        renovation.accepted_quality = checklist.get("quality")
        renovation.has_toilet = checklist.get("toilet")
        renovation.inspector = checklist["inspector"]
        new_structure = checklist.get("new_structure") or Structure.BRICK_CONCRETE
        if new_structure not in Structure.values:
            raise ValidationError(f"新房结构不对「{new_structure}」。")
    with transaction.atomic():
        setattr(renovation, field, on)
        renovation.save()
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=renovation,
            region_code=renovation.household.region_id,
            after={"step": label, "on": str(on), **({"checklist": checklist} if checklist else {})},
        )
        if field == "accepted_on":
            from anju.households.cases import case_close_accepted

            case_close_accepted(renovation=renovation)
            if renovation.method in NEW_HOUSE_METHODS:
                _new_house(renovation, new_structure)
        registry_changed.announce(regions=[renovation.household.region_id])
        facts_refresh([renovation.household_id])
    return renovation


def _new_house(renovation: Renovation, structure: str) -> None:
    """After an accepted rebuild the family lives in the new house (as the archive import
    records it): the new house with its structure, the old one no longer lived in."""
    household = renovation.household
    if household.houses.filter(is_new=True).exists():
        return
    House.objects.create(
        household=household,
        is_new=True,
        structure=structure,
        build_year=renovation.year,
        area=renovation.built_area,
    )
    household.houses.filter(is_new=False).update(lived_in=False)


def payment_record(
    *,
    actor,
    renovation: Renovation,
    paid_on: date,
    amount_fen: int,
    account_number: str,
    account_holder: str,
) -> Payment:
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if renovation.approved_on is None:
        raise ValidationError("审批前不能发放补助。")
    if paid_on < renovation.approved_on:
        raise ValidationError("发放日期不能早于审批日期。")
    if amount_fen <= 0:
        raise ValidationError("发放金额应大于零。")
    account_number = "".join(account_number.split())
    if not account_number:
        raise ValidationError("请填写收款账号（应为农户的一卡通账号）。")
    with transaction.atomic():
        payment = Payment.objects.create(
            renovation=renovation,
            paid_on=paid_on,
            amount_fen=amount_fen,
            account_number=account_number,
            account_holder=account_holder.strip(),
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=payment,
            region_code=renovation.household.region_id,
            after={
                "paid_on": str(paid_on),
                "amount_fen": amount_fen,
                "account": mask_account(account_number),
                "holder": payment.account_holder,
            },
        )
        registry_changed.announce(regions=[renovation.household.region_id])
        facts_refresh([renovation.household_id])
    return payment
