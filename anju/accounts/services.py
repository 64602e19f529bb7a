"""Writes to accounts: creating, disabling, granting roles. Each audited in its transaction."""

import secrets
import string
import uuid
from datetime import timedelta
from enum import StrEnum

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login

from anju.accounts import enrolment
from anju.accounts.access import Perm, region_visible, require
from anju.accounts.models import PasswordHistory, RoleGrant, SealedTOTPDevice, Unit, User
from anju.accounts.roles import ADMIN_ROLES, ROLE_LEVELS, Role
from anju.audit.models import Action
from anju.audit.services import audit, audit_many
from anju.regions.models import Region, is_within


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "region": user.region_id,
        "unit": user.unit,
        "work_unit": user.work_unit_id,
        "is_active": user.is_active,
        "roles": sorted(user.role_grants.values_list("role", flat=True)) if user.pk else [],
    }


def check_roles(roles: set[str], region: Region | None) -> None:
    """Raise ValidationError unless the roles fit together and fit the region's level."""
    if not roles:
        return
    if region is None:
        raise ValidationError("授予角色前须先指定所属区划。")
    if roles & ADMIN_ROLES and len(roles) > 1:
        raise ValidationError(
            "系统管理员、安全管理员、审计管理员三员分立：持有其一者不得再持有其他角色。"
        )
    for role in roles:
        if region.level not in ROLE_LEVELS[role]:
            raise ValidationError(
                f"「{Role(role).label}」不能设在{region.get_level_display()}级区划「{region.name}」。"
            )


def temporary_password() -> str:
    """A random password meeting the policy, for a new account or a reset."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(14))
        candidate = body + secrets.choice("#%+=@") + secrets.choice(string.digits)
        if any(c.islower() for c in body) and any(c.isupper() for c in body):
            return candidate


ENROL = ["enrol_code_required", "enrol_code_hash", "enrol_code_expires"]


def _check_region(actor: User, region: Region) -> None:
    if not region_visible(actor, region.code):
        raise ValidationError("只能在本人所辖区划内管理账号。")


def user_create(
    *, actor: User, username: str, full_name: str, region: Region, unit: str = ""
) -> tuple[User, str]:
    """Create an account with a temporary password the user must change at first login."""
    require(actor, Perm.MANAGE_USERS)
    _check_region(actor, region)
    password = temporary_password()
    user = User(
        username=username, full_name=full_name, region=region, unit=unit, must_change_password=True
    )
    user.set_password(password)
    enrolment.require_code(user)
    user.full_clean()
    with transaction.atomic():
        user.save()
        _remember_password(user)
        audit(actor=actor, action=Action.CREATE, obj=user, after=_snapshot(user))
    return user, password


def _remember_password(user: User, at=None) -> None:
    """Put the user's current password hash in the history, keeping the last PASSWORD_HISTORY.
    Temporary passwords from an administrator go in too: the administrator saw them, so the user
    must not be able to change back to one."""
    from django.conf import settings

    PasswordHistory.objects.create(user=user, password=user.password, set_at=at or timezone.now())
    kept = user.password_history.values_list("pk", flat=True)[: settings.PASSWORD_HISTORY]
    user.password_history.exclude(pk__in=list(kept)).delete()


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Enable or disable an account; a disabled account's sessions stop working at once."""
    require(actor, Perm.MANAGE_USERS)
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账号。")
    before = _snapshot(user)
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit(actor=actor, action=Action.UPDATE, obj=user, before=before, after=_snapshot(user))
    return user


def user_reset_password(*, actor: User, user: User) -> str:
    """Give a new temporary password; existing sessions and API tokens end (a new stamp)."""
    require(actor, Perm.MANAGE_USERS)
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.session_stamp = uuid.uuid4()
        enrolment.require_code(user)
        user.save(update_fields=["password", "must_change_password", "session_stamp", *ENROL])
        _remember_password(user)
        audit(actor=actor, action=Action.UPDATE, obj=user, note="重置密码")
    return password


def check_unit(roles: set[str], region: Region, unit: Unit | None) -> None:
    """A department's user (部门经办员) belongs to a unit; a user works within their unit's
    region."""
    if Role.DEPARTMENT in roles and unit is None:
        raise ValidationError("所属单位：部门经办员须归属一个单位。")
    if unit is not None and not is_within(region.code, unit.region_id):
        raise ValidationError(f"所属单位：{unit.name}不在所属区划{region.name}内或其上级。")


