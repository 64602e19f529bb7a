"""Which units owe which report, and to whom (报送要求), per report kind.

The seeds name two different duties: seed 000's city asks its districts (区县) for Annexes 1 and 2
by the 26th; seed 003's county-level city asks its townships and responsible units (各乡镇（街道）、
各责任单位) for the monthly progress report by the 23rd, to its housing bureau, not to the city.
A receiving office sets the duty for its region (ReportDuty); a reporter's duty is the one set
nearest above it, else the default below.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from anju.accounts.access import Perm, region_visible, require
from anju.accounts.models import Unit, UnitKind
from anju.audit.models import Action
from anju.audit.services import audit
from anju.regions.models import Level, Region, ancestor_codes, level_of, subtree_bounds
from anju.reporting.models import ReportDuty, Reporters, ReportKind

# kind: (who reports, the level of the office they report to, whom the report names).
# "{region}" in the recipient is the receiving region's name.
DEFAULTS: dict[str, tuple[str, int, str]] = {
    ReportKind.ANNEX1: (Reporters.DISTRICTS, Level.CITY, "市里"),
    ReportKind.ANNEX2: (Reporters.DISTRICTS, Level.CITY, "市里"),
    ReportKind.PROGRESS: (Reporters.TOWNSHIPS_AND_UNITS, Level.COUNTY, "{region}住建局"),
    ReportKind.CLUE_QUARTERLY: (Reporters.DISTRICTS, Level.CITY, "市纪委监委"),
}
REPORTER_LEVEL = {
    Reporters.DISTRICTS: Level.COUNTY,
    Reporters.TOWNSHIPS: Level.TOWNSHIP,
    Reporters.TOWNSHIPS_AND_UNITS: Level.TOWNSHIP,
}


@dataclass(frozen=True)
class Duty:
    kind: str
    reporters: str
    recipient: str
    # The receiving office's region (the city for Annexes; the county for its progress report).
    receiving: str
    configured: bool

    @property
    def reporters_label(self) -> str:
        return Reporters(self.reporters).label

    @property
    def level(self) -> int:
        return REPORTER_LEVEL[self.reporters]

    @property
    def units_report(self) -> bool:
        return self.reporters == Reporters.TOWNSHIPS_AND_UNITS

    @property
    def signed_off_above(self) -> bool:
        """Whether the reporter has a reviewer of its own in the system (a district's 区县审核人);
        a township's or a unit's leader is named on the submission instead."""
        return self.level == Level.COUNTY


def _configured(kind: str, codes: list[str]) -> dict[str, ReportDuty]:
    return {
        d.region_id: d
        for d in ReportDuty.objects.filter(kind=kind, region__in=codes).select_related("region")
    }


def _resolve(
    kind: str,
    code: str,
    configured: dict[str, ReportDuty],
    names: dict[str, str],
    *,
    unit: bool = False,
) -> Duty:
    """The duty over a reporter at `code`: the nearest one set above it (a duty a county sets
    binds its townships, never the county itself towards the city), else the default. A unit
    reports within its own region, so a duty set there binds it."""
    for upper in [*([code] if unit else []), *reversed(ancestor_codes(code))]:
        found = configured.get(upper)
        if found is not None:
            return Duty(kind, found.reporters, found.recipient, upper, True)
    reporters, level, recipient = DEFAULTS[ReportKind(kind)]
    chain = [*ancestor_codes(code), code]
    receiving = next((c for c in chain if level_of(c) == level), chain[0])
    return Duty(
        kind, reporters, recipient.format(region=names.get(receiving, "")), receiving, False
    )


def duty_for(kind: str, region: Region, *, unit: bool = False) -> Duty:
    """The duty for reports of `kind` from `region` (`unit`: from a unit of `region`)."""
    codes = [region.code, *ancestor_codes(region.code)]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return _resolve(kind, region.code, _configured(kind, codes), names, unit=unit)


def owes(kind: str, region: Region, unit: Unit | None = None) -> Duty | None:
    """The duty under which `region` (or `unit`) owes reports of `kind`; None if it owes none."""
    duty = duty_for(kind, region, unit=unit is not None)
    if unit is not None:
        if not duty.units_report or not responsible(unit) or unit.region_id != duty.receiving:
            return None
        return duty
    return duty if region.level == duty.level else None


# Units that do not report as responsible units: the discipline commission oversees the campaign
# and a township government reports as its township.
NOT_RESPONSIBLE = (UnitKind.DISCIPLINE, UnitKind.TOWNSHIP)


def responsible(unit: Unit) -> bool:
    """A responsible unit (责任单位) of the campaign: not the lead unit the reports go to."""
    return not unit.is_lead and unit.kind not in NOT_RESPONSIBLE


@dataclass(frozen=True)
class Reporter:
    region: Region
    unit: Unit | None = None
    # The code of the region whose office receives this reporter's report.
    receiving: str = ""

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else self.region.name

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.region.code, self.unit.pk if self.unit else None)


def reporters_of(kind: str, root: Region) -> list[Reporter]:
    """Every district, township or unit at or under `root` that owes reports of `kind`, in
    code order (a township's units after its county's townships). Few queries, whatever the
    size of the tree."""
    low, high = subtree_bounds(root.code)
    above = [root.code, *ancestor_codes(root.code)]
    configured = {
        d.region_id: d
        for d in ReportDuty.objects.filter(kind=kind)
        .filter(region__code__range=(low, high))
        .select_related("region")
    }
    configured.update(_configured(kind, above))
    regions = list(
        Region.objects.filter(
            code__range=(low, high), level__in=[Level.COUNTY, Level.TOWNSHIP]
        ).order_by("code")
    )
    names = {r.code: r.name for r in regions}
    names.update(Region.objects.filter(code__in=above).values_list("code", "name"))
    out = []
    for region in regions:
        duty = _resolve(kind, region.code, configured, names)
        if duty.level == region.level:
            out.append(Reporter(region, None, duty.receiving))
    units = (
        Unit.objects.filter(region__code__range=(low, high), is_lead=False)
        .exclude(kind__in=NOT_RESPONSIBLE)
        .select_related("region")
    )
    for unit in units.order_by("region_id", "name"):
        duty = _resolve(kind, unit.region_id, configured, names, unit=True)
        if duty.units_report and unit.region_id == duty.receiving:
            out.append(Reporter(unit.region, unit, duty.receiving))
    return sorted(out, key=lambda r: (r.unit is not None, r.region.code, r.name))


def report_duty_set(
    *, actor, region: Region, kind: str, reporters: str, recipient: str
) -> ReportDuty:
    """The receiving office sets who owes reports of `kind` in its region, and to whom."""
    require(actor, Perm.SET_REPORT_DUTIES)
    if not region_visible(actor, region.code):
        raise ValidationError("只能设置本人所辖区划的报送要求。")
    if region.level not in (Level.CITY, Level.COUNTY, Level.PROVINCE):
        raise ValidationError("报送要求由市、县（区）设置。")
    kind = ReportKind(kind).value
    if reporters not in Reporters.values:
        raise ValidationError(
            "报送单位：请选择各区县、各乡镇（街道）或各乡镇（街道）和各责任单位。"
        )
    if reporters == Reporters.DISTRICTS and region.level == Level.COUNTY:
        raise ValidationError("报送单位：区县设置的报送要求只能由乡镇（街道）或责任单位报送。")
    recipient = recipient.strip()
    if not recipient:
        raise ValidationError("报送对象：请填写，例如“漳平市住建局”。")
    with transaction.atomic():
        duty = ReportDuty.objects.filter(region=region, kind=kind).first()
        before = {"reporters": duty.reporters, "recipient": duty.recipient} if duty else None
        duty = duty or ReportDuty(region=region, kind=kind)
        duty.reporters, duty.recipient, duty.updated_by = reporters, recipient[:50], actor
        duty.full_clean()
        duty.save()
        audit(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=duty,
            region_code=region.code,
            before=before,
            after={"reporters": duty.reporters, "recipient": duty.recipient},
        )
    return duty


def owing(kind: str, regions: list[Region]) -> list[Region]:
    """Those of `regions` (districts or townships) that owe reports of `kind`; two queries."""
    codes = {c for r in regions for c in [r.code, *ancestor_codes(r.code)]}
    configured = _configured(kind, list(codes))
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [r for r in regions if _resolve(kind, r.code, configured, names).level == r.level]
