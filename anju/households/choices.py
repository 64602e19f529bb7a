from django.db import models


class Category(models.TextChoices):
    """4 类重点对象 (seed 000) and the further categories of seed 003."""

    REGISTERED_POOR = "registered_poor", "建档立卡贫困户"
    SUBSISTENCE = "subsistence", "低保户"
    EXTREME_POOR = "extreme_poor", "农村分散供养特困人员"
    POOR_DISABLED = "poor_disabled", "贫困残疾人家庭"
    VETERAN = "veteran", "重点优抚对象"
    FIVE_ELDERS = "five_elders", "革命“五老”人员"
    BASE_VILLAGE = "base_village", "革命基点村群众"
    OTHER_POOR = "other_poor", "其他贫困户"


# Words departments use for each category in their files.
CATEGORY_WORDS = {
    Category.REGISTERED_POOR: ("建档立卡", "贫困户", "建档立卡贫困户"),
    Category.SUBSISTENCE: ("低保", "低保户", "最低生活保障"),
    Category.EXTREME_POOR: ("五保", "五保户", "特困", "分散供养特困", "农村分散供养特困人员"),
    Category.POOR_DISABLED: ("残疾", "贫困残疾人", "贫困残疾人家庭", "残疾人家庭"),
    Category.VETERAN: ("优抚", "重点优抚对象", "优抚对象"),
    Category.FIVE_ELDERS: ("五老", "革命五老", "革命“五老”人员"),
    Category.BASE_VILLAGE: ("基点村", "革命基点村", "革命基点村群众"),
    Category.OTHER_POOR: ("其他贫困户", "其他"),
}
CATEGORY_DEPARTMENT = {
    Category.REGISTERED_POOR: "扶贫办",
    Category.SUBSISTENCE: "民政局",
    Category.EXTREME_POOR: "民政局",
    Category.POOR_DISABLED: "残联",
    Category.VETERAN: "退役军人事务局",
    Category.FIVE_ELDERS: "退役军人事务局",
    Category.BASE_VILLAGE: "农业农村局",
    Category.OTHER_POOR: "民政局",
}
PRIORITY = frozenset(
    {Category.REGISTERED_POOR, Category.SUBSISTENCE, Category.EXTREME_POOR, Category.POOR_DISABLED}
)


class Structure(models.TextChoices):
    EARTH = "earth", "土坯"
    EARTH_TIMBER = "earth_timber", "土木"
    BRICK_TIMBER = "brick_timber", "砖木"
    BRICK_CONCRETE = "brick_concrete", "砖混"
    STONE_TIMBER = "stone_timber", "石木"
    FRAME = "frame", "框架"
    OTHER = "other", "其他"


# Seed 003: earth, earth-timber and brick-timber houses are revisited every quarter.
REVISITED = frozenset({Structure.EARTH, Structure.EARTH_TIMBER, Structure.BRICK_TIMBER})


class Grade(models.TextChoices):
    A = "A", "A级（安全）"
    B = "B", "B级（基本安全）"
    C = "C", "C级（局部危险）"
    D = "D", "D级（整体危险）"


class Method(models.TextChoices):
    REPAIR = "repair", "修缮加固"
    REBUILD = "rebuild", "拆除重建"
    NEW = "new", "新建"
    REPLACEMENT = "replacement", "置换/统建"
    RELOCATION = "relocation", "造福工程搬迁"


# Methods after whose acceptance the family lives in a new house (the old one demolished or left):
# the archive import records that house (anju.households.imports), the cross-check reads the
# same set (anju.crosscheck.rules.base.NEW_HOUSE_METHODS).
NEW_HOUSE_METHODS = (Method.REBUILD, Method.NEW, Method.REPLACEMENT, Method.RELOCATION)

METHOD_WORDS = {
    Method.REPAIR: ("修缮加固", "加固", "修缮", "维修加固"),
    Method.REBUILD: ("拆除重建", "重建", "原址重建"),
    Method.NEW: ("新建",),
    Method.REPLACEMENT: ("置换", "统建", "置换/统建", "统规统建"),
    Method.RELOCATION: ("造福工程搬迁", "搬迁", "造福工程", "易地搬迁"),
}
