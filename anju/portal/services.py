"""The public side's work: a report into the clue ledger with a tracking code, following it up,
photos without metadata, the reporter's identity sealed."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, region_visible, require
from anju.accounts.models import User
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crypto import seal
from anju.identity import mask_name
from anju.oversight.choices import ClueStatus, SourceChannel
from anju.oversight.idlinks import keep_ids
from anju.oversight.models import ClueEvent
from anju.oversight.services import PersonInput, clue_register
from anju.photos import PHOTO_LIMIT, clean_photo  # noqa: F401  (the portal's callers)
from anju.portal.models import PublicReport, ReportAddition, ReportPhoto
from anju.regions.models import Level, Region

CHANNEL = "公众举报"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
DESCRIPTION_LIMIT = 1000
PHOTOS = 3
PUBLIC_STATUS = {
    ClueStatus.REGISTERED: "已受理",
    ClueStatus.ASSIGNED: "核查中",
    ClueStatus.VERIFYING: "核查中",
    ClueStatus.DISPOSING: "处理中",
    ClueStatus.RECTIFYING: "整改中",
    ClueStatus.PENDING_CLOSE: "整改中",
    ClueStatus.CLOSED: "已办结",
    ClueStatus.MERGED: "已与同一问题的其他反映合并办理",
}


def new_code() -> str:
    """80 random bits as 16 characters in four groups: shown once, never stored."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def code_hash(code: str) -> str:
    """The keyed hash kept instead of the code (the key lives outside the database)."""
    normal = "".join(c for c in code.upper() if c.isalnum())
    normal = normal.translate(str.maketrans("IL O", "11 0")).replace(" ", "")
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal-code:{normal}".encode(), hashlib.sha256).hexdigest()


def registrar() -> User:
    """The account the ledger names as registrar of the portal's reports (it cannot log in)."""
    user, made = User.objects.get_or_create(
        username="portal", defaults={"full_name": "公众举报渠道", "is_active": False}
    )
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def place_of(region: Region) -> str:
    return "".join(r.name for r in region.ancestors() if r.level >= Level.COUNTY) + region.name


@dataclass
class Submitted:
    report: PublicReport
    code: str


def submit_report(
    *,
    region: Region,
    kind: str,
    description: str,
    name: str = "",
    phone: str = "",
    accused: str = "",
    photos: list[bytes] = (),
) -> Submitted:
    """Register the report through the ledger's one intake (a repeat of a known problem is
    merged into its clue) and return the tracking code, the only time it exists in clear."""
    description = " ".join(description.split())
    if not description:
        raise ValidationError("请描述反映的问题。")
    if len(description) > DESCRIPTION_LIMIT:
        raise ValidationError(f"问题描述限 {DESCRIPTION_LIMIT} 字。")
    if region.level < Level.COUNTY:
        raise ValidationError("请至少选择到县（市、区）。")
    if len(photos) > PHOTOS:
        raise ValidationError(f"最多上传 {PHOTOS} 张照片。")
    cleaned = [clean_photo(p) for p in photos]
    name, phone = name.strip()[:50], phone.strip()[:20]
    if phone and not phone.replace("-", "").isdigit():
        raise ValidationError("联系电话只能填写数字。")
    code = new_code()
    with transaction.atomic():
        summary = f"群众反映：{description}"[:300]
        persons = [PersonInput(name=accused.strip()[:50] or "未具名", post="", level="other")]
        clue, duplicates = clue_register(
            actor=CHANNEL,
            registrar=registrar(),
            region=region,
            place=place_of(region),
            source_channel=SourceChannel.PETITION,
            received_on=timezone.localdate(),
            category=kind,
            summary=summary,
            funds=0,
            persons=persons,
        )
        if clue is None:  # the same problem already on record: one clue, this as a source
            clue, _ = clue_register(
                actor=CHANNEL,
                registrar=registrar(),
                region=region,
                place=place_of(region),
                source_channel=SourceChannel.PETITION,
                received_on=timezone.localdate(),
                category=kind,
                summary=summary,
                funds=0,
                persons=persons,
                merge_into=duplicates[0][0],
            )
        report = PublicReport.objects.create(
            code_hash=code_hash(code),
            clue=clue,
            region=region,
            kind=kind,
            # ID numbers in the report: sealed with the clue (ClueLink), masked in the text.
            description=keep_ids(clue, description),
            anonymous=not (name or phone),
            reporter_name=seal(name, "portal.reporter_name"),
            reporter_phone=seal(phone, "portal.reporter_phone"),
        )
        ReportPhoto.objects.bulk_create(
            [ReportPhoto(report=report, data=data, content_type=ct) for data, ct in cleaned]
        )
        audit(
            actor=CHANNEL,
            action=Action.CREATE,
            obj=report,
            region_code=region.code,
            note=f"公众举报（{'匿名' if report.anonymous else '实名'}），线索 {clue.number}",
        )
    return Submitted(report=report, code=code)


