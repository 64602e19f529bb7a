"""Enrolment codes (issue #33 F6, 三员分立).

The system administrator creates accounts and resets passwords, so they know the temporary
password. If the account has no authenticator yet, whoever first signs in with that password
could bind their own phone and own the account — the system administrator included. So after an
administrator creates an account or resets its password or second factor, binding an
authenticator also needs a one-time enrolment code (绑定码) that only the security administrator
issues and hands to the person. Neither administrator alone holds everything a login needs.

The code is 12 characters from an unambiguous alphabet (60 bits), stored as a password hash,
valid for ENROL_CODE_HOURS, good once. Wrong codes count as failed logins (the axes lockout).
"""

import secrets
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.accounts.models import SealedTOTPDevice, User
from anju.audit.models import Action
from anju.audit.services import audit

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ENROL_CODE_HOURS = 72
SESSION_KEY = "anju_enrol_code_ok"


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def require_code(user: User) -> None:
    """An administrator has just (re)set what the user signs in with: the next binding of an
    authenticator needs a code from the security administrator. Saved by the caller."""
    user.enrol_code_required = True
    user.enrol_code_hash = ""
    user.enrol_code_expires = None


def issue(*, actor: User, user: User) -> str:
    """A new enrolment code for the user (the previous one stops working), shown once."""
    require(actor, Perm.RESET_SECOND_FACTOR)
    if user.pk == actor.pk:
        raise ValidationError("不能给自己签发绑定码，请由另一位安全管理员办理。")
    if SealedTOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError("该用户已绑定手机验证器；手机丢失请先重置动态口令。")
    body = "".join(secrets.choice(ALPHABET) for _ in range(12))
    with transaction.atomic():
        user.enrol_code_required = True
        user.enrol_code_hash = make_password(body)
        user.enrol_code_expires = timezone.now() + timedelta(hours=ENROL_CODE_HOURS)
        user.save(update_fields=["enrol_code_required", "enrol_code_hash", "enrol_code_expires"])
        audit(actor=actor, action=Action.UPDATE, obj=user, note="签发验证器绑定码")
    return "-".join(body[i : i + 4] for i in range(0, 12, 4))


def passed(request) -> bool:
    """Whether this session may bind an authenticator now (no code needed, or given)."""
    user = request.user
    return not user.enrol_code_required or request.session.get(SESSION_KEY) == user.pk


def check(*, request, code: str) -> str:
    """Check the code a signed-in user typed on the enrolment page: "ok", "wrong" or "locked".
    A good code is used up at once; any secret shown before it is discarded, so nobody who saw
    the page without the code knows the secret that will be bound."""
    user = request.user
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return "locked"
    with transaction.atomic():
        fresh = User.objects.select_for_update().get(pk=user.pk)
        good = (
            fresh.enrol_code_hash
            and fresh.enrol_code_expires is not None
            and fresh.enrol_code_expires > timezone.now()
            and check_password(normalise(code), fresh.enrol_code_hash)
        )
        if good:
            fresh.enrol_code_hash = ""
            fresh.enrol_code_expires = None
            fresh.save(update_fields=["enrol_code_hash", "enrol_code_expires"])
            SealedTOTPDevice.objects.filter(user=fresh, confirmed=False).delete()
            audit(actor=user, action=Action.LOGIN, obj=user, note="验证器绑定码核对通过")
    if good:
        request.session[SESSION_KEY] = user.pk
        return "ok"
    audit(
        actor=user,
        action=Action.LOGIN_FAILED,
        obj=user,
        result="refused",
        note="绑定码错误或已失效",
    )
    AxesProxyHandler.user_login_failed(sender=check, credentials=credentials, request=request)
    return "locked" if getattr(request, "axes_locked_out", False) else "wrong"
