from django.db import models


class Kind(models.TextChoices):
    """Other departments' lists (CONTRACT.md: `anju import reference KIND`)."""

    DEATHS = "deaths", "死亡人员名单"
    POVERTY = "poverty", "建档立卡贫困人口"
    SUBSISTENCE = "subsistence", "低保对象"
    EXTREME_POOR = "extreme-poor", "特困供养人员"
    DISABLED = "disabled", "残疾人"
    VETERANS = "veterans", "优抚对象"
    PAYMENTS = "payments", "一卡通发放记录"


DEPARTMENT = {
    Kind.DEATHS: "公安局/民政局",
    Kind.POVERTY: "扶贫办",
    Kind.SUBSISTENCE: "民政局",
    Kind.EXTREME_POOR: "民政局",
    Kind.DISABLED: "残联",
    Kind.VETERANS: "退役军人事务局",
    Kind.PAYMENTS: "财政局",
}
# Lists that put a person in a priority category (DOMAIN.md), with the category's name.
PRIORITY_KINDS = {
    Kind.POVERTY: "建档立卡贫困户",
    Kind.SUBSISTENCE: "低保户",
    Kind.EXTREME_POOR: "特困供养人员",
    Kind.DISABLED: "贫困残疾人家庭",
    Kind.VETERANS: "重点优抚对象",
}


class Rule(models.TextChoices):
    """The finding rule codes of CONTRACT.md (stable: used in the JSON and xlsx outputs)."""

    DECEASED_BENEFICIARY = "DECEASED_BENEFICIARY", "已死亡人员仍享受补助"
    INELIGIBLE = "INELIGIBLE", "审批时不属于重点对象"
    DUPLICATE_SUBSIDY = "DUPLICATE_SUBSIDY", "重复享受补助"
    PAYMENT_ACCOUNT = "PAYMENT_ACCOUNT", "补助未发放到本户账户"
    PAYMENT_AMOUNT = "PAYMENT_AMOUNT", "发放金额与核定补助不符"
    PAYMENT_LATE = "PAYMENT_LATE", "补助发放不及时"
    INVALID_ID = "INVALID_ID", "身份证号不合规"
    RECORD_MISMATCH = "RECORD_MISMATCH", "与扶贫部门信息不一致"
    NO_ASSESSMENT = "NO_ASSESSMENT", "未经危险性鉴定即改造"
    GRADE_MISMATCH = "GRADE_MISMATCH", "鉴定等级与改造方式不符"
    AREA_STANDARD = "AREA_STANDARD", "建筑面积超出标准"
    NO_TOILET = "NO_TOILET", "无卫生厕所"
    NO_ACCEPTANCE = "NO_ACCEPTANCE", "竣工未验收"
    ASSESSMENT_OVERDUE = "ASSESSMENT_OVERDUE", "新增对象逾期未鉴定"
    VISIT_OVERDUE = "VISIT_OVERDUE", "逾期未回访"
    PLATE_MISSING = "PLATE_MISSING", "逾期未挂安全状况牌"
    STILL_IN_DANGEROUS_HOUSE = "STILL_IN_DANGEROUS_HOUSE", "已有安全住房仍住危房"
    NOT_RENOVATED = "NOT_RENOVATED", "鉴定为危房未及时改造"


class FindingStatus(models.TextChoices):
    PENDING = "pending", "待核实"
    CONFIRMED = "confirmed", "属实"
    DISMISSED = "dismissed", "不属实"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "比对中"
    DONE = "done", "已完成"
    FAILED = "failed", "中断"
