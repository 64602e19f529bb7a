"""Assessment tasks (seed 003, 信息共享机制): a household new to a department's priority list whose
house has no assessment is to be assessed within one month of the list reaching the bureau."""

from datetime import date

from django.db import models
from django.db.models import Q

from anju.sealed import DigestField, MaskField, SealedField, SealedModel


class TaskStatus(models.TextChoices):
    """Derived, never stored: done once assessed; overdue when past due and still open."""

    OPEN = "open", "待鉴定"
    OVERDUE = "overdue", "已逾期"
    DONE = "done", "已鉴定"


class TaskReason(models.TextChoices):
    NEW_PERSON = "new_person", "新列入名单"
    NEW_CATEGORY = "new_category", "新纳入重点对象类别"
    NEW_HOUSEHOLD = "new_household", "新列入名单，档案中无此户（待建档）"
    ENTERED = "entered", "乡镇新建档"


class AssessmentTask(SealedModel):
    household = models.ForeignKey(
        "households.Household", verbose_name="农户", on_delete=models.CASCADE, related_name="+"
    )
    # The household's township: the list of tasks is kept per township (range on this column).
    region = models.ForeignKey(
        "regions.Region", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+"
    )
    # The list that brought the household in; none for a household entered by hand or a
    # category added by a change request (received_on is then the day of that change).
    reference = models.ForeignKey(
        "crosscheck.ReferenceList",
        verbose_name="来源名单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("名单类型", max_length=20)
    reason = models.CharField("原因", max_length=16, choices=TaskReason.choices)
    # The person on the list who brought the household in (the finding's key in the rule),
    # sealed at rest like every ID number (anju.sealed).
    id_number = SealedField("身份证号", kind="id")
    id_number_digest = DigestField(of="id_number", kind="id")
    id_number_masked = MaskField(of="id_number", form="id")
    name = models.CharField("姓名", max_length=50)
    received_on = models.DateField("名单收到日期")
    due_on = models.DateField("应鉴定日期", db_index=True)
    done_on = models.DateField("鉴定完成日期", null=True, blank=True)
    assessment = models.ForeignKey(
        "households.Assessment",
        verbose_name="鉴定记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The problem-list line opened when the task went overdue.
    item = models.ForeignKey(
        "oversight.RectificationItem",
        verbose_name="问题清单事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "鉴定任务"
        verbose_name_plural = "鉴定任务"
        ordering = ["due_on", "pk"]
        constraints = [
            # One open task per household: a second list naming it adds nothing to do.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(done_on__isnull=True),
                name="assessment_task_one_open",
            ),
        ]
        indexes = [
            # The township's list (range on region_id) by due date.
            models.Index(fields=["region", "due_on"], name="assessment_task_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.due_on}"

    def status_on(self, today: date) -> str:
        if self.done_on is not None:
            return TaskStatus.DONE
        return TaskStatus.OVERDUE if today > self.due_on else TaskStatus.OPEN
