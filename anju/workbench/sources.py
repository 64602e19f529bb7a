"""Where each role's items come from: the domain apps' records, read through their access
policies, scoped to the person's own region (the workbench is theirs, whatever region they
are looking at)."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse

from anju.accounts.roles import Role
from anju.assessments.access import tasks_visible_to
from anju.cadres.access import observations_visible_to
from anju.cadres.models import ObservationStatus
from anju.households.access import households_on_file_visible_to, households_visible_to
from anju.households.models import ChangeRequest, ChangeStatus, SafetyPlate
from anju.households.plates import missing_plates
from anju.households.visits import due_this_quarter
from anju.oversight.access import clues_visible_to, items_visible_to, transfers_visible_to
from anju.oversight.choices import ClueStatus, ItemStatus, TransferTarget
from anju.oversight.deadlines import effective_due
from anju.oversight.queries import OPEN, at_risk_q, over_limit_q, overdue_q
from anju.regions.models import Level, subtree_bounds
from anju.reporting.access import reports_visible_to
from anju.reporting.deadlines import add_months, due_date, period_label
from anju.reporting.duties import owes
from anju.reporting.models import Report, ReportKind, ReportStatus
from anju.reporting.queries import districts_within, due_periods, unreported, unreported_to
from anju.workbench.items import SINGLE_LIMIT, Context, Item, source

R = Role


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _quarter_end(today: date) -> date:
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return add_months(start, 3) - timedelta(days=1)


def reporting_since(today: date) -> date:
    """The first period the workbench checks for missing reports: ANJU_REPORTING_SINCE
    (YYYY-MM), else twelve months back."""
    since = getattr(settings, "ANJU_REPORTING_SINCE", "") or ""
    if since:
        year, month = (int(x) for x in since.split("-"))
        return date(year, month, 1)
    return add_months(today.replace(day=1), -12)


# Clues ---------------------------------------------------------------------------------------


@source(R.COUNTY_CLERK)
def clues_due(ctx: Context) -> list[Item]:
    """Open clues being worked (not waiting for close-out approval) that are overdue or due
    within three working days: stage deadline or overall limit."""
    clues = (
        clues_visible_to(ctx.user)
        .filter(overdue_q(ctx.today) | at_risk_q(ctx.today))
        .exclude(status=ClueStatus.PENDING_CLOSE)
        .only("pk", "number", "status", "due_on", "received_on", "place")
    )
    found = sorted(clues[: SINGLE_LIMIT * 4], key=lambda c: c.deadline)
    items = [
        Item(
            key=f"clue:{c.pk}:{c.status}",
            kind="问题线索办理",
            title=f"线索 {c.number}（{c.place}）{c.get_status_display()}环节"
            + ("，已超过总时限" if c.overall_due < ctx.today else ""),
            due=c.deadline,
            url=c.get_absolute_url(),
        )
        for c in found[:SINGLE_LIMIT]
    ]
    if len(found) > SINGLE_LIMIT:
        rest = found[SINGLE_LIMIT:]
        items.append(
            Item(
                key="clues:more",
                kind="问题线索办理",
                title="其余超期或三个工作日内到期的线索",
                due=min(c.deadline for c in rest),
                url=_url("oversight:clues", urgency="overdue"),
                count=clues.count() - SINGLE_LIMIT,
            )
        )
    return items


@source(R.COUNTY_REVIEWER)
def close_outs(ctx: Context) -> list[Item]:
    """Clues waiting for the reviewer's close-out approval (not those the reviewer worked)."""
    clues = (
        clues_visible_to(ctx.user)
        .filter(status=ClueStatus.PENDING_CLOSE)
        .exclude(close_requested_by=ctx.user)
        .exclude(handler=ctx.user)
        .order_by("due_on", "pk")
    )
    rows = list(clues[: SINGLE_LIMIT + 1])
    items = [
        Item(
            key=f"close:{c.pk}:{c.status_since:%Y%m%d}",
            kind="线索销号审批",
            title=f"线索 {c.number}（{c.place}）申请销号，待审批",
            due=c.deadline,
            url=c.get_absolute_url(),
        )
        for c in rows[:SINGLE_LIMIT]
    ]
    if len(rows) > SINGLE_LIMIT:
        items.append(
            Item(
                key="close:more",
                kind="线索销号审批",
                title="其余待销号审批的线索",
                due=None,
                url=_url("oversight:clues", status=ClueStatus.PENDING_CLOSE),
                count=clues.count() - SINGLE_LIMIT,
            )
        )
    return items


