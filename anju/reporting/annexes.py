"""The seed's monthly tables (Annexes 1-3 of seed 000) as data: columns, headers, choices.

Both the writer (layout.py) and the reader (reader.py) take their shape from here, so the file we
write is the file we can read back.
"""

from dataclasses import dataclass, field
from decimal import Decimal

SANCTION_LEVELS = ("县处级", "乡科级", "乡科级以下")
FORM_LEVELS = ("县处级", "乡科级及以下", "村社干部", "其他人员")
FORMS = ("第一种形态", "第二种形态", "第三种形态", "第四种形态")

# The 34 numeric columns of Annex 1, in DOMAIN.md's order (leaf headers, for messages and JSON).
ANNEX1_COLUMNS: tuple[str, ...] = (
    "当月发现问题数",
    "当月完成整改和查处问题数",
    "单位·检查",
    "单位·通报",
    "受处理处分总人数",
    *(f"党纪处分·{lv}" for lv in SANCTION_LEVELS),
    *(f"政务处分·{lv}" for lv in SANCTION_LEVELS),
    "诫勉谈话",
    "组织调整或处理",
    "移送司法数",
    *(f"{form}·{lv}" for form in FORMS for lv in FORM_LEVELS),
    "通报曝光·次数",
    "通报曝光·问题数",
    "通报曝光·涉及人数",
    "涉及金额（万元）",
)
assert len(ANNEX1_COLUMNS) == 34

# Column 34 is money (万元, two decimals); the others are counts.
MONEY_COLUMNS = frozenset({33})

SOURCE_CHANNELS = (
    "信访举报",
    "巡视督查",
    "审计",
    "纪检监察",
    "日常巡查检查",
    "自查自纠",
    "媒体舆情",
    "数据比对",
    "上级交办",
)
DISPOSALS = ("已转业务单位", "已移送纪检监察机关", "正在核查", "已了结")
PERSON_LEVELS = ("县处级", "乡科级", "乡科级以下", "村社干部", "其他人员")

ANNEX1_TITLE = "{district}农村危房改造腐败和作风问题查处整改情况统计表（{month}月份）"
ANNEX2_TITLE = "{district}农村危房改造专项治理问题线索统计表（{month}月份）"
ANNEX3_TITLE = "农村危房改造专项治理联络人名单"

ANNEX1_NOTES = (
    "1.本表统计上月全区专项治理相关数据，汇总后于每月26日前将电子版和盖章后的扫描件报市城建委村镇办。\n"
    "2.本表统计坚持实事求是，不得重复统计和漏报，应与问题线索表有关内容保持一致。"
    "统计数据在报送前需呈分管专项治理工作的主要负责人审核。\n"
    "3.本表用EXCL填写，格式不得修改。若有未尽事项或需说明事项可在备注栏进行说明"
    "（县处级、乡科级及以下均指干部）。"
)
ANNEX1_CASES_HINT = (
    "（每案例控制在300字以内，当月没有可不填写，应表述何时何种方式发生何违纪违法事实，"
    "以及相关人员受到何处分处理。）"
)
ANNEX2_NOTES = (
    "1.本表对上月全区专项治理相关数据进行统计，汇总后于每月26日前将电子版和盖章后的扫描件报市城建委村镇办。\n"
    "2.来源渠道：填信访举报等（从下拉序列选）；涉及地方：填到区一级；被反映主要对象限填写1—3人，"
    "级别从下拉序列选；处置情况：填写已转业务单位等（从下拉序列选）。\n"
    "3.问题线索登记不应重复，重复件只登记一次，坚持实事求是，相关格式不得修改，"
    "报送前需呈分管专项治理工作的领导审核。"
)
# Seed 003's quarterly clue report to the discipline commission has its own note.
QUARTERLY_TITLE = "{district}农村危房改造专项治理问题线索情况（{year}年第{quarter}季度）"
QUARTERLY_NOTES = (
    "1.本表汇总本季度各专项整治参与单位发现和收到的问题线索，由牵头单位（市住建局）于季度结束后"
    "次月10日前报市纪委监委。\n"
    "2.来源渠道、级别、处置情况从下拉序列选；涉嫌违纪或者职务违法、职务犯罪的线索，"
    "处置情况填“已移送纪检监察机关”。\n"
    "3.线索双向移送：属于其他业务部门的，写明移送单位及办理结果；重复件只登记一次。"
)
ANNEX3_NOTE = (
    "备注：各区城（住）建局分别填报局长、分管农村危房改造的领导、村镇科长和农村危房改造专班负责人"
    "等共4名同志，汇总后于11月14日前报市城建委村镇办。"
)
ANNEX3_ROLES = ("局长", "分管领导", "村镇科长", "专班负责人")

SUMMARY_LIMIT = 300


@dataclass
class Signature:
    """The 填表人 / 联系电话 / 单位分管负责人 line and the 填报单位 / 填报时间 line."""

    unit: str = ""
    filled_on: str = ""  # 2026年11月22日
    filled_by: str = ""
    phone: str = ""
    leader: str = ""


@dataclass
class Annex1:
    district: str
    month: str  # YYYY-MM
    values: list[Decimal]
    remarks: str = ""
    typical_cases: list[str] = field(default_factory=list)
    signature: Signature = field(default_factory=Signature)


@dataclass
class Person:
    name: str
    post: str = ""
    level: str = ""


@dataclass
class Annex2Row:
    source: str
    place: str
    persons: list[Person]
    summary: str
    funds: Decimal
    disposal: str
    rectification: str = ""
    recovered: Decimal = Decimal(0)
    accountable: int = 0
    district: str = ""  # the city's merged table only (its 区县 column)


@dataclass
class Annex2:
    district: str
    month: str
    rows: list[Annex2Row]
    signature: Signature = field(default_factory=Signature)


@dataclass
class Contact:
    region: str
    name: str
    unit_post: str
    mobile: str
