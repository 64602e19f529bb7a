"""The report workflow: prepare → sign off → submit, returned by the city, corrected as a new
version. Views never set a status; every change of state goes through `_move` and leaves a row."""

import hashlib
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, region_visible, require, unit_bound, unit_of
from anju.audit.models import Action
from anju.audit.services import audit
from anju.regions.models import Level, Region
from anju.reporting.annexes import Signature
from anju.reporting.deadlines import due_date
from anju.reporting.duties import Duty, duty_for, owes
from anju.reporting.models import Report, ReportEvent, ReportKind
from anju.reporting.models import ReportStatus as S
from anju.reporting.sources import source_for
from anju.tabular.safety import UnsafeFile, check_spreadsheet

TRANSITIONS: dict[str, set[str]] = {
    # A township or a unit submits its own draft, naming its leader (no reviewer in the system).
    S.DRAFT: {S.SIGNED_OFF, S.REVISE, S.SUBMITTED},
    S.REVISE: {S.DRAFT},
    S.SIGNED_OFF: {S.SUBMITTED, S.DRAFT, S.REVISE},
    S.SUBMITTED: {S.RETURNED, S.SUPERSEDED, S.ACKNOWLEDGED},
    S.ACKNOWLEDGED: {S.RETURNED, S.SUPERSEDED},
    S.RETURNED: {S.SUPERSEDED},
    S.SUPERSEDED: set(),
}
# States in which a version has gone out and stays frozen.
SENT = (S.SUBMITTED, S.ACKNOWLEDGED, S.RETURNED, S.SUPERSEDED)

# The stamped scan: PDF or an image, told by content; at most 20 MB.
SCAN_TYPES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
MAX_SCAN_BYTES = 20 * 1024 * 1024
# The seed asks for the electronic file and the stamped scan of Annexes 1 and 2.
SCAN_REQUIRED = {ReportKind.ANNEX1, ReportKind.ANNEX2, ReportKind.CLUE_QUARTERLY}


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


def _reporter(actor, kind: str, region: Region, unit=None) -> Duty:
    """The duty under which `region` (or `unit`) owes this report, checked against who the actor
    is: one prepares one's own district's, township's or unit's report."""
    if unit is not None:
        region = unit.region
    duty = owes(kind, region, unit)
    if duty is None:
        whole = duty_for(kind, region, unit=unit is not None)
        raise ValidationError(
            f"「{ReportKind(kind).label}」按报送要求由{whole.reporters_label}"
            f"报送{whole.recipient}，{unit.name if unit else region.name}不需报送。"
        )
    if unit is not None:
        if unit_of(actor) is None or unit_of(actor).pk != unit.pk:
            raise ValidationError("只能编制本单位的报表。")
    elif unit_bound(actor):
        raise ValidationError("部门经办员只能编制本单位的报表。")
    elif not region_visible(actor, region.code) or actor.region_id != region.code:
        raise ValidationError("只能编制本人所在区县或乡镇（街道）的报表。")
    return duty


def latest(region: Region, kind: str, period: date, unit=None) -> Report | None:
    found = Report.objects.filter(kind=kind, period=period)
    found = found.filter(unit=unit) if unit is not None else found.filter(region=region, unit=None)
    return found.order_by("-version").first()


def needs_sign_off(report: Report) -> bool:
    """A district's report is signed off by its reviewer before it goes; a township's or a
    unit's goes with its leader named on submission."""
    return report.unit_id is None and report.region.level == Level.COUNTY


def _source(kind: str):
    source = source_for(kind)
    if source is None:
        raise ValidationError(f"「{ReportKind(kind).label}」的数据来源尚未启用，暂不能编制。")
    return source


def _content(report: Report, signature=None):
    extra = {"unit": report.unit, "narrative": report.narrative}
    return _source(report.kind)(report.region, report.period, report.remarks, signature, **extra)


def _fill(report: Report, remarks: str) -> None:
    report.remarks = remarks
    content = _content(report)
    report.values = {**content.values, "problems": content.problems}
    report.file = content.xlsx
    report.sha256 = hashlib.sha256(content.xlsx).hexdigest()


def report_prepare(
    *,
    actor,
    region: Region,
    kind: str,
    period: date,
    remarks: str = "",
    narrative: str = "",
    unit=None,
) -> Report:
    """Count the report from the records now (a draft); preparing again recounts the draft.
    `unit`: a responsible unit preparing its own report (the progress report, seed 003);
    `narrative`: the progress report's 突出问题处理情况."""
    require(actor, Perm.PREPARE_REPORTS)
    kind = ReportKind(kind).value
    duty = _reporter(actor, kind, region, unit)
    if unit is not None:
        region = unit.region
    with transaction.atomic():
        current = latest(region, kind, period, unit)
        if current is not None and current.status in SENT:
            raise ValidationError("该报表已报送；如需更正，请创建更正版本并说明原因。")
        if current is not None and current.status in (S.SIGNED_OFF, S.REVISE):
            _move(current, S.DRAFT, actor=actor, note="重新编制，需重新审核")
        report = current or Report(
            region=region,
            unit=unit,
            kind=kind,
            period=period,
            version=1,
            due_date=due_date(kind, period),
            prepared_by=actor,
        )
        report.prepared_by = actor
        report.sent_to = duty.recipient
        report.narrative = narrative.strip()
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


