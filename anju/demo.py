"""The deterministic demo: regions and one account per role. Later issues add their records.

Sizes: `small` is 漳平市 with its real townships (villages generated where the shipped file has
none), for tests; `city` adds the other six counties of 龙岩市 with generated townships and
villages; `province` adds generated cities of 福建省 for benchmarks. The same size always gives
the same data.
"""

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from anju.accounts.models import Unit, User
from anju.accounts.roles import Role
from anju.accounts.services import demo_user
from anju.audit.models import Action
from anju.audit.services import audit_many
from anju.cadres.demo import load_cadres
from anju.campaigns.demo import load_campaign
from anju.crosscheck.demo import load_reference_lists
from anju.dashboard.tally import tally_rebuild
from anju.households.demo import load_households
from anju.oversight.demo import load_ledger
from anju.oversight.models import Clue, Transfer
from anju.oversight.services import transfer_send
from anju.regions.models import Level, Region, level_of
from anju.regions.services import regions_import

DEMO_PASSWORD = "Anju@2026demo"  # noqa: S105 (the demo's published password)
ZHANGPING = "350881000000"
LONGYAN = "350800000000"
FUJIAN = "350000000000"

OTHER_LONGYAN_COUNTIES = {
    "350802000000": "新罗区",
    "350803000000": "永定区",
    "350821000000": "长汀县",
    "350823000000": "上杭县",
    "350824000000": "武平县",
    "350825000000": "连城县",
}
OTHER_FUJIAN_CITIES = {
    "350100000000": "福州市",
    "350200000000": "厦门市",
    "350300000000": "莆田市",
    "350400000000": "三明市",
    "350500000000": "泉州市",
    "350600000000": "漳州市",
    "350700000000": "南平市",
    "350900000000": "宁德市",
}

