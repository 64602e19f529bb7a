"""Pending households (待建档): a person on a department's priority list who is in no household
of the archive becomes a household of their own, placed in the township (or village) the list
says, so the township sees them among its assessment tasks and completes their record.

Placement, in this order (`Placer`): the list's region code column (区划代码) when it names a
township or village under the list's region; the township and village name columns; the address
column (住址), read for a township name and then one of its villages' names; a list uploaded for
a single township or village puts everyone there. A person none of these places is put in the
county their ID was issued in (when it lies under the list's region), else in the list's own
region, for the county to place (`household_place`).

Written in bulk (a priority list may hold 100,000 people): keys reserved, plain-tuple inserts,
the overview's figures added, one audit entry naming the list and the count per region."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.events import archive_imported, household_moved, registry_changed
from anju.households.facts import listed
from anju.households.models import CategoryRecord, House, Household, Person
from anju.regions.models import Level, Region, subtree_bounds
from anju.sealed import Sealer
from anju.tabular.inserts import insert_rows, reserve_ids
from anju.tabular.text import squeeze

SUFFIXES = ("街道办事处", "街道", "居委会", "社区", "镇", "乡", "村")


@dataclass(slots=True)
class Listed:
    """A person on a list who is in no household of the archive."""

    id_number: str
    id_valid: bool
    name: str
    start: date | None
    region_code: str = ""  # the list's 区划代码, if any
    township: str = ""
    village: str = ""
    address: str = ""
    # The family members the list names by this household's head (户主身份证号) who are not in
    # the archive either: (ID, valid, name). They join this household, not one of their own.
    members: tuple = ()
    # False when the list names the head only by ID (the head is not on it): the name is left
    # for the township to enter when it completes the record.
    named: bool = True


# The head's name of a pending household made for members whose head the list does not name.
UNNAMED_HEAD = "户主待核实"


def _short(name: str) -> str:
    name = squeeze(name)
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class Placer:
    """Finds the township or village of a listed person under the list's region."""

    def __init__(self, root: Region):
        self.root = root
        lo, hi = subtree_bounds(root.code)
        rows = list(
            Region.objects.filter(code__range=(lo, hi), level__gte=Level.TOWNSHIP).values_list(
                "code", "name", "level"
            )
        )
        self.codes = {code for code, _, _ in rows}
        self.counties = set(
            Region.objects.filter(code__range=(lo, hi), level=Level.COUNTY).values_list(
                "code", flat=True
            )
        )
        self.towns: dict[str, list[str]] = {}
        self.villages: dict[str, dict[str, list[str]]] = {}
        for code, name, level in rows:
            if level == Level.TOWNSHIP:
                for key in {squeeze(name), _short(name)}:
                    self.towns.setdefault(key, []).append(code)
        for code, name, level in rows:
            if level == Level.VILLAGE:
                town = self.villages.setdefault(code[:9] + "000", {})
                for key in {squeeze(name), _short(name)}:
                    town.setdefault(key, []).append(code)
        # Longest names first, so 新桥镇 is tried before 新桥 in an address.
        self.town_names = sorted(self.towns, key=len, reverse=True)

    def _village(self, town: str, text: str, whole: bool) -> str:
        villages = self.villages.get(town, {})
        if whole:
            found = villages.get(squeeze(text)) or villages.get(_short(text)) or []
        else:
            names = sorted((n for n in villages if len(n) >= 2 and n in text), key=len)
            found = villages[names[-1]] if names else []
        return found[0] if len(set(found)) == 1 else town

    def _town(self, text: str, whole: bool) -> str | None:
        if whole:
            found = self.towns.get(squeeze(text)) or self.towns.get(_short(text)) or []
        else:
            found = next((self.towns[n] for n in self.town_names if len(n) >= 2 and n in text), [])
        return found[0] if len(set(found)) == 1 else None

    def place(self, person: Listed) -> tuple[str, bool]:
        """(region code, placed): placed is False when only the county (or the list's region)
        could be found."""
        code = "".join(person.region_code.split())
        if code in self.codes:
            return code, True
        if person.township:
            town = self._town(person.township, whole=True)
            if town:
                village = person.village and self._village(town, person.village, whole=True)
                return village or town, True
        if person.address:
            town = self._town(person.address, whole=False)
            if town:
                return self._village(town, person.address, whole=False), True
        if self.root.level >= Level.TOWNSHIP:
            if person.village:
                return self._village(self.root.code[:9] + "000", person.village, True), True
            return self.root.code, True
        county = person.id_number[:6] + "000000"
        return (county if county in self.counties else self.root.code), False


