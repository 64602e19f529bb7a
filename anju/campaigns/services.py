"""Writes for campaigns: create (optionally from the seed 003 plan), add phases and targets.
Each audited in its transaction."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.campaigns.measures import REGISTRY
from anju.campaigns.models import Campaign, Phase, Target
from anju.regions.models import Level, Region
from anju.tabular.text import clean


@dataclass(frozen=True)
class PhaseInput:
    name: str
    start: date
    end: date
    tasks: str = ""


@dataclass(frozen=True)
class TargetInput:
    name: str
    measure: str
    due: date
    goal_percent: int = 100


def seed003_plan(year: int) -> tuple[list[PhaseInput], list[TargetInput]]:
    """Seed 003's phases (三、工作安排) and targets (二、整治内容 (一)(三)) for `year`."""
    d = lambda m, day: date(year, m, day)  # noqa: E731
    phases = [
        PhaseInput(
            "第一阶段：排查建单",
            d(5, 11),
            d(6, 10),
            "排查短板不足和存在问题，制定整治方案，建立“一乡镇（街道）一清单”",
        ),
        PhaseInput(
            "第二阶段：督导抽查",
            d(5, 15),
            d(6, 30),
            "深入乡镇村指导；随机开展督导、抽查核实；确保完成6月底前各项任务",
        ),
        PhaseInput(
            "第三阶段：查缺补漏",
            d(7, 1),
            d(10, 31),
            "强化落实4项工作机制，动态跟踪监测，补齐短板弱项和问题整改",
        ),
        PhaseInput(
            "第四阶段：总结巩固",
            d(11, 1),
            d(11, 30),
            "总结专项整治成效，巩固整治成果；11月10日前报送工作总结",
        ),
    ]
    targets = [
        TargetInput("动态新增贫困户住房安全鉴定6月底前全面完成", "new_poor_assessed", d(6, 30)),
        TargetInput("各类贫困户全面完成住房安全性评定", "poor_assessed", d(6, 30)),
        TargetInput("6月底前完成贫困户房屋安全状况制牌上墙", "poor_plated", d(6, 30)),
        TargetInput("住房安全有保障信息审核录入4月份完成", "info_reviewed", d(4, 30)),
    ]
    return phases, targets


def _check_target(campaign: Campaign, target: TargetInput) -> None:
    if target.measure not in REGISTRY:
        raise ValidationError("统计口径须从列表选择。")
    if not 1 <= target.goal_percent <= 100:
        raise ValidationError("目标值应在 1%—100% 之间。")
    if not clean(target.name):
        raise ValidationError("请填写目标任务。")


def campaign_create(
    *,
    actor,
    region: Region,
    name: str,
    start: date,
    end: date,
    new_since: date | None = None,
    lead_unit: str = "",
    phases: list[PhaseInput] = (),
    targets: list[TargetInput] = (),
) -> Campaign:
    require(actor, Perm.MANAGE_CAMPAIGNS)
    if not region_visible(actor, region.code):
        raise ValidationError("只能为本人所辖区划建立专项整治。")
    if region.level > Level.TOWNSHIP:
        raise ValidationError("专项整治的实施范围应为乡镇（街道）或以上。")
    if end < start:
        raise ValidationError("结束日期不能早于开始日期。")
    with transaction.atomic():
        campaign = Campaign(
            name=clean(name),
            region=region,
            start=start,
            end=end,
            new_since=new_since or start,
            lead_unit=clean(lead_unit),
            created_by=actor,
        )
        campaign.full_clean()
        campaign.save()
        for phase in phases:
            _phase(campaign, phase)
        for target in targets:
            _check_target(campaign, target)
            _target(campaign, target)
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=campaign,
            after={
                "name": campaign.name,
                "start": str(start),
                "end": str(end),
                "phases": [p.name for p in phases],
                "targets": [t.measure for t in targets],
            },
        )
    return campaign


def _phase(campaign: Campaign, phase: PhaseInput) -> Phase:
    if phase.end < phase.start:
        raise ValidationError("阶段结束日期不能早于开始日期。")
    ordinal = campaign.phases.count() + 1
    row = Phase(
        campaign=campaign,
        ordinal=ordinal,
        name=clean(phase.name),
        start=phase.start,
        end=phase.end,
        tasks=clean(phase.tasks)[:300],
    )
    row.full_clean()
    row.save()
    return row


def _target(campaign: Campaign, target: TargetInput) -> Target:
    row = Target(
        campaign=campaign,
        name=clean(target.name),
        measure=target.measure,
        goal_percent=target.goal_percent,
        due=target.due,
    )
    row.full_clean()
    row.save()
    return row


def phase_add(*, actor, campaign: Campaign, phase: PhaseInput) -> Phase:
    require(actor, Perm.MANAGE_CAMPAIGNS)
    with transaction.atomic():
        row = _phase(campaign, phase)
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=campaign,
            after={"phase": row.name, "start": str(row.start), "end": str(row.end)},
        )
    return row


def target_add(*, actor, campaign: Campaign, target: TargetInput) -> Target:
    require(actor, Perm.MANAGE_CAMPAIGNS)
    _check_target(campaign, target)
    with transaction.atomic():
        row = _target(campaign, target)
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=campaign,
            after={"target": row.name, "measure": row.measure, "due": str(row.due)},
        )
    return row
