"""Personal API tokens. Only the SHA-256 of a token is stored: the raw token is shown once, when
it is created, and a stolen database yields no usable token."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=60)
    # Tokens carry 256 random bits, so a plain SHA-256 suffices (no slow hash needed).
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, to recognise it in the list; not enough to use it.
    prefix = models.CharField("令牌前缀", max_length=16)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    # The owner's session stamp when the token was made: a password reset, a role or region
    # change or a second-factor reset gives the user a new stamp, and every older token dies
    # with the sessions (a compromised account is cut off on the API as well).
    issued_stamp = models.UUIDField(null=True, editable=False)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"
