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
):
    """属实: register a clue (source 数据比对) carrying the evidence. Returns (clue, duplicates)
    as the intake does: duplicates found and neither confirmed nor merged means nothing yet."""
    require(actor, Perm.TRIAGE_FINDINGS)
    with transaction.atomic():
        _pending(finding, actor)
        summary = f"{finding.evidence}。（数据比对：{Rule(finding.rule).label}）"
        if note.strip():
            summary += f"核实情况：{note.strip()}"
        clue, duplicates = clue_register(
            actor=actor,
            region=finding.region,
            place=finding.region.name,
            source_channel=SourceChannel.DATA_CHECK,
            received_on=timezone.localdate(),
            category=PROBLEM_OF_RULE[Rule(finding.rule)],
            summary=summary[:300],
            funds=(Decimal(finding.amount_fen) / 1_000_000).quantize(Decimal("0.01")),  # 万元
            persons=persons,
            confirm_new=confirm_new,
            merge_into=merge_into,
        )
        if clue is None:
            return None, duplicates
        finding.status = FindingStatus.CONFIRMED
        finding.clue = clue
        finding.reason = note.strip()[:300]
        finding.triaged_by = actor
        finding.triaged_at = timezone.now()
        finding.save(update_fields=["status", "clue", "reason", "triaged_by", "triaged_at"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=finding,
            before={"status": FindingStatus.PENDING},
            after={"status": FindingStatus.CONFIRMED, "clue": clue.number},
            region_code=finding.region_id,
        )
    return clue, []


def dismiss(*, actor, finding: Finding, reason: str) -> Finding:
    """不属实: kept, with the reason, for the record (and for whoever checks the checker)."""
    require(actor, Perm.TRIAGE_FINDINGS)
    reason = reason.strip()
    if not reason:
        raise ValidationError("核实为不属实须说明理由。")
    with transaction.atomic():
        _pending(finding, actor)
        finding.status = FindingStatus.DISMISSED
        finding.reason = reason[:300]
        finding.triaged_by = actor
        finding.triaged_at = timezone.now()
        finding.save(update_fields=["status", "reason", "triaged_by", "triaged_at"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=finding,
            before={"status": FindingStatus.PENDING},
            after={"status": FindingStatus.DISMISSED, "reason": finding.reason},
            region_code=finding.region_id,
        )
    return finding
