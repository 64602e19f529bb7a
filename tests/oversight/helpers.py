from datetime import date
from decimal import Decimal

from anju.oversight import services
from anju.oversight.services import PersonInput
from anju.regions.models import Region


def register(
    actor,
    *,
    summary="西埔村危改补助款被村干部截留两万元",
    names=("张三",),
    region="350881100000",
    received_on=date(2026, 10, 5),
    funds="2",
    confirm=True,
    **extra,
):
    level = extra.pop("level", "village")
    clue, duplicates = services.clue_register(
        actor=actor,
        region=Region.objects.get(code=region),
        place="新桥镇西埔村",
        source_channel=extra.pop("source_channel", "petition"),
        received_on=received_on,
        category=extra.pop("category", "funds"),
        summary=summary,
        funds=Decimal(funds),
        persons=[PersonInput(n, "村主任", level) for n in names],
        confirm_new=confirm,
        **extra,
    )
    return clue, duplicates
