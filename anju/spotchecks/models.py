"""巡查抽查 (seed 000) / 随机开展督导、抽查核实 (seed 003): a plan draws a reproducible random
sample of renovated or plated houses, inspectors check each house against nine items, and a
failed item opens a problem on the township list or a clue in the ledger."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from anju.photos import PhotoFactsFields
from anju.regions.models import Level
from anju.sealed import IdMaskedCharField

USER = settings.AUTH_USER_MODEL


class Population(models.TextChoices):
    RENOVATED = "renovated", "已验收的改造户"
    PLATED = "plated", "已挂牌的农户"
    BOTH = "both", "改造户和挂牌户"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "待抽取"
    DRAWN = "drawn", "核查中"
    CLOSED = "closed", "已结束"


class CheckItem(models.TextChoices):
    """The nine things an inspector checks at each house (issue #10)."""

    IDENTITY = "identity", "身份信息"
    ELIGIBILITY = "eligibility", "对象资格"
    GRADE = "grade", "危险等级"
    AREA = "area", "建筑面积"
    TOILET = "toilet", "卫生厕所"
    QUALITY = "quality", "施工质量"
    PAYMENT = "payment", "补助资金足额到户"
    PLATE = "plate", "安全状况牌上墙"
    OCCUPANCY = "occupancy", "家庭实际入住"


# A participating department checks in its own field (issue 30, point 4; seed 003 部门分工负责):
# its plans check these items unless it picks others. Housing (no unit) checks all nine.
UNIT_ITEMS = {
    "poverty": [CheckItem.IDENTITY, CheckItem.ELIGIBILITY, CheckItem.PAYMENT, CheckItem.OCCUPANCY],
    "civil_affairs": [CheckItem.IDENTITY, CheckItem.ELIGIBILITY, CheckItem.OCCUPANCY],
    "disabled": [CheckItem.IDENTITY, CheckItem.ELIGIBILITY],
    "veterans": [CheckItem.IDENTITY, CheckItem.ELIGIBILITY],
    "emergency": [CheckItem.GRADE, CheckItem.QUALITY, CheckItem.OCCUPANCY],
    "natural_resources": [CheckItem.AREA, CheckItem.QUALITY],
    "finance": [CheckItem.IDENTITY, CheckItem.PAYMENT],
}


def items_for_unit(unit) -> list[str]:
    """The checklist a unit's plan starts from: its own field's items, or all nine."""
    return [str(i) for i in UNIT_ITEMS.get(getattr(unit, "kind", ""), list(CheckItem))]


class Outcome(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    UNVERIFIABLE = "unverifiable", "无法核实"


class SpotCheckPlan(models.Model):
    name = models.CharField("抽查名称", max_length=100)
    # The level of the unit that inspects (省/市/县/乡), from the creating user's region.
    level = models.PositiveSmallIntegerField("抽查层级", choices=Level.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="抽查范围", on_delete=models.PROTECT, related_name="+"
    )
    population = models.CharField(
        "抽查对象", max_length=10, choices=Population.choices, default=Population.RENOVATED
    )
    share_percent = models.PositiveSmallIntegerField(
        "每乡镇抽取比例（%）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    count_per_township = models.PositiveIntegerField(
        "每乡镇抽取户数", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    weight_findings = models.PositiveSmallIntegerField(
        "比对发现户加权", default=0, validators=[MaxValueValidator(20)]
    )
    weight_clues = models.PositiveSmallIntegerField(
        "线索举报户加权", default=0, validators=[MaxValueValidator(20)]
    )
    seed = models.CharField("随机种子", max_length=64)
    status = models.CharField(
        "状态", max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    inspectors = models.ManyToManyField(USER, blank=True, related_name="+", verbose_name="检查人员")
    # The frame the draw used: [[the head's ID's blind index, township code, weight], ...] in
    # that order (no ID number in clear: anju.sealed), and
    # its SHA-256, so anyone can re-draw from it later and compare (plan_verify).
    frame = models.JSONField(default=list, blank=True)
    frame_sha256 = models.CharField(max_length=64, blank=True)
    strata = models.JSONField(
        "分层情况", default=dict, blank=True
    )  # {township: {"population": n, "drawn": k}}
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    # The participating department whose spot check this is (its users alone plan, inspect and
    # see it); empty for housing's own. Its checklist: `items` (empty: all nine).
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name="组织单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    items = models.JSONField("检查事项", default=list, blank=True)

    class Meta:
        verbose_name = "抽查计划"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_percent__isnull=False, count_per_township__isnull=True)
                | models.Q(share_percent__isnull=True, count_per_township__isnull=False),
                name="spotcheck_share_or_count",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("spotchecks:plan", args=[self.pk])

    def check_items(self) -> list[str]:
        """This plan's checklist in the nine items' order."""
        chosen = set(self.items or CheckItem.values)
        return [i for i in CheckItem.values if i in chosen]

    def check_item_labels(self) -> list[str]:
        return [CheckItem(i).label for i in self.check_items()]


class SampledHouse(models.Model):
    plan = models.ForeignKey(SpotCheckPlan, on_delete=models.CASCADE, related_name="houses")
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        "regions.Region", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveIntegerField("抽取顺序")
    weight = models.PositiveSmallIntegerField("权重", default=1)
    inspector = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField("核查日期", null=True, blank=True)
    inspected_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "抽中农户"
        ordering = ["township_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "household"], name="sampled_house_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.household}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("spotchecks:house", args=[self.pk])


class CheckResult(models.Model):
    house = models.ForeignKey(SampledHouse, on_delete=models.CASCADE, related_name="results")
    item = models.CharField("检查事项", max_length=12, choices=CheckItem.choices)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices)
    note = IdMaskedCharField("说明", max_length=300, blank=True)  # ID numbers masked
    # What a failed item led to: a line on the township list, or a clue in the ledger.
    problem = models.ForeignKey(
        "oversight.RectificationItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clue = models.ForeignKey(
        "oversight.Clue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "检查结果"
        constraints = [
            models.UniqueConstraint(fields=["house", "item"], name="check_result_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.get_outcome_display()}"


class CheckPhoto(PhotoFactsFields):
    house = models.ForeignKey(SampledHouse, on_delete=models.CASCADE, related_name="photos")
    data = models.BinaryField()
    content_type = models.CharField(max_length=20)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"照片 {self.pk}"
