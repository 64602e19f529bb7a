"""The demo's campaign (seed 003's plan for 漳平市, its phases and targets on the seed's dates) and
a county spot check drawn from a fixed seed, with a few houses inspected and one failure on the
township list.

The seed's plan is for 2020; the demo's ledger, visits and spot checks are dated by the day the
demo is loaded, so the demo runs the plan in the current year (the previous one before June),
from 1 April to 31 December, for its summary to have something to count."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from anju.campaigns.models import Campaign
from anju.campaigns.services import campaign_create, seed003_plan
from anju.regions.models import Region
from anju.spotchecks import services
from anju.spotchecks.models import CheckItem, CheckResult, Outcome

NAME = "推动房屋结构安全隐患大排查大整治重点解决贫困人口住房安全有保障的专项整治"


def load_campaign(*, clerk, township_clerk) -> int:
    """Safe to run again: does nothing once the demo campaign exists."""
    if Campaign.objects.filter(name=NAME).exists():
        return 0
    county = Region.objects.filter(code="350881000000").first()
    if county is None:
        return 0
    today = timezone.localdate()
    year = today.year if today.month >= 6 else today.year - 1
    phases, targets = seed003_plan(year)
    campaign_create(
        actor=clerk,
        region=county,
        name=NAME,
        start=date(year, 4, 1),
        end=date(year, 12, 31),
        new_since=date(year, 1, 1),
        lead_unit="漳平市住建局（村镇站）",
        phases=phases,
        targets=targets,
    )
    _spot_check(clerk=clerk, township_clerk=township_clerk, county=county)
    return 1


def _spot_check(*, clerk, township_clerk, county) -> None:

    plan = services.plan_create(
        actor=clerk,
        region=county,
        name="漳平市危房改造户督导抽查（演示）",
        population="both",
        share_percent=5,
        weight_findings=3,
        weight_clues=3,
        seed="anju-demo-2020",
    )
    try:
        plan = services.plan_draw(actor=clerk, plan=plan)
    except ValidationError:  # no households in this area: the plan stays a draft
        return
    services.plan_assign(actor=clerk, plan=plan, inspectors=[clerk, township_clerk])
    today = timezone.localdate()
    houses = plan.houses.filter(inspector=township_clerk).select_related("township")[:3]
    for n, house in enumerate(houses):
        results = {item: (Outcome.PASS, "") for item in CheckItem.values}
        if n == 0:
            results[CheckItem.PLATE] = (Outcome.FAIL, "安全状况牌未上墙，存放于村委会")
        if n == 1:
            results[CheckItem.OCCUPANCY] = (Outcome.UNVERIFIABLE, "农户外出务工，家中无人")
        services.inspection_record(
            actor=township_clerk, house=house, results=results, inspected_on=today
        )
        if n == 0:
            failed = CheckResult.objects.get(house=house, item=CheckItem.PLATE)
            services.result_follow_up(
                actor=township_clerk, result=failed, kind="item", owner="新桥镇分管领导"
            )
