import hashlib

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from anju.sealed import MaskField, SealedField, SealedModel


class ContactRole(models.TextChoices):
    """The four contacts each district names in Annex 3 (seed 000)."""

    DIRECTOR = "director", "局长"
    LEADER = "leader", "分管领导"
    SECTION = "section", "村镇科长"
    TASKFORCE = "taskforce", "专班负责人"


class Contact(SealedModel):
    region = models.ForeignKey(
        "regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("联络人类别", max_length=16, choices=ContactRole.choices)
    name = models.CharField("姓名", max_length=50)
    unit_post = models.CharField("单位及职务", max_length=100)
    mobile = SealedField(
        "手机", validators=[RegexValidator(r"^1[3-9][0-9]{9}$", "请填写11位手机号码。")]
    )
    mobile_masked = MaskField(of="mobile", form="phone")
    # The district chose to list this number on the public portal as a hotline.
    published = models.BooleanField("在门户公布", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "联络人"
        verbose_name_plural = "联络人"
        constraints = [
            models.UniqueConstraint(fields=["region", "role"], name="contact_region_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


# A public hotline: a landline with its area code (0597-7526007) or a mobile number.
HOTLINE_NUMBER = RegexValidator(
    r"^(0[0-9]{2,3}-[0-9]{7,8}|1[3-9][0-9]{9}|12345)$",
    "举报电话请填写带区号的固定电话（如 0597-7526007）或 11 位手机号码。",
)


class Hotline(models.Model):
    """A supervision hotline a district (or the city) publishes on the portal, with the hours
    it is answered; the first of a county's is the one printed on that county's safety plates."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="区县", on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField("名称", max_length=50, default="监督举报电话")
    number = models.CharField("电话号码", max_length=20, validators=[HOTLINE_NUMBER])
    hours = models.CharField("接听时间", max_length=100)
    position = models.PositiveSmallIntegerField("顺序", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "监督举报电话"
        ordering = ["region_id", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.label} {self.number}"


class ReportKind(models.TextChoices):
    ANNEX1 = "annex1", "附件1 查处整改情况统计表"
    ANNEX2 = "annex2", "附件2 问题线索统计表"
    PROGRESS = "progress", "月度整治工作进展"
    CLUE_QUARTERLY = "clue_quarterly", "季度问题线索情况"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "编制中"
    SIGNED_OFF = "signed_off", "已审核"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    SUPERSEDED = "superseded", "已被更正版本取代"
    # The reviewer sent a draft back to its preparer with a comment (not yet submitted).
    REVISE = "revise", "审核退回修改"
    # The receiving office (the discipline commission for the quarterly clue report) signed
    # for it.
    ACKNOWLEDGED = "acknowledged", "已签收"


class Reporters(models.TextChoices):
    """Who owes a report of one kind within the region its duty is set for."""

    DISTRICTS = "districts", "各区县"
    TOWNSHIPS = "townships", "各乡镇（街道）"
    TOWNSHIPS_AND_UNITS = "townships_units", "各乡镇（街道）和各责任单位"


class ReportDuty(models.Model):
    """Which units owe a report of one kind to whom, set by the receiving office for its region
    (the city for Annexes 1 and 2; a county for its own internal progress report: seed 003's
    各责任单位每月23日前向住建局报送). Where no region on the way up has set one, the defaults in
    `anju/reporting/duties.py` hold."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="收报区划", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("报表", max_length=20, choices=ReportKind.choices)
    reporters = models.CharField("报送单位", max_length=20, choices=Reporters.choices)
    recipient = models.CharField("报送对象", max_length=50)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "报送要求"
        verbose_name_plural = "报送要求"
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="reportduty_region_kind_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind}: {self.reporters} → {self.recipient}"


class Report(models.Model):
    """One version of one district's report of one kind for one period.

    From submission on, `values`, `file` and `sha256` never change: a correction is a new version,
    and a returned report stays as it was beside its resubmission.
    """

    # The reporting district or township; for a responsible unit, the unit's region.
    region = models.ForeignKey(
        "regions.Region", verbose_name="报送地区", on_delete=models.PROTECT, related_name="+"
    )
    # A responsible unit (责任单位) reporting in its own name, where the duty asks units.
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name="报送单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("报表", max_length=20, choices=ReportKind.choices)
    period = models.DateField("所属期（月或季度首日）")
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField(
        "状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    due_date = models.DateField("报送截止日")
    values = models.JSONField("报表数据", default=dict)
    remarks = models.TextField("备注", blank=True)
    # The progress report's narrative of how major problems were handled (突出问题处理情况).
    narrative = models.TextField("突出问题处理情况", blank=True)
    # Whom this version goes to, as the duty named it when it was prepared.
    sent_to = models.CharField("报送对象", max_length=50, blank=True)
    reason = models.CharField("更正原因", max_length=300, blank=True)
    file = models.BinaryField("报表文件", null=True, blank=True)
    sha256 = models.CharField("文件SHA-256", max_length=64, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="编制人"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    # The stamped scan (盖章扫描件) sent with the electronic file, frozen with it at submission.
    scan = models.BinaryField("盖章扫描件", null=True, blank=True)
    scan_name = models.CharField("扫描件文件名", max_length=200, blank=True)
    scan_type = models.CharField("扫描件类型", max_length=40, blank=True)
    scan_sha256 = models.CharField("扫描件SHA-256", max_length=64, blank=True)
    # The footer as filled at submission (填表人 / 联系电话 / 单位分管负责人 / 填报时间).
    footer = models.JSONField("表尾", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "报表"
        verbose_name_plural = "报表"
        ordering = ["-period", "region_id", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "period", "version"],
                condition=models.Q(unit__isnull=True),
                name="report_version_unique",
            ),
            models.UniqueConstraint(
                fields=["unit", "kind", "period", "version"],
                condition=models.Q(unit__isnull=False),
                name="report_unit_version_unique",
            ),
        ]
        indexes = [
            # The city's board: every district's reports of one kind and period.
            models.Index(fields=["kind", "period", "region"], name="report_board_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.get_kind_display()} {self.period_label} v{self.version}"

    def intact(self, which: str) -> bool:
        """Whether the stored file ("file") or stamped scan ("scan") still has the SHA-256
        recorded when it was made: a frozen version read back is the one that was sent, on
        whichever server or after whichever restore it is read (one without a recorded hash
        has nothing to be checked against)."""
        data = self.file if which == "file" else self.scan
        recorded = self.sha256 if which == "file" else self.scan_sha256
        return not recorded or hashlib.sha256(bytes(data)).hexdigest() == recorded

    @property
    def period_label(self) -> str:
        """2026年10月, or 2026年第3季度 for the quarterly clue report."""
        if self.kind == ReportKind.CLUE_QUARTERLY:
            return f"{self.period.year}年第{(self.period.month - 1) // 3 + 1}季度"
        return f"{self.period.year}年{self.period.month}月"

    @property
    def reporter_name(self) -> str:
        """The district, township or unit that owes this report."""
        return self.unit.name if self.unit_id else self.region.name

    @property
    def recipient(self) -> str:
        """Who the report goes to: as its duty named it when prepared; for versions made before
        duties, the quarterly clue report to the discipline commission (seed 003: 牵头单位按季度
        报市纪委监委), the progress report to the housing bureau (seed 003: 每月23日前向住建局
        报送), Annexes 1 and 2 to the city (seed 000)."""
        if self.sent_to:
            return self.sent_to
        if self.kind == ReportKind.CLUE_QUARTERLY:
            return "市纪委监委"
        if self.kind == ReportKind.PROGRESS:
            return "住建局"
        return "市里"


class ReportEvent(models.Model):
    """Each change of a report's state, as a row: who, when, from what to what, why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReportStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"


class ReportUpload(models.Model):
    """A hand-filled Annex 1 or 2 as uploaded, waiting for the clerk to compare and accept it."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="区县", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("报表", max_length=20, choices=ReportKind.choices)
    period = models.DateField("所属期")
    data = models.BinaryField("文件")
    parsed = models.JSONField("读出的数据", default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    accepted_as = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "报表上传"
        verbose_name_plural = "报表上传"

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind} {self.period:%Y-%m} 上传"


class UnitReportSource(models.TextChoices):
    ENTERED = "entered", "在线填报"
    IMPORTED = "imported", "导入填好的表格"


# The figures a participating unit reports each quarter (seed 003: 市各专项整治参与单位每季度
# 向牵头单位报送本专项问题线索情况): field name, label.
UNIT_REPORT_FIGURES = (
    ("found", "本季度发现问题线索（条）"),
    ("transferred", "移送住建部门或纪检监察机关（条）"),
    ("received", "收到移送的问题线索（条）"),
    ("closed", "已办结（条）"),
    ("accountable", "问责处理（人）"),
)


class UnitClueReport(models.Model):
    """One participating unit's quarterly clue report to the lead unit; the lead unit
    consolidates them into its quarterly clue report to the discipline commission."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+"
    )
    # The unit's region, kept here so the lead unit's and the discipline office's lists scope
    # by region like every other list.
    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.DateField("季度（首日）")
    found = models.PositiveIntegerField("本季度发现问题线索（条）", default=0)
    transferred = models.PositiveIntegerField("移送住建部门或纪检监察机关（条）", default=0)
    received = models.PositiveIntegerField("收到移送的问题线索（条）", default=0)
    closed = models.PositiveIntegerField("已办结（条）", default=0)
    accountable = models.PositiveIntegerField("问责处理（人）", default=0)
    remarks = models.TextField("情况说明", blank=True)
    source = models.CharField(
        "填报方式", max_length=10, choices=UnitReportSource.choices, default="entered"
    )
    due_on = models.DateField("报送截止日")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    filed_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = "部门季度问题线索情况"
        verbose_name_plural = "部门季度问题线索情况"
        ordering = ["-quarter", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "quarter"], name="unitclue_unit_quarter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.quarter_label}"

    @property
    def quarter_label(self) -> str:
        return f"{self.quarter.year}年第{(self.quarter.month - 1) // 3 + 1}季度"

    @property
    def late(self) -> bool:
        return self.filed_at.date() > self.due_on
