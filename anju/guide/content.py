"""What each role does, step by step, and what every figure on the screens means (issue 28,
使用说明).

The steps name the menus as the screens show them (`MENU_GROUPS` in
anju.accounts.context_processors: 档案 / 现场 / 比对 / 线索 / 报表 / 管理). The figure
definitions are those the queries compute (docs/dashboard.md, docs/crosscheck.md); the annex
columns come from the reporting app's own definition of the tables, so the guide and the
tables cannot drift apart.
"""

from dataclasses import dataclass

from anju.accounts.roles import Role
from anju.crosscheck.choices import Rule
from anju.reporting.annexes import ANNEX1_COLUMNS


@dataclass(frozen=True)
class Step:
    title: str
    where: str  # the menu path, as the screen shows it
    text: str


@dataclass(frozen=True)
class Guide:
    role: str
    summary: str
    steps: tuple[Step, ...]

    @property
    def label(self) -> str:
        return Role(self.role).label


_FIGURES = Step(
    "看数字",
    "总览",
    "总览的每个数字、每根柱子都链接到它背后的名单；统计口径见本说明的《数字的含义》。",
)

GUIDES: dict[str, Guide] = {
    g.role: g
    for g in (
        Guide(
            Role.TOWNSHIP_CLERK,
            "录入、更新本乡镇的农户档案，组织鉴定、挂牌、回访和整改，处理帮扶责任人的走访报告。",
            (
                Step(
                    "每天先看待办",
                    "首页",
                    "首页列出要您办的事：逾期的在最上面（红色），三个工作日内到期的其次。"
                    "点一项直接打开要办的页面；办完后它自动消失。",
                ),
                Step(
                    "导入或新增农户",
                    "档案 › 农户档案",
                    "“导入”上传县里下发的农户档案表（xlsx 或 csv，可先下载模板）；整份文件全部"
                    "无误才导入，"
                    "有错的行逐行列出（行号、栏名、原值、原因），改好后重新上传即可。单户也可“"
                    "新增农户”。",
                ),
                Step(
                    "安排鉴定",
                    "档案 › 鉴定任务",
                    "部门名单上新增的重点对象会生成鉴定任务，按期限排列。鉴定后在农户页面“增加"
                    "鉴定”，"
                    "任务随即关闭；鉴定为 C、D 级的户开始危房整改。",
                ),
                Step(
                    "跟进整改",
                    "档案 › 危房整改",
                    "C、D 级危房逐户跟进：农户申请、村级评议、审批、开工、竣工、验收、补助发放"
                    "，每一环节在农户页面记录。",
                ),
                Step(
                    "挂牌与回访",
                    "档案 › 农户档案",
                    "已鉴定的户要挂安全状况牌；土坯、土木、砖木结构的房屋每季度回访一次。"
                    "“未挂牌”和“跟踪回访”名单列出逾期的户。",
                ),
                Step(
                    "走访报告",
                    "现场 › 走访报告",
                    "帮扶责任人在手机上报告的情况（返危、漏雨透风、仍住危房等）在这里答复和处理。",
                ),
                Step(
                    "问题清单",
                    "线索 › 问题清单",
                    "县里下发的问题逐项整改，写明整改情况后申请销号。",
                ),
                _FIGURES,
            ),
        ),
        Guide(
            Role.COUNTY_CLERK,
            "区县业务的经办：部门名单与数据比对、问题线索登记与办理、月度报表的填报、专项整治"
            "与巡查抽查。",
            (
                Step(
                    "每天先看待办",
                    "首页",
                    "逾期和即将到期的线索、报表、比对疑点、鉴定任务都在首页。",
                ),
                Step(
                    "上传部门名单",
                    "数据比对 › 部门名单",
                    "死亡人员、建档立卡、低保、特困、残疾人、优抚对象、财政一卡通发放名单，按"
                    "部门给的表上传；"
                    "新名单上传后旧名单自动停用。",
                ),
                Step(
                    "运行比对、核实疑点",
                    "数据比对",
                    "“立即比对”在后台运行，完成后按规则列出疑点。逐条核实：属实的转为问题线索，"
                    "不属实的写明理由留档。各规则的含义见《数字的含义》。",
                ),
                Step(
                    "登记和办理线索",
                    "线索 › 问题线索",
                    "信访举报、巡查、审计、数据比对等来源的线索在台账登记，按环节办理，每个环"
                    "节有工作日计算的时限；"
                    "整改完成后申请销号，由审核人审批。",
                ),
                Step(
                    "月度报表",
                    "报表 › 月度报表",
                    "附件1、附件2 由台账生成，也可上传手工填写的表；核对无误后交审核人签发，每"
                    "月 26 日前报市里。",
                ),
                Step(
                    "专项整治与抽查",
                    "报表 › 专项整治；巡查抽查",
                    "按计划随机抽取农户核查，不合格的进入问题台账。",
                ),
                _FIGURES,
            ),
        ),
        Guide(
            Role.COUNTY_REVIEWER,
            "审核：签发月度报表、审批线索销号和档案变更；不能审批自己经办的事项。",
            (
                Step("每天先看待办", "首页", "待您审批的销号、变更和待签发的报表都在首页。"),
                Step(
                    "审批档案变更",
                    "档案 › 农户档案",
                    "乡镇经办员对已入档数据（如补助金额、户主）的修改需要您批准后才生效；批准"
                    "或退回都记入审计日志。",
                ),
                Step(
                    "审批销号",
                    "线索 › 问题线索",
                    "核对整改情况、追缴资金和问责人数后批准销号，或写明理由退回。",
                ),
                Step(
                    "签发报表",
                    "报表 › 月度报表",
                    "核对附件1与附件2一致（系统会列出不一致的栏）后签发；签发后报表冻结，不能"
                    "再改。",
                ),
                _FIGURES,
            ),
        ),
        Guide(
            Role.CITY_OFFICE,
            "查看全市情况，督促各区县按时报送，对重点线索挂牌督办，维护公众门户的内容。",
            (
                Step(
                    "看全市",
                    "总览",
                    "柱子按区县排列，差额最大的在最上面并标红；点柱子进入该区县的名单，或用“看"
                    "下级总览”。",
                ),
                Step(
                    "督促报送",
                    "报表 › 月度报表",
                    "报送看板列出各区县已报、按时与迟报天数；可退回有问题的报表。",
                ),
                Step(
                    "重点督办",
                    "线索 › 问题线索",
                    "对严重或久拖未决的线索设为重点督办，它们在总览中单独统计。",
                ),
                Step(
                    "门户内容", "管理 › 门户内容", "维护公众门户上公开的政策、举报方式和公示内容。"
                ),
                _FIGURES,
            ),
        ),
        Guide(
            Role.DISCIPLINE,
            "接收移送的问题线索，记录问责情况，查看举报人信息（每次查看记入审计日志），接收季"
            "度线索报告。",
            (
                Step(
                    "接收线索",
                    "线索 › 问题线索",
                    "移送纪检监察的线索在台账中可见，签收后办理并记录问责。",
                ),
                Step(
                    "举报人信息",
                    "线索 › 问题线索",
                    "公众举报的联系方式只有纪检监察可以查看，每次查看都记入审计日志。",
                ),
                Step(
                    "季度线索报告", "报表 › 月度报表", "各区县每季度报送的问题线索报告在这里签收。"
                ),
                Step("数据比对", "数据比对", "可查看比对疑点并核实，必要时自行运行比对。"),
                _FIGURES,
            ),
        ),
        Guide(
            Role.DATA_PROVIDER,
            "只上传本部门的名单，看自己上传过的名单；看不到农户档案和比对结果。",
            (
                Step(
                    "上传名单",
                    "部门名单",
                    "选择名单类型，上传部门导出的表（xlsx 或 csv，GBK 编码也可）。整份名单全部"
                    "无误才导入，"
                    "有错的行逐行列出（行号、栏名、原值、原因）。",
                ),
                Step(
                    "查看记录",
                    "部门名单",
                    "每次上传是一个版本：类型、覆盖区划、截至日期、上传人和文件指纹。",
                ),
            ),
        ),
        Guide(
            Role.CADRE,
            "挂钩帮扶责任人：只看分给自己的户，上门走访后在手机上报告住房情况。",
            (
                Step(
                    "我的帮扶户",
                    "我的帮扶户",
                    "列出分给您的户和上次走访的日期，逾期未走访的在最上面。",
                ),
                Step(
                    "报告情况",
                    "我的帮扶户",
                    "打开一户，勾选发现的情况（返危、漏雨透风、仍住危房等），没有问题请明确选"
                    "择“未发现问题”，"
                    "可附照片（照片的拍摄信息会被去除），然后“报告乡镇”。",
                ),
            ),
        ),
        Guide(
            Role.SYSTEM_ADMIN,
            "建立、停用账号，重置密码；看不到任何业务数据。",
            (
                Step(
                    "新建账号",
                    "用户管理",
                    "填写姓名、所属区划；临时密码只显示一次，请当面交给本人。",
                ),
                Step(
                    "停用与重置密码",
                    "用户管理",
                    "人员离岗时停用账号；忘记密码时重置，本人首次登录须修改。",
                ),
            ),
        ),
        Guide(
            Role.SECURITY_ADMIN,
            "授予角色和区划，解除锁定，签发验证器绑定码；看不到任何业务数据。",
            (
                Step(
                    "授予角色",
                    "用户管理",
                    "为账号勾选角色；三员（系统、安全、审计管理员）不能兼任其他角色。",
                ),
                Step(
                    "解除锁定",
                    "用户管理",
                    "连续输错 5 次密码或验证码的账号被锁 15 分钟，可在此提前解除。",
                ),
                Step(
                    "绑定码",
                    "用户管理",
                    "新账号或更换手机时签发验证器绑定码，经本人渠道交给本人，72 小时内有效。",
                ),
            ),
        ),
        Guide(
            Role.AUDIT_ADMIN,
            "只读审计日志：谁、何时、从哪里、做了什么、修改前后的值。",
            (
                Step(
                    "查看审计日志",
                    "审计日志",
                    "按操作人、操作类型、日期筛选；每条记录逐项列出修改前后的值。日志不能修改"
                    "或删除。",
                ),
            ),
        ),
    )
}


