"""The report workflow: prepare → sign off → submit, returned by the city, corrected as a new
version. Views never set a status; every change of state goes through `_move` and leaves a row."""

import hashlib
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.regions.models import Level, Region
from anju.reporting.deadlines import due_date
from anju.reporting.models import Report, ReportEvent, ReportKind
from anju.reporting.models import ReportStatus as S
from anju.reporting.sources import source_for
from anju.tabular.safety import UnsafeFile, check_spreadsheet

TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SIGNED_OFF},
    S.SIGNED_OFF: {S.SUBMITTED, S.DRAFT},
    S.SUBMITTED: {S.RETURNED, S.SUPERSEDED},
    S.RETURNED: {S.SUPERSEDED},
    S.SUPERSEDED: set(),
}


def _move(report: Report, to: str, *, actor, note: str = "") -> None:
    if to not in TRANSITIONS[report.status]:
        raise ValidationError(
            f"报表当前为「{report.get_status_display()}」，不能改为「{S(to).label}」。"
        )
    before = report.status
    report.status = to
    report.save()
    ReportEvent.objects.create(
        report=report, from_status=before, to_status=to, actor=actor, note=note[:300]
    )
    audit(
        actor=actor,
        action=Action.UPDATE,
        obj=report,
        before={"status": before},
        after={"status": to, "sha256": report.sha256},
        note=note,
    )


def _district(actor, region: Region) -> None:
    if not region_visible(actor, region.code):
        raise ValidationError("只能为本人所辖区县编制报表。")
    if region.level != Level.COUNTY:
        raise ValidationError("月报按区县编制。")


def latest(region: Region, kind: str, period: date) -> Report | None:
    return (
        Report.objects.filter(region=region, kind=kind, period=period).order_by("-version").first()
    )


def _fill(report: Report, remarks: str) -> None:
    source = source_for(report.kind)
    if source is None:
        raise ValidationError(
            f"「{ReportKind(report.kind).label}」的数据来源尚未启用，暂不能编制。"
        )
    content = source(report.region, report.period, remarks)
    report.values = {**content.values, "problems": content.problems}
    report.remarks = remarks
    report.file = content.xlsx
    report.sha256 = hashlib.sha256(content.xlsx).hexdigest()


def report_prepare(*, actor, region: Region, kind: str, period: date, remarks: str = "") -> Report:
    """Count the report from the records now (a draft); preparing again recounts the draft."""
    require(actor, Perm.PREPARE_REPORTS)
    _district(actor, region)
    kind = ReportKind(kind).value
    with transaction.atomic():
        current = latest(region, kind, period)
        if current is not None and current.status in (S.SUBMITTED, S.RETURNED, S.SUPERSEDED):
            raise ValidationError("该报表已报送；如需更正，请创建更正版本并说明原因。")
        if current is not None and current.status == S.SIGNED_OFF:
            _move(current, S.DRAFT, actor=actor, note="重新编制，需重新审核")
        report = current or Report(
            region=region,
            kind=kind,
            period=period,
            version=1,
            due_date=due_date(kind, period),
            prepared_by=actor,
        )
        report.prepared_by = actor
        _fill(report, remarks)
        report.full_clean(exclude=["file"])
        report.save()
        audit(
            actor=actor,
            action=Action.CREATE if current is None else Action.UPDATE,
            obj=report,
            after={"version": report.version, "sha256": report.sha256},
        )
    return report


def report_sign_off(*, actor, report: Report) -> Report:
    """The leader in charge reviews: not the preparer; disagreements must be explained."""
    require(actor, Perm.SIGN_OFF_REPORTS)
    if report.prepared_by_id == actor.pk:
        raise ValidationError("编制人不能审核自己编制的报表。")
    problems = report.values.get("problems") or []
    if problems and not report.remarks.strip():
        raise ValidationError(
            "报表与台账有不一致之处，须在备注中说明后才能审核：" + "；".join(problems)
        )
    with transaction.atomic():
        report.signed_off_by = actor
        _move(report, S.SIGNED_OFF, actor=actor)
    return report


def report_submit(*, actor, report: Report) -> Report:
    """Submit to the city: the numbers and file are frozen from here on."""
    require(actor, Perm.PREPARE_REPORTS)
    with transaction.atomic():
        report.submitted_at = timezone.now()
        _move(report, S.SUBMITTED, actor=actor)
        earlier = Report.objects.filter(
            region=report.region,
            kind=report.kind,
            period=report.period,
            version__lt=report.version,
            status__in=[S.SUBMITTED, S.RETURNED],
        )
        for old in earlier:
            _move(old, S.SUPERSEDED, actor=actor, note=f"由第 {report.version} 版取代")
    return report


def report_return(*, actor, report: Report, reason: str) -> Report:
    """The city sends a submitted report back with a reason."""
    require(actor, Perm.RETURN_REPORTS)
    if not reason.strip():
        raise ValidationError("退回须说明原因。")
    with transaction.atomic():
        _move(report, S.RETURNED, actor=actor, note=reason)
    return report


