"""Writes to the household archive entered by hand (the import has its own bulk path)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.choices import CATEGORY_DEPARTMENT, Category
from anju.households.events import assessment_due, assessments_recorded, registry_changed
from anju.households.facts import facts_refresh
from anju.households.models import Assessment, CategoryRecord, House, Household, Person
from anju.identity import birth_date, mask_id, parse_id
from anju.regions.models import Level, Region
from anju.tabular.text import squeeze


def household_create(
    *,
    actor,
    region: Region,
    head_name: str,
    head_id: str,
    size: int | None,
    categories: list[str],
    structure: str,
    id_note: str = "",
) -> Household:
    """Checked as the import checks a row: the village within the actor's region, the ID
    (one failing GB 11643 only with `id_note`, the clerk's reason, kept on the household and
    flagged as the import flags it). Errors name their field (ValidationError's dict)."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if not region_visible(actor, region.code) or region.level != Level.VILLAGE:
        raise ValidationError(
            {"region_code": "请选择本人所辖范围内的行政村（农户建档到村，不能是乡镇或区县）。"}
        )
    resident = parse_id(head_id)
    if resident is None:
        raise ValidationError({"head_id": f"不是身份证号「{head_id}」。"})
    id_note = id_note.strip()
    if not resident.valid and not id_note:
        raise ValidationError(
            {
                "head_id": f"「{mask_id(resident.number)}」未通过 GB 11643 校验（校验码或出生日期"
                "不对），请核对。号码确实如此（如证件本身有误）的，请在“号码校验不通过的说明”"
                "中写明原因后再保存，该号码将被标记为校验不通过。"
            }
        )
    existing = Household.everything.filter(head_id=resident.number).first()
    if existing is not None and existing.state != "active":
        raise ValidationError(
            {
                "head_id": "该身份证号的户已"
                + ("作为重复建档并入另一户" if existing.state == "merged" else "作为误建撤销")
                + "，请打开那一户查看（可申请撤销合并或恢复）。"
            }
        )
    if existing is not None and not existing.pending:
        raise ValidationError({"head_id": "该身份证号已登记为户主。"})
    name = squeeze(head_name)
    if not name:
        raise ValidationError({"head_name": "户主姓名不能为空。"})
    if existing is not None:
        # Listed by a department and waiting for its record (待建档): entering it completes it.
        if not region_visible(actor, existing.region_id):
            raise ValidationError("该身份证号已在其他乡镇待建档，请联系区县分配。")
        return _complete_pending(
            actor=actor,
            household=existing,
            region=region,
            head_name=name,
            size=size,
            categories=categories,
            structure=structure,
        )
    with transaction.atomic():
        household = Household(
            region=region,
            head_name=name,
            head_id=resident.number,
            head_id_valid=resident.valid,
            head_id_note=id_note if not resident.valid else "",
            size=size,
        )
        household.full_clean()
        household.save()
        Person.objects.create(
            household=household,
            name=name,
            id_number=resident.number,
            id_valid=resident.valid,
            relation="户主",
        )
        House.objects.create(household=household, structure=structure)
        for category in categories:
            CategoryRecord.objects.create(
                household=household,
                category=category,
                department=CATEGORY_DEPARTMENT[Category(category)],
            )
        facts_refresh([household.pk])
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=household,
            after={
                "head_name": name,
                "head_id": mask_id(resident.number),
                "region": region.code,
                "categories": categories,
                **({"head_id_note": id_note} if not resident.valid else {}),
            },
        )
        registry_changed.announce(regions=[region.code])
        if categories:
            assessment_due.announce(
                actor=actor, household_id=household.pk, reason="entered", kind=""
            )
    return household


def _complete_pending(
    *, actor, household, region, head_name, size, categories, structure
) -> Household:
    from anju.households.pending import household_complete

    with transaction.atomic():
        household_complete(
            actor=actor,
            household=household,
            region=region,
            head_name=head_name,
            size=size,
            structure=structure,
        )
        have = set(household.categories.filter(end__isnull=True).values_list("category", flat=True))
        for category in set(categories) - have:
            CategoryRecord.objects.create(
                household=household,
                category=category,
                department=CATEGORY_DEPARTMENT[Category(category)],
            )
        facts_refresh([household.pk])
    return household


def person_add(
    *,
    actor,
    household: Household,
    name: str,
    id_number: str,
    relation: str,
    deceased_on: date | None = None,
) -> Person:
    require(actor, Perm.EDIT_HOUSEHOLDS)
    resident = parse_id(id_number)
    if resident is None:
        raise ValidationError(f"不是身份证号「{id_number}」。")
    if household.people.filter(id_number=resident.number).exists():
        raise ValidationError({"id_number": "该成员已在本户。"})
    born = birth_date(resident.number)
    if deceased_on and born and deceased_on < born:
        raise ValidationError(
            {"deceased_on": f"死亡日期（{deceased_on}）早于身份证号上的出生日期（{born}）。"}
        )
    if deceased_on and deceased_on > date.today():
        raise ValidationError({"deceased_on": "死亡日期不能晚于今天。"})
    with transaction.atomic():
        person = Person.objects.create(
            household=household,
            name=squeeze(name),
            id_number=resident.number,
            id_valid=resident.valid,
            relation=relation.strip() or "家庭成员",
            deceased_on=deceased_on,
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=person,
            region_code=household.region_id,
            after={
                "name": person.name,
                "id_number": mask_id(person.id_number),
                "relation": person.relation,
            },
        )
    return person


def assessment_add(
    *, actor, house: House, grade: str, assessed_on: date, assessor: str, method: str
) -> Assessment:
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if not assessor.strip():
        raise ValidationError({"assessor": "请填写鉴定人或鉴定机构。"})
    if assessed_on > date.today():
        raise ValidationError({"assessed_on": "鉴定日期不能晚于今天。"})
    with transaction.atomic():
        assessment = Assessment(
            house=house,
            grade=grade,
            assessed_on=assessed_on,
            assessor=assessor.strip(),
            method=method.strip(),
        )
        assessment.full_clean()
        assessment.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=assessment,
            region_code=house.household.region_id,
            after={"grade": grade, "assessed_on": str(assessed_on), "assessor": assessor},
        )
        registry_changed.announce(regions=[house.household.region_id])
        facts_refresh([house.household_id])
        assessments_recorded.announce(actor=actor, household_ids=[house.household_id])
        from anju.households.cases import case_for_assessment

        case_for_assessment(actor=actor, assessment=assessment)
    return assessment