def find_report(code: str) -> PublicReport | None:
    return PublicReport.objects.filter(code_hash=code_hash(code)).select_related("clue").first()


def public_status(report: PublicReport) -> str:
    return PUBLIC_STATUS.get(report.clue.status, "处理中")


def add_information(report: PublicReport, text: str) -> ReportAddition:
    text = " ".join(text.split())
    if not text:
        raise ValidationError("请填写补充内容。")
    if len(text) > DESCRIPTION_LIMIT:
        raise ValidationError(f"补充内容限 {DESCRIPTION_LIMIT} 字。")
    with transaction.atomic():
        text = keep_ids(report.clue, text)  # sealed with the clue, masked in the text
        addition = ReportAddition.objects.create(report=report, text=text)
        ClueEvent.objects.create(
            clue=report.clue,
            actor=registrar(),
            on=timezone.localdate(),
            note=f"举报人补充信息：{text[:200]}",
        )
        audit(
            actor=CHANNEL,
            action=Action.UPDATE,
            obj=report,
            region_code=report.region_id,
            note="举报人补充信息",
        )
    return addition


def reply(*, actor, report: PublicReport, text: str) -> PublicReport:
    """The public answer the reporter sees with their code (staff who handle clues)."""
    text = text.strip()
    if not text:
        raise ValidationError("答复不能为空。")
    report.public_reply = text[:DESCRIPTION_LIMIT]
    report.replied_at = timezone.now()
    report.replied_by = actor
    report.save(update_fields=["public_reply", "replied_at", "replied_by"])
    audit(
        actor=actor, action=Action.UPDATE, obj=report, after={"public_reply": report.public_reply}
    )
    return report


ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "blockquote",
}
RESPONSIBILITIES = "responsibilities"


def sanitise(html: str) -> str:
    """Only plain structure survives: no scripts, styles, event handlers or javascript: links."""
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto", "tel"},
    )


def page_save(*, actor, slug: str, title: str, body: str):
    from anju.portal.models import PortalPage

    require(actor, Perm.EDIT_PORTAL)
    title = title.strip()
    if not title:
        raise ValidationError("标题不能为空。")
    page, _ = PortalPage.objects.get_or_create(slug=slug, defaults={"title": title})
    before = {"title": page.title, "body": page.body}
    page.title, page.body, page.updated_by = title[:100], sanitise(body), actor
    page.save()
    audit(
        actor=actor,
        action=Action.UPDATE,
        obj=page,
        before=before,
        after={"title": page.title, "body": page.body},
    )
    return page


# A district's public information: its 权力责任清单 as lines ----------------------------------


def _own_district(actor, region: Region) -> None:

    require(actor, Perm.EDIT_CONTACTS)
    if region.level != Level.COUNTY or not region_visible(actor, region.code):
        raise ValidationError("权力责任清单由本区县填报。")


def duty_add(*, actor, region: Region, matter: str, unit: str, contact: str = ""):
    """One more line of the district's responsibility list, at the end."""
    from anju.portal.models import Duty

    _own_district(actor, region)
    matter, unit, contact = matter.strip(), unit.strip(), contact.strip()
    missing = [name for name, value in (("责任事项", matter), ("责任单位", unit)) if not value]
    if missing:
        raise ValidationError([f"{name}：必须填写。" for name in missing])
    with transaction.atomic():
        last = Duty.objects.filter(region=region).order_by("-position").first()
        duty = Duty(
            region=region,
            position=(last.position + 1) if last else 1,
            matter=matter[:200],
            unit=unit[:100],
            contact=contact[:100],
            updated_by=actor,
        )
        duty.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=duty,
            region_code=region.code,
            after={"责任事项": duty.matter, "责任单位": duty.unit, "联系方式": duty.contact},
        )
    return duty


def duty_remove(*, actor, duty) -> None:
    _own_district(actor, duty.region)
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.DELETE,
            obj=duty,
            region_code=duty.region_id,
            before={"责任事项": duty.matter, "责任单位": duty.unit, "联系方式": duty.contact},
        )
        duty.delete()


def public_names(text: str, names: list[str]) -> str:
    """The persons a case names, as the city decides (settings.ANJU_PORTAL_NAMES): "mask"
    (张*明, the default), "surname" (张某) or "none" (某某)."""
    how = settings.ANJU_PORTAL_NAMES

    for name in sorted({n for n in names if n}, key=len, reverse=True):
        if how == "surname":
            shown = name[0] + "某"
        elif how == "none":
            shown = "某某"
        else:
            shown = mask_name(name)
        text = text.replace(name, shown)
    return text
