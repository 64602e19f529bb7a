from django import forms

from anju.regions.models import Level
from anju.regions.picker import RegionField
from anju.spotchecks.models import CheckItem, Outcome, Population

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    name = forms.CharField(label="抽查名称", max_length=100)
    region_code = RegionField(label="抽查范围", levels=(Level.CITY, Level.COUNTY, Level.TOWNSHIP))
    population = forms.ChoiceField(label="抽查对象", choices=Population.choices)
    share_percent = forms.IntegerField(
        label="每乡镇抽取比例（%）", min_value=1, max_value=100, required=False
    )
    count_per_township = forms.IntegerField(label="或每乡镇户数", min_value=1, required=False)
    weight_findings = forms.IntegerField(
        label="比对发现户加权", min_value=0, max_value=20, initial=0, required=False
    )
    weight_clues = forms.IntegerField(
        label="线索举报户加权", min_value=0, max_value=20, initial=0, required=False
    )
    seed = forms.CharField(label="随机种子（不填则自动生成）", max_length=64, required=False)
    items = forms.MultipleChoiceField(
        label="检查事项",
        choices=CheckItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AssignForm(forms.Form):
    inspectors = forms.MultipleChoiceField(label="检查人员", choices=[], required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].choices = [
            (str(u.pk), f"{u.full_name or u.username}（{u.region.name if u.region else ''}）")
            for u in users
        ]


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label="核查日期", widget=DATE)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items or CheckItem.values)
        for item in (CheckItem(i) for i in self.items):
            self.fields[f"{item.value}_outcome"] = forms.ChoiceField(
                label=item.label, choices=Outcome.choices, initial=Outcome.PASS
            )
            self.fields[f"{item.value}_note"] = forms.CharField(
                label="说明", max_length=300, required=False
            )

    def results(self) -> dict[str, tuple[str, str]]:
        d = self.cleaned_data
        return {i: (d[f"{i}_outcome"], d[f"{i}_note"]) for i in self.items}

    def rows(self):
        return [(self[f"{i}_outcome"], self[f"{i}_note"]) for i in self.items]


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(
        label="处理方式", choices=[("item", "转入乡镇问题清单"), ("clue", "登记问题线索")]
    )

    @classmethod
    def for_department(cls, *args, **kwargs):
        """A department's failure goes to housing's ledger: the one way it has."""
        form = cls(*args, **kwargs)
        form.fields["kind"].choices = [("clue", "移送住建部门（登记为问题线索）")]
        for name in ("owner", "deadline"):
            del form.fields[name]
        return form

    owner = forms.CharField(label="责任人（清单）", max_length=50, required=False)
    deadline = forms.DateField(label="整改时限（清单）", widget=DATE, required=False)
    person_name = forms.CharField(label="被反映对象（线索）", max_length=50, required=False)
