import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from anju.accounts.roles import Role


class User(AbstractUser):
    """A member of staff. Works in one region; holds one or more roles (RoleGrant)."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="所属区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    unit = models.CharField("单位及职务", max_length=100, blank=True)
    must_change_password = models.BooleanField("首次登录须改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Renewed when roles or region change: every session signed with the old stamp ends.
    session_stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django signs sessions with the password hash; adding the stamp also ends them on a
        # change of roles or region (a new session key on role change, as MLPS asks).
        return salted_hmac(
            "anju.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_grants.values_list("role", flat=True))

    def role_labels(self) -> list[str]:
        return [Role(r).label for r in sorted(self.roles)]


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "角色授予"
        verbose_name_plural = "角色授予"
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="rolegrant_user_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class PasswordHistory(models.Model):
    """The hash of each password a user chose, so that rotation cannot return to a recent one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    set_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.set_at:%Y-%m-%d}"
