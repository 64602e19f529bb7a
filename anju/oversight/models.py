"""The problem-clue ledger (台账): clues, the persons they name, their history, transfers,
close-out evidence, accountability, exposure, typical cases and township problem lists.

Everything Annex 1 and Annex 2 count is stored here as a fact with a date, so the monthly tables
are counted from the ledger and never typed in (see docs/ledger.md, 统计口径).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models

from anju.oversight.choices import (
    CadreLevel,
    ClueStatus,
    Disposal,
    Form,
    ItemSource,
    ItemStatus,
    ProblemKind,
    SanctionKind,
    SourceChannel,
    TransferTarget,
)
from anju.sealed import (
    DigestField,
    IdMaskedCharField,
    IdMaskedTextField,
    MaskField,
    SealedField,
    SealedModel,
)

SUMMARY_LIMIT = 300
USER = settings.AUTH_USER_MODEL


def money(name: str) -> models.DecimalField:
    return models.DecimalField(
        name,
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )


class Clue(models.Model):
    number = models.CharField("台账编号", max_length=32, unique=True)
    # The place concerned, as precisely as known (district, township or village): the district
    # is its code's first six digits; scoping is a range on this column.
    region = models.ForeignKey(
        "regions.Region", verbose_name="涉及地方", on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField("涉及地方或单位", max_length=100)
    source_channel = models.CharField("来源渠道", max_length=20, choices=SourceChannel.choices)
    received_on = models.DateField("收到日期")
    category = models.CharField("问题类别", max_length=20, choices=ProblemKind.choices)
    summary = IdMaskedTextField("问题线索摘要", validators=[MaxLengthValidator(SUMMARY_LIMIT)])
    funds = money("涉及资金（万元）")
    status = models.CharField(
        "状态",
        max_length=16,
        choices=ClueStatus.choices,
        default=ClueStatus.REGISTERED,
        db_index=True,
    )
    status_since = models.DateField("进入当前状态日期")
    due_on = models.DateField("当前环节办理时限", null=True, blank=True, db_index=True)
    disposal = models.CharField("处置方式", max_length=16, choices=Disposal.choices, blank=True)
    handling_unit = models.CharField("承办单位", max_length=100, blank=True)
    handler = models.ForeignKey(
        USER,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Stored with ID numbers masked; the full numbers are sealed in ClueLink (source "links").
    links = IdMaskedCharField(
        "关联档案（户主身份证号、改造年度、比对结果编号等）", max_length=200, blank=True
    )
    rectification = IdMaskedTextField("整改情况", blank=True)
    recovered = money("追缴资金（万元）")
    accountable = models.PositiveIntegerField("问责人数", default=0)
    close_requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField("销号日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        USER,
        verbose_name="销号审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supervised = models.BooleanField("重点督办", default=False, db_index=True)
    supervision_due = models.DateField("督办时限", null=True, blank=True)
    supervision_note = IdMaskedCharField("督办要求", max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic concurrency: every save must name the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "问题线索"
        verbose_name_plural = "问题线索"
        ordering = ["-received_on", "-pk"]
        indexes = [
            # The ledger list of a region: range on region_id, newest first.
            models.Index(fields=["region", "received_on"], name="clue_region_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary[:20]}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:clue", args=[self.pk])

    @property
    def district_code(self) -> str:
        return self.region_id[:6] + "000000"

    @property
    def is_open(self) -> bool:
        return self.status not in (ClueStatus.CLOSED, ClueStatus.MERGED)

    @property
    def overall_due(self):
        """The overall limit's last day, counted from the day the clue was received."""
        from anju.oversight.deadlines import overall_due

        return overall_due(self.received_on)

    @property
    def deadline(self):
        """What an open clue is late by: its stage's deadline or the overall limit, whichever
        comes first (None once closed or merged)."""
        from anju.oversight.deadlines import effective_due

        return effective_due(self.due_on, self.received_on) if self.is_open else None


class LinkSource(models.TextChoices):
    LINKS = "links", "关联档案"
    TEXT = "text", "摘要或举报内容"


class ClueLink(SealedModel):
    """An ID number a clue names: written in its 关联档案 (`links`) or in its summary, a merged
    duplicate's summary or a portal report (`text`). The clue's own text keeps only the masked
    form; the full number is sealed here, with its blind index, so a look-up by ID still finds
    the clue (the ledger search, the spot-check weighting, duplicate detection) and a role that
    may unmask sees it in full (audited)."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="id_links")
    source = models.CharField(max_length=8, choices=LinkSource.choices)
    id_number = SealedField("身份证号", kind="id")
    id_number_digest = DigestField(of="id_number", kind="id", db_index=True)
    id_number_masked = MaskField(of="id_number", form="id")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clue", "source", "id_number_digest"], name="cluelink_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clue_id} {self.id_number_masked}"


class CluePerson(models.Model):
    """One of the 1-3 persons a clue names (被反映主要对象)."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="persons")
    ordinal = models.PositiveSmallIntegerField(default=1)
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100, blank=True)
    level = models.CharField("级别", max_length=10, choices=CadreLevel.choices)

    class Meta:
        ordering = ["ordinal"]

    def __str__(self) -> str:
        return self.name


