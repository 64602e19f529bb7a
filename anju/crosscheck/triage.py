"""Triage of findings: 待核实 → 属实 (a clue through the ledger's one intake, with the evidence)
or 不属实 (with a reason, kept for the record)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crosscheck.choices import FindingStatus, Rule
from anju.crosscheck.models import Finding
from anju.decisions import lock_for_decision, taken
from anju.households.merges import move_records
from anju.oversight.choices import ProblemKind, SourceChannel
from anju.oversight.services import PersonInput, clue_register

# Seed 000's four areas, for the clue a confirmed finding opens.
PROBLEM_OF_RULE = {
    Rule.DECEASED_BENEFICIARY: ProblemKind.TARGETING,
    Rule.INELIGIBLE: ProblemKind.TARGETING,
    Rule.DUPLICATE_SUBSIDY: ProblemKind.TARGETING,
    Rule.INVALID_ID: ProblemKind.TARGETING,
    Rule.RECORD_MISMATCH: ProblemKind.TARGETING,
    Rule.PAYMENT_ACCOUNT: ProblemKind.FUNDS,
    Rule.PAYMENT_AMOUNT: ProblemKind.FUNDS,
    Rule.PAYMENT_LATE: ProblemKind.FUNDS,
    Rule.NO_ASSESSMENT: ProblemKind.STYLE,
    Rule.GRADE_MISMATCH: ProblemKind.STYLE,
    Rule.AREA_STANDARD: ProblemKind.STYLE,
    Rule.NO_TOILET: ProblemKind.STYLE,
    Rule.NO_ACCEPTANCE: ProblemKind.STYLE,
    Rule.ASSESSMENT_OVERDUE: ProblemKind.RESPONSIBILITY,
    Rule.VISIT_OVERDUE: ProblemKind.RESPONSIBILITY,
    Rule.PLATE_MISSING: ProblemKind.RESPONSIBILITY,
    Rule.STILL_IN_DANGEROUS_HOUSE: ProblemKind.RESPONSIBILITY,
    Rule.NOT_RENOVATED: ProblemKind.RESPONSIBILITY,
}


RULE_ORDER = {code: at for at, code in enumerate(Rule.values)}


def case_of(finding: Finding, visible) -> list[Finding]:
    """The finding's case: every finding among `visible` on the same household and renovation
    year (INELIGIBLE and RECORD_MISMATCH on the same household's latest renovation fall
    together), in the rules' order; the finding alone when it concerns no household."""
    if finding.household_id is None:
        return [finding]
    case = list(
        visible.filter(household_id=finding.household_id, renovation_year=finding.renovation_year)
        .select_related("region")
        .order_by("pk")
    )
    if finding not in case:
        case.append(finding)
    return sorted(case, key=lambda f: (RULE_ORDER.get(f.rule, 99), f.pk))


def reasons(findings: list[Finding]) -> str:
    """The rules' names, each once, in order: 「已死亡人员仍享受补助」「补助未发放到本户账户」."""
    labels = dict.fromkeys(Rule(f.rule).label for f in findings)
    return "".join(f"「{label}」" for label in labels)


def _pending(finding: Finding, actor) -> None:
    """Lock the finding for this transaction and check nobody has triaged it meanwhile."""
    lock_for_decision(finding)
    if finding.status != FindingStatus.PENDING:
        state = finding.get_status_display()
        raise taken("该发现", state, by_id=finding.triaged_by_id, actor=actor)


def confirm(
    *,
    actor,
    finding: Finding,
    persons: list[PersonInput],
    note: str = "",
    confirm_new: bool = False,
    merge_into=None,
    case: list[Finding] | None = None,
):
    """属实: register one clue (source 数据比对) naming every reason of the case (`case`: the
    pending findings triaged together, by default the finding alone) with their evidence, and
    mark each finding confirmed into it. Returns (clue, duplicates) as the intake does:
    duplicates found and neither confirmed nor merged means nothing yet."""
    require(actor, Perm.TRIAGE_FINDINGS)
    findings = [f for f in (case or [finding]) if f.status == FindingStatus.PENDING] or [finding]
    with transaction.atomic():
        for item in findings:
            _pending(item, actor)
        if len(findings) == 1:
            summary = f"{finding.evidence}。（数据比对：{Rule(finding.rule).label}）"
        else:
            summary = f"数据比对发现{len(findings)}项问题：{reasons(findings)}。" + "；".join(
                f.evidence for f in findings
            )
        if note.strip():
            summary = f"{summary}核实情况：{note.strip()}"
        clue, duplicates = clue_register(
            actor=actor,
            region=findings[0].region,
            place=findings[0].region.name,
            source_channel=SourceChannel.DATA_CHECK,
            received_on=timezone.localdate(),
            category=PROBLEM_OF_RULE[Rule(findings[0].rule)],
            summary=summary[:300],
            funds=(Decimal(max(f.amount_fen for f in findings)) / 1_000_000).quantize(
                Decimal("0.01")
            ),  # 万元
            persons=persons,
            confirm_new=confirm_new,
            merge_into=merge_into,
        )
        if clue is None:
            return None, duplicates
        for item in findings:
            item.clue = clue
            _settle(actor, item, FindingStatus.CONFIRMED, note, {"clue": clue.number})
    return clue, []


def _settle(actor, finding: Finding, status: str, reason: str, after: dict) -> None:
    """Record the triage of one finding, and audit it (inside the caller's transaction)."""
    finding.status = status
    finding.reason = reason.strip()[:300]
    finding.triaged_by = actor
    finding.triaged_at = timezone.now()
    finding.save(update_fields=["status", "clue", "reason", "triaged_by", "triaged_at"])
    audit(
        actor=actor,
        action=Action.UPDATE,
        obj=finding,
        before={"status": FindingStatus.PENDING},
        after={"status": status, **after},
        region_code=finding.region_id,
    )


def dismiss(*, actor, finding: Finding, reason: str) -> Finding:
    """不属实: kept, with the reason, for the record (and for whoever checks the checker)."""
    dismiss_case(actor=actor, reasons={finding: reason})
    return finding


def dismiss_case(*, actor, reasons: dict[Finding, str]) -> None:
    """不属实 for a case: every finding with its own reason (all or none are dismissed)."""
    require(actor, Perm.TRIAGE_FINDINGS)
    for finding, reason in reasons.items():
        if not reason.strip():
            label = Rule(finding.rule).label
            raise ValidationError(
                f"不属实的理由：核实为不属实须说明理由，请填写「{label}」不属实的理由。"
            )
    with transaction.atomic():
        for finding, reason in reasons.items():
            _pending(finding, actor)
            _settle(
                actor, finding, FindingStatus.DISMISSED, reason, {"reason": reason.strip()[:300]}
            )


def on_household_records_moved(*, actor, source_id: int, target_id: int, only) -> dict:
    """A household merged (or a merge undone): its findings follow it."""
    return move_records(
        actor=actor,
        kinds={"crosscheck.findings": Finding.objects.all()},
        source_id=source_id,
        target_id=target_id,
        only=only,
        note="合并重复户：比对发现随户移动",
    )
