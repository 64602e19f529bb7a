from django import forms

from anju.campaigns import measures
from anju.regions.models import Level
from anju.regions.picker import RegionField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    name = forms.CharField(label="专项整治名称", max_length=150)
    region_code = RegionField(
        label="实施范围", levels=(Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP)
    )
    start = forms.DateField(label="开始日期", widget=DATE)
    end = forms.DateField(label="结束日期", widget=DATE)
    lead_unit = forms.CharField(label="牵头单位", max_length=100, required=False)
    from_seed = forms.BooleanField(
        label="按专项整治方案（四个阶段、四项目标）建立", required=False, initial=True
    )


class PhaseForm(forms.Form):
    name = forms.CharField(label="阶段", max_length=50)
    start = forms.DateField(label="开始", widget=DATE)
    end = forms.DateField(label="结束", widget=DATE)
    tasks = forms.CharField(label="主要任务", max_length=300, required=False)


class TargetForm(forms.Form):
    name = forms.CharField(label="目标任务", max_length=150)
    measure = forms.ChoiceField(label="统计口径", choices=measures.choices)
    goal_percent = forms.IntegerField(label="目标值（%）", min_value=1, max_value=100, initial=100)
    due = forms.DateField(label="完成时限", widget=DATE)
