from django import forms

from anju.accounts.models import Unit
from anju.formfields import MoneyField
from anju.oversight.choices import (
    CadreLevel,
    Disposal,
    Form,
    ItemSource,
    ProblemKind,
    SanctionKind,
    SourceChannel,
    TransferTarget,
)
from anju.oversight.models import SUMMARY_LIMIT
from anju.regions.models import Level
from anju.regions.picker import RegionField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEVELS = [("", "—"), *CadreLevel.choices]


class ClueForm(forms.Form):
    region_code = RegionField(
        label="涉及地方", levels=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
    )
    place = forms.CharField(label="涉及地方或单位", max_length=100)
    source_channel = forms.ChoiceField(label="来源渠道", choices=SourceChannel.choices)
    received_on = forms.DateField(label="收到日期", widget=DATE)
    category = forms.ChoiceField(label="问题类别", choices=ProblemKind.choices)
    summary = forms.CharField(
        label=f"问题线索摘要（{SUMMARY_LIMIT}字以内）",
        max_length=SUMMARY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    funds = MoneyField(label="涉及资金（万元）", max_digits=12, initial=0)
    links = forms.CharField(
        label="关联档案（户主身份证号、改造年度等，可不填）", max_length=200, required=False
    )
    person1_name = forms.CharField(label="被反映对象1 姓名", max_length=50)
    person1_post = forms.CharField(label="职务", max_length=100, required=False)
    person1_level = forms.ChoiceField(label="级别", choices=CadreLevel.choices)
    person2_name = forms.CharField(label="被反映对象2 姓名", max_length=50, required=False)
    person2_post = forms.CharField(label="职务", max_length=100, required=False)
    person2_level = forms.ChoiceField(label="级别", choices=LEVELS, required=False)
    person3_name = forms.CharField(label="被反映对象3 姓名", max_length=50, required=False)
    person3_post = forms.CharField(label="职务", max_length=100, required=False)
    person3_level = forms.ChoiceField(label="级别", choices=LEVELS, required=False)
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)
    merge_into = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        for i in (2, 3):
            if data.get(f"person{i}_name") and not data.get(f"person{i}_level"):
                self.add_error(f"person{i}_level", "请选择级别。")
        return data

    def persons(self):
        from anju.oversight.services import PersonInput

        data = self.cleaned_data
        return [
            PersonInput(
                data[f"person{i}_name"],
                data.get(f"person{i}_post", ""),
                data.get(f"person{i}_level", ""),
            )
            for i in (1, 2, 3)
            if data.get(f"person{i}_name")
        ]


class DepartmentClueForm(ClueForm):
    """A department's clue for housing: the ledger's form without what only the ledger's clerks
    decide (the channel is 部门移送; duplicates are the county's to merge)."""

    received_on = forms.DateField(label="发现日期", widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("source_channel", "confirm_new", "merge_into"):
            del self.fields[name]
        self.fields["links"].label = "关联农户（户主身份证号等，可不填）"


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionForm(VersionForm):
    ACTIONS = [
        "assign",
        "verify",
        "dispose",
        "rectify",
        "request_close",
        "approve_close",
        "reject_close",
        "reopen",
    ]
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    handling_unit = forms.CharField(label="承办单位", max_length=100, required=False)
    disposal = forms.ChoiceField(
        label="处置方式", choices=[("", "—"), *Disposal.choices], required=False
    )
    rectification = forms.CharField(
        label="整改情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recovered = MoneyField(label="追缴资金（万元）", max_digits=12, required=False)
    accountable = forms.IntegerField(label="问责（人）", min_value=0, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


class EditForm(VersionForm):
    place = forms.CharField(label="涉及地方或单位", max_length=100)
    category = forms.ChoiceField(label="问题类别", choices=ProblemKind.choices)
    summary = forms.CharField(
        label="问题线索摘要", max_length=SUMMARY_LIMIT, widget=forms.Textarea(attrs={"rows": 4})
    )
    funds = MoneyField(label="涉及资金（万元）", max_digits=12)
    links = forms.CharField(
        label="关联档案（已脱敏的号码保持不变）", max_length=200, required=False
    )


class TransferForm(VersionForm):
    receiver = forms.ModelChoiceField(
        label="接收单位（系统内）",
        queryset=Unit.objects.select_related("region"),
        required=False,
        empty_label="系统外单位（在右侧填写）",
    )
    target = forms.ChoiceField(
        label="移送对象（系统外单位）", choices=TransferTarget.choices, required=False
    )
    to_region = RegionField(
        label="接收方所在地（系统外单位）", levels=(Level.CITY, Level.COUNTY), required=False
    )
    to_unit = forms.CharField(label="系统外接收单位", max_length=100, required=False)
    note = forms.CharField(label="移送说明", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("receiver") is None:
            if not data.get("target"):
                self.add_error("target", "请选择移送对象。")
            if not (data.get("to_region") or "").strip():
                self.add_error("to_region", "请选择系统内接收单位，或选择接收方所在地。")
            if not (data.get("to_unit") or "").strip():
                self.add_error("to_unit", "请选择系统内接收单位，或填写系统外接收单位名称。")
        return data


class ReportBackForm(forms.Form):
    report = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件（PDF/JPG/PNG/Word/Excel，10 MB 以内）")
    is_evidence = forms.BooleanField(label="整改佐证材料", required=False)


class SupervisionForm(VersionForm):
    due = forms.DateField(label="督办时限", widget=DATE)
    note = forms.CharField(label="督办要求", max_length=300)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label="处理方式", choices=SanctionKind.choices)
    decided_on = forms.DateField(label="处理日期", widget=DATE)
    unit = forms.CharField(label="被问责单位（单位问责）", max_length=100, required=False)
    person_name = forms.CharField(label="姓名（个人问责）", max_length=50, required=False)
    level = forms.ChoiceField(label="级别", choices=LEVELS, required=False)
    form = forms.TypedChoiceField(
        label="形态",
        choices=[("", "—"), *Form.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    note = forms.CharField(label="说明", max_length=300, required=False)


class TypicalCaseForm(forms.Form):
    month = forms.CharField(label="月份（YYYY-MM）", max_length=7)
    text = forms.CharField(
        label="案例（300字以内）",
        max_length=SUMMARY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExposureForm(forms.Form):
    region_code = RegionField(label="曝光涉及地方", levels=(Level.COUNTY, Level.TOWNSHIP))
    exposed_on = forms.DateField(label="曝光日期", widget=DATE)
    channel = forms.CharField(label="曝光方式", max_length=100)
    problems = forms.IntegerField(label="问题数", min_value=0)
    persons = forms.IntegerField(label="涉及人数", min_value=0)


class ItemForm(forms.Form):
    region_code = RegionField(label="乡镇", levels=(Level.TOWNSHIP,))
    source = forms.ChoiceField(label="来源", choices=ItemSource.choices)
    description = forms.CharField(label="问题", max_length=300)
    measure = forms.CharField(label="整改措施", max_length=300, required=False)
    owner = forms.CharField(label="责任人", max_length=50)
    deadline = forms.DateField(label="整改时限", widget=DATE)


class ItemDoneForm(forms.Form):
    note = forms.CharField(
        label="整改情况", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(label="整改后的照片（JPG/PNG，5 MB 以内）", required=False)


class MergeForm(VersionForm):
    into = forms.CharField(label="并入线索编号", max_length=32)


class ItemReviewForm(forms.Form):
    """A second person's review of a close-out: the opinion (required to return it)."""

    note = forms.CharField(label="复核意见", max_length=300, required=False)