def user_set_roles(
    *, actor: User, user: User, region: Region, roles: set[str], work_unit: Unit | None = None
) -> User:
    """Set a user's region, roles and unit (the security administrator's task)."""
    require(actor, Perm.ASSIGN_ROLES)
    _check_region(actor, region)
    if user.pk == actor.pk:
        raise ValidationError("不能修改自己的角色。")
    roles = {Role(r).value for r in roles}
    check_roles(roles, region)
    check_unit(roles, region, work_unit)
    if work_unit is not None and not region_visible(actor, work_unit.region_id):
        raise ValidationError("所属单位：只能指定本级及下级区划的单位。")
    before = _snapshot(user)
    with transaction.atomic():
        changed = (
            user.region_id != region.code
            or set(user.roles) != roles
            or user.work_unit_id != getattr(work_unit, "pk", None)
        )
        user.region = region
        user.work_unit = work_unit
        if changed:
            user.session_stamp = uuid.uuid4()
        user.save(update_fields=["region", "work_unit", "session_stamp"])
        current = set(user.role_grants.values_list("role", flat=True))
        user.role_grants.filter(role__in=current - roles).delete()
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=r, granted_by=actor) for r in sorted(roles - current)]
        )
        user.__dict__.pop("roles", None)
        audit(actor=actor, action=Action.UPDATE, obj=user, before=before, after=_snapshot(user))
    return user


def password_changed(*, user: User) -> None:
    """Record a user's own password change: its time (rotation counts from it), its hash in the
    history (PasswordHistoryValidator refuses the last N), and lift the first-login requirement."""
    with transaction.atomic():
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        _remember_password(user, user.password_changed_at)
        audit(actor=user, action=Action.PASSWORD_CHANGE, obj=user)


def demo_user(
    *, username: str, full_name: str, region: Region, roles: set[str], password: str, unit: str = ""
) -> User:
    """Create or refresh a demo account (used only by the demo loader, which audits in bulk)."""
    check_roles(roles, region)
    validate_password(password)
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "region": region,
            "unit": unit,
            "is_active": True,
            "must_change_password": False,
            "password_changed_at": timezone.now(),
        },
    )
    user.set_password(password)
    user.save()
    user.role_grants.exclude(role__in=roles).delete()
    for role in roles:
        RoleGrant.objects.get_or_create(user=user, role=role)
    return user


DORMANT_DAYS = 90


def dormant_accounts_disable(*, now=None) -> int:
    """Disable accounts unused for 90 days (never logged in: counted from creation)."""
    from django.db.models import Q

    now = now or timezone.now()
    limit = now - timedelta(days=DORMANT_DAYS)
    stale = User.objects.filter(is_active=True).filter(
        Q(last_login__lt=limit) | Q(last_login__isnull=True, date_joined__lt=limit)
    )
    users = list(stale)
    with transaction.atomic():
        User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)

        audit_many(
            actor="系统",
            action=Action.UPDATE,
            items=[(u, {"is_active": True}, {"is_active": False}) for u in users],
            note=f"超过 {DORMANT_DAYS} 天未使用，自动停用",
        )
    return len(users)


# Second factor (TOTP) ----------------------------------------------------------------------


class CodeResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"
    LOCKED = "locked"


def _session_verified(request, device: SealedTOTPDevice) -> None:
    # The session now carries the device (django-otp's mark), under a new key: a key seen
    # before the second factor is worth nothing after it.
    otp_login(request, device)
    request.session.cycle_key()


def second_factor_enrolment(*, user: User) -> SealedTOTPDevice:
    """The device being enrolled, its secret made here on the server, once per enrolment (the QR
    page shows the same secret until a code confirms it). Not audited: nothing is bound yet."""
    with transaction.atomic():
        device = SealedTOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = SealedTOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


def second_factor_confirm(*, request, device: SealedTOTPDevice, code: str) -> CodeResult:
    """Finish enrolment: a valid code from the new device binds it and verifies the session
    (after an administrator's reset, only in a session that has given the enrolment code)."""
    user = request.user
    if not enrolment.passed(request):
        return CodeResult.WRONG
    with transaction.atomic():
        device = SealedTOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
        if device is None or device.confirmed or device.user_id != user.pk:
            return CodeResult.WRONG
        if not device.verify_is_allowed()[0]:
            return CodeResult.THROTTLED
        if not device.verify_token(code):
            return CodeResult.WRONG
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        SealedTOTPDevice.objects.filter(user=user, confirmed=False).delete()
        if user.enrol_code_required:
            user.enrol_code_required = False
            user.save(update_fields=["enrol_code_required"])
        # The secret itself never goes into the log: only that a device was bound.
        audit(actor=user, action=Action.OTP_ENROL, obj=user, note="绑定手机验证器")
    _session_verified(request, device)
    return CodeResult.OK