def report_sign_off(*, actor, report: Report, comment: str = "") -> Report:
    """The leader in charge reviews: not the preparer; disagreements must be explained."""
    require(actor, Perm.SIGN_OFF_REPORTS)
    if not needs_sign_off(report) or not is_reporter(actor, report):
        raise ValidationError(f"该报表由{report.reporter_name}自行审签，不在此审核。")
    if report.prepared_by_id == actor.pk:
        raise ValidationError("编制人不能审核自己编制的报表。")
    problems = report.values.get("problems") or []
    if problems and not report.remarks.strip():
        raise ValidationError(
            "报表与台账有不一致之处，须在备注中说明后才能审核：" + "；".join(problems)
        )
    with transaction.atomic():
        report.signed_off_by = actor
        _move(report, S.SIGNED_OFF, actor=actor, note=comment.strip())
    return report


def report_send_back(*, actor, report: Report, comment: str) -> Report:
    """The reviewer returns a draft (or a report already signed off, before it goes out) to its
    preparer with a comment; preparing it again makes it a draft to review once more."""
    require(actor, Perm.SIGN_OFF_REPORTS)
    if not comment.strip():
        raise ValidationError("退回修改须填写审核意见。")
    with transaction.atomic():
        report.signed_off_by = None
        _move(report, S.REVISE, actor=actor, note=comment.strip())
    return report


def scan_type(data: bytes) -> str:
    """The scan's content type, told by content (not name); ValidationError if not a PDF or an
    image, or too large."""
    if not data:
        raise ValidationError("盖章扫描件：请选择盖章后的扫描件（PDF 或 JPG/PNG 图片）。")
    if len(data) > MAX_SCAN_BYTES:
        raise ValidationError(f"盖章扫描件：文件超过 {MAX_SCAN_BYTES // 1024 // 1024} MB。")
    for magic, kind in SCAN_TYPES:
        if data.startswith(magic):
            return kind
    raise ValidationError("盖章扫描件：不是 PDF 或 JPG/PNG 图片（按文件内容识别）。")


def footer_for(report: Report, *, phone: str, at, leader: str = "") -> Signature:
    """The 填表人 / 联系电话 / 单位分管负责人 / 填报时间 lines: the preparer, the reviewer who
    signed it off, the submission time."""
    day = timezone.localtime(at).date()
    return Signature(
        unit=report.reporter_name,
        filled_on=f"{day.year}年{day.month}月{day.day}日",
        filled_by=str(report.prepared_by),
        phone=phone.strip(),
        leader=str(report.signed_off_by or "") or leader.strip(),
    )


