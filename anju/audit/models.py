"""The append-only, hash-chained audit log.

Every entry carries the SHA-256 of the previous entry's hash and its own canonical content, so
changing, removing or inserting any entry breaks the chain at that point; `AuditHead` keeps the
last sequence number and hash, so cutting off the tail is caught too.
"""

from django.db import models


class Action(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账号锁定"
    LOGOUT = "logout", "退出"
    PASSWORD_CHANGE = "password_change", "修改密码"
    OTP_ENROL = "otp_enrol", "绑定动态口令"
    OTP_RESET = "otp_reset", "重置动态口令"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    UNMASK = "unmask", "查看完整号码"
    DENIED = "denied", "拒绝访问"
    VIEW = "view", "查看敏感记录"


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_username = models.CharField("操作人", max_length=150, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    action = models.CharField("操作", max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # Region the entry concerns (the object's, or the actor's): lets the audit administrator
    # of a region read only its own entries with one prefix range query.
    region_code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    result = models.CharField("结果", max_length=16, default="ok")
    changes = models.JSONField("变更内容", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)
    # HMAC-SHA256 of the same content under ANJU_AUDIT_KEY, kept outside the database.
    mac = models.CharField("密钥签名", max_length=64, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()} {self.object_repr}"


class AuditHead(models.Model):
    """One row: the chain's last sequence number and hash, locked by every append."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