def second_factor_verify(*, request, code: str) -> CodeResult:
    """Check the code of a session that has passed the password.

    A code is good once (the device keeps the last accepted step) and for one 30-second step
    either side of now. A wrong code is audited, slows the device down (django-otp's throttle:
    1, 2, 4 … seconds) and counts as a failed login for the username and address lockout (axes),
    so guessing codes locks out just as guessing passwords does.
    """
    user = request.user
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return CodeResult.LOCKED
    with transaction.atomic():
        devices = SealedTOTPDevice.objects.select_for_update()
        device = devices.filter(user=user, confirmed=True).first()
        if device is None:
            return CodeResult.WRONG
        if not device.verify_is_allowed()[0]:
            result = CodeResult.THROTTLED
        elif device.verify_token(code):
            result = CodeResult.OK
        else:
            result = CodeResult.WRONG
    if result == CodeResult.OK:
        audit(actor=user, action=Action.LOGIN, obj=user, note="动态口令验证通过")
        _session_verified(request, device)
        return result
    note = "动态口令错误" if result == CodeResult.WRONG else "动态口令尝试过于频繁，暂缓验证"
    audit(actor=user, action=Action.LOGIN_FAILED, obj=user, result="refused", note=note)
    if result == CodeResult.WRONG:
        AxesProxyHandler.user_login_failed(
            sender=second_factor_verify, credentials=credentials, request=request
        )
        if getattr(request, "axes_locked_out", False):
            return CodeResult.LOCKED
    return result


def second_factor_reset(*, actor: User, user: User) -> int:
    """Remove a user's second factor (a lost or replaced phone). They must enrol again at their
    next login, and their sessions end now (a new session stamp, as on a change of roles)."""
    require(actor, Perm.RESET_SECOND_FACTOR)
    if user.pk == actor.pk:
        raise ValidationError("不能重置自己的动态口令，请由另一位安全管理员办理。")
    with transaction.atomic():
        removed, _ = SealedTOTPDevice.objects.filter(user=user).delete()
        user.session_stamp = uuid.uuid4()
        enrolment.require_code(user)
        user.save(update_fields=["session_stamp", *ENROL])
        audit(
            actor=actor,
            action=Action.OTP_RESET,
            obj=user,
            note=f"重置动态口令（删除验证器 {removed} 个），须重新绑定",
        )
    return removed


def unit_create(
    *, actor: User, name: str, kind: str, region: Region, is_lead: bool = False, duty: str = ""
) -> Unit:
    """Register a unit of the system (the security administrator, within their region)."""
    require(actor, Perm.MANAGE_UNITS)
    _check_region(actor, region)
    name = (name or "").strip()
    if Unit.objects.filter(region=region, name=name).exists():
        raise ValidationError(f"单位名称：{region.name}已有“{name}”。")
    if is_lead and Unit.objects.filter(region=region, is_lead=True).exists():
        raise ValidationError(f"牵头单位：{region.name}已有牵头单位。")
    with transaction.atomic():
        unit = Unit(name=name, kind=kind, region=region, is_lead=is_lead, duty=duty.strip())
        unit.full_clean()
        unit.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=unit,
            after={"name": name, "kind": kind, "region": region.code, "is_lead": is_lead},
            region_code=region.code,
        )
    return unit


UNIT_ENTRY_FIELDS = ("duty", "leader", "leader_post", "contact", "phone", "fax", "email")


def unit_entry_update(*, actor: User, unit, values: dict):
    """A unit keeps its own directory entry (分管领导, 联络员, 电话, 传真, 邮箱): audited."""
    from anju.accounts.access import unit_of

    require(actor, Perm.EDIT_OWN_UNIT)
    own = unit_of(actor)
    if own is None or own.pk != unit.pk:
        raise ValidationError("只能维护本单位的通讯录。")
    before = {f: getattr(unit, f) for f in UNIT_ENTRY_FIELDS}
    with transaction.atomic():
        for field in UNIT_ENTRY_FIELDS:
            setattr(unit, field, (values.get(field) or "").strip())
        unit.updated_at, unit.updated_by = timezone.now(), actor
        unit.full_clean()
        unit.save()
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=unit,
            before=before,
            after={f: getattr(unit, f) for f in UNIT_ENTRY_FIELDS},
            note="单位通讯录",
            region_code=unit.region_id,
        )
    return unit
