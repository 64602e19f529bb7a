from django import forms
from django.contrib.auth.forms import AuthenticationForm

from anju.accounts.models import Unit
from anju.accounts.roles import Role
from anju.regions.models import Level
from anju.regions.picker import RegionField

PLACES = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败 5 次将暂时锁定。",
        "inactive": "该账号已停用，请联系系统管理员。",
        "dormant": "该账号超过 90 天未使用，已自动停用，请联系系统管理员。",
    }

    def clean(self):
        # Dormant accounts are disabled before the password is even checked.
        from anju.accounts.services import dormant_accounts_disable

        dormant_accounts_disable()
        return super().clean()


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ + -"},
    )
    full_name = forms.CharField(label="姓名", max_length=50)
    region_code = RegionField(label="所属区划", levels=PLACES)
    unit = forms.CharField(label="单位及职务", max_length=100, required=False)


class RolesForm(forms.Form):
    region_code = RegionField(label="所属区划", levels=PLACES)
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    work_unit = forms.ModelChoiceField(
        label="所属单位",
        queryset=Unit.objects.select_related("region"),
        required=False,
        empty_label="（不归属系统内单位）",
    )


class UnitForm(forms.ModelForm):
    region_code = forms.CharField(label="所在区划代码", max_length=12)

    class Meta:
        model = Unit
        fields = ["name", "kind", "is_lead", "duty"]


class EnrolCodeForm(forms.Form):
    enrol_code = forms.RegexField(
        label="绑定码",
        regex=r"^[0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{4}$",
        max_length=14,
        strip=True,
        error_messages={"invalid": "绑定码为 12 位字母和数字，形如 ABCD-EFGH-JKMN。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="动态验证码",
        regex=r"^[0-9]{3} ?[0-9]{3}$",
        max_length=7,
        strip=True,
        error_messages={"invalid": "请输入手机验证器上显示的 6 位数字。"},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": "7",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        # Authenticator apps show the code as "123 456"; accept it typed that way too.
        return self.cleaned_data["code"].replace(" ", "")
