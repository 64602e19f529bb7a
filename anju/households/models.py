"""农户档案: households and their people, categories, houses, assessments and the renovation records
(with subsidies and payments) that the household archive file carries, one row per renovation.

Money is integer fen. Every record points to the ImportBatch it came from when imported in bulk,
so a bulk import is audited as one event that names the file (SHA-256) and what it wrote.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from anju.households.choices import Category, Grade, Method, Structure
from anju.photos import PhotoFacts
from anju.sealed import DigestField, IdMaskedCharField, MaskField, SealedField, SealedModel

USER = settings.AUTH_USER_MODEL


class ImportBatch(models.Model):
    kind = models.CharField("类型", max_length=32, default="households")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件SHA-256", max_length=64, db_index=True)
    rows = models.PositiveIntegerField("行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    actor_name = models.CharField("导入人", max_length=150)
    at = models.DateTimeField("导入时间", auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows})"


# The household's list facts (anju.households.facts), in the order the list index holds them.
LIST_FACTS = (
    "grades",
    "has_unaccepted",
    "has_accepted",
    "longest_pay_wait",
    "unpaid_accepted_on",
    "category_codes",
    "renovation_years",
    "renovation_methods",
)


class HouseholdState(models.TextChoices):
    """A household entered twice is merged into the one kept; one created by mistake with
    nothing attached is withdrawn. Neither is deleted (what was decided about it stays on
    record, and both can be undone by a second change request): they leave the lists, the
    figures and the cross-check."""

    ACTIVE = "active", "在册"
    MERGED = "merged", "已并入另一户"
    WITHDRAWN = "withdrawn", "已撤销（误建）"


class OnRecord(models.Manager):
    """Households on record: `Household.objects`. Merged and withdrawn ones are read only
    through `Household.everything` (their own page, the ID's uniqueness, the import's
    look-up by ID)."""

    def get_queryset(self):
        return super().get_queryset().filter(state=HouseholdState.ACTIVE)


class Household(SealedModel):
    # The village (or township) the household lives in; scoping is a range on this column.
    # No index of its own: household_region_name_idx leads with it.
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="行政村",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    head_name = models.CharField("户主姓名", max_length=50)
    head_id = SealedField("户主身份证号", kind="id")
    # Look-ups by ID (search, the import, the cross-check's joins) run on the blind index.
    head_id_digest = DigestField(of="head_id", kind="id", unique=True)
    head_id_masked = MaskField(of="head_id", form="id")
    head_id_valid = models.BooleanField("身份证号校验通过", default=True)
    # Entered by hand with an ID failing GB 11643: the clerk's reason for keeping it.
    head_id_note = models.CharField("号码校验不通过的说明", max_length=200, blank=True, default="")
    size = models.PositiveSmallIntegerField(
        "家庭人口", null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    account_number = SealedField("一卡通账号", kind="account")
    # PAYMENT_ACCOUNT compares it with each payment's account, row by row: no index.
    account_number_digest = DigestField(of="account_number", kind="account")
    account_number_masked = MaskField(of="account_number", form="account")
    account_holder = models.CharField("账户名", max_length=50, blank=True)
    # Where the row last came from; batches are kept for good and never looked up backwards,
    # so no index (one less to maintain on every imported row).
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(auto_now=True)
    # What the list filters on, kept by anju.households.facts (never edited by hand; a full
    # save() of an instance read before a facts_refresh would write the old values back, so
    # changes to a household on record name their fields: save(update_fields=[...])).
    grades = models.CharField("历次鉴定等级", max_length=4, blank=True, default="", editable=False)
    has_unaccepted = models.BooleanField("有未验收的改造", default=False, editable=False)
    has_accepted = models.BooleanField("有已验收的改造", default=False, editable=False)
    longest_pay_wait = models.IntegerField(
        "验收至首次发放的最长天数", null=True, blank=True, editable=False
    )
    unpaid_accepted_on = models.DateField(
        "最早的已验收未发放改造的验收日期", null=True, blank=True, editable=False
    )
    category_codes = models.CharField(
        "历次农户类别", max_length=200, blank=True, default="", editable=False
    )
    renovation_years = models.CharField(
        "改造年度", max_length=200, blank=True, default="", editable=False
    )
    renovation_methods = models.CharField(
        "改造方式", max_length=100, blank=True, default="", editable=False
    )
    # 待建档: created from a department's priority list for a person not in the archive; the
    # township completes the record (village, size, house) and it becomes a normal household.
    # A pending household at county level is one the list could not place in a township.
    pending = models.BooleanField("待建档", default=False)
    state = models.CharField(
        "档案状态", max_length=10, choices=HouseholdState.choices, default=HouseholdState.ACTIVE
    )
    # The household kept when this one was merged into it (state MERGED).
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    objects = OnRecord()
    everything = models.Manager()

    class Meta:
        verbose_name = "农户"
        verbose_name_plural = "农户"
        default_manager_name = "everything"
        indexes = [
            # The household list of a region (range on region_id), by name, then key, then the
            # facts its filters ask about: the list's filter, order and keys in one index, so a
            # page's keys and a filtered count are read from it alone
            # (anju.pagination.paginate_by_key, anju.households.facts).
            models.Index(
                fields=["region", "head_name", "id", *LIST_FACTS, "state"],
                name="household_list_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.head_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("households:household", args=[self.pk])


class Person(SealedModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="people")
    name = models.CharField("姓名", max_length=50)
    id_number = SealedField("身份证号", kind="id")
    # The cross-check joins people with departments' lists on it.
    id_number_digest = DigestField(of="id_number", kind="id", db_index=True)
    id_number_masked = MaskField(of="id_number", form="id")
    id_valid = models.BooleanField("身份证号校验通过", default=True)
    relation = models.CharField("与户主关系", max_length=20, default="户主")
    deceased_on = models.DateField("死亡日期", null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class CategoryRecord(models.Model):
    """Recognition of a household in a category by a department, from `start` to `end`:
    'was this household eligible on date D' is one query on start <= D and (end is null or > D)."""

    # No index of its own: the unique constraint below leads with the household.
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="categories", db_index=False
    )
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    department = models.CharField("认定部门", max_length=50)
    start = models.DateField("认定日期", null=True, blank=True)
    end = models.DateField("退出日期", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "category", "start"], name="category_record_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class House(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="houses")
    is_new = models.BooleanField("改造后的新房", default=False)
    structure = models.CharField("结构", max_length=16, choices=Structure.choices, blank=True)
    build_year = models.PositiveSmallIntegerField("建造年份", null=True, blank=True)
    area = models.DecimalField("面积（㎡）", max_digits=8, decimal_places=2, null=True, blank=True)
    location = models.CharField("位置", max_length=100, blank=True)
    joint = models.BooleanField("联体房", default=False)
    lived_in = models.BooleanField("家庭居住", default=True)

    def __str__(self) -> str:
        return f"{self.household} {'新房' if self.is_new else '原房'}"


class Assessment(models.Model):
    # No index of its own: assessment_house_grade_idx leads with it.
    house = models.ForeignKey(
        House, on_delete=models.CASCADE, related_name="assessments", db_index=False
    )
    grade = models.CharField("危险等级", max_length=1, choices=Grade.choices)
    assessed_on = models.DateField("鉴定日期", null=True, blank=True)
    assessor = models.CharField("鉴定人/机构", max_length=100, blank=True)
    method = models.CharField("鉴定方法", max_length=100, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            # The household list's grade filter asks, for each household in scope, whether one
            # of its houses has an assessment of that grade: answered from this index alone.
            models.Index(fields=["house", "grade"], name="assessment_house_grade_idx"),
        ]

    def __str__(self) -> str:
        return self.grade


class Renovation(models.Model):
    # No index of its own: the (household, year) unique constraint leads with it.
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="renovations", db_index=False
    )
    year = models.PositiveSmallIntegerField(
        "改造年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    method = models.CharField("改造方式", max_length=16, choices=Method.choices, blank=True)
    applied_on = models.DateField("农户申请日期", null=True, blank=True)
    village_reviewed_on = models.DateField("村级评议日期", null=True, blank=True)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    township_reviewed_on = models.DateField("乡镇审核日期", null=True, blank=True)
    approved_on = models.DateField("审批日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    built_area = models.DecimalField(
        "改造后建筑面积（㎡）", max_digits=8, decimal_places=2, null=True, blank=True
    )
    has_toilet = models.BooleanField("有卫生厕所", null=True, blank=True)
    subsidy_fen = models.BigIntegerField("补助金额（分）", default=0)
    # The approved subsidy by the level of government paying it (seed 000: 中央、省、市、县);
    # their sum is subsidy_fen when a renovation is opened in the UI (imports give the total).
    subsidy_central_fen = models.BigIntegerField("中央补助（分）", default=0)
    subsidy_province_fen = models.BigIntegerField("省级补助（分）", default=0)
    subsidy_city_fen = models.BigIntegerField("市级补助（分）", default=0)
    subsidy_county_fen = models.BigIntegerField("县级补助（分）", default=0)
    # Where the row last came from; batches are kept for good and never looked up backwards,
    # so no index (one less to maintain on every imported row).
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "改造记录"
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="renovation_year_unique"),
        ]
        indexes = [
            # The household list's method, acceptance and late-payment filters, per household in
            # scope, from this index alone (the unique constraint's holds only household and year).
            models.Index(
                fields=["household", "method", "accepted_on", "subsidy_fen"],
                name="renovation_filter_idx",
            ),
        ]
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.household} {self.year}"


class Payment(SealedModel):
    # No index of its own: payment_renovation_day_idx leads with it.
    renovation = models.ForeignKey(
        Renovation, on_delete=models.CASCADE, related_name="payments", db_index=False
    )
    paid_on = models.DateField("发放日期")
    amount_fen = models.BigIntegerField("金额（分）")
    account_number = SealedField("账号", kind="account")
    account_number_digest = DigestField(of="account_number", kind="account")
    account_number_masked = MaskField(of="account_number", form="account")
    account_holder = models.CharField("户名", max_length=50)

    class Meta:
        indexes = [
            # Was a renovation paid by its deadline (the late-payment filter and rule): a probe
            # answered from this index alone.
            models.Index(fields=["renovation", "paid_on"], name="payment_renovation_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.renovation} {self.amount_fen / 100:.2f}"


class ImportUpload(models.Model):
    """A household archive uploaded in the UI and imported in the background; kept with its
    outcome and row errors so the clerk can download the same workbook with an error column.

    The file is kept encrypted under the field key (`anju.crypto.seal_bytes`, purpose
    `DATA_PURPOSE`) only while it is needed: it is dropped in the transaction that imports it,
    and a rejected or interrupted one's after UPLOAD_RETENTION_DAYS (`tasks.uploads_expire`)."""

    DATA_PURPOSE = "households_importupload.data"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已导入"
        REJECTED = "rejected", "有错误，未导入"
        FAILED = "failed", "导入中断"
        # Asked to stop if there were warnings, and there were: nothing written.
        WARNED = "warned", "有警告，未导入"

    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", "农户档案"
        # A quarterly visits file (visit_file.py): imported at once; kept only when refused,
        # for its annotated workbook.
        VISITS = "visits", "季度回访"

    uploaded_by = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.HOUSEHOLDS)
    file_name = models.CharField(max_length=200)
    data = models.BinaryField(null=True)  # sealed; None once imported or expired
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The file itself was refused (unsafe, over the caps, unreadable): it is never read again.
    refused = models.BooleanField(default=False)
    # Every row error found; `errors` keeps the first IMPORT_MAX_ERRORS (numbers masked).
    error_count = models.PositiveIntegerField(default=0)
    expired_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    households_created = models.PositiveIntegerField(default=0)
    households_updated = models.PositiveIntegerField(default=0)
    renovations_created = models.PositiveIntegerField(default=0)
    renovations_updated = models.PositiveIntegerField(default=0)
    # A visits file (Kind.VISITS): how many of its visits found a problem (problem-list items).
    visits_with_findings = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    # Rows imported (or, when stopped, that would have been) that look wrong: the first
    # IMPORT_MAX_ERRORS (numbers masked) and how many in all. An imported file with warnings
    # is kept (until UPLOAD_RETENTION_DAYS) for the workbook with its 警告 column.
    stop_on_warnings = models.BooleanField("有警告时不导入", default=False)
    warnings = models.JSONField(default=list)
    warning_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.status in (
            self.Status.DONE,
            self.Status.REJECTED,
            self.Status.FAILED,
            self.Status.WARNED,
        )


