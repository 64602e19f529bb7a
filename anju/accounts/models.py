import time
import uuid
from base64 import b32encode
from binascii import unhexlify
from functools import cached_property
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import hex_validator, random_hex

from anju.accounts.roles import Role
from anju.sealed import SealedField, SealedModel


class UnitKind(models.TextChoices):
    """The participating units of the joint campaign (seed 003, 部门分工负责)."""

    HOUSING = "housing", "住建"
    POVERTY = "poverty", "扶贫"
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    DISABLED = "disabled", "残联"
    VETERANS = "veterans", "退役军人"
    EMERGENCY = "emergency", "应急管理"
    NATURAL_RESOURCES = "natural_resources", "自然资源"
    FINANCE = "finance", "财政"
    DISCIPLINE = "discipline", "纪检监察"
    TOWNSHIP = "township", "乡镇政府"


class Unit(models.Model):
    """A unit (单位) inside the system: the lead unit (牵头单位) and every participating
    department of one region, with its directory entry, kept by the unit itself."""

    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类别", max_length=20, choices=UnitKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="units"
    )
    is_lead = models.BooleanField("牵头单位", default=False)
    duty = models.CharField("专项职责", max_length=200, blank=True)
    leader = models.CharField("分管领导", max_length=50, blank=True)
    leader_post = models.CharField("分管领导职务", max_length=100, blank=True)
    contact = models.CharField("联络员", max_length=50, blank=True)
    phone = models.CharField("办公电话", max_length=30, blank=True)
    fax = models.CharField("传真", max_length=30, blank=True)
    email = models.EmailField("电子邮箱", max_length=100, blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)
    updated_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["region_id", "-is_lead", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_region_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


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
    # The unit the user works for: transfers addressed to it, its quarterly clue reports and its
    # directory entry are its users' alone (anju.accounts.access.core.unit_of).
    work_unit = models.ForeignKey(
        Unit,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    must_change_password = models.BooleanField("首次登录须改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Renewed when roles or region change: every session signed with the old stamp ends.
    session_stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    # After an administrator created the account, reset its password or its second factor,
    # binding an authenticator needs a one-time enrolment code from the security administrator
    # (三员分立: the system administrator, who saw the temporary password, never holds what
    # completes a login). Only the code's hash is kept; it works once, until it expires.
    enrol_code_required = models.BooleanField("绑定验证器须凭绑定码", default=False)
    enrol_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    enrol_code_expires = models.DateTimeField(null=True, blank=True, editable=False)

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


def default_totp_key() -> str:
    """A new TOTP secret: 20 random bytes (160 bits, RFC 4226's recommendation), in hex."""
    return random_hex(20)


def totp_key_validator(value) -> None:
    hex_validator()(value)


class SealedTOTPDevice(TimestampMixin, ThrottlingMixin, Device, SealedModel):
    """A user's authenticator app (TOTP, RFC 6238), as django-otp's TOTPDevice, except that the
    secret is sealed at rest (AES-GCM under the field key, bound to this column: anju.sealed)
    instead of kept in clear. The server must know the secret to check codes, so it is
    encrypted, not hashed; `anju rekey` re-seals it with the other sealed columns.

    Verification is TOTPDevice.verify_token's, step for step (django-otp 1.7): the current step
    and `tolerance` steps either side, only steps after `last_t` (a code works once), drift
    learnt only if OTP_TOTP_SYNC (off here), django-otp's throttle after each wrong code.
    """

    key = SealedField(
        "密钥",
        null=False,
        blank=False,
        default=default_totp_key,
        validators=[totp_key_validator],
        help_text="A hex-encoded secret key of up to 40 bytes, sealed.",
    )
    step = models.PositiveSmallIntegerField(default=30, help_text="The time step in seconds.")
    t0 = models.BigIntegerField(
        default=0, help_text="The Unix time at which to begin counting steps."
    )
    digits = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)],
        default=6,
        help_text="The number of digits to expect in a token.",
    )
    tolerance = models.PositiveSmallIntegerField(
        default=1, help_text="The number of time steps in the past or future to allow."
    )
    drift = models.SmallIntegerField(
        default=0,
        help_text="The number of time steps the prover is known to deviate from our clock.",
    )
    last_t = models.BigIntegerField(
        default=-1,
        help_text="The t value of the latest verified token. The next token must be at a higher"
        " time step.",
    )

    class Meta(Device.Meta):
        verbose_name = "手机验证器"
        verbose_name_plural = "手机验证器"

    def __repr__(self) -> str:  # never the secret, whatever prints the device
        return f"<SealedTOTPDevice {self.pk} of user {self.user_id}>"

    @property
    def bin_key(self) -> bytes:
        """The secret key as bytes."""
        return unhexlify(self.key.encode())

    def verify_token(self, token) -> bool:
        sync = getattr(settings, "OTP_TOTP_SYNC", True)
        verify_allowed, _ = self.verify_is_allowed()
        if not verify_allowed:
            return False
        try:
            token = int(token)
        except Exception:
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(token, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if sync:
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self) -> str:
        """The otpauth:// URL an authenticator app reads from the QR code (Key Uri Format), as
        TOTPDevice.config_url, with the issuer from OTP_TOTP_ISSUER."""
        label = str(self.user.get_username())
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        issuer = getattr(settings, "OTP_TOTP_ISSUER", None)
        if callable(issuer):
            issuer = issuer(self)
        if isinstance(issuer, str) and issuer:
            issuer = issuer.replace(":", "")
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"  # RFC 3986, not quote_plus
        return f"otpauth://totp/{quote(label)}?{params}"
