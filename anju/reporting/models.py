from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models


class ContactRole(models.TextChoices):
    """The four contacts each district names in Annex 3 (seed 000)."""

    DIRECTOR = "director", "局长"
    LEADER = "leader", "分管领导"
    SECTION = "section", "村镇科长"
    TASKFORCE = "taskforce", "专班负责人"


class Contact(models.Model):
    region = models.ForeignKey(
        "regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("联络人类别", max_length=16, choices=ContactRole.choices)
    name = models.CharField("姓名", max_length=50)
    unit_post = models.CharField("单位及职务", max_length=100)
    mobile = models.CharField(
        "手机",
        max_length=11,
        validators=[RegexValidator(r"^1[3-9][0-9]{9}$", "请填写11位手机号码。")],
    )
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