@source(R.CITY_OFFICE)
def supervised_due(ctx: Context) -> list[Item]:
    """Key-supervised clues whose supervision deadline or handling deadline is near or past."""
    clues = (
        clues_visible_to(ctx.user)
        .filter(OPEN, supervised=True)
        .filter(Q(supervision_due__lte=ctx.soon) | overdue_q(ctx.today) | at_risk_q(ctx.today))
        .only("pk", "number", "status", "due_on", "received_on", "place", "supervision_due")
    )
    items = []
    for c in clues[:200]:
        dues = [d for d in (c.supervision_due, c.deadline) if d]
        items.append(
            Item(
                key=f"supervised:{c.pk}",
                kind="重点督办",
                title=f"督办线索 {c.number}（{c.place}）{c.get_status_display()}环节，"
                "督办时限将到或已过",
                due=min(dues),
                url=c.get_absolute_url(),
            )
        )
    return items


@source(R.CITY_OFFICE)
def over_limit(ctx: Context) -> list[Item]:
    """Open clues older than the overall limit: one counter to the filtered ledger."""
    found = (
        clues_visible_to(ctx.user)
        .filter(over_limit_q(ctx.today))
        .aggregate(oldest=Min("received_on"), count=Count("pk"))
    )
    oldest, count = found["oldest"], found["count"]
    if not count:
        return []
    return [
        Item(
            key=f"over-limit:{ctx.today:%Y%m}",
            kind="超总时限线索",
            title=f"{count} 条线索自收到起已超过总时限仍未销号",
            due=effective_due(None, oldest),
            url=_url("oversight:clues", urgency="over_limit"),
            count=count,
        )
    ]


# Transfers -----------------------------------------------------------------------------------


def _transfers(ctx: Context, discipline: bool | None) -> list[Item]:
    # The ones the person receives: addressed to their unit, or to their region unnamed.
    rows = transfers_visible_to(ctx.user).filter(reported_on__isnull=True).select_related("clue")
    if discipline:
        rows = rows.filter(target=TransferTarget.DISCIPLINE)
    elif discipline is not None:
        rows = rows.exclude(target=TransferTarget.DISCIPLINE)
    items = []
    url = reverse("oversight:transfers")
    for t in rows.order_by("due_on", "pk")[:100]:
        if t.acknowledged_on is None:
            items.append(
                Item(
                    key=f"transfer-ack:{t.pk}",
                    kind="移送线索签收",
                    title=f"线索 {t.clue.number} 移送至{t.to_unit}，待签收",
                    due=t.due_on,
                    url=f"{url}#transfer-{t.pk}",
                )
            )
        else:
            items.append(
                Item(
                    key=f"transfer-report:{t.pk}",
                    kind="移送线索反馈",
                    title=f"线索 {t.clue.number} 已签收，待反馈办理结果",
                    due=t.due_on,
                    url=f"{url}#transfer-{t.pk}",
                )
            )
    return items


@source(R.DISCIPLINE)
def transfers_discipline(ctx: Context) -> list[Item]:
    return _transfers(ctx, discipline=True)


@source(R.COUNTY_CLERK)
def transfers_district(ctx: Context) -> list[Item]:
    return _transfers(ctx, discipline=False)


@source(R.DEPARTMENT)
def transfers_unit(ctx: Context) -> list[Item]:
    """A department's user: every clue transferred to their unit, until it is answered."""
    return _transfers(ctx, discipline=None)


# Reports -------------------------------------------------------------------------------------


def _latest_reports(reports):
    """The latest version of each (district or township, kind, period) among `reports`: the
    region's own reports (not those of the units in it)."""
    newer = Report.objects.filter(
        region=OuterRef("region"),
        unit__isnull=True,
        kind=OuterRef("kind"),
        period=OuterRef("period"),
        version__gt=OuterRef("version"),
    )
    return reports.filter(unit__isnull=True).exclude(Exists(newer))


@source(R.DEPARTMENT)
def unit_reports_due(ctx: Context) -> list[Item]:
    """A responsible unit's own reports (the monthly progress report to the county's housing
    bureau, seed 003) not yet submitted, late or due within three working days."""
    unit = ctx.user.work_unit
    if unit is None:
        return []
    items = []
    for kind in ReportKind.values:
        if owes(kind, unit.region, unit) is None:
            continue
        periods = due_periods(kind, reporting_since(ctx.today), ctx.soon)
        done = set(
            Report.objects.filter(
                unit=unit, kind=kind, period__in=periods, submitted_at__isnull=False
            ).values_list("period", flat=True)
        )
        missing = [p for p in periods if p not in done]
        if not missing:
            continue
        period = missing[0]
        title = f"{ReportKind(kind).label}（{period_label(kind, period)}）尚未报送"
        if len(missing) > 1:
            title += f"；连同此后各期共 {len(missing)} 期未报"
        items.append(
            Item(
                key=f"unit-report-due:{unit.pk}:{kind}:{period:%Y%m}",
                kind="报表报送",
                title=title,
                due=due_date(kind, period),
                url=_url("reporting:reports", kind=kind),
                count=len(missing) if len(missing) > 1 else None,
            )
        )
    return items


