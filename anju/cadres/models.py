"""Assistance cadres (帮扶责任人, seed 003 动态监测机制): which households each cadre looks after,
and what they found on a visit, for the township to act on within a set time."""

from django.conf import settings
from django.db import models

from anju.photos import PhotoFactsFields
from anju.sealed import IdMaskedCharField

USER = settings.AUTH_USER_MODEL


class Assignment(models.Model):
    """A household in a cadre's care, assigned by the township."""

    cadre = models.ForeignKey(
        USER, verbose_name="帮扶责任人", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name="农户", on_delete=models.CASCADE, related_name="+"
    )
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("分配时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶关系"
        verbose_name_plural = "帮扶关系"
        constraints = [
            models.UniqueConstraint(fields=["cadre", "household"], name="cadre_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.household}"


class ObservationKind(models.TextChoices):
    # Said explicitly (an untouched form says nothing): the visit is on record, nothing to do.
    NOTHING = "nothing", "未发现问题"
    STILL_IN_OLD = "still_in_old", "仍住危房"
    LEAKY = "leaky", "漏雨透风"
    STORM_DAMAGE = "storm_damage", "台风暴雨后受损"
    JOINT_HAZARD = "joint_hazard", "联体房隐患"
    OTHER = "other", "其他"


class ObservationStatus(models.TextChoices):
    NEW = "new", "待处置"
    ITEM_OPENED = "item_opened", "已列入问题清单"
    CLOSED = "closed", "已处理关闭"


class Observation(models.Model):
    """What a cadre found on a visit to an assigned household."""

    household = models.ForeignKey(
        "households.Household", verbose_name="农户", on_delete=models.CASCADE, related_name="+"
    )
    # The household's village at the time: the township's list is a range on this column.
    region = models.ForeignKey(
        "regions.Region", verbose_name="行政村", on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        USER, verbose_name="帮扶责任人", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("发现问题", max_length=16, choices=ObservationKind.choices)
    note = IdMaskedCharField("情况说明", max_length=500, blank=True)  # ID numbers masked
    visited_on = models.DateField("走访日期")
    reported_at = models.DateTimeField("报告时间", auto_now_add=True)
    respond_by = models.DateField("处置时限")
    status = models.CharField(
        "状态", max_length=12, choices=ObservationStatus.choices, default=ObservationStatus.NEW
    )
    acted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acted_on = models.DateField("处置日期", null=True, blank=True)
    close_reason = IdMaskedCharField("关闭理由", max_length=300, blank=True)
    item = models.ForeignKey(
        "oversight.RectificationItem",
        verbose_name="问题清单事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The phone's idempotency key for a report queued offline (one report, however often the
    # phone sends it); blank for one sent from a page without the queue.
    client_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "走访报告"
        verbose_name_plural = "走访报告"
        ordering = ["-reported_at", "-pk"]
        indexes = [
            # The township's list of new observations (range on region_id, status).
            models.Index(fields=["region", "status"], name="observation_region_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "client_key"],
                condition=~models.Q(client_key=""),
                name="observation_cadre_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()}"


class ObservationPhoto(PhotoFactsFields):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="photos")
    data = models.BinaryField()
    content_type = models.CharField(max_length=20)

    def __str__(self) -> str:
        return f"{self.observation_id} 照片"
