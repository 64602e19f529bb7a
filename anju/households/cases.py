"""Dangerous houses made safe (seed 003: 一经鉴定为危房，即行整改): renovation cases.

A case opens when grade C or D is recorded for a household in a priority category (the method
proposed from the grade: C 修缮加固, D 拆除重建), when a follow-up visit finds the house back to
danger or the family still in the dangerous house, or by hand. The township then opens the
renovation record (year, method, the approved subsidy by level), which goes through the approval
steps of anju.households.renovations; acceptance closes the case. A relocation (造福工程) case
has its own steps: eligibility, mobilisation, moving in, the old house demolished or reused.

Deadlines: the renovation is to be applied for within the cross-check's `not_renovated_days`
(default 30, the NOT_RENOVATED rule's window) of the assessment, and the case completed within
ANJU_RENOVATION_CASE_DAYS (default 180) calendar days."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.choices import Grade, Method
from anju.households.events import registry_changed
from anju.households.facts import facts_refresh
from anju.households.models import (
    Assessment,
    CaseKind,
    CaseSource,
    CategoryRecord,
    Finding,
    FollowUpVisit,
    House,
    Household,
    OldHouse,
    Renovation,
    RenovationCase,
)
from anju.parameters import parameters
from anju.tabular.inserts import insert_rows

PROPOSED = {Grade.C: Method.REPAIR, Grade.D: Method.REBUILD}
# Visit findings that mean the house must be made safe again.
CASE_FINDINGS = (Finding.BACK_TO_DANGER, Finding.STILL_IN_OLD)
# Subsidy levels, as the form and the record name them.
LEVELS = (
    ("subsidy_central_fen", "中央"),
    ("subsidy_province_fen", "省级"),
    ("subsidy_city_fen", "市级"),
    ("subsidy_county_fen", "县级"),
)
# Relocation steps (field, label, the field that must come before it).
RELOCATION_STEPS: list[tuple[str, str, str | None]] = [
    ("eligible_on", "搬迁资格认定", None),
    ("mobilised_on", "动员签约", "eligible_on"),
    ("relocated_on", "搬迁入住", "mobilised_on"),
    ("old_house_on", "旧房拆除或另作他用", "relocated_on"),
]
RELOCATION_LABELS = {field: label for field, label, _ in RELOCATION_STEPS}


def start_days() -> int:
    """Days from the assessment by which the renovation is applied for (NOT_RENOVATED)."""
    return int(parameters()["not_renovated_days"])


def case_days() -> int:
    return int(getattr(settings, "ANJU_RENOVATION_CASE_DAYS", 180))


def in_priority_category(household: Household, on: date) -> bool:
    return CategoryRecord.objects.filter(
        Q(end__isnull=True) | Q(end__gt=on),
        Q(start__isnull=True) | Q(start__lte=on),
        household=household,
    ).exists()


def open_case(household: Household) -> RenovationCase | None:
    return household.cases.filter(closed_on__isnull=True).first()


def _create(*, actor, household, kind, source, method, since: date, **extra) -> RenovationCase:
    user = None if isinstance(actor, str) else actor
    try:
        with transaction.atomic():
            case = RenovationCase.objects.create(
                household=household,
                kind=kind,
                source=source,
                method=method,
                opened_on=timezone.localdate(),
                start_by=since + timedelta(days=start_days()),
                deadline=since + timedelta(days=case_days()),
                created_by=user,
                **extra,
            )
    except IntegrityError:
        raise ValidationError("该户已有未完成的危房整改事项。") from None
    audit(
        actor=actor,
        action=Action.CREATE,
        obj=case,
        region_code=household.region_id,
        note=f"{case.get_source_display()}，开启{case.get_kind_display()}",
        after={
            "household": household.pk,
            "kind": kind,
            "method": method,
            "start_by": str(case.start_by),
            "deadline": str(case.deadline),
        },
    )
    return case


def case_for_assessment(*, actor, assessment: Assessment) -> RenovationCase | None:
    """Grade C or D recorded for a household in a priority category opens a case, unless one is
    open already. Called by the assessment service in its transaction."""
    if assessment.grade not in PROPOSED:
        return None
    household = assessment.house.household
    on = assessment.assessed_on or timezone.localdate()
    if open_case(household) is not None or not in_priority_category(household, on):
        return None
    return _create(
        actor=actor,
        household=household,
        kind=CaseKind.RENOVATION,
        source=CaseSource.ASSESSMENT,
        method=PROPOSED[Grade(assessment.grade)],
        since=on,
        assessment=assessment,
        grade=assessment.grade,
    )


def cases_from_import(*, actor, batch, assessed: list[tuple[int, str, date | None]]) -> int:
    """The archive import's grade C/D assessments (`assessed`: the (house, grade, date) it
    wrote) open cases as the form does, set-based: one per household whose latest assessment is
    one of them, in a priority category that day (the NOT_RENOVATED rule's test), with no
    renovation answering it (one not accepted before the assessment: in progress or done, as
    the archive says) and no case opened for it (open, or closed on or after the assessment).
    Bulk insert, so audited here: one entry naming the batch and the count per region.
    Called in the import's transaction."""
    dangerous = {(house, grade, on) for house, grade, on in assessed if grade in PROPOSED}
    if not dangerous:
        return 0
    houses = sorted({house for house, _, _ in dangerous})
    today = timezone.localdate()
    start, finish = timedelta(days=start_days()), timedelta(days=case_days())
    rows, regions, seen = [], {}, set()
    for at in range(0, len(houses), 2000):
        household_of = dict(
            House.objects.filter(pk__in=houses[at : at + 2000]).values_list("pk", "household_id")
        )
        ids = sorted(set(household_of.values()))
        latest: dict[int, tuple] = {}
        for pk, house, household, grade, on in Assessment.objects.filter(
            house__household_id__in=ids
        ).values_list("pk", "house_id", "house__household_id", "grade", "assessed_on"):
            key = (on or date.min, pk)
            if household not in latest or key > latest[household][0]:
                latest[household] = (key, pk, house, grade, on)
        ended: dict[int, list] = {}
        for household, end in CategoryRecord.objects.filter(household_id__in=ids).values_list(
            "household_id", "end"
        ):
            ended.setdefault(household, []).append(end)
        accepted: dict[int, list] = {}
        for household, on in Renovation.objects.filter(household_id__in=ids).values_list(
            "household_id", "accepted_on"
        ):
            accepted.setdefault(household, []).append(on)
        closed: dict[int, list] = {}
        for household, on in RenovationCase.objects.filter(household_id__in=ids).values_list(
            "household_id", "closed_on"
        ):
            closed.setdefault(household, []).append(on)
        region_of = dict(Household.objects.filter(pk__in=ids).values_list("pk", "region_id"))
        for household in ids:
            if household in seen:  # its houses in two chunks: one case at most
                continue
            seen.add(household)
            _, assessment, house, grade, on = latest[household]
            if (house, grade, on) not in dangerous:
                continue  # a later assessment (A/B, or not this import's) decides
            since = on or today
            if not any(end is None or end > since for end in ended.get(household, [])):
                continue
            if any(a is None or a >= since for a in accepted.get(household, [])):
                continue
            if any(c is None or c >= since for c in closed.get(household, [])):
                continue
            rows.append(
                (
                    household,
                    CaseKind.RENOVATION,
                    CaseSource.ASSESSMENT,
                    assessment,
                    grade,
                    PROPOSED[Grade(grade)],
                    today,
                    since + start,
                    since + finish,
                )
            )
            region = region_of[household]
            regions[region] = regions.get(region, 0) + 1
    if not rows:
        return 0
    insert_rows(
        RenovationCase,
        [
            "household_id",
            "kind",
            "source",
            "assessment_id",
            "grade",
            "method",
            "opened_on",
            "start_by",
            "deadline",
        ],
        rows,
    )
    audit(
        actor=actor,
        action=Action.CREATE,
        obj=batch,
        region_code="",
        note=f"档案导入的C/D级鉴定开启危房整改事项 {len(rows)} 项",
        after={"cases": len(rows), "regions": regions},
    )
    return len(rows)


def case_open(
    *,
    actor,
    household: Household,
    kind: str,
    method: str,
    visit: FollowUpVisit | None = None,
    note: str = "",
) -> RenovationCase:
    """A case opened by the township: by hand, or from a visit's finding."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if kind not in CaseKind.values:
        raise ValidationError("请选择整改类型（危房改造或造福工程搬迁）。")
    if kind == CaseKind.RELOCATION:
        method = Method.RELOCATION
    if method not in Method.values:
        raise ValidationError("请选择改造方式。")
    if visit is not None and not set(visit.findings) & set(CASE_FINDINGS):
        raise ValidationError("该次回访没有发现返危或仍住危房，不能由此开启改造。")
    if open_case(household) is not None:
        raise ValidationError("该户已有未完成的危房整改事项。")
    with transaction.atomic():
        return _create(
            actor=actor,
            household=household,
            kind=kind,
            source=CaseSource.VISIT if visit else CaseSource.MANUAL,
            method=method,
            since=visit.visited_on if visit else timezone.localdate(),
            visit=visit,
            note=note.strip()[:300],
        )


def renovation_open(
    *,
    actor,
    household: Household,
    year: int,
    method: str,
    subsidies: dict[str, int],
    applied_on: date,
    case: RenovationCase | None = None,
) -> Renovation:
    """Open the renovation record of a case (a case is opened first when there is none): the
    household's application (农户申请) on `applied_on`, the approved subsidy by level in fen."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if household.pending:
        raise ValidationError("该户尚未完成建档，请先完善档案再开启改造。")
    if method not in Method.values:
        raise ValidationError("请选择改造方式。")
    if not 2000 <= year <= 2100:
        raise ValidationError("改造年度应为四位年份。")
    if applied_on > timezone.localdate():
        raise ValidationError("农户申请日期不能晚于今天。")
    unknown = set(subsidies) - {f for f, _ in LEVELS}
    if unknown:
        raise ValidationError("补助资金的级别不对。")
    if any(v < 0 for v in subsidies.values()):
        raise ValidationError("补助金额不能为负数。")
    if household.renovations.filter(year=year).exists():
        raise ValidationError(f"该户 {year} 年度已有改造记录，请在原记录上办理。")
    case = case or open_case(household)
    if case is not None and case.renovation_id is not None:
        raise ValidationError("该整改事项已开启改造，请在原记录上办理。")
    with transaction.atomic():
        if case is None:
            case = _create(
                actor=actor,
                household=household,
                kind=CaseKind.RENOVATION,
                source=CaseSource.MANUAL,
                method=method,
                since=applied_on,
            )
        renovation = Renovation(
            household=household,
            year=year,
            method=method,
            applied_on=applied_on,
            subsidy_fen=sum(subsidies.values()),
            **subsidies,
        )
        renovation.full_clean()
        renovation.save()
        case.renovation = renovation
        case.method = method
        case.save(update_fields=["renovation", "method"])
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=renovation,
            region_code=household.region_id,
            note="开启改造（农户申请）",
            after={
                "year": year,
                "method": method,
                "applied_on": str(applied_on),
                "case": case.pk,
                **{f: v for f, v in subsidies.items()},
            },
        )
        registry_changed.announce(regions=[household.region_id])
        facts_refresh([household.pk])
    return renovation


