"""Writes for spot checks: plan, draw, assign, record, follow up. Each audited in its
transaction; the plan's states move only here (PlanStatus: draft → drawn → closed)."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import (
    Perm,
    has_perm,
    perms_of,
    region_visible,
    require,
    unit_bound,
    unit_of,
)
from anju.accounts.models import User
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crosscheck.choices import FindingStatus
from anju.crosscheck.models import Finding
from anju.households.merges import move_records
from anju.households.models import Household
from anju.oversight.choices import ClueStatus, ItemSource, ProblemKind, SourceChannel
from anju.oversight.models import ClueLink
from anju.oversight.services import item_create
from anju.oversight.services.clues import PersonInput, clue_register
from anju.photos import clean_photo_with_facts
from anju.regions.models import Level, Region, prefix_of, subtree_bounds
from anju.spotchecks import draw as drawing
from anju.spotchecks.models import (
    CheckItem,
    CheckPhoto,
    CheckResult,
    Outcome,
    PlanStatus,
    Population,
    SampledHouse,
    SpotCheckPlan,
    items_for_unit,
)
from anju.tabular.text import clean

TRANSITIONS = {
    (PlanStatus.DRAFT, PlanStatus.DRAWN),
    (PlanStatus.DRAWN, PlanStatus.CLOSED),
}
MAX_PHOTOS = 9
FOLLOW_UP_DAYS = 30


def _move(plan: SpotCheckPlan, to: str) -> None:
    if (plan.status, to) not in TRANSITIONS:
        raise ValidationError(
            f"抽查当前为「{plan.get_status_display()}」，不能转为「{PlanStatus(to).label}」。"
        )
    plan.status = to


def township_of(code: str) -> str:
    return code[:9] + "000"


def plan_create(
    *,
    actor,
    region: Region,
    name: str,
    population: str,
    share_percent: int | None = None,
    count_per_township: int | None = None,
    weight_findings: int = 0,
    weight_clues: int = 0,
    seed: str = "",
    items: list[str] | None = None,
) -> SpotCheckPlan:
    """A plan at the level of the actor's own region, over `region` within it. Without a seed,
    one is generated (secrets) and recorded, so the draw can still be reproduced.

    A participating department's user plans for their unit, in its own field: `items` is the
    checklist (default: the unit's field, models.UNIT_ITEMS); housing's plans check all nine
    unless fewer are chosen."""
    require(actor, Perm.PLAN_SPOT_CHECKS)
    if actor.region is None or not region_visible(actor, region.code):
        raise ValidationError("只能在本人所辖区划内组织抽查。")
    unit = unit_of(actor) if unit_bound(actor) else None
    if unit_bound(actor) and unit is None:
        raise ValidationError("您的账号尚未归属任何单位，不能组织抽查：请联系安全管理员。")
    chosen = list(items) if items is not None else items_for_unit(unit)
    if not chosen:
        raise ValidationError("请至少选择一项检查事项。")
    if set(chosen) - set(CheckItem.values):
        raise ValidationError("检查事项须从列表中选择。")
    chosen = [i for i in CheckItem.values if i in set(chosen)]
    if region.level > Level.TOWNSHIP:
        raise ValidationError("抽查范围应为乡镇（街道）或以上。")
    if (share_percent is None) == (count_per_township is None):
        raise ValidationError("请填写每乡镇抽取比例或抽取户数（二选一）。")
    seed = clean(seed) or secrets.token_hex(8)
    with transaction.atomic():
        plan = SpotCheckPlan(
            name=clean(name),
            level=actor.region.level,
            region=region,
            population=population,
            share_percent=share_percent,
            count_per_township=count_per_township,
            weight_findings=weight_findings,
            weight_clues=weight_clues,
            seed=seed,
            created_by=actor,
            unit=unit,
            items=[] if chosen == CheckItem.values else chosen,
        )
        plan.full_clean()
        plan.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=plan,
            after={
                "name": plan.name,
                "population": population,
                "share_percent": share_percent,
                "count_per_township": count_per_township,
                "weight_findings": weight_findings,
                "weight_clues": weight_clues,
                "seed": seed,
                "unit": unit.name if unit else "",
                "items": chosen,
            },
        )
    return plan


def population_units(plan: SpotCheckPlan) -> list[drawing.Unit]:
    """The households the plan draws from, as they are in the database now, with weights."""

    bounds = subtree_bounds(plan.region_id)
    households = Household.objects.filter(region__code__range=bounds)
    ids: set[int] = set()
    if plan.population in (Population.RENOVATED, Population.BOTH):
        ids |= set(
            households.filter(renovations__accepted_on__isnull=False).values_list("pk", flat=True)
        )
    if plan.population in (Population.PLATED, Population.BOTH):
        ids |= set(
            households.filter(plates__installed_on__isnull=False).values_list("pk", flat=True)
        )
    flagged: set[int] = set()
    if plan.weight_findings:
        flagged = set(
            Finding.objects.filter(region__code__range=bounds, household_id__in=ids)
            .exclude(status=FindingStatus.DISMISSED)
            .values_list("household_id", flat=True)
        )
    # Households are known by their head's ID's blind index: stable, indexed, and no ID number
    # in clear in the frame the plan keeps (nothing is decrypted to draw). The clues name them
    # by the blind indexes of the numbers in their text (ClueLink: 关联档案, summaries, reports).
    reported: set[str] = set()
    if plan.weight_clues:
        reported = set(
            ClueLink.objects.filter(clue__region__code__range=bounds)
            .exclude(clue__status=ClueStatus.MERGED)
            .values_list("id_number_digest", flat=True)
        )
    units = []
    rows = households.filter(pk__in=ids).values_list("pk", "head_id_digest", "region_id")
    for pk, digest, region_code in rows.iterator(chunk_size=5000):
        weight = 1
        if pk in flagged:
            weight += plan.weight_findings
        if digest in reported:
            weight += plan.weight_clues
        units.append(drawing.Unit(key=digest, township=township_of(region_code), weight=weight))
    return units


def plan_draw(*, actor, plan: SpotCheckPlan) -> SpotCheckPlan:
    """Draw the sample once, record the frame, the strata and the drawn households."""

    require(actor, Perm.PLAN_SPOT_CHECKS)
    with transaction.atomic():
        plan = SpotCheckPlan.objects.select_for_update().get(pk=plan.pk)
        _move(plan, PlanStatus.DRAWN)
        units = population_units(plan)
        if not units:
            raise ValidationError("抽查范围内没有符合条件的农户，无法抽取。")
        sample, strata = drawing.draw(
            units,
            seed=plan.seed,
            share_percent=plan.share_percent,
            count=plan.count_per_township,
        )
        plan.frame = drawing.frame_rows(units)
        plan.frame_sha256 = drawing.frame_digest(plan.frame)
        plan.strata = strata
        plan.drawn_at = timezone.now()
        plan.save(update_fields=["status", "frame", "frame_sha256", "strata", "drawn_at"])
        pks = dict(
            Household.objects.filter(head_id_digest__in=[u.key for u in sample]).values_list(
                "head_id_digest", "pk"
            )
        )
        ranks: dict[str, int] = {}
        rows = []
        for unit in sample:
            ranks[unit.township] = ranks.get(unit.township, 0) + 1
            rows.append(
                SampledHouse(
                    plan=plan,
                    household_id=pks[unit.key],
                    township_id=unit.township,
                    rank=ranks[unit.township],
                    weight=unit.weight,
                )
            )
        SampledHouse.objects.bulk_create(rows)
        _distribute(plan)
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=plan,
            before={"status": PlanStatus.DRAFT},
            after={
                "status": PlanStatus.DRAWN,
                "seed": plan.seed,
                "frame_sha256": plan.frame_sha256,
                "population": len(units),
                "drawn": len(rows),
            },
        )
    return plan


@dataclass
class Verification:
    same_sample: bool  # re-drawing from the recorded frame and seed gives the recorded sample
    frame_intact: bool  # the recorded frame still has its recorded SHA-256
    population_changed: bool  # today's population differs from the frame (new acceptances...)

    @property
    def ok(self) -> bool:
        return self.same_sample and self.frame_intact


def plan_verify(plan: SpotCheckPlan) -> Verification:
    """Re-draw from the recorded frame and seed and compare with the households recorded."""
    if plan.status == PlanStatus.DRAFT:
        raise ValidationError("尚未抽取，无需核验。")
    frame_intact = drawing.frame_digest(plan.frame) == plan.frame_sha256
    sample, _ = drawing.draw(
        drawing.units_of(plan.frame),
        seed=plan.seed,
        share_percent=plan.share_percent,
        count=plan.count_per_township,
    )
    recorded = set(plan.houses.values_list("household__head_id_digest", flat=True))
    now = drawing.frame_digest(drawing.frame_rows(population_units(plan)))
    return Verification(
        same_sample={u.key for u in sample} == recorded and len(sample) == len(recorded),
        frame_intact=frame_intact,
        population_changed=now != plan.frame_sha256,
    )


def eligible_inspectors(plan: SpotCheckPlan):
    """Active users working within the plan's region who may record inspections: a
    department's plan, its unit's users; housing's, anyone but a department's user."""

    users = User.objects.filter(
        is_active=True, region__code__range=subtree_bounds(plan.region_id)
    ).order_by("username")
    return [
        u
        for u in users
        if Perm.INSPECT in perms_of(u)
        and (u.work_unit_id == plan.unit_id if plan.unit_id else not unit_bound(u))
    ]


def _distribute(plan: SpotCheckPlan) -> None:
    """Give each unassigned house to an inspector whose region covers it, in turn."""
    inspectors = list(plan.inspectors.select_related("region").order_by("username"))
    turn = 0
    for house in plan.houses.filter(inspector__isnull=True).select_related("household"):
        able = [u for u in inspectors if house.household.region_id.startswith(_prefix(u))]
        if not able:
            continue
        house.inspector = able[turn % len(able)]
        turn += 1
        house.save(update_fields=["inspector"])


def _prefix(user) -> str:

    return prefix_of(user.region_id)


def plan_assign(*, actor, plan: SpotCheckPlan, inspectors: list) -> SpotCheckPlan:
    require(actor, Perm.PLAN_SPOT_CHECKS)
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError("抽查已结束。")
    allowed = {u.pk for u in eligible_inspectors(plan)}
    for user in inspectors:
        if user.pk not in allowed:
            raise ValidationError(
                f"「{user.full_name or user.username}」不是本抽查范围内的检查人员。"
            )
    with transaction.atomic():
        plan.inspectors.set(inspectors)
        plan.houses.filter(inspected_on__isnull=True).exclude(inspector__in=inspectors).update(
            inspector=None
        )
        _distribute(plan)
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=plan,
            after={"inspectors": sorted(u.username for u in inspectors)},
        )
    return plan


def plan_close(*, actor, plan: SpotCheckPlan) -> SpotCheckPlan:
    require(actor, Perm.PLAN_SPOT_CHECKS)
    with transaction.atomic():
        _move(plan, PlanStatus.CLOSED)
        plan.save(update_fields=["status"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=plan,
            before={"status": PlanStatus.DRAWN},
            after={"status": PlanStatus.CLOSED},
        )
    return plan


def inspection_record(
    *,
    actor,
    house: SampledHouse,
    results: dict[str, tuple[str, str]],
    inspected_on: date,
    photos: list[bytes] = (),
) -> SampledHouse:
    """The nine items of one house (outcome and note each), with photos re-encoded without
    their metadata. Only an inspector of the plan records, once per house."""
    require(actor, Perm.INSPECT)
    plan = house.plan
    if plan.status != PlanStatus.DRAWN:
        raise ValidationError("只能在核查中的抽查里登记结果。")
    if not plan.inspectors.filter(pk=actor.pk).exists():
        raise ValidationError("您不是本次抽查的检查人员。")
    if house.inspected_on is not None:
        raise ValidationError("该户已登记核查结果。")
    if set(results) != set(plan.check_items()):
        raise ValidationError(f"本次抽查的 {len(plan.check_items())} 项检查内容须逐项填写。")
    for item, (outcome, note) in results.items():
        if outcome not in Outcome.values:
            raise ValidationError(f"「{CheckItem(item).label}」的结果须从列表选择。")
        if outcome == Outcome.FAIL and not clean(note):
            raise ValidationError(f"「{CheckItem(item).label}」不合格，请说明情况。")
    if inspected_on > timezone.localdate() or inspected_on < plan.created_at.date():
        raise ValidationError("核查日期应在抽查建立之后、今天之前。")
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(f"每户最多上传 {MAX_PHOTOS} 张照片。")
    cleaned = [clean_photo_with_facts(p) for p in photos]
    with transaction.atomic():
        CheckResult.objects.bulk_create(
            [
                CheckResult(house=house, item=item, outcome=outcome, note=clean(note)[:300])
                for item, (outcome, note) in sorted(results.items())
            ]
        )
        for data, kind, facts in cleaned:
            CheckPhoto.objects.create(
                house=house, data=data, content_type=kind, uploaded_by=actor, **facts.fields()
            )
        house.inspected_on, house.inspected_by = inspected_on, actor
        house.save(update_fields=["inspected_on", "inspected_by"])
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=house,
            region_code=house.household.region_id,
            after={
                "inspected_on": str(inspected_on),
                "failed": sorted(i for i, (o, _) in results.items() if o == Outcome.FAIL),
                "photos": len(cleaned),
            },
        )
    return house


def result_follow_up(
    *,
    actor,
    result: CheckResult,
    kind: str,
    owner: str = "",
    deadline: date | None = None,
    person_name: str = "",
) -> CheckResult:
    """A failed item becomes a problem on the township's list (kind "item") or a clue in the
    ledger (kind "clue"), chosen by the inspector, and is linked back to the result."""

    house = result.house
    household = house.household
    if result.outcome != Outcome.FAIL:
        raise ValidationError("只有不合格的检查事项才需要整改或登记线索。")
    if result.problem_id or result.clue_id:
        raise ValidationError("该事项已转入问题清单或线索台账。")
    if not region_visible(actor, household.region_id):
        raise ValidationError("只能处理本人所辖区划内的检查结果。")
    label = result.get_item_display()
    text = f"抽查「{house.plan.name}」：{household.head_name}户「{label}」不合格。{result.note}"
    with transaction.atomic():
        if kind == "item":
            if not has_perm(actor, Perm.MANAGE_ITEMS):
                raise ValidationError("您的角色不能维护乡镇问题清单，请改为登记问题线索。")
            result.problem = item_create(
                actor=actor,
                region=house.township,
                source=ItemSource.SPOT_CHECK,
                description=text[:300],
                owner=clean(owner) or "乡镇分管领导",
                deadline=deadline or timezone.localdate() + timedelta(days=FOLLOW_UP_DAYS),
            )
        elif kind == "clue":
            # A department's failure goes to the ledger as its clue to housing (部门移送).
            sent = not has_perm(actor, Perm.REGISTER_CLUES) and has_perm(actor, Perm.SEND_CLUES)
            if not (sent or has_perm(actor, Perm.REGISTER_CLUES)):
                raise ValidationError("您的角色不能登记问题线索，请改为转入问题清单。")
            category = {
                CheckItem.PAYMENT: ProblemKind.FUNDS,
                CheckItem.ELIGIBILITY: ProblemKind.TARGETING,
                CheckItem.IDENTITY: ProblemKind.TARGETING,
            }.get(result.item, ProblemKind.STYLE)
            clue, _ = clue_register(
                actor=actor,
                region=house.township,
                place=house.township.name,
                source_channel=SourceChannel.DEPARTMENT if sent else SourceChannel.INSPECTION_TOUR,
                received_on=house.inspected_on or timezone.localdate(),
                category=category,
                summary=text[:300],
                funds=Decimal(0),
                persons=[PersonInput(name=clean(person_name) or "待核实", post="", level="other")],
                links=household.head_id,
                confirm_new=True,
            )
            result.clue = clue
        else:
            raise ValidationError("请选择转入问题清单或登记问题线索。")
        result.save(update_fields=["problem", "clue"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=house,
            region_code=household.region_id,
            after={"item": result.item, "problem": result.problem_id, "clue": result.clue_id},
        )
    return result


def on_household_records_moved(*, actor, source_id: int, target_id: int, only) -> dict:
    """A household merged (or a merge undone): its places in spot-check samples follow it,
    except in a plan that drew the household kept as well."""
    sampled = SampledHouse.objects.all()
    if only is None:
        sampled = sampled.exclude(
            plan_id__in=SampledHouse.objects.filter(household_id=target_id).values("plan_id")
        )
    return move_records(
        actor=actor,
        kinds={"spotchecks.sampled": sampled},
        source_id=source_id,
        target_id=target_id,
        only=only,
        note="合并重复户：抽查样本随户移动",
    )
