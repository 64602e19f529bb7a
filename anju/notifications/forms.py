from django import forms

from anju.notifications.models import ChannelKind, Mode


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label="通知方式", choices=ChannelKind.choices)
    address = forms.CharField(
        label="邮箱地址或机器人 Webhook 地址",
        max_length=500,
        help_text="企业微信、钉钉群机器人：在群设置里添加机器人后复制其 Webhook 地址。",
    )
    secret = forms.CharField(
        label="加签密钥（钉钉，选填）",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    mode = forms.ChoiceField(label="发送时机", choices=Mode.choices, initial=Mode.DIGEST)