@source(R.COUNTY_CLERK, R.TOWNSHIP_CLERK)
def returned_reports(ctx: Context) -> list[Item]:
    """The user's own district's or township's reports sent back by whom they went to."""
    rows = _latest_reports(
        reports_visible_to(ctx.user).filter(
            status=ReportStatus.RETURNED, region=ctx.user.region, unit__isnull=True
        )
    ).order_by("due_date", "pk")
    return [
        Item(
            key=f"report-returned:{r.pk}",
            kind="报表退回",
            title=f"{r.region.name} {r.get_kind_display()}（{period_label(r.kind, r.period)}）"
            f"被{r.recipient}退回，请更正后重新报送",
            due=r.due_date,
            url=reverse("reporting:report", args=[r.pk]),
        )
        for r in rows.select_related("region")[:50]
    ]


@source(R.COUNTY_CLERK, R.TOWNSHIP_CLERK)
def reports_due(ctx: Context) -> list[Item]:
    """The district's (or township's) reports due within three working days or overdue, not yet
    submitted, as its duties ask: any period since ANJU_REPORTING_SINCE, not only the current
    one."""
    region = ctx.user.region
    if region.level not in (Level.COUNTY, Level.TOWNSHIP):
        return []
    missing = unreported([region], reporting_since(ctx.today), ctx.soon)
    drafts = {
        (r.kind, r.period): r
        for r in _latest_reports(
            reports_visible_to(ctx.user).filter(
                status__in=[ReportStatus.DRAFT, ReportStatus.SIGNED_OFF, ReportStatus.REVISE],
                region=region,
                unit__isnull=True,
            )
        )
    }
    by_kind: dict[str, list[tuple[date, date]]] = {}
    for kind, period, due, _districts in missing:
        by_kind.setdefault(kind, []).append((period, due))
    items = []
    for kind, periods in by_kind.items():
        period, due = periods[0]  # the oldest
        label = f"{ReportKind(kind).label}（{period_label(kind, period)}）"
        draft = drafts.get((kind, period))
        if draft is None:
            title, url = f"{label}尚未报送", _url("reporting:reports", kind=kind)
        elif draft.status == ReportStatus.DRAFT:
            todo = "待审核报送" if region.level == Level.COUNTY else "待报送"
            title, url = f"{label}已编制，{todo}", reverse("reporting:report", args=[draft.pk])
        elif draft.status == ReportStatus.REVISE:
            title = f"{label}被审核人退回，请按审核意见修改后重新编制"
            url = reverse("reporting:report", args=[draft.pk])
        else:
            title, url = f"{label}已审核，待报送", reverse("reporting:report", args=[draft.pk])
        if len(periods) > 1:
            last = period_label(kind, periods[-1][0])
            title += f"；连同此后各期至{last}共 {len(periods)} 期未报"
        items.append(
            Item(
                key=f"report-due:{region.code}:{kind}:{period:%Y%m}",
                kind="报表报送",
                title=title,
                due=due,
                url=url,
                count=len(periods) if len(periods) > 1 else None,
            )
        )
    return items


@source(R.COUNTY_REVIEWER)
def reports_to_sign(ctx: Context) -> list[Item]:
    """The district's own drafts (its townships' and units' reports are not signed here)."""
    rows = _latest_reports(
        reports_visible_to(ctx.user).filter(
            status=ReportStatus.DRAFT, region=ctx.user.region, unit__isnull=True
        )
    )
    return [
        Item(
            key=f"report-sign:{r.pk}",
            kind="报表审核",
            title=f"{r.region.name} {r.get_kind_display()}（{period_label(r.kind, r.period)}）"
            "待审核",
            due=r.due_date,
            url=reverse("reporting:report", args=[r.pk]),
        )
        for r in rows.select_related("region").order_by("due_date", "pk")[:50]
    ]