@dataclass(frozen=True)
class Figure:
    anchor: str
    name: str
    definition: str


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    intro: str
    figures: tuple[Figure, ...]


OVERVIEW = (
    Figure(
        "assessed",
        "已鉴定农户",
        "有至少一次房屋危险性鉴定的户 / 全部农户；柱子是各下级未鉴定的户数。",
    ),
    Figure(
        "plated",
        "安全状况牌已挂牌",
        "已鉴定且有一块牌已挂牌上墙（有挂牌日期）的户 / 已鉴定的户；柱子是未挂牌的户数。",
    ),
    Figure(
        "revisited",
        "按季度回访",
        "应回访的户（房屋为土坯、土木、砖木结构）中未逾期的 / 应回访的户；从未回访，或上次回访"
        "早于今天前 92 天的为逾期。",
    ),
    Figure(
        "accepted", "改造已验收", "有验收日期的改造记录 / 全部改造记录；柱子是未验收的改造记录数。"
    ),
    Figure(
        "paid",
        "补助按时发放",
        "验收后规定天数内（默认 30 天）首笔发放的 / 有补助的已验收改造；只计发放期限已届满的月"
        "份验收的改造。"
        "发放以财政一卡通发放名单为准，名单中没有的以档案记载为准。",
    ),
    Figure("open", "在办问题线索", "状态不是“已销号”“已并入重复件”的线索，按线索涉及的地方归属。"),
    Figure("overdue", "线索办理逾期", "在办且当前环节的办理时限（按工作日计）早于今天的线索。"),
    Figure("supervised", "重点督办", "在办且被列为重点督办的线索。"),
    Figure(
        "reports", "报送情况", "上月附件1 各区县是否已报、是否按时（每月 26 日前），迟报的天数。"
    ),
)

