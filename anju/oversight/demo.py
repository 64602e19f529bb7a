"""Deterministic demo ledger for 漳平市: clues in every state, transfers, supervision,
sanctions and a township problem list. Loaded once (skipped when the ledger has clues)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from anju.oversight import services
from anju.oversight.models import Clue
from anju.oversight.services import PersonInput
from anju.regions.models import Level, Region

PROBLEMS = [
    ("funds", "{v}村干部{n}截留危房改造补助资金{m}万元，未足额发放到农户一卡通账户"),
    ("targeting", "{v}{n}家庭不属于4类重点对象，仍被纳入危房改造补助范围"),
    ("style", "{v}危房改造验收走过场，改造后房屋无卫生厕所"),
    ("responsibility", "{v}已鉴定为D级危房的贫困户仍住在老旧危房中，乡镇未及时处置"),
    ("funds", "{v}危改补助资金发放滞后，竣工验收后{m}个月仍未发放"),
    ("targeting", "{v}“已死亡人口”{n}仍享受农村危房改造补助"),
    ("style", "{v}危房改造档案信息录入与实际改造面积不符，虚报改造面积"),
]
SURNAMES = "陈林黄张李王吴刘蔡杨郑许邱罗"
GIVEN = "建国明华志强秀英金水永福春生玉兰德胜海燕"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def load_ledger(*, clerk, reviewer, township_clerk, city, count: int = 30) -> int:
    if Clue.objects.exists():
        return 0
    rng = random.Random("anju-demo-ledger")
    today = timezone.localdate()
    villages = list(
        Region.objects.within("350881000000").filter(level=Level.VILLAGE).order_by("code")
    )
    made = 0
    with transaction.atomic():
        for i in range(count):
            village = rng.choice(villages)
            category, template = rng.choice(PROBLEMS)
            person = _name(rng)
            summary = template.format(v=village.name, n=person, m=rng.randint(1, 6))
            clue, _ = services.clue_register(
                actor=clerk,
                region=village,
                place=f"{village.parent.name}{village.name}",
                source_channel=rng.choice(
                    ["petition", "routine", "self_check", "data_check", "audit", "media"]
                ),
                received_on=today - timedelta(days=rng.randint(0, 170)),
                category=category,
                summary=summary,
                funds=Decimal(rng.randint(0, 80)) / 10,
                persons=[
                    PersonInput(
                        person,
                        rng.choice(["村主任", "村会计", "村建站站长"]),
                        rng.choice(["village", "general", "other"]),
                    )
                ],
                confirm_new=True,
            )
            made += 1
            steps = rng.randint(0, 6)
            c = clue
            if steps >= 1:
                services.clue_assign(
                    actor=clerk,
                    clue=c,
                    version=c.version,
                    handling_unit=f"{village.parent.name}人民政府",
                )
            if steps >= 2:
                services.clue_start_verification(actor=clerk, clue=c, version=c.version)
            if steps >= 3:
                services.clue_dispose(
                    actor=clerk,
                    clue=c,
                    version=c.version,
                    disposal=rng.choice(["preliminary", "talk_inquiry", "conclude"]),
                )
            if steps >= 4:
                services.clue_start_rectification(actor=clerk, clue=c, version=c.version)
            if steps >= 5:
                services.attachment_add(
                    actor=clerk,
                    clue=c,
                    name="整改佐证.pdf",
                    data=b"%PDF-1.4 demo evidence",
                    is_evidence=True,
                )
                services.clue_request_close(
                    actor=clerk,
                    clue=c,
                    version=c.version,
                    rectification="已责令退回资金并足额发放到户，相关人员已作处理。",
                    recovered=c.funds,
                    accountable=1,
                )
            if steps >= 6:
                services.clue_approve_close(actor=reviewer, clue=c, version=c.version)
                services.sanction_add(
                    actor=clerk,
                    clue=c,
                    kind=rng.choice(["party", "admonish"]),
                    decided_on=today,
                    person_name=person,
                    level="village",
                    form=rng.choice([1, 2]),
                )
            if i % 9 == 4:
                services.supervision_set(
                    actor=city,
                    clue=c,
                    version=c.version,
                    due=today + timedelta(days=30),
                    note="久拖未决，限期查处到位",
                )
            if i % 11 == 7 and c.status not in ("closed", "pending_close"):
                services.transfer_send(
                    actor=clerk,
                    clue=c,
                    version=c.version,
                    target="discipline",
                    to_region=village.parent.parent,
                    to_unit="漳平市纪委监委",
                )
        township = Region.objects.get(code="350881100000")
        for n in range(4):
            services.item_create(
                actor=township_clerk,
                region=township,
                source=rng.choice(["visit", "self_check", "finding"]),
                description=rng.choice(
                    [
                        "贫困户房屋漏雨透风，需修缮屋面",
                        "联体房相邻非贫困户不配合加固",
                        "安全状况牌未挂牌上墙",
                        "已有安全住房仍住老旧危房",
                    ]
                ),
                owner="黄乡镇",
                deadline=today + timedelta(days=10 * n - 5),
            )
    return made
