"""Writes to accounts: creating, disabling, granting roles. Each audited in its transaction."""

import secrets
import string
import uuid
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, region_visible, require
from anju.accounts.models import RoleGrant, User
from anju.accounts.roles import ADMIN_ROLES, ROLE_LEVELS, Role
from anju.audit.models import Action
from anju.audit.services import audit
from anju.regions.models import Region


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "region": user.region_id,
        "unit": user.unit,
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
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit(actor=actor, action=Action.CREATE, obj=user, after=_snapshot(user))
    return user, password


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
    """Give a new temporary password; existing sessions end (their auth hash no longer matches)."""
    require(actor, Perm.MANAGE_USERS)
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit(actor=actor, action=Action.UPDATE, obj=user, note="重置密码")
    return password


def user_set_roles(*, actor: User, user: User, region: Region, roles: set[str]) -> User:
    """Set a user's region and roles (the security administrator's task)."""
    require(actor, Perm.ASSIGN_ROLES)
    _check_region(actor, region)
    if user.pk == actor.pk:
        raise ValidationError("不能修改自己的角色。")
    roles = {Role(r).value for r in roles}
    check_roles(roles, region)
    before = _snapshot(user)
    with transaction.atomic():
        changed = user.region_id != region.code or set(user.roles) != roles
        user.region = region
        if changed:
            user.session_stamp = uuid.uuid4()
        user.save(update_fields=["region", "session_stamp"])
        current = set(user.role_grants.values_list("role", flat=True))
        user.role_grants.filter(role__in=current - roles).delete()
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=r, granted_by=actor) for r in sorted(roles - current)]
        )
        user.__dict__.pop("roles", None)
        audit(actor=actor, action=Action.UPDATE, obj=user, before=before, after=_snapshot(user))
    return user


def password_changed(*, user: User) -> None:
    """Record a user's own password change and lift the first-login requirement."""
    with transaction.atomic():
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
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
        from anju.audit.services import audit_many

        audit_many(
            actor="系统",
            action=Action.UPDATE,
            items=[(u, {"is_active": True}, {"is_active": False}) for u in users],
            note=f"超过 {DORMANT_DAYS} 天未使用，自动停用",
        )
    return len(users)
