"""What the API returns. Personal numbers are masked exactly as the UI shows them (ID as
350881********123X, accounts by their last four digits); the API has no unmasking path."""

from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anju.crosscheck.choices import Kind
from anju.identity import mask_account, mask_id, mask_ids_in
from anju.reporting.deadlines import days_late


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


_DATETIME = serializers.DateTimeField()


def _when(value) -> str | None:
    """As DRF renders an aware datetime: ISO 8601 in the current time zone."""
    return None if value is None else _DATETIME.to_representation(value)


class MaskedId(serializers.CharField):
    def to_representation(self, value):
        return mask_id(value) if value else ""


class MaskedAccount(serializers.CharField):
    def to_representation(self, value):
        return mask_account(value)


def label(field: str) -> serializers.CharField:
    """The Chinese label of a choice field (`get_<field>_display`)."""
    return serializers.CharField(source=f"get_{field}_display", read_only=True)


# Households ----------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="姓名")
    id_number = MaskedId(help_text="身份证号（脱敏）")
    id_valid = serializers.BooleanField(help_text="身份证号校验通过")
    relation = serializers.CharField(help_text="与户主关系")
    deceased_on = serializers.DateField(allow_null=True, help_text="死亡日期")


class CategorySerializer(serializers.Serializer):
    category = serializers.CharField(help_text="类别代码")
    category_label = label("category")
    department = serializers.CharField(help_text="认定部门")
    start = serializers.DateField(allow_null=True, help_text="认定日期")
    end = serializers.DateField(allow_null=True, help_text="退出日期")


class HouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField(source="region_id", help_text="行政村区划代码")
    head_name = serializers.CharField(help_text="户主姓名")
    head_id = MaskedId(help_text="户主身份证号（脱敏）")
    head_id_valid = serializers.BooleanField()
    size = serializers.IntegerField(allow_null=True, help_text="家庭人口")
    account_number = MaskedAccount(help_text="一卡通账号（仅末四位）")
    account_holder = serializers.CharField(help_text="账户名")
    updated_at = serializers.DateTimeField(help_text="档案更新时间")
    people = PersonSerializer(many=True)
    categories = CategorySerializer(many=True)

    def to_representation(self, h):
        # By hand: DRF's field machinery is most of a 50-row page's time (bench/api.py). The
        # fields above stay the contract; the schemathesis run checks both agree.
        return {
            "id": h.pk,
            "region": h.region_id,
            "head_name": h.head_name,
            # From the stored masks: the ciphertext is not even loaded (views defer it).
            "head_id": h.head_id_masked,
            "head_id_valid": h.head_id_valid,
            "size": h.size,
            "account_number": h.account_number_masked,
            "account_holder": h.account_holder,
            "updated_at": _when(h.updated_at),
            "people": [
                {
                    "id": p.pk,
                    "name": p.name,
                    "id_number": p.id_number_masked,
                    "id_valid": p.id_valid,
                    "relation": p.relation,
                    "deceased_on": _day(p.deceased_on),
                }
                for p in h.people.all()
            ],
            "categories": [
                {
                    "category": c.category,
                    "category_label": c.get_category_display(),
                    "department": c.department,
                    "start": _day(c.start),
                    "end": _day(c.end),
                }
                for c in h.categories.all()
            ],
        }


# Renovations, assessments, visits ------------------------------------------------------------


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    paid_on = serializers.DateField(help_text="发放日期")
    amount_fen = serializers.IntegerField(help_text="金额（分）")
    account_number = MaskedAccount(help_text="账号（仅末四位）")
    account_holder = serializers.CharField(help_text="户名")


class RenovationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.IntegerField(source="household_id")
    region = serializers.CharField(source="household.region_id", help_text="行政村区划代码")
    head_name = serializers.CharField(source="household.head_name", help_text="户主姓名")
    year = serializers.IntegerField(help_text="改造年度")
    method = serializers.CharField(help_text="改造方式代码")
    method_label = label("method")
    applied_on = serializers.DateField(allow_null=True)
    village_reviewed_on = serializers.DateField(allow_null=True)
    township_reviewed_on = serializers.DateField(allow_null=True)
    approved_on = serializers.DateField(allow_null=True, help_text="审批日期")
    started_on = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True, help_text="验收日期")
    built_area = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True, help_text="改造后建筑面积（㎡）"
    )
    has_toilet = serializers.BooleanField(allow_null=True)
    subsidy_fen = serializers.IntegerField(help_text="补助金额（分）")
    payments = PaymentSerializer(many=True)

    def to_representation(self, r):
        # By hand, as HouseholdSerializer.
        return {
            "id": r.pk,
            "household": r.household_id,
            "region": r.household.region_id,
            "head_name": r.household.head_name,
            "year": r.year,
            "method": r.method,
            "method_label": r.get_method_display(),
            **{name: _day(getattr(r, name)) for name in _RENOVATION_DAYS},
            "built_area": None if r.built_area is None else f"{r.built_area:.2f}",
            "has_toilet": r.has_toilet,
            "subsidy_fen": r.subsidy_fen,
            "payments": [
                {
                    "id": p.pk,
                    "paid_on": _day(p.paid_on),
                    "amount_fen": p.amount_fen,
                    "account_number": p.account_number_masked,
                    "account_holder": p.account_holder,
                }
                for p in r.payments.all()
            ],
        }


_RENOVATION_DAYS = (
    "applied_on",
    "village_reviewed_on",
    "township_reviewed_on",
    "approved_on",
    "started_on",
    "completed_on",
    "accepted_on",
)


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.IntegerField(source="house.household_id")
    region = serializers.CharField(source="house.household.region_id")
    house = serializers.IntegerField(source="house_id")
    house_is_new = serializers.BooleanField(source="house.is_new", help_text="改造后的新房")
    structure = serializers.CharField(source="house.structure", help_text="房屋结构代码")
    grade = serializers.CharField(help_text="危险等级 A/B/C/D")
    grade_label = label("grade")
    assessed_on = serializers.DateField(allow_null=True, help_text="鉴定日期")
    assessor = serializers.CharField(help_text="鉴定人/机构")
    method = serializers.CharField(help_text="鉴定方法")


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.IntegerField(source="household_id")
    region = serializers.CharField(source="household.region_id")
    visited_on = serializers.DateField(help_text="回访日期")
    findings = serializers.ListField(child=serializers.CharField(), help_text="发现问题代码")
    finding_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    note = serializers.CharField(help_text="情况说明")
    visitor = serializers.CharField(source="visitor.__str__", help_text="回访人")


# Findings and clues --------------------------------------------------------------------------


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField(help_text="规则代码（CONTRACT.md）")
    rule_label = label("rule")
    region = serializers.CharField(source="region_id")
    household = serializers.IntegerField(source="household_id", allow_null=True)
    id_number = MaskedId(help_text="身份证号（脱敏）")
    name = serializers.CharField(help_text="姓名")
    renovation_year = serializers.IntegerField(allow_null=True)
    amount_fen = serializers.IntegerField(help_text="涉及金额（分）")
    evidence = serializers.CharField(help_text="证据")
    status = serializers.CharField(help_text="核实状态代码")
    status_label = label("status")
    reason = serializers.CharField(help_text="核实说明")
    clue = serializers.IntegerField(source="clue_id", allow_null=True)
    first_found_at = serializers.DateTimeField(source="first_run.created_at")
    last_found_at = serializers.DateTimeField(source="last_run.created_at")
    times_found = serializers.IntegerField()


class CluePersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    post = serializers.CharField()
    level = serializers.CharField()
    level_label = label("level")


class ClueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="台账编号")
    region = serializers.CharField(source="region_id")
    place = serializers.CharField()
    source_channel = serializers.CharField()
    source_channel_label = label("source_channel")
    received_on = serializers.DateField()
    category = serializers.CharField()
    category_label = label("category")
    summary = serializers.CharField()
    funds = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="涉及资金（万元）")
    status = serializers.CharField()
    status_label = label("status")
    status_since = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)
    disposal = serializers.CharField()
    handling_unit = serializers.CharField()
    # Stored masked (the full numbers are sealed in ClueLink; the API has no unmasking path);
    # masked again on the way out all the same (idempotent), a second guard.
    links = serializers.SerializerMethodField(help_text="关联档案（其中身份证号已脱敏）")
    rectification = serializers.CharField()
    recovered = serializers.DecimalField(max_digits=12, decimal_places=2)
    accountable = serializers.IntegerField()
    closed_on = serializers.DateField(allow_null=True)
    supervised = serializers.BooleanField()
    supervision_due = serializers.DateField(allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    persons = CluePersonSerializer(many=True)

    def get_links(self, clue) -> str:
        return mask_ids_in(clue.links)


# Reports -------------------------------------------------------------------------------------


class ReportEventSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    kind = serializers.CharField()
    kind_label = label("kind")
    period = serializers.DateField(help_text="所属期（月或季度首日）")
    version = serializers.IntegerField()
    status = serializers.CharField()
    status_label = label("status")
    due_date = serializers.DateField(help_text="报送截止日")
    submitted_at = serializers.DateTimeField(allow_null=True)
    days_late = serializers.SerializerMethodField(help_text="逾期天数（未报送的算到今天）")
    sha256 = serializers.CharField(help_text="报送文件 SHA-256")
    events = ReportEventSerializer(many=True)

    def get_days_late(self, report) -> int:
        return days_late(report.due_date, report.submitted_at)


# Reference lists -----------------------------------------------------------------------------


class ReferenceListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = label("kind")
    department = serializers.CharField()
    region = serializers.CharField(source="region_id")
    as_of = serializers.DateField()
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    rows = serializers.IntegerField()
    actor_name = serializers.CharField()
    received_on = serializers.DateField()
    superseded_by = serializers.IntegerField(source="superseded_by_id", allow_null=True)
    created_at = serializers.DateTimeField()


class ReferenceUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, help_text="名单类型")
    file = serializers.FileField(help_text="名单文件（.xlsx / .xls / .csv），不超过 20 MB")
    as_of = serializers.DateField(required=False, allow_null=True, help_text="数据截至日期")
    region = serializers.RegexField(
        r"^[0-9]{12}$", required=False, help_text="覆盖区划代码（默认本人所属区划）"
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


# Query parameters ----------------------------------------------------------------------------


DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2999, 12, 31)


@extend_schema_field(
    # The bounds in the document too (years 1900-2999), so that a client, and the schemathesis
    # run, know a date outside them is refused rather than a valid request.
    {"type": "string", "format": "date", "pattern": "^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"}
)
class BoundedDateField(serializers.DateField):
    pass


class ListQuery(serializers.Serializer):
    region = serializers.RegexField(
        r"^[0-9]{12}$", required=False, help_text="区划代码（12位），含其下级区划"
    )
    # Bounds of the dates a filter may name: beyond them a day's local midnight (or the day
    # after) does not exist as an aware datetime (0001-01-01 in UTC+8, 9999-12-31 + 1 day).
    date_from = BoundedDateField(
        required=False, help_text="起始日期（含），YYYY-MM-DD，1900-01-01 至 2999-12-31"
    )
    date_to = BoundedDateField(
        required=False,
        help_text="截止日期（含），YYYY-MM-DD，1900-01-01 至 2999-12-31；早于起始日期时结果为空",
    )

    def _bounded(self, value):
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise serializers.ValidationError("日期应在 1900-01-01 至 2999-12-31 之间。")
        return value

    def validate_date_from(self, value):
        return self._bounded(value)

    def validate_date_to(self, value):
        return self._bounded(value)