def report_correct(*, actor, report: Report, reason: str, remarks: str = "") -> Report:
    """A new version of a submitted or returned report, counted afresh, with the reason."""
    require(actor, Perm.PREPARE_REPORTS)
    if report.status not in (S.SUBMITTED, S.RETURNED):
        raise ValidationError("只有已报送或已退回的报表可以更正。")
    if not reason.strip():
        raise ValidationError("更正须说明原因。")
    with transaction.atomic():
        if latest(report.region, report.kind, report.period).pk != report.pk:
            raise ValidationError("已有更新的版本。")
        new = Report(
            region=report.region,
            kind=report.kind,
            period=report.period,
            version=report.version + 1,
            due_date=report.due_date,
            prepared_by=actor,
            reason=reason.strip()[:300],
        )
        _fill(new, remarks or report.remarks)
        new.save()
        ReportEvent.objects.create(
            report=new, from_status="", to_status=S.DRAFT, actor=actor, note=f"更正：{reason}"[:300]
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=new,
            after={"version": new.version, "reason": new.reason},
        )
    return new


# Hand-filled tables uploaded ---------------------------------------------------------------


def _plain(value):
    """Parsed values as JSON can keep them exactly: Decimals as text."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def compare(kind: str, filled: dict, counted: dict | None) -> list[str]:
    """Where an uploaded table and the ledger's count disagree, in Chinese, one line each."""
    from decimal import Decimal

    from anju.reporting.annexes import ANNEX1_COLUMNS

    if counted is None:
        return []
    lines = []
    if kind == ReportKind.ANNEX1:
        for i, (mine, theirs) in enumerate(
            zip(filled.get("values", []), counted.get("values", []), strict=False)
        ):
            if Decimal(str(mine)) != Decimal(str(theirs)):
                lines.append(f"第{i + 1}栏 {ANNEX1_COLUMNS[i]}：表中 {mine}，台账 {theirs}")
    else:
        ours, theirs = filled.get("rows", []), counted.get("rows", [])
        if len(ours) != len(theirs):
            lines.append(f"线索条数：表中 {len(ours)} 条，台账 {len(theirs)} 条")
        for label, key in (("涉及资金", "funds"), ("追缴资金", "recovered")):
            a = sum(Decimal(str(r.get(key, 0))) for r in ours)
            b = sum(Decimal(str(r.get(key, 0))) for r in theirs)
            if a != b:
                lines.append(f"{label}合计：表中 {a} 万元，台账 {b} 万元")
    return lines


def ledger_count(region: Region, kind: str, period: date) -> dict | None:
    source = source_for(kind)
    return source(region, period, "").values if source else None


def report_upload(*, actor, region: Region, data: bytes):
    """Read a hand-filled Annex 1 or 2; every problem is refused with the list of them."""
    from anju.reporting.deadlines import parse_month
    from anju.reporting.models import ReportUpload
    from anju.reporting.reader import ReadError, read_report

    require(actor, Perm.PREPARE_REPORTS)
    _district(actor, region)
    try:
        check_spreadsheet(data, allow_xls=False)
        parsed = read_report(data)
    except UnsafeFile as error:
        raise ValidationError(str(error)) from None
    except ReadError as error:
        raise ValidationError(error.problems) from None
    if not parsed["month"]:
        raise ValidationError("无法从标题读出所属月份。")
    if parsed["district"] and parsed["district"] not in region.name:
        parsed.setdefault("warnings", []).append(
            f"标题中的地区「{parsed['district']}」与所选区县「{region.name}」不同"
        )
    with transaction.atomic():
        upload = ReportUpload.objects.create(
            region=region,
            kind=parsed["kind"],
            period=parse_month(parsed["month"]),
            data=data,
            parsed=_plain(parsed),
            uploaded_by=actor,
        )
        audit(
            actor=actor,
            action=Action.IMPORT,
            obj=upload,
            note=f"上传手工填报 {parsed['kind']} {parsed['month']}，{len(data)} 字节",
        )
    return upload


def report_accept_upload(*, actor, upload) -> Report:
    """Take an uploaded table as the district's draft; disagreements with the ledger stay listed
    and must be explained in 备注 before sign-off."""
    require(actor, Perm.PREPARE_REPORTS)
    _district(actor, upload.region)
    if upload.accepted_as_id:
        raise ValidationError("该文件已经采用。")
    with transaction.atomic():
        current = latest(upload.region, upload.kind, upload.period)
        if current is not None and current.status in (S.SUBMITTED, S.RETURNED, S.SUPERSEDED):
            raise ValidationError("该报表已报送；如需更正，请先创建更正版本再上传。")
        if current is not None and current.status == S.SIGNED_OFF:
            _move(current, S.DRAFT, actor=actor, note="采用上传的手工填报表，需重新审核")
        report = current or Report(
            region=upload.region,
            kind=upload.kind,
            period=upload.period,
            version=1,
            due_date=due_date(upload.kind, upload.period),
            prepared_by=actor,
        )
        parsed = upload.parsed
        values = (
            {"values": parsed["values"]}
            if upload.kind == ReportKind.ANNEX1
            else {"rows": parsed["rows"]}
        )
        problems = compare(
            upload.kind, values, ledger_count(upload.region, upload.kind, upload.period)
        )
        report.values = {**values, "problems": problems, "uploaded": True}
        report.remarks = report.remarks or parsed.get("remarks", "")
        report.file = bytes(upload.data)
        report.sha256 = hashlib.sha256(report.file).hexdigest()
        report.prepared_by = actor
        report.save()
        upload.accepted_as = report
        upload.save(update_fields=["accepted_as"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=report,
            note="采用上传的手工填报表",
            after={"sha256": report.sha256, "problems": len(problems)},
        )
    return report
