"""Work planted for each role of the named cast (tests.base), dated from today, with the keys
each person's workbench must list: exactly these, nothing else.

Reports: the window starts at P, two months back (ANJU_REPORTING_SINCE, set by the caller);
every district has submitted every report due in it except 漳平市's Annex 1 for P. Older
reports carry the returned one, the draft to sign and a quarterly report received.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from anju.cadres.models import Observation
from anju.households import changes
from anju.households.imports import import_households
from anju.households.models import ChangeRequest, Household
from anju.oversight import services
from anju.oversight.deadlines import soon_until
from anju.oversight.models import RectificationItem
from anju.regions.models import Region
from anju.reporting import workflow
from anju.reporting.deadlines import add_months, due_date
from anju.reporting.models import Report, ReportKind, ReportStatus
from anju.reporting.queries import due_periods
from tests.base import make_user
from tests.households.files import row, xlsx
from tests.oversight.helpers import register

ZHANGPING, XINLUO = "350881000000", "350802000000"


@dataclass
class Planted:
    today: date
    since: str  # ANJU_REPORTING_SINCE
    keys: dict[str, set[str]] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)


def window_start(today: date) -> date:
    return add_months(today.replace(day=1), -2)


def _report(region: str, kind: str, period: date, user, status=ReportStatus.SUBMITTED, **kw):
    return Report.objects.create(
        region_id=region,
        kind=kind,
        period=period,
        status=status,
        due_date=due_date(kind, period),
        prepared_by=user,
        submitted_at=timezone.now() if status != ReportStatus.DRAFT else None,
        **kw,
    )


def plant(users: dict) -> Planted:
    today = timezone.localdate()
    start = window_start(today)
    out = Planted(today=today, since=f"{start:%Y-%m}")
    alice, carol, rita = users["alice"], users["carol"], users["rita"]
    cindy, dora, xavier = users["cindy"], users["dora"], users["xavier"]

    # Township: one earth-timber house, assessed D, never visited, no plate.
    import_households(
        actor="test", file_name="t.xlsx", data=xlsx([row(1, **{"户主姓名": "陈金水"})])
    )
    household = Household.objects.get()
    cadre = make_user("wb_cadre", "cadre", "350881100203")
    observation = Observation.objects.create(
        household=household,
        region_id="350881100203",
        cadre=cadre,
        kind="leaky",
        note="东侧厢房屋顶漏雨",
        visited_on=today,
        respond_by=soon_until(today),
    )
    item = RectificationItem.objects.create(
        region_id="350881100000",
        source="self_check",
        description="西埔村两户安全牌褪色需重制",
        owner="西埔村村建员",
        deadline=today + timedelta(days=1),
        created_by=alice,
    )
    rejected = changes.change_propose(
        actor=alice,
        household=household,
        field="account_holder",
        new_value="陈金木",
        reason="户主更正",
    )
    changes.change_decide(actor=rita, request=rejected, approve=False, note="请附户口簿复印件")
    pending = changes.change_propose(
        actor=alice,
        household=household,
        field="account_holder",
        new_value="陈金土",
        reason="户主变更",
    )
    quarter = (today.month - 1) // 3 + 1
    out.keys["alice"] = {
        f"observation:{observation.pk}",
        f"item:{item.pk}",
        f"change-rejected:{rejected.pk}",
        f"plates:{alice.region_id}",
        f"visits:{alice.region_id}:{today.year}Q{quarter}",
    }

    # County clerk: an old clue (over the overall limit), a transfer in, a returned report.
    old, _ = register(carol, received_on=today - timedelta(days=100))
    x_clue, _ = register(
        xavier,
        region=XINLUO,
        summary="东城街道危改对象认定不精准，非贫困户享受补助",
        names=("李四",),
        received_on=today,
    )
    transfer_in = services.transfer_send(
        actor=xavier,
        clue=x_clue,
        version=x_clue.version,
        target="district",
        to_region=Region.objects.get(code=ZHANGPING),
        to_unit="漳平市住建局",
    )
    returned = _report(
        ZHANGPING,
        ReportKind.ANNEX1,
        add_months(start, -2),
        carol,
        status=ReportStatus.RETURNED,
    )
    out.keys["carol"] = {
        f"clue:{old.pk}:registered",
        f"transfer-ack:{transfer_in.pk}",
        f"report-returned:{returned.pk}",
        f"report-due:{ZHANGPING}:annex1:{start:%Y%m}",
    }

    # Reviewer: a close-out, a draft report, a pending change request.
    closing, _ = register(
        carol,
        summary="双洋镇危改房屋验收走过场，无卫生厕所",
        names=("王五",),
        received_on=today,
    )
    for step in (
        lambda c: services.clue_assign(
            actor=carol, clue=c, version=c.version, handling_unit="乡镇"
        ),
        lambda c: services.clue_start_verification(actor=carol, clue=c, version=c.version),
        lambda c: services.clue_dispose(
            actor=carol, clue=c, version=c.version, disposal="preliminary"
        ),
        lambda c: services.clue_start_rectification(actor=carol, clue=c, version=c.version),
    ):
        step(closing)
    from tests.oversight.test_workflow import evidence

    evidence(carol, closing)
    services.clue_request_close(
        actor=carol,
        clue=closing,
        version=closing.version,
        rectification="已补建卫生厕所并重新验收",
        recovered=Decimal(0),
        accountable=0,
    )
    draft = workflow.report_prepare(
        actor=carol,
        region=Region.objects.get(code=ZHANGPING),
        kind=ReportKind.ANNEX2,
        period=add_months(start, -1),
    )
    out.keys["rita"] = {
        f"close:{closing.pk}:{closing.status_since:%Y%m%d}",
        f"report-sign:{draft.pk}",
        f"change:{pending.pk}",
    }

    # Discipline: a clue transferred to it, a quarterly report received.
    to_discipline, _ = register(
        carol, summary="新桥镇干部虚报冒领危改补助", names=("赵六",), received_on=today
    )
    for step in (
        lambda c: services.clue_assign(
            actor=carol, clue=c, version=c.version, handling_unit="纪委"
        ),
        lambda c: services.clue_start_verification(actor=carol, clue=c, version=c.version),
        lambda c: services.clue_dispose(
            actor=carol, clue=c, version=c.version, disposal="transfer"
        ),
    ):
        step(to_discipline)
    transfer_jj = services.transfer_send(
        actor=carol,
        clue=to_discipline,
        version=to_discipline.version,
        target="discipline",
        to_region=Region.objects.get(code=ZHANGPING),
        to_unit="漳平市纪委监委",
    )
    q_start = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    quarterly = _report(ZHANGPING, ReportKind.CLUE_QUARTERLY, add_months(q_start, -3), carol)
    out.keys["dora"] = {f"transfer-ack:{transfer_jj.pk}", f"quarterly:{quarterly.pk}"}

    # City: every report of the window in, but 漳平市's Annex 1 for P; a supervised clue due
    # tomorrow; the old clue over the overall limit.
    # The progress report is owed by the townships, to their county (seed 003).
    reporters = {
        kind: ((ZHANGPING, carol), (XINLUO, xavier))
        for kind in (ReportKind.ANNEX1, ReportKind.ANNEX2, ReportKind.CLUE_QUARTERLY)
    }
    reporters[ReportKind.PROGRESS] = (
        ("350881100000", alice),
        ("350881101000", users["bob"]),
        ("350802001000", xavier),
    )
    for kind in ReportKind.values:
        for period in due_periods(kind, start, soon_until(today)):
            for region, user in reporters[kind]:
                if (region, kind, period) != (ZHANGPING, ReportKind.ANNEX1, start):
                    _report(region, kind, period, user)
    services.supervision_set(
        actor=cindy,
        clue=x_clue,
        version=x_clue.version,
        due=today + timedelta(days=1),
        note="限期查清",
    )
    out.keys["cindy"] = {
        f"late:annex1:{start:%Y%m}",
        f"supervised:{x_clue.pk}",
        f"over-limit:{today:%Y%m}",
    }
    out.objects.update(
        household=household,
        observation=observation,
        item=item,
        rejected=rejected,
        pending=pending,
        old=old,
        transfer_in=transfer_in,
        returned=returned,
        closing=closing,
        draft=draft,
        transfer_jj=transfer_jj,
        quarterly=quarterly,
        x_clue=x_clue,
        dora=dora,
    )
    assert ChangeRequest.objects.count() == 2
    return out