def _plain_values(values: dict) -> dict:
    """The numbers as stored (JSON: tuples become lists, Decimals text), without the notes."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    kept = {k: v for k, v in values.items() if k not in ("problems", "uploaded")}
    return json.loads(json.dumps(kept, cls=DjangoJSONEncoder))


def report_submit(
    *,
    actor,
    report: Report,
    phone: str = "",
    scan: bytes | None = None,
    scan_name: str = "",
    leader: str = "",
) -> Report:
    """Send the report on to whom its duty names (the city, the discipline commission, the
    county's housing bureau): the file is written once more with its footer filled, and the
    numbers, file and stamped scan are frozen with their SHA-256 from here on. A district's
    report must be signed off first; a township's or a unit's names its
    `leader` (单位分管负责人)."""
    require(actor, Perm.PREPARE_REPORTS)
    if not is_reporter(actor, report):
        raise ValidationError(f"只有{report.reporter_name}可以报送该报表。")
    if needs_sign_off(report):
        if report.status != S.SIGNED_OFF:
            raise ValidationError(
                f"报表当前为「{report.get_status_display()}」，审核通过后才能报送。"
            )
    else:
        if report.status not in (S.DRAFT, S.SIGNED_OFF):
            raise ValidationError(f"报表当前为「{report.get_status_display()}」，不能报送。")
        if not leader.strip():
            raise ValidationError("单位分管负责人：请填写本单位分管负责人的姓名。")
        if len(leader.strip()) > 50:
            raise ValidationError("单位分管负责人：不超过 50 个字符。")
    kind_of_scan = ""
    if report.kind in SCAN_REQUIRED or scan:
        kind_of_scan = scan_type(scan or b"")
    if not phone.strip():
        raise ValidationError("联系电话：请填写填表人的联系电话。")
    if len(phone.strip()) > 30:
        raise ValidationError("联系电话：不超过 30 个字符。")
    now = timezone.now()
    with transaction.atomic():
        sig = footer_for(report, phone=phone, at=now, leader=leader)
        if not report.values.get("uploaded"):
            content = _content(report, sig)
            if _plain_values(content.values) != _plain_values(report.values):
                raise ValidationError(
                    "审核后台账已有变化，报送的数字会与审核时不同：请重新编制并送审核。"
                )
            report.file = content.xlsx
            report.sha256 = hashlib.sha256(content.xlsx).hexdigest()
        if scan:
            report.scan = scan
            report.scan_name = scan_name[:200]
            report.scan_type = kind_of_scan
            report.scan_sha256 = hashlib.sha256(scan).hexdigest()
        report.footer = {
            "填表人": sig.filled_by,
            "联系电话": sig.phone,
            "单位分管负责人": sig.leader,
            "填报时间": sig.filled_on,
        }
        report.submitted_at = now
        _move(report, S.SUBMITTED, actor=actor, note=f"报送{report.recipient}")
        earlier = Report.objects.filter(
            region=report.region,
            unit=report.unit,
            kind=report.kind,
            period=report.period,
            version__lt=report.version,
            status__in=[S.SUBMITTED, S.ACKNOWLEDGED, S.RETURNED],
        )
        for old in earlier:
            _move(old, S.SUPERSEDED, actor=actor, note=f"由第 {report.version} 版取代")
    return report


def report_return(*, actor, report: Report, reason: str) -> Report:
    """The receiving office (the city; a county's housing bureau for its townships' and units'
    progress reports) sends a submitted report back with a reason."""
    require(actor, Perm.RETURN_REPORTS)
    if not receives(actor, report):
        raise ValidationError(f"只有{report.recipient}可以退回该报表。")
    if not reason.strip():
        raise ValidationError("退回须说明原因。")
    with transaction.atomic():
        _move(report, S.RETURNED, actor=actor, note=reason)
    return report


def is_reporter(actor, report: Report) -> bool:
    """Whether `actor` works for the district, township or unit that owes the report."""
    if report.unit_id is not None:
        unit = unit_of(actor)
        return unit is not None and unit.pk == report.unit_id
    return not unit_bound(actor) and actor.region_id == report.region_id


def receives(actor, report: Report) -> bool:
    """Whether `actor` works for the office the report is sent to (their region is the duty's
    receiving region: the city for Annexes, the county for its townships' progress reports)."""
    receiving = duty_for(report.kind, report.region, unit=report.unit_id is not None).receiving
    return not unit_bound(actor) and actor.region_id == receiving


def report_acknowledge(*, actor, report: Report, note: str = "") -> Report:
    """The discipline commission signs for a quarterly clue report sent to it."""
    require(actor, Perm.RECEIVE_CLUE_REPORTS)
    if report.kind != ReportKind.CLUE_QUARTERLY:
        raise ValidationError("只有季度问题线索情况报送纪委监委签收。")
    with transaction.atomic():
        _move(report, S.ACKNOWLEDGED, actor=actor, note=note.strip() or "已签收")
    return report


def report_correct(*, actor, report: Report, reason: str, remarks: str = "") -> Report:
    """A new version of a submitted or returned report, counted afresh, with the reason."""
    require(actor, Perm.PREPARE_REPORTS)
    if not is_reporter(actor, report):
        raise ValidationError(f"只有{report.reporter_name}可以更正该报表。")
    if report.status not in (S.SUBMITTED, S.ACKNOWLEDGED, S.RETURNED):
        raise ValidationError("只有已报送或已退回的报表可以更正。")
    if not reason.strip():
        raise ValidationError("更正须说明原因。")
    with transaction.atomic():
        if latest(report.region, report.kind, report.period, report.unit).pk != report.pk:
            raise ValidationError("已有更新的版本。")
        new = Report(
            region=report.region,
            unit=report.unit,
            narrative=report.narrative,
            sent_to=report.sent_to,
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
    if not region_visible(actor, region.code) or region.level != Level.COUNTY:
        raise ValidationError("只能为本人所辖区县上传附件1、附件2。")
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
    _reporter(actor, upload.kind, upload.region)
    if upload.accepted_as_id:
        raise ValidationError("该文件已经采用。")
    with transaction.atomic():
        current = latest(upload.region, upload.kind, upload.period)
        if current is not None and current.status in SENT:
            raise ValidationError("该报表已报送；如需更正，请先创建更正版本再上传。")
        if current is not None and current.status in (S.SIGNED_OFF, S.REVISE):
            _move(current, S.DRAFT, actor=actor, note="采用上传的手工填报表，需重新审核")
        report = current or Report(
            region=upload.region,
            sent_to=duty_for(upload.kind, upload.region).recipient,
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