class ClueEvent(models.Model):
    """Every change of a clue's state, and other milestones, as a row."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=ClueStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ClueStatus.choices, blank=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField("发生日期")
    note = IdMaskedCharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.clue_id} {self.from_status}→{self.to_status}"


class ClueSource(models.Model):
    """A report merged into a clue as a duplicate: its own channel, date and words are kept."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="sources")
    source_channel = models.CharField(max_length=20, choices=SourceChannel.choices)
    received_on = models.DateField()
    summary = IdMaskedTextField()
    merged_from = models.ForeignKey(
        Clue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.clue_id} ← {self.get_source_channel_display()} {self.received_on}"


class Attachment(models.Model):
    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="attachments")
    is_evidence = models.BooleanField("整改佐证", default=False)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Transfer(models.Model):
    """Two-way transfer (线索双向移送): the sender tracks it until the receiver reports back."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="transfers")
    target = models.CharField("移送对象", max_length=16, choices=TransferTarget.choices)
    # The receiving district or discipline office's region: its users see the clue.
    to_region = models.ForeignKey(
        "regions.Region", verbose_name="接收方区划", on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.CharField("接收单位", max_length=100)
    # A unit inside the system (单位): only its users sign for the transfer and report back.
    receiver = models.ForeignKey(
        "accounts.Unit",
        verbose_name="接收单位（系统内）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_received",
    )
    note = IdMaskedCharField("移送说明", max_length=300, blank=True)
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField("移送日期")
    due_on = models.DateField("反馈时限")
    acknowledged_on = models.DateField("签收日期", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_on = models.DateField("反馈日期", null=True, blank=True)
    reported_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report = IdMaskedTextField("办理结果反馈", blank=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.clue_id} → {self.to_unit}"


class Sanction(models.Model):
    """Accountability (执纪问责): on a unit (检查, 通报) or a person (the five kinds)."""

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="sanctions")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("处理方式", max_length=16, choices=SanctionKind.choices)
    unit = models.CharField("被问责单位", max_length=100, blank=True)
    person_name = models.CharField("姓名", max_length=50, blank=True)
    level = models.CharField("级别", max_length=10, choices=CadreLevel.choices, blank=True)
    form = models.PositiveSmallIntegerField("形态", choices=Form.choices, null=True, blank=True)
    decided_on = models.DateField("处理日期")
    note = IdMaskedCharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_name or self.unit}"


class Exposure(models.Model):
    """One public exposure (通报曝光): counted as a time, with its problems and persons."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    exposed_on = models.DateField("曝光日期")
    channel = models.CharField("曝光方式", max_length=100)
    problems = models.PositiveIntegerField("问题数")
    persons = models.PositiveIntegerField("涉及人数")
    clues = models.ManyToManyField(Clue, blank=True, related_name="exposures")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The district published it on the portal's 通报 page (names masked as the city decides).
    published_at = models.DateTimeField("在门户公开", null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.exposed_on} {self.channel}"


class TypicalCase(models.Model):
    """A closed clue chosen as one of the month's 1-3 typical cases (≤ 300 characters)."""

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="typical_cases")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")
    text = IdMaskedTextField("案例", validators=[MaxLengthValidator(SUMMARY_LIMIT)])
    chosen_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("在门户公开", null=True, blank=True)

    def __str__(self) -> str:
        return self.text[:30]


class RectificationItem(models.Model):
    """One line of a township's problem list (一乡镇一清单): what, who, by when, done or not."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=16, choices=ItemSource.choices)
    description = IdMaskedCharField("问题", max_length=300)
    measure = IdMaskedCharField("整改措施", max_length=300, blank=True)
    owner = models.CharField("责任人", max_length=50)
    deadline = models.DateField("整改时限", db_index=True)
    status = models.CharField(
        "状态", max_length=8, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    # How it was put right, and for an item found by a visit or a cross-check a photo of it
    # (metadata stripped), given when it is closed.
    done_note = IdMaskedCharField("整改情况", max_length=300, blank=True, default="")
    done_evidence = models.BinaryField("整改照片", null=True, blank=True)
    done_evidence_type = models.CharField(max_length=50, blank=True, default="")
    done_by = models.ForeignKey(
        USER,
        verbose_name="整改完成提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The second person's review (where the township asks for one): who, and what they said.
    reviewed_by = models.ForeignKey(
        USER,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = IdMaskedCharField("复核意见", max_length=300, blank=True, default="")
    clue = models.ForeignKey(
        Clue, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "deadline", "pk"]

    def __str__(self) -> str:
        return self.description[:30]
