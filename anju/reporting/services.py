"""Writes for the monthly reporting: the Annex 3 contacts."""

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.regions.models import Level, Region
from anju.reporting.models import Contact, ContactRole


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
