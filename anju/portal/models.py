"""Reports from the public: what they said, who they are (encrypted), how to follow them up."""

from django.conf import settings
from django.db import models

from anju.oversight.choices import ProblemKind
from anju.sealed import IdMaskedTextField

USER = settings.AUTH_USER_MODEL


class PublicReport(models.Model):
    """A problem reported on the portal. It enters the clue ledger as 信访举报; the reporter
    follows it with a tracking code, of which only a keyed hash is kept."""

    code_hash = models.CharField(max_length=64, unique=True)
    clue = models.ForeignKey(
        "oversight.Clue", on_delete=models.PROTECT, related_name="public_reports"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="涉及地方", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("问题类型", max_length=20, choices=ProblemKind.choices)
    # ID numbers masked (anju.sealed.IdMasking); the full ones sealed in the clue's ClueLink.
    description = IdMaskedTextField("问题描述", max_length=1000)
    # The reporter, encrypted (anju.crypto): shown only to discipline inspection of the region.
    anonymous = models.BooleanField("匿名", default=True)
    reporter_name = models.BinaryField(null=True, blank=True)
    reporter_phone = models.BinaryField(null=True, blank=True)
    public_reply = IdMaskedTextField("答复", max_length=1000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "公众举报"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"公众举报 {self.created_at:%Y-%m-%d}"


class ReportAddition(models.Model):
    """Information the reporter added later, with the tracking code alone."""

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="additions")
    text = IdMaskedTextField("补充内容", max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"补充 {self.created_at:%Y-%m-%d}"


class ReportPhoto(models.Model):
    """A photo, re-encoded on arrival so no metadata (GPS, camera, time) is kept."""

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="photos")
    data = models.BinaryField()
    content_type = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"照片 {self.pk}"


class PortalPage(models.Model):
    """A page the city office writes for the portal (the 权力责任清单), kept sanitised."""

    slug = models.SlugField(unique=True)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文", max_length=100_000, blank=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title


class Duty(models.Model):
    """One line of a district's 权力责任清单 on the portal: the matter, the unit responsible
    and how to reach it; the district's own clerks keep the lines (no HTML)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="区县", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField("序号", default=1)
    matter = models.CharField("责任事项", max_length=200)
    unit = models.CharField("责任单位", max_length=100)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "权力责任清单事项"
        ordering = ["region_id", "position", "pk"]

    def __str__(self) -> str:
        return self.matter[:30]
