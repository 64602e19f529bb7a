"""Other departments' lists, cross-check runs and their findings."""

from django.conf import settings
from django.db import models

from anju.crosscheck.choices import FindingStatus, Kind, Rule, RunStatus
from anju.sealed import DigestField, MaskField, SealedField, SealedModel

USER = settings.AUTH_USER_MODEL


class ReferenceList(models.Model):
    """One upload of a department's list: a versioned dataset. The newest list of a kind for a
    region supersedes older ones for new runs; a run keeps pointing at the lists it used."""

    kind = models.CharField("名单类型", max_length=20, choices=Kind.choices)
    department = models.CharField("提供部门", max_length=50)
    # The area the list covers (the uploader's region unless they chose one below it).
    region = models.ForeignKey(
        "regions.Region", verbose_name="覆盖区划", on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateField("数据截至日期")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField("行数", default=0)
    uploaded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("上传人", max_length=150)
    received_on = models.DateField("收到日期")
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "部门名单"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "region"], name="reflist_kind_region_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.as_of}"


class ReferenceRecord(SealedModel):
    """One row of a department's list, its ID normalised to 18 digits."""

    reference = models.ForeignKey(ReferenceList, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField("行号")
    name = models.CharField("姓名", max_length=50)
    id_number = SealedField("身份证号", kind="id")
    id_number_digest = DigestField(of="id_number", kind="id")
    id_number_masked = MaskField(of="id_number", form="id")
    id_valid = models.BooleanField(default=True)
    head_id = SealedField("户主身份证号", kind="id")
    head_id_digest = DigestField(of="head_id", kind="id")
    # deaths: date of death; poverty/subsistence/extreme-poor: start; payments: paid on.
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    # The disabled persons' list's category and grade among them.
    detail = SealedField("类别/等级/项目")
    account_number = SealedField("账号", kind="account")
    # The payments list's account against the household's (both blind indexes of kind account).
    account_number_digest = DigestField(of="account_number", kind="account")
    account_holder = models.CharField(max_length=50, blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            # The rules' joins with the archive (blind indexes of the IDs).
            models.Index(fields=["id_number_digest", "reference"], name="refrecord_id_idx"),
            # Lists that name a member's household by its head (户主身份证号).
            models.Index(fields=["head_id_digest", "reference"], name="refrecord_head_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} 第{self.row}行"


class CheckRun(models.Model):
    """One cross-check over a region: what lists and rules it used, how long it took."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="比对区划", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    lists = models.ManyToManyField(ReferenceList, related_name="runs", blank=True)
    rules = models.JSONField("规则", default=list)
    parameters = models.JSONField("参数", default=dict)
    counts = models.JSONField("各规则发现数", default=dict)
    timings = models.JSONField("各规则用时(秒)", default=dict)
    rules_seconds = models.FloatField("规则用时(秒)", null=True, blank=True)
    found = models.PositiveIntegerField("发现问题", default=0)
    new = models.PositiveIntegerField("新发现", default=0)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "比对批次"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class Finding(SealedModel):
    """A problem a rule found. The same problem found again in a later run stays one finding
    (its `fingerprint`: rule and the records concerned)."""

    rule = models.CharField("规则", max_length=32, choices=Rule.choices)
    # The rule and the records concerned (IDs among them): sealed, found again by its digest.
    fingerprint = SealedField(kind="fingerprint")
    fingerprint_digest = DigestField(of="fingerprint", kind="fingerprint", unique=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    id_number = SealedField("身份证号", kind="id")
    id_number_digest = DigestField(of="id_number", kind="id")
    id_number_masked = MaskField(of="id_number", form="id")
    name = models.CharField("姓名", max_length=50, blank=True)
    renovation_year = models.PositiveSmallIntegerField("改造年度", null=True, blank=True)
    amount_fen = models.BigIntegerField("涉及金额（分）", default=0)
    evidence = models.CharField("证据", max_length=500)
    status = models.CharField(
        "核实状态", max_length=10, choices=FindingStatus.choices, default=FindingStatus.PENDING
    )
    reason = models.CharField("核实说明", max_length=300, blank=True)
    clue = models.ForeignKey(
        "oversight.Clue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    first_run = models.ForeignKey(CheckRun, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(CheckRun, on_delete=models.PROTECT, related_name="+")
    times_found = models.PositiveIntegerField("发现次数", default=1)

    class Meta:
        verbose_name = "比对发现"
        ordering = ["rule", "region", "pk"]
        indexes = [
            models.Index(fields=["region", "rule", "status"], name="finding_region_rule_idx"),
        ]

    def __str__(self) -> str:
        # Read by people (the audit log's object, the admin): the rule's Chinese name.
        return f"{self.get_rule_display()} {self.evidence[:30]}"
