from django import forms

from anju.reporting.models import ContactRole


class ContactForm(forms.Form):
    region_code = forms.CharField(widget=forms.HiddenInput, max_length=12)
    role = forms.ChoiceField(label="类别", choices=ContactRole.choices)
    name = forms.CharField(label="姓名", max_length=50)
    unit_post = forms.CharField(label="单位及职务", max_length=100)
    mobile = forms.RegexField(
        label="手机", regex=r"^1[3-9][0-9]{9}$", error_messages={"invalid": "请填写11位手机号码。"}
    )
    published = forms.BooleanField(label="在门户公布", required=False)
