"""Writes for the monthly reporting: the Annex 3 contacts."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.regions.models import Level, Region
from anju.reporting.models import Contact, ContactRole, Hotline


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else "***"


def contact_set(
    *,
    actor,
    region: Region,
    role: str,
    name: str,
    unit_post: str,
    mobile: str,
    published: bool = False,
) -> Contact:
    """Name (or replace) one of a district's four Annex 3 contacts."""
    require(actor, Perm.EDIT_CONTACTS)
    if not region_visible(actor, region.code):
        raise ValidationError("只能填报本人所辖区县的联络人。")
    if region.level != Level.COUNTY:
        raise ValidationError("联络人按区县填报。")
    role = ContactRole(role).value
    with transaction.atomic():
        contact = Contact.objects.filter(region=region, role=role).first()
        before = None
        if contact is None:
            contact = Contact(region=region, role=role)
        else:
            before = {
                "name": contact.name,
                "unit_post": contact.unit_post,
                "mobile": mask_mobile(contact.mobile),
                "published": contact.published,
            }
        contact.name, contact.unit_post, contact.mobile = name.strip(), unit_post.strip(), mobile
        contact.published = published
        contact.updated_by = actor
        contact.full_clean()
        contact.save()
        audit(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=contact,
            before=before,
            after={
                "name": contact.name,
                "unit_post": contact.unit_post,
                "mobile": mask_mobile(contact.mobile),
                "published": contact.published,
            },
        )
    return contact


def _district(actor, region: Region) -> None:
    require(actor, Perm.EDIT_CONTACTS)
    if not region_visible(actor, region.code):
        raise ValidationError("只能填报本人所辖区县的信息。")
    if region.level != Level.COUNTY:
        raise ValidationError("举报电话按区县公布。")


def hotline_add(*, actor, region: Region, number: str, hours: str, label: str = "") -> Hotline:
    """Publish one more hotline of a district (landline or mobile, with its hours)."""
    _district(actor, region)
    # 0597 7526007, 0597－7526007, (0597)7526007: the area code, a hyphen, the number.
    number = re.sub(r"^[(（]?(0[0-9]{2,3})[)）]?[\s\-－—]+([0-9]{7,8})$", r"\1-\2", number.strip())
    number = re.sub(r"^[(（](0[0-9]{2,3})[)）]([0-9]{7,8})$", r"\1-\2", number)
    hotline = Hotline(
        region=region,
        label=label.strip() or "监督举报电话",
        number=number,
        hours=hours.strip(),
        updated_by=actor,
    )
    with transaction.atomic():
        last = Hotline.objects.filter(region=region).order_by("-position").first()
        hotline.position = (last.position + 1) if last else 1
        try:
            hotline.full_clean()
        except ValidationError as error:
            names = {"number": "电话号码", "hours": "接听时间", "label": "名称"}
            raise ValidationError(
                [f"{names.get(f, f)}：{m}" for f, ms in error.message_dict.items() for m in ms]
            ) from None
        hotline.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=hotline,
            after={"label": hotline.label, "number": hotline.number, "hours": hotline.hours},
        )
    return hotline


def hotline_remove(*, actor, hotline: Hotline) -> None:
    _district(actor, hotline.region)
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.DELETE,
            obj=hotline,
            before={"label": hotline.label, "number": hotline.number, "hours": hotline.hours},
        )
        hotline.delete()