class Finding(models.TextChoices):
    """What a follow-up visit can find (seed 003, 回头看)."""

    BACK_TO_DANGER = "back_to_danger", "返危"
    LEAKY = "leaky", "漏雨透风"
    STILL_IN_OLD = "still_in_old", "仍住危房"
    JOINT_HAZARD = "joint_hazard", "联体房隐患"


class FollowUpVisit(models.Model):
    """A quarterly follow-up visit (跟踪回访) to a household's house."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField("回访日期")
    findings = models.JSONField("发现问题", default=list)
    note = IdMaskedCharField("情况说明", max_length=300, blank=True)  # ID numbers masked
    visitor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The phone's idempotency key of a visit sheet queued offline (anju/offline.py): every visit
    # the sheet made carries it, so the sheet sent again is recognised and saves nothing twice.
    client_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["household", "visited_on"], name="visit_household_idx")]
        constraints = [
            # One visit per house per sheet sent: a sheet delivered twice at the same moment
            # fails the second time instead of recording the village twice.
            models.UniqueConstraint(
                fields=["visitor", "client_key", "household"],
                condition=~models.Q(client_key=""),
                name="visit_visitor_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on}"

    def finding_labels(self) -> list[str]:
        return [Finding(f).label for f in self.findings]


class ChangeField(models.TextChoices):
    HEAD_ID = "head_id", "户主身份证号"
    ACCOUNT_NUMBER = "account_number", "一卡通账号"
    ACCOUNT_HOLDER = "account_holder", "账户名"
    CATEGORIES = "categories", "农户类别"
    SUBSIDY = "subsidy_fen", "补助金额"
    # Of the household record itself (anju.households.merges): the request's household is the
    # one that goes (merged away, withdrawn) or comes back.
    MERGE = "merge", "合并重复户"
    UNMERGE = "unmerge", "撤销合并"
    WITHDRAW = "withdraw", "撤销误建户"
    RESTORE = "restore", "恢复误撤销的户"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "已驳回"


class ChangeRequest(SealedModel):
    """A change to what an approval rests on, proposed with a reason and decided by someone
    else: nothing changes until a reviewer agrees (the guard against 数字危改)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="changes")
    renovation = models.ForeignKey(
        Renovation, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField("变更事项", max_length=20, choices=ChangeField.choices)
    # A merge's household kept (the request's household is the one merged into it).
    into = models.ForeignKey(
        Household,
        verbose_name="并入的户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # An ID number or an account, for some fields: sealed like the fields themselves.
    old_value = SealedField("原值")
    new_value = SealedField("新值")
    reason = models.CharField("变更理由", max_length=300)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=ChangeStatus.choices,
        default=ChangeStatus.PENDING,
        db_index=True,
    )
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=300, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.household} {self.get_field_display()}"


