"""Form fields shared by every app: money as people write it."""

from contextlib import suppress
from decimal import Decimal, InvalidOperation

from django import forms

from anju.tabular.values import folded


class MoneyField(forms.DecimalField):
    """An amount in `unit` (元 or 万元) as the label says; "0.2万", "2000元", "2,000" and
    full-width digits are read too, converted to the field's unit. Its message says the unit."""

    def __init__(self, *, unit: str = "万元", **kwargs):
        if unit not in ("元", "万元"):
            raise ValueError(unit)
        # Text, not a number box: a browser's number box refuses "0.2万" before it is sent.
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        self.unit = unit
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        example = "0.2、0.2万 或 2000元" if unit == "万元" else "2000、2000元 或 0.2万"
        self.error_messages["invalid"] = f"请填写金额数字，单位：{unit}（可写 {example}）。"
        self.error_messages["min_value"] = "金额不能为负数。"
        self.help_text = self.help_text or f"单位：{unit}；写“万”或“元”的会自动换算。"

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)  # no spinner steps on a text box
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            text = folded(value).replace(",", "").replace("，", "").replace(" ", "")
            factor = Decimal(1)
            if text.endswith("万元") or text.endswith("万"):
                text = text.removesuffix("元").removesuffix("万")
                factor = Decimal(1) if self.unit == "万元" else Decimal(10000)
            elif text.endswith("元"):
                text = text.removesuffix("元")
                factor = Decimal("0.0001") if self.unit == "万元" else Decimal(1)
            value = text
            if text and factor != 1:
                with suppress(InvalidOperation):
                    value = format((Decimal(text) * factor).normalize(), "f")
        return super().to_python(value)