def renovation_from_visit(
    *,
    actor,
    visit: FollowUpVisit,
    year: int,
    method: str,
    subsidies: dict[str, int],
    applied_on: date,
) -> Renovation:
    """返危 or 仍住危房 found on a visit: the case and its renovation opened in one step."""
    with transaction.atomic():
        case = open_case(visit.household)
        if case is None:
            case = case_open(
                actor=actor,
                household=visit.household,
                kind=CaseKind.RENOVATION,
                method=method,
                visit=visit,
            )
        return renovation_open(
            actor=actor,
            household=visit.household,
            year=year,
            method=method,
            subsidies=subsidies,
            applied_on=applied_on,
            case=case,
        )


def case_close_accepted(*, renovation: Renovation) -> None:
    """Acceptance of the renovation completes its case (called by the step service)."""
    RenovationCase.objects.filter(renovation=renovation, closed_on__isnull=True).update(
        closed_on=renovation.accepted_on
    )


def relocation_step(
    *,
    actor,
    case: RenovationCase,
    step: str,
    on: date,
    destination: str = "",
    old_house: str = "",
) -> RenovationCase:
    """One step of a relocation (造福工程) case, in order; the last closes the case."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if case.kind != CaseKind.RELOCATION:
        raise ValidationError("只有造福工程搬迁事项按搬迁环节办理。")
    found = next((s for s in RELOCATION_STEPS if s[0] == step), None)
    if found is None:
        raise ValidationError("没有这个搬迁环节。")
    field, label, before = found
    if getattr(case, field):
        raise ValidationError(f"「{label}」已经记录（{getattr(case, field)}）。")
    if on > timezone.localdate():
        raise ValidationError("日期不能晚于今天。")
    if before is not None:
        previous = getattr(case, before)
        if previous is None:
            raise ValidationError(f"「{RELOCATION_LABELS[before]}」之前不能「{label}」。")
        if on < previous:
            raise ValidationError(
                f"「{label}」不能早于「{RELOCATION_LABELS[before]}」（{previous}）。"
            )
    if field == "relocated_on" and not destination.strip():
        raise ValidationError("搬迁入住须填写安置地点。")
    if field == "old_house_on" and old_house not in OldHouse.values:
        raise ValidationError("请选择旧房处置方式（拆除或另作他用）。")
    with transaction.atomic():
        setattr(case, field, on)
        changed = [field]
        if field == "relocated_on":
            case.destination = destination.strip()[:100]
            changed.append("destination")
        if field == "old_house_on":
            case.old_house = old_house
            case.closed_on = on
            changed += ["old_house", "closed_on"]
        case.save(update_fields=changed)
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=case,
            region_code=case.household.region_id,
            after={
                "step": label,
                "on": str(on),
                **({"destination": destination} if destination else {}),
                **({"old_house": old_house} if old_house else {}),
            },
        )
    return case


def case_status(case: RenovationCase, today: date) -> tuple[str, str]:
    """(what the case is at, in Chinese; which deadline it has missed: "" or its name)."""
    from anju.households.renovations import STEPS

    if case.closed_on:
        late = "逾期完成" if case.closed_on > case.deadline else ""
        return f"已完成（{case.closed_on:%Y-%m-%d}）", late
    missed = "已超过完成时限" if today > case.deadline else ""
    if case.kind == CaseKind.RELOCATION:
        done = [label for f, label, _ in RELOCATION_STEPS if getattr(case, f)]
        if not done and not missed and today > case.start_by:
            missed = "已超过启动时限"
        return (f"已{done[-1]}" if done else "待认定搬迁资格"), missed
    renovation = case.renovation
    if renovation is None:
        if not missed and today > case.start_by:
            missed = "已超过启动时限"
        return "待开启改造", missed
    done = [label for f, label, _ in STEPS if getattr(renovation, f)]
    ahead = next((label for f, label, _ in STEPS if not getattr(renovation, f)), "")
    text = f"已{done[-1]}" if done else "已开启"
    return (f"{text}，下一步：{ahead}" if ahead else text), missed


def subsidy_text(renovation: Renovation) -> str:
    """核定补助 and its split by level, in yuan, as the household page says it."""

    def yuan(fen: int) -> str:
        return f"{fen / 100:,.2f}".replace(".00", "")

    parts = [
        f"{label} {yuan(getattr(renovation, field))}"
        for field, label in LEVELS
        if getattr(renovation, field)
    ]
    return f"{yuan(renovation.subsidy_fen)} 元" + (f"（{'，'.join(parts)}）" if parts else "")