def pending_from_list(
    *,
    actor,
    region: Region,
    category: str,
    department: str,
    people: list[Listed],
    what: str,
) -> dict[str, int]:
    """Create a pending household for each of `people` (none of them in the archive; one per
    ID), with the members listed under it, in the caller's transaction. Returns the count per
    region code. `what` names the list in the audit entry."""
    if not people:
        return {}
    placer = Placer(region)
    placed = [(p, *placer.place(p)) for p in people]
    shared: dict = {}
    heads, members = Sealer(Household, "head_id", shared), Sealer(Person, "id_number", shared)
    accounts = Sealer(Household, "account_number")
    no_account = accounts("")
    keys = reserve_ids(Household, len(placed))
    codes = listed([category])
    with transaction.atomic():
        insert_rows(
            Household,
            [
                "id",
                "region_id",
                "head_name",
                *heads.columns,
                "head_id_valid",
                *accounts.columns,
                "category_codes",
                "pending",
            ],
            (
                (pk, code, p.name[:50], *heads(p.id_number), p.id_valid, *no_account, codes, True)
                for pk, (p, code, _) in zip(keys, placed, strict=True)
            ),
        )
        insert_rows(
            Person,
            ["household_id", "name", *members.columns, "id_valid", "relation"],
            (
                row
                for pk, (p, _, _) in zip(keys, placed, strict=True)
                for row in (
                    (pk, p.name[:50], *members(p.id_number), p.id_valid, "户主"),
                    *(
                        (pk, name[:50], *members(number), valid, "家庭成员")
                        for number, valid, name in p.members
                    ),
                )
            ),
        )
        insert_rows(House, ["household_id", "structure"], ((pk, "") for pk in keys))
        insert_rows(
            CategoryRecord,
            ["household_id", "category", "department", "start"],
            (
                (pk, category, department, p.start)
                for pk, (p, _, _) in zip(keys, placed, strict=True)
            ),
        )
        # The overview adds their figures (tally.NewHousehold: region, structure, assessment
        # dates, renovations), as after an archive import.
        archive_imported.announce(
            regions=[], new_households=((code, "", (), ()) for _, code, _ in placed)
        )
        per_region = Counter(code for _, code, _ in placed)
        unplaced = sum(1 for *_, ok in placed if not ok)
        joined = sum(len(p.members) for p in people)
        unnamed = sum(1 for p in people if not p.named)
        audit(
            actor=actor,
            action=Action.CREATE,
            obj="households.household",
            region_code=region.code,
            note=f"{what}：档案中没有的 {len(placed)} 户待建档"
            + (f"（另有 {joined} 名家庭成员随户主建档）" if joined else "")
            + (f"（其中 {unnamed} 户名单只有户主身份证号，户主姓名待核实）" if unnamed else "")
            + (f"（其中 {unplaced} 户未能确定乡镇，待区县分配）" if unplaced else ""),
            after={
                "pending": len(placed),
                "members": joined,
                "unnamed_heads": unnamed,
                "unplaced": unplaced,
                "regions": dict(per_region),
            },
        )
    return dict(per_region)


def household_place(*, actor, household: Household, region: Region) -> Household:
    """Put a pending household the list could not place into a township or village."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if not household.pending:
        raise ValidationError("只有待建档农户需要分配乡镇。")
    if region.level < Level.TOWNSHIP or not region_visible(actor, region.code):
        raise ValidationError("请选择本人所辖的乡镇（街道）或行政村。")
    if not region.code.startswith(household.region_id[: _prefix(household.region_id)]):
        raise ValidationError("只能分配到该户原所在区划之内的乡镇。")
    before = household.region_id
    with transaction.atomic():
        household.region = region
        household.save(update_fields=["region", "updated_at"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=household,
            region_code=region.code,
            note="待建档农户分配乡镇",
            before={"region": before},
            after={"region": region.code},
        )
        registry_changed.announce(regions=[before, region.code])
        household_moved.announce(household_id=household.pk, region=region.code)
    return household


def _prefix(code: str) -> int:
    """How many leading digits of `code` name it (the rest are zeros)."""
    stripped = code.rstrip("0")
    for width in (2, 4, 6, 9, 12):
        if len(stripped) <= width:
            return width
    return 12


def household_complete(
    *,
    actor,
    household: Household,
    region: Region,
    head_name: str,
    size: int | None,
    structure: str,
) -> Household:
    """The township completes a pending household's record: it becomes a normal household."""
    require(actor, Perm.EDIT_HOUSEHOLDS)
    if not household.pending:
        raise ValidationError("该户已建档。")
    if region.level < Level.TOWNSHIP or not region_visible(actor, region.code):
        raise ValidationError("请选择本人所辖的乡镇或行政村。")
    name = squeeze(head_name)
    if not name:
        raise ValidationError("户主姓名不能为空。")
    if name == UNNAMED_HEAD:
        raise ValidationError("请填写户主的真实姓名（名单只列了户主身份证号，姓名待核实）。")
    if size is not None and not 1 <= size <= 30:
        raise ValidationError("家庭人口应在 1 至 30 之间。")
    before = household.region_id
    with transaction.atomic():
        household.region, household.head_name, household.size = region, name, size
        household.pending = False
        household.save(update_fields=["region", "head_name", "size", "pending", "updated_at"])
        household.people.filter(relation="户主").update(name=name)
        house = household.houses.filter(is_new=False).first()
        if house is None:
            House.objects.create(household=household, structure=structure)
        elif structure and house.structure != structure:
            house.structure = structure
            house.save(update_fields=["structure"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=household,
            region_code=region.code,
            note="待建档农户完成建档",
            after={"region": region.code, "head_name": name, "size": size, "structure": structure},
        )
        registry_changed.announce(regions=[before, region.code])
        if before != region.code:
            household_moved.announce(household_id=household.pk, region=region.code)
    return household
