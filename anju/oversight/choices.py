"""The ledger's fixed lists, named as the seeds and DOMAIN.md name them."""

from django.db import models


class SourceChannel(models.TextChoices):
    PETITION = "petition", "信访举报"
    INSPECTION_TOUR = "inspection_tour", "巡视督查"
    AUDIT = "audit", "审计"
    DISCIPLINE = "discipline", "纪检监察"
    ROUTINE = "routine", "日常巡查检查"
    SELF_CHECK = "self_check", "自查自纠"
    MEDIA = "media", "媒体舆情"
    DATA_CHECK = "data_check", "数据比对"
    ASSIGNED = "assigned", "上级交办"
    # 线索双向移送 (seed 003): a participating department passes a clue it found to housing.
    DEPARTMENT = "department", "部门移送"


class ProblemKind(models.TextChoices):
    """Seed 000's four areas of the special campaign."""

    RESPONSIBILITY = "responsibility", "责任不落实"
    TARGETING = "targeting", "对象认定不精准"
    FUNDS = "funds", "资金使用违规"
    STYLE = "style", "作风不实"


class CadreLevel(models.TextChoices):
    """One fine level per person; both Annex 1 level schemes derive from it."""

    COUNTY = "county", "县处级"
    TOWNSHIP = "township", "乡科级"
    GENERAL = "general", "乡科级以下（一般干部）"
    VILLAGE = "village", "村社干部"
    OTHER = "other", "其他人员"


# Annex 1 columns 6-11 (党纪/政务处分): 县处级 / 乡科级 / 乡科级以下.
SANCTION_SCHEME = {
    CadreLevel.COUNTY: "县处级",
    CadreLevel.TOWNSHIP: "乡科级",
    CadreLevel.GENERAL: "乡科级以下",
    CadreLevel.VILLAGE: "乡科级以下",
    CadreLevel.OTHER: "乡科级以下",
}
# Annex 1 columns 15-30 (四种形态): 县处级 / 乡科级及以下 / 村社干部 / 其他人员.
FORM_SCHEME = {
    CadreLevel.COUNTY: "县处级",
    CadreLevel.TOWNSHIP: "乡科级及以下",
    CadreLevel.GENERAL: "乡科级及以下",
    CadreLevel.VILLAGE: "村社干部",
    CadreLevel.OTHER: "其他人员",
}
# Annex 2's 级别 drop-down.
ANNEX2_LEVEL = {
    CadreLevel.COUNTY: "县处级",
    CadreLevel.TOWNSHIP: "乡科级",
    CadreLevel.GENERAL: "乡科级以下",
    CadreLevel.VILLAGE: "村社干部",
    CadreLevel.OTHER: "其他人员",
}


class ClueStatus(models.TextChoices):
    REGISTERED = "registered", "登记"
    ASSIGNED = "assigned", "分办"
    VERIFYING = "verifying", "核查"
    DISPOSING = "disposing", "处置"
    RECTIFYING = "rectifying", "整改"
    PENDING_CLOSE = "pending_close", "待销号"
    CLOSED = "closed", "已销号"
    MERGED = "merged", "已并入重复件"


class Disposal(models.TextChoices):
    """The discipline disposals (处置方式)."""

    TALK_INQUIRY = "talk_inquiry", "谈话函询"
    PRELIMINARY = "preliminary", "初步核实"
    SHELVE = "shelve", "暂存待查"
    CONCLUDE = "conclude", "予以了结"
    CASE = "case", "立案审查"
    TRANSFER = "transfer", "移送"


class TransferTarget(models.TextChoices):
    DISTRICT = "district", "其他区县"
    DEPARTMENT = "department", "业务部门"
    DISCIPLINE = "discipline", "纪检监察机关"


class SanctionKind(models.TextChoices):
    UNIT_CHECK = "unit_check", "单位·检查"
    UNIT_NOTICE = "unit_notice", "单位·通报"
    PARTY = "party", "党纪处分"
    GOVERNMENT = "government", "政务处分"
    ADMONISH = "admonish", "诫勉谈话"
    ORGANISATIONAL = "organisational", "组织调整或处理"
    JUDICIARY = "judiciary", "移送司法"


UNIT_SANCTIONS = {SanctionKind.UNIT_CHECK, SanctionKind.UNIT_NOTICE}


class Form(models.IntegerChoices):
    FIRST = 1, "第一种形态"
    SECOND = 2, "第二种形态"
    THIRD = 3, "第三种形态"
    FOURTH = 4, "第四种形态"


class ItemStatus(models.TextChoices):
    OPEN = "open", "整改中"
    # Closed by one person where the township's problem list asks for a second person's review
    # (parameters' item_close_review): done once someone else agrees, open again if returned.
    REVIEW = "review", "待复核"
    DONE = "done", "已整改"


class ItemSource(models.TextChoices):
    VISIT = "visit", "跟踪回访"
    FINDING = "finding", "数据比对"
    SELF_CHECK = "self_check", "自查"
    CLUE = "clue", "问题线索"
    SPOT_CHECK = "spot_check", "抽查"
    ASSESSMENT = "assessment", "新增对象逾期未鉴定"
    CADRE = "cadre", "帮扶责任人报告"
