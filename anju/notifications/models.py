"""Notifications: what was put on a person's list, and how it reached them.

A `Notification` is made once per (user, key): the key is a workbench item's notice key (the
item itself, then again "#soon" and "#overdue"), so the same work never notifies twice. A
`Delivery` is one message on one channel (immediate: the notifications one event brought;
digest: the day's); `DeliveryItem` puts a notification in at most one delivery per channel,
which is what "nothing sent twice" rests on.
"""

from django.conf import settings
from django.db import models

from anju.sealed import SealedField, SealedModel

USER = settings.AUTH_USER_MODEL


class ChannelKind(models.TextChoices):
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", "立即发送"
    DIGEST = "digest", "每日汇总"


class Channel(SealedModel):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notify_channels")
    kind = models.CharField("方式", max_length=10, choices=ChannelKind.choices)
    # An e-mail address, or a robot's webhook address (its key is a credential): sealed.
    address = SealedField("地址")
    secret = SealedField("加签密钥")
    # What the system administrator and the user see: the address with its key masked.
    shown = models.CharField("地址（脱敏）", max_length=120)
    mode = models.CharField("发送时机", max_length=10, choices=Mode.choices, default=Mode.DIGEST)
    enabled = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "通知渠道"
        verbose_name_plural = "通知渠道"
        ordering = ["user_id", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.shown}"


class Notification(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=160)
    kind = models.CharField("类别", max_length=40)
    text = models.CharField("内容", max_length=300)
    url = models.CharField(max_length=300)
    due = models.DateField("截止日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_user_key")
        ]
        indexes = [
            # The header's unread count and the notification page: one user's, newest first.
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败（已放弃）"


class Delivery(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    # "digest:2026-12-07" (one a day and channel) or "now:<first notification id>".
    key = models.CharField(max_length=40)
    status = models.CharField(
        "状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    last_error = models.CharField("最近一次错误", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知发送"
        verbose_name_plural = "通知发送"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="delivery_channel_key")
        ]
        indexes = [
            # The sender's queue: pending deliveries whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.key} {self.status}"


class DeliveryItem(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="items")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            # A notification goes out at most once on each channel.
            models.UniqueConstraint(
                fields=["channel", "notification"], name="deliveryitem_once_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.notification_id}"


class DigestRun(models.Model):
    """One daily run: claimed by its day, so a second worker or a repeated job does nothing."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    users = models.PositiveIntegerField(default=0)
    notifications = models.PositiveIntegerField(default=0)
    deliveries = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.day)
