"""The demo's assistance cadre and new poor households: a cadre of 新桥镇 with households to look
after and one observation waiting for the township, and three newcomers to the poverty list
registered in the archive without an assessment, whose tasks are overdue by the demo's "now"."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from anju.crosscheck.events import reference_list_imported
from anju.crosscheck.models import ReferenceList, ReferenceRecord
from anju.households.models import Household
from anju.households.services import household_create
from anju.regions.models import Region


def load_cadres(*, clerk, cadre) -> int:
    """Through the real services; safe to run again (does nothing once assigned)."""
    from anju.cadres.models import Assignment
    from anju.cadres.services import assignment_create, observation_record

    if Assignment.objects.filter(cadre=cadre).exists():
        return 0
    township = clerk.region
    village = Region.objects.filter(parent=township).order_by("code").first() or township
    with transaction.atomic():
        poverty = ReferenceList.objects.filter(kind="poverty", superseded_by__isnull=True).first()
        if poverty is not None:
            newcomers = ReferenceRecord.objects.filter(
                reference=poverty, name__startswith="新识别户"
            ).order_by("row")[:3]
            for record in newcomers:
                if not Household.objects.filter(head_id=record.id_number).exists():
                    household_create(
                        actor=clerk,
                        region=village,
                        head_name=record.name,
                        head_id=record.id_number,
                        size=None,
                        categories=["registered_poor"],
                        structure="earth_timber",
                    )
            # The list came before the archive knew them: compare it with no earlier list.
            reference_list_imported.announce(
                actor=clerk.get_username(), reference=poverty, previous=[]
            )
        households = list(
            Household.objects.filter(region__code__startswith=township.code[:9])
            .exclude(head_name__startswith="新识别户")
            .order_by("pk")[:6]
        )
        for household in households:
            assignment_create(actor=clerk, cadre=cadre, household=household)
        if households:
            observation_record(
                actor=cadre,
                household=households[0],
                kind="leaky",
                visited_on=timezone.localdate() - timedelta(days=1),
                note="雨后东侧厢房屋顶漏雨，老人仍住在厢房",
            )
    return len(households)