WORKBENCH = (
    Figure("overdue-items", "逾期", "已过办理期限仍未办完的待办事项，排在最上面。"),
    Figure("soon-items", "即将到期", "三个工作日内（按国家法定节假日和调休计算）到期的待办事项。"),
)

# The rules' definitions as the cross-check computes them (docs/crosscheck.md, 规则).
RULES = {
    Rule.DECEASED_BENEFICIARY: (
        "户主或家庭成员死亡（死亡名单或档案中的死亡日期）当天或之后仍审批、仍发放补助。"
    ),
    Rule.INELIGIBLE: "审批日不在任何重点对象名单或类别中；有该类部门名单在用时以名单为准。",
    Rule.DUPLICATE_SUBSIDY: "同一身份证号（户主或成员）享受两次以上有补助的改造。",
    Rule.PAYMENT_ACCOUNT: (
        "补助发放到非本户一卡通账号，或户名不是本户家庭成员；档案与财政发放记录的账户不一致。"
    ),
    Rule.PAYMENT_AMOUNT: "某年度改造的发放合计与核定补助不符；档案记载的合计与财政发放记录不一致。",
    Rule.PAYMENT_LATE: (
        "验收后超过规定天数（默认 30 天）才首次发放，或至今未发放；两个来源的首次发放日期不一致。"
    ),
    Rule.INVALID_ID: "档案中的身份证号不符合 GB 11643（校验位、出生日期或省级代码有误）。",
    Rule.RECORD_MISMATCH: (
        "同一号码在建档立卡名单中是另一个姓名；档案登记为建档立卡而名单中没有该户任何成员。"
    ),
    Rule.NO_ASSESSMENT: "审批前没有房屋危险性鉴定。",
    Rule.GRADE_MISMATCH: "审批前最近一次鉴定为 A/B 级仍予改造，或 C 级却拆除重建、新建。",
    Rule.AREA_STANDARD: (
        "新建住房面积超出按家庭人口的标准（1–3 人至少 20/30/40 平方米、至多 60 平方米；3 人以上每"
        "人 13–18 平方米）。"
    ),
    Rule.NO_TOILET: "已验收但验收记录为无卫生厕所。",
    Rule.NO_ACCEPTANCE: "竣工超过规定天数（默认 30 天）仍未验收。",
    Rule.ASSESSMENT_OVERDUE: (
        "重点对象名单收到超过一个月，名单上的人所在户既未鉴定也未改造；或新增对象的鉴定任务已过期"
        "限。"
    ),
    Rule.VISIT_OVERDUE: (
        "现住房屋为土坯、土木、砖木结构，超过一个季度（92 天）未回访；拆除重建并验收后住新房的不再"
        "回访。"
    ),
    Rule.PLATE_MISSING: "安全状况牌过了挂牌时限仍未挂。",
    Rule.STILL_IN_DANGEROUS_HOUSE: (
        "已建成验收安全住房，最近一次回访发现仍住原危房；或有新房仍住 C/D 级旧房。"
    ),
    Rule.NOT_RENOVATED: (
        "重点对象的房屋鉴定为 C/D 级，鉴定后超过规定天数（默认 30 天）既未开始改造，也未认定搬迁。"
    ),
}


def figure_sections() -> list[Section]:
    annex1 = tuple(
        Figure(f"annex1-{i + 1}", f"第{i + 1}栏 {name}", "")
        for i, name in enumerate(ANNEX1_COLUMNS)
    )
    return [
        Section("overview", "总览", "今天按北京时间计；每个数字链接到它背后的名单。", OVERVIEW),
        Section("workbench", "首页待办", "首页只列出要您本人办的事。", WORKBENCH),
        Section(
            "crosscheck",
            "数据比对规则",
            "每条规则在数据库中把农户档案与部门名单逐人比对；疑点经核实属实的转为问题线索。",
            tuple(Figure(f"rule-{r.value.lower()}", r.label, RULES[r]) for r in Rule),
        ),
        Section(
            "annex1",
            "附件1 查处整改情况统计表",
            "统计上月数据，每月 26 日前报市里；不得重复统计和漏报，应与附件2 问题线索表一致。"
            "金额栏以万元计、保留两位小数，其余栏为人次或件数。",
            annex1,
        ),
    ]