def plate_token() -> str:
    import secrets

    return secrets.token_urlsafe(16)


class SafetyPlate(models.Model):
    """The house safety plate (安全状况牌) on a poor household's house (seed 003: 挂牌上墙)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="plates")
    number = models.CharField("牌号", max_length=40, unique=True)
    # The QR code on the plate opens /portal/plate/<token>/: unguessable, unlike the number.
    public_token = models.CharField(max_length=32, unique=True, default=plate_token)
    grade = models.CharField("安全状况", max_length=1, choices=Grade.choices)
    issued_on = models.DateField("制牌日期")
    deadline = models.DateField("挂牌时限")
    installed_on = models.DateField("挂牌日期", null=True, blank=True)
    installed_by = models.CharField("挂牌人", max_length=50, blank=True)
    photo = models.BinaryField("挂牌照片", null=True, blank=True)
    photo_type = models.CharField(max_length=20, blank=True)
    # When and where the photo was taken (anju.photos: read before its metadata was stripped).
    photo_taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    photo_latitude = models.DecimalField(
        "拍摄纬度", max_digits=9, decimal_places=6, null=True, blank=True
    )
    photo_longitude = models.DecimalField(
        "拍摄经度", max_digits=10, decimal_places=6, null=True, blank=True
    )
    photo_place_source = models.CharField("位置来源", max_length=8, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def photo_facts(self) -> PhotoFacts:
        return PhotoFacts(
            self.photo_taken_at, self.photo_latitude, self.photo_longitude, self.photo_place_source
        )


class CaseKind(models.TextChoices):
    RENOVATION = "renovation", "危房改造"
    RELOCATION = "relocation", "造福工程搬迁"


class CaseSource(models.TextChoices):
    ASSESSMENT = "assessment", "鉴定为危房"
    VISIT = "visit", "回访发现"
    MANUAL = "manual", "乡镇开启"


class OldHouse(models.TextChoices):
    DEMOLISHED = "demolished", "已拆除"
    REUSED = "reused", "已另作他用（不再住人）"


class RenovationCase(models.Model):
    """A dangerous house to be made safe (seed 003: 一经鉴定为危房，即行整改): opened when grade
    C or D is recorded for a household in a priority category, from a visit finding, or by
    hand; carried out by a renovation record (the approval steps of anju.households.renovations)
    or, for a relocation (造福工程), by the case's own steps. Closed when the renovation is
    accepted or the old house demolished or reused."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="cases")
    kind = models.CharField("类型", max_length=12, choices=CaseKind.choices)
    source = models.CharField("来源", max_length=12, choices=CaseSource.choices)
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit = models.ForeignKey(
        FollowUpVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade = models.CharField("危险等级", max_length=1, choices=Grade.choices, blank=True)
    method = models.CharField("拟改造方式", max_length=16, choices=Method.choices)
    opened_on = models.DateField("开启日期")
    # The renovation is to be started (applied for) by then: NOT_RENOVATED's window.
    start_by = models.DateField("启动时限")
    deadline = models.DateField("完成时限")
    renovation = models.OneToOneField(
        Renovation, null=True, blank=True, on_delete=models.SET_NULL, related_name="case"
    )
    # Relocation (造福工程) steps, in order.
    eligible_on = models.DateField("搬迁资格认定", null=True, blank=True)
    mobilised_on = models.DateField("动员签约", null=True, blank=True)
    relocated_on = models.DateField("搬迁入住", null=True, blank=True)
    old_house_on = models.DateField("旧房处置", null=True, blank=True)
    old_house = models.CharField(
        "旧房处置方式", max_length=12, choices=OldHouse.choices, blank=True
    )
    destination = models.CharField("安置地点", max_length=100, blank=True)
    closed_on = models.DateField("完成日期", null=True, blank=True)
    note = IdMaskedCharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "危房整改事项"
        ordering = ["deadline", "pk"]
        constraints = [
            # One open case per household: a second C/D assessment adds nothing to do.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(closed_on__isnull=True),
                name="renovation_case_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()}"


class ReviewResult(models.TextChoices):
    CONSISTENT = "consistent", "信息一致"
    CORRECTED = "corrected", "已当场更正"
    MISMATCH = "mismatch", "不一致，待更正"


class InfoReview(models.Model):
    """信息审核 (seed 003 (三)): someone checked the household's housing-safety record against the
    poverty office's and the facts, on a date, with a result; one by one or a village at a time."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("复核日期")
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    result = models.CharField("复核结果", max_length=12, choices=ReviewResult.choices)
    note = IdMaskedCharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "信息复核"
        ordering = ["-reviewed_on", "-pk"]
        indexes = [
            # The campaign's info_reviewed measure: reviews of these households in a period.
            models.Index(fields=["household", "reviewed_on"], name="review_household_idx")
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.reviewed_on}"


class HouseholdMerge(models.Model):
    """One merge of a household entered twice (`gone`) into the one kept (`kept`): which records
    moved, so that undoing it moves exactly those back (`moved`: {kind: [ids]}, the registry's
    and, under their apps' names, the apps' above)."""

    gone = models.ForeignKey(
        Household, verbose_name="并入的户", on_delete=models.PROTECT, related_name="+"
    )
    kept = models.ForeignKey(
        Household, verbose_name="保留的户", on_delete=models.PROTECT, related_name="+"
    )
    request = models.OneToOneField(
        ChangeRequest, verbose_name="合并申请", on_delete=models.PROTECT, related_name="merge"
    )
    moved = models.JSONField("移过去的记录", default=dict)
    merged_at = models.DateTimeField("合并时间", auto_now_add=True)
    undone_by = models.OneToOneField(
        ChangeRequest,
        verbose_name="撤销合并申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unmerge",
    )
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "合并记录"
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.gone_id} → {self.kept_id}"