@source(R.DISCIPLINE)
def quarterly_received(ctx: Context) -> list[Item]:
    """Quarterly clue reports the districts submitted to discipline inspection: to read."""
    since = add_months(ctx.today.replace(day=1), -6)
    rows = Report.objects.filter(
        kind=ReportKind.CLUE_QUARTERLY,
        status=ReportStatus.SUBMITTED,
        submitted_at__date__gte=since,
        region__code__range=(ctx.user.region_id, _upper(ctx.user.region_id)),
    ).select_related("region")
    return [
        Item(
            key=f"quarterly:{r.pk}",
            kind="季度线索报告",
            title=f"{r.region.name} 报来{period_label(r.kind, r.period)}问题线索情况，请查阅",
            due=None,
            url=reverse("reporting:report", args=[r.pk]),
            info=True,
        )
        for r in rows.order_by("period", "region_id")[:50]
    ]


def _upper(code: str) -> str:

    return subtree_bounds(code)[1]


def _unreported_items(ctx: Context, rows, key: str, noun: str) -> list[Item]:
    """One item per report and period from `rows` (kind, period, due, the regions or units
    that have not sent it): who is missing, and whether late or when due."""
    items = []
    for kind, period, due, missing in rows:
        names = "、".join(r.name for r in missing[:5])
        if len(missing) > 5:
            names += f"等 {len(missing)} 个{noun}"
        state = "未报（已逾期）" if due < ctx.today else f"未报（{_day(due)}截止）"
        items.append(
            Item(
                key=f"{key}:{kind}:{period:%Y%m}",
                kind="报送情况",
                title=f"{ReportKind(kind).label}（{period_label(kind, period)}）：{names}{state}",
                due=due,
                url=_url("reporting:board", kind=kind, month=f"{period:%Y-%m}"),
                count=len(missing),
            )
        )
    return items


@source(R.COUNTY_CLERK, R.COUNTY_REVIEWER)
def reporters_late(ctx: Context) -> list[Item]:
    """Reports owed to the county's housing bureau (its townships' and units' progress
    reports, seed 003) not yet received, late or due within three working days."""
    region = ctx.user.region
    if region.level != Level.COUNTY:
        return []
    rows = unreported_to(region, reporting_since(ctx.today), ctx.soon)
    return _unreported_items(ctx, rows, f"owed:{region.code}", "单位")


@source(R.CITY_OFFICE)
def districts_late(ctx: Context) -> list[Item]:
    """Per report and period (any period since ANJU_REPORTING_SINCE): the districts that have
    not reported it and are late or due within three working days."""
    districts = list(districts_within(ctx.user.region))
    rows = unreported(districts, reporting_since(ctx.today), ctx.soon)
    return _unreported_items(ctx, rows, "late", "区县")


# Township work ---------------------------------------------------------------------------------


@source(R.TOWNSHIP_CLERK)
def problem_items(ctx: Context) -> list[Item]:
    rows = (
        items_visible_to(ctx.user)
        .filter(status=ItemStatus.OPEN, deadline__lte=ctx.soon)
        .order_by("deadline", "pk")
    )
    found = list(rows[: SINGLE_LIMIT + 1])
    items = [
        Item(
            key=f"item:{i.pk}",
            kind="问题清单整改",
            title=f"整改事项：{i.description[:40]}（责任人 {i.owner}）",
            due=i.deadline,
            url=_url("oversight:items", status="open"),
        )
        for i in found[:SINGLE_LIMIT]
    ]
    if len(found) > SINGLE_LIMIT:
        items.append(
            Item(
                key="items:more",
                kind="问题清单整改",
                title="其余到期的整改事项",
                due=found[SINGLE_LIMIT].deadline,
                url=_url("oversight:items", status="open"),
                count=rows.count() - SINGLE_LIMIT,
            )
        )
    return items


@source(R.TOWNSHIP_CLERK)
def assessment_tasks(ctx: Context) -> list[Item]:
    """Assessment tasks overdue or due within three working days; all open ones due this
    quarter behind a counter."""
    tasks = tasks_visible_to(ctx.user).filter(done_on__isnull=True)
    urgent = tasks.filter(due_on__lte=ctx.soon)
    found = urgent.aggregate(n=Min("due_on"))
    items = []
    count = urgent.count() if found["n"] else 0
    if count:
        items.append(
            Item(
                key=f"tasks-urgent:{ctx.user.region_id}",
                kind="新增对象鉴定",
                title=f"{count} 户新增对象鉴定任务已逾期或三个工作日内到期",
                due=found["n"],
                url=_url("assessments:tasks", status="overdue")
                if found["n"] < ctx.today
                else reverse("assessments:tasks"),
                count=count,
            )
        )
    quarter_end = _quarter_end(ctx.today)
    later = tasks.filter(due_on__gt=ctx.soon, due_on__lte=quarter_end)
    n_later = later.count()
    if n_later:
        items.append(
            Item(
                key=f"tasks-quarter:{ctx.user.region_id}:{quarter_end:%Y%m}",
                kind="新增对象鉴定",
                title=f"本季度内到期的鉴定任务 {n_later} 户",
                due=later.aggregate(n=Min("due_on"))["n"],
                url=reverse("assessments:tasks"),
                count=n_later,
            )
        )
    return items