_FIRST = "上下东西南北大小新高龙石溪坑林洋坂田桥岭黄后前中山吴陈"
_SECOND = "坑洋头山田坪溪墩厝寨口坊垅湖林坂洋美坑埔亭丰"
_TOWN_SUFFIX = ["镇", "镇", "镇", "乡"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    region_code: str
    unit: str
    # The unit of the system (单位) the account belongs to, by name (DEMO_UNITS).
    work_unit: str = ""


# 漳平市's lead unit and the participating units of the joint campaign (seed 003), each with its
# duty and a directory entry: name, kind, lead, duty, leader, post, phone.
DEMO_UNITS = [
    (
        "漳平市住建局",
        "housing",
        True,
        "牵头抓总，农村危房改造与住房安全保障",
        "郑建国",
        "副局长",
        "0597-7532101",
    ),
    (
        "漳平市扶贫办",
        "poverty",
        False,
        "建档立卡贫困户名单与动态监测",
        "詹扶民",
        "副主任",
        "0597-7532202",
    ),
    (
        "漳平市民政局",
        "civil_affairs",
        False,
        "低保、特困供养对象身份认定",
        "罗民安",
        "副局长",
        "0597-7532303",
    ),
    (
        "漳平市残联",
        "disabled",
        False,
        "贫困残疾人家庭身份认定",
        "苏助残",
        "副理事长",
        "0597-7532404",
    ),
    (
        "漳平市退役军人事务局",
        "veterans",
        False,
        "优抚对象身份认定",
        "魏拥军",
        "副局长",
        "0597-7532505",
    ),
    (
        "漳平市应急管理局",
        "emergency",
        False,
        "灾后农房安全与应急避险",
        "钟应急",
        "副局长",
        "0597-7532606",
    ),
    (
        "漳平市自然资源局",
        "natural_resources",
        False,
        "建房用地与地质灾害隐患点",
        "邓国土",
        "副局长",
        "0597-7532707",
    ),
    (
        "漳平市财政局",
        "finance",
        False,
        "补助资金拨付与一卡通发放",
        "简理财",
        "副局长",
        "0597-7532808",
    ),
    (
        "漳平市纪委监委",
        "discipline",
        False,
        "监督执纪，受理移送的问题线索",
        "冯正纪",
        "副书记",
        "0597-7532909",
    ),
]


def _name(rng: random.Random, suffix: str, taken: set[str]) -> str:
    while True:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + suffix
        if name not in taken:
            taken.add(name)
            return name


def _shipped_rows() -> list[tuple[str, str, str]]:
    path = settings.REGION_DATA_DIR / "zhangping.csv"
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        return [(row[0], row[1], row[2]) for row in reader if row]


def _villages(township: str) -> list[tuple[str, str, str]]:
    # Seeded by the township's code: the same township gets the same villages in every size.
    rng = random.Random(f"anju-villages-{township}")
    count = rng.randint(8, 16)
    taken: set[str] = set()
    prefix = township[:9]
    return [(f"{prefix}{200 + i:03d}", _name(rng, "村", taken), township) for i in range(count)]


def _townships(county: str) -> list[tuple[str, str, str]]:
    rng = random.Random(f"anju-townships-{county}")
    count = rng.randint(8, 14)
    taken: set[str] = set()
    prefix = county[:6]
    return [
        (f"{prefix}{100 + i:03d}000", _name(rng, rng.choice(_TOWN_SUFFIX), taken), county)
        for i in range(count)
    ]


def region_rows(size: str) -> list[tuple[str, str, str]]:
    """The demo region tree as (code, name, parent) rows, deterministic for each size."""
    rng = random.Random(f"anju-demo-{size}")
    rows = [r for r in _shipped_rows() if level_of(r[0]) <= Level.VILLAGE]
    # The shipped file has the real 漳平 townships; give any township without villages some.
    zp_townships = [r[0] for r in rows if r[2] == ZHANGPING]
    with_villages = {r[2] for r in rows if level_of(r[0]) == Level.VILLAGE}
    for township in zp_townships:
        if township not in with_villages:
            rows += _villages(township)
    if size == "small":
        return rows
    counties = [r[0] for r in rows if level_of(r[0]) == Level.COUNTY and r[0] != ZHANGPING]
    known = {r[0] for r in rows}
    for code, name in OTHER_LONGYAN_COUNTIES.items():
        if code not in known:
            rows.append((code, name, LONGYAN))
            counties.append(code)
    cities = []
    if size == "province":
        for code, name in OTHER_FUJIAN_CITIES.items():
            rows.append((code, name, FUJIAN))
            cities.append(code)
    for city in cities:
        for i in range(rng.randint(6, 10)):
            code = f"{city[:4]}{21 + i:02d}000000"
            rows.append((code, f"{_name(rng, '', set())}县", city))
            counties.append(code)
    for county in counties:
        for township in _townships(county):
            rows.append(township)
            rows += _villages(township[0])
    return rows


def _base_villages(rows: list[tuple[str, str, str]]) -> set[str]:
    """31 villages of 漳平 flagged as 革命基点村 for the demo: those of 拱桥镇 and 永福镇 (the
    townships the seed names as responsible) first, then others in code order.

    The real designations are loaded from the bureau's own region file (column 革命基点村).
    """
    names = {r[0]: r[1] for r in rows}
    first = {c for c, n in names.items() if c.startswith("350881") and n in ("拱桥镇", "永福镇")}
    villages = [r for r in rows if r[0].startswith("350881") and level_of(r[0]) == Level.VILLAGE]
    ordered = sorted(villages, key=lambda r: (r[2] not in first, r[0]))
    return {r[0] for r in ordered[:31]}


def region_csv(size: str) -> bytes:
    rows = region_rows(size)
    base = _base_villages(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["代码", "名称", "上级代码", "革命基点村"])
    for code, name, parent in rows:
        writer.writerow([code, name, parent, "是" if code in base else "否"])
    return out.getvalue().encode("utf-8")


# One user of each participating department (部门经办员): signs for and answers the clues
# transferred to the unit, files its quarterly clue report, keeps its directory entry.
_DEPARTMENT_USERS = {
    "zp_fupin": ("曾扶贫", "漳平市扶贫办"),
    "zp_minzheng": ("罗民政", "漳平市民政局"),
    "zp_canlian": ("苏残联", "漳平市残联"),
    "zp_tuiyi": ("魏退役", "漳平市退役军人事务局"),
    "zp_yingji": ("钟应急", "漳平市应急管理局"),
    "zp_ziran": ("邓自然", "漳平市自然资源局"),
    "zp_caizheng": ("简财政", "漳平市财政局"),
}


def _unit_accounts() -> list[DemoAccount]:
    return [
        DemoAccount(name, full, Role.DEPARTMENT, ZHANGPING, f"{unit}经办员", unit)
        for name, (full, unit) in _DEPARTMENT_USERS.items()
    ]


def load_units() -> dict[str, Unit]:
    """漳平市's units with their directory entries (refreshed, never duplicated)."""
    made = {}
    for name, kind, lead, duty, leader, post, phone in DEMO_UNITS:
        made[name], _ = Unit.objects.update_or_create(
            region_id=ZHANGPING,
            name=name,
            defaults={
                "kind": kind,
                "is_lead": lead,
                "duty": duty,
                "leader": leader,
                "leader_post": post,
                "phone": phone,
            },
        )
    return made


# Which unit the demo's own housing and discipline accounts work for.
_WORK_UNITS = {
    "zp_clerk": "漳平市住建局",
    "zp_reviewer": "漳平市住建局",
    "zp_jijian": "漳平市纪委监委",
    "zp_data": "漳平市扶贫办",
}


def _transfer_to_civil_affairs(clerk: User) -> bool:
    """One open clue about eligibility sent to 漳平市民政局, for its user to sign and answer
    (once: a refreshed demo keeps the one it has)."""
    if Transfer.objects.filter(receiver__isnull=False).exists():
        return False
    civil = Unit.objects.filter(region_id=ZHANGPING, name="漳平市民政局").first()
    clue = (
        Clue.objects.filter(region__code__startswith="350881")
        .exclude(status__in=["closed", "merged"])
        .order_by("pk")
        .first()
    )
    if civil is None or clue is None:
        return False
    transfer_send(
        actor=clerk,
        clue=clue,
        version=clue.version,
        receiver=civil,
        note="请核实该户低保资格是否符合危房改造对象条件",
    )
    return True


def accounts() -> list[DemoAccount]:
    return [
        DemoAccount("city", "陈市办", Role.CITY_OFFICE, LONGYAN, "龙岩市城建委村镇办"),
        DemoAccount("zp_clerk", "林经办", Role.COUNTY_CLERK, ZHANGPING, "漳平市住建局村镇站"),
        DemoAccount(
            "zp_reviewer", "郑审核", Role.COUNTY_REVIEWER, ZHANGPING, "漳平市住建局分管副局长"
        ),
        DemoAccount("xq_clerk", "黄乡镇", Role.TOWNSHIP_CLERK, "350881100000", "新桥镇村建站"),
        DemoAccount("sy_clerk", "吴乡镇", Role.TOWNSHIP_CLERK, "350881101000", "双洋镇村建站"),
        DemoAccount("xq_cadre", "邱帮扶", Role.CADRE, "350881100000", "新桥镇挂钩帮扶干部"),
        DemoAccount(
            "zp_jijian", "张纪检", Role.DISCIPLINE, ZHANGPING, "漳平市纪委监委派驻纪检监察组"
        ),
        DemoAccount("zp_data", "詹数据", Role.DATA_PROVIDER, ZHANGPING, "漳平市扶贫办"),
        *_unit_accounts(),
        DemoAccount("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, LONGYAN, "龙岩市城建委信息中心"),
        DemoAccount("secadmin", "安全管理员", Role.SECURITY_ADMIN, LONGYAN, "龙岩市城建委信息中心"),
        DemoAccount("auditor", "审计管理员", Role.AUDIT_ADMIN, LONGYAN, "龙岩市城建委审计室"),
    ]


def load_demo(
    *, size: str = "small", actor: str = "demo", progress: Callable[[str], None] = lambda _m: None
) -> list[DemoAccount]:
    """Load (or refresh) the demo of `size`; safe to run again."""

    progress(f"载入演示区划（{size}）……")
    result = regions_import(actor=actor, data=region_csv(size), source=f"demo-{size}")
    if not result.ok:
        raise RuntimeError("; ".join(str(e) for e in result.errors[:5]))
    progress(f"区划：新增 {result.created}，更新 {result.renamed}，未变 {result.unchanged}")
    made = []
    with transaction.atomic():
        units = load_units()
        for account in accounts():
            region = Region.objects.get(code=account.region_code)
            user = demo_user(
                username=account.username,
                full_name=account.full_name,
                region=region,
                roles={account.role},
                password=DEMO_PASSWORD,
                unit=account.unit,
            )
            unit = units.get(account.work_unit or _WORK_UNITS.get(account.username, ""))
            if unit is not None and user.work_unit_id != unit.pk:
                user.work_unit = unit
                user.save(update_fields=["work_unit"])
            made.append((user, None, {"username": user.username, "roles": [account.role]}))
        audit_many(actor=actor, action=Action.CREATE, items=made, note="演示账号")

    households = load_households(size=size, actor=actor)
    if households:
        # The loader writes payments, plates and visits in bulk: recount the overview once.

        tally_rebuild()
        progress(f"农户档案：{households} 户演示农户")

    listed = load_reference_lists(size=size, actor=actor)
    if listed:
        progress(f"部门名单：{listed} 行（死亡、建档立卡、低保、特困、残疾、优抚）")

    users = {
        u.username: u
        for u in User.objects.filter(username__in=["zp_clerk", "zp_reviewer", "xq_clerk", "city"])
    }
    clues = load_ledger(
        clerk=users["zp_clerk"],
        reviewer=users["zp_reviewer"],
        township_clerk=users["xq_clerk"],
        city=users["city"],
    )
    if clues:
        progress(f"问题线索台账：{clues} 条演示线索")
    if _transfer_to_civil_affairs(users["zp_clerk"]):
        progress("线索移送：1 条移送漳平市民政局，待其签收（zp_minzheng）")

    assigned = load_cadres(clerk=users["xq_clerk"], cadre=User.objects.get(username="xq_cadre"))
    if assigned:
        progress(f"帮扶责任人：xq_cadre 帮扶 {assigned} 户；新识别贫困户的鉴定任务")

    if load_campaign(clerk=users["zp_clerk"], township_clerk=users["xq_clerk"]):
        progress("专项整治：种子003方案（四个阶段、四项目标）和一次县级督导抽查")
    return accounts()


def print_logins(demo_accounts: list[DemoAccount], host: str = "127.0.0.1", port: int = 8000):
    names = dict(
        Region.objects.filter(code__in={a.region_code for a in demo_accounts}).values_list(
            "code", "name"
        )
    )
    print()
    print(f"演示账号（密码均为 {DEMO_PASSWORD}）  登录地址：http://{host}:{port}/accounts/login/")
    print(f"{'用户名':<14}{'角色':<10}{'区划':<10}单位")
    for a in demo_accounts:
        print(f"{a.username:<16}{Role(a.role).label:<8}{names.get(a.region_code, ''):<8}{a.unit}")
    print(flush=True)
