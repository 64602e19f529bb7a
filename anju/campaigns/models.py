"""专项整治 (seed 003): a campaign with its phases and dated targets, each target measured from
the data by a measure of the fixed registry in anju/campaigns/measures.py."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

USER = settings.AUTH_USER_MODEL


class Campaign(models.Model):
    name = models.CharField("专项整治名称", max_length=150)
    region = models.ForeignKey(
        "regions.Region", verbose_name="实施范围", on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    # 动态新增贫困户: recognised in a category on or after this date (default: campaign start).
    new_since = models.DateField("新增对象起算日期")
    lead_unit = models.CharField("牵头单位", max_length=100, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "专项整治"
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="campaign_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("campaigns:campaign", args=[self.pk])


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    ordinal = models.PositiveSmallIntegerField("序号")
    name = models.CharField("阶段", max_length=50)
    start = models.DateField("开始")
    end = models.DateField("结束")
    tasks = models.CharField("主要任务", max_length=300, blank=True)

    class Meta:
        ordering = ["ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "ordinal"], name="phase_ordinal_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="phase_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    name = models.CharField("目标任务", max_length=150)
    measure = models.CharField("统计口径", max_length=32)
    goal_percent = models.PositiveSmallIntegerField(
        "目标值（%）", default=100, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    due = models.DateField("完成时限")

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.name