@source(R.TOWNSHIP_CLERK)
def visits_due(ctx: Context) -> list[Item]:

    count = due_this_quarter(households_visible_to(ctx.user), ctx.today).count()
    if not count:
        return []
    end = _quarter_end(ctx.today)
    quarter = (ctx.today.month - 1) // 3 + 1
    return [
        Item(
            key=f"visits:{ctx.user.region_id}:{ctx.today.year}Q{quarter}",
            kind="季度回访",
            title=f"{ctx.today.year}年第{quarter}季度还有 {count} 户需跟踪回访",
            due=end,
            url=reverse("households:visits"),
            count=count,
        )
    ]


@source(R.TOWNSHIP_CLERK)
def plates_to_hang(ctx: Context) -> list[Item]:

    households = households_visible_to(ctx.user)
    count = missing_plates(households, ctx.today).count()
    if not count:
        return []
    due = (
        SafetyPlate.objects.filter(household__in=households, installed_on__isnull=True)
        .aggregate(d=Min("deadline"))
        .get("d")
    )
    return [
        Item(
            key=f"plates:{ctx.user.region_id}",
            kind="安全牌挂牌",
            title=f"{count} 户安全状况牌未挂牌上墙",
            due=due,
            url=reverse("households:plates"),
            count=count,
        )
    ]


@source(R.TOWNSHIP_CLERK)
def observations_new(ctx: Context) -> list[Item]:

    rows = (
        observations_visible_to(ctx.user)
        .filter(status=ObservationStatus.NEW)
        .select_related("region")
        .order_by("respond_by", "pk")
    )
    return [
        Item(
            key=f"observation:{o.pk}",
            kind="帮扶责任人报告",
            title=f"{o.region.name} 帮扶责任人报告：{o.get_kind_display()}，待处置",
            due=o.respond_by,
            url=reverse("cadres:observation", args=[o.pk]),
        )
        for o in rows[:50]
    ]


@source(R.TOWNSHIP_CLERK, R.COUNTY_CLERK)
def changes_sent_back(ctx: Context) -> list[Item]:
    """The person's own change requests a reviewer turned down in the last 30 days: to read
    the reviewer's note and propose again if need be."""
    from django.utils import timezone

    since = timezone.now() - timedelta(days=30)
    rows = (
        ChangeRequest.objects.filter(
            proposed_by=ctx.user, status=ChangeStatus.REJECTED, decided_at__gte=since
        )
        .select_related("household")
        .order_by("decided_at", "pk")
    )
    return [
        Item(
            key=f"change-rejected:{c.pk}",
            kind="变更申请退回",
            title=f"户主 {_masked_name(c.household.head_name)} 的{c.get_field_display()}变更被驳回"
            + (f"：{c.decision_note[:40]}" if c.decision_note else ""),
            due=None,
            url=reverse("households:household", args=[c.household_id]),
            info=True,
        )
        for c in rows[:50]
    ]


@source(R.COUNTY_REVIEWER)
def changes_to_decide(ctx: Context) -> list[Item]:

    rows = (
        ChangeRequest.objects.filter(
            # (Undoing a merge or a withdrawal is about a household no longer on record.)
            household__in=households_on_file_visible_to(ctx.user),
            status=ChangeStatus.PENDING,
        )
        .exclude(proposed_by=ctx.user)
        .select_related("household")
        .order_by("proposed_at", "pk")
    )
    return [
        Item(
            key=f"change:{c.pk}",
            kind="变更审核",
            title=f"户主 {_masked_name(c.household.head_name)} 的"
            f"{c.get_field_display()}变更申请待审核",
            due=None,
            url=_url("households:changes", status="pending"),
        )
        for c in rows[:50]
    ]


def _masked_name(name: str) -> str:
    """Surname and a star (SECURITY.md: masked by default)."""
    name = (name or "").strip()
    return name[:1] + "*" if name else ""
