"""Logins, logouts, failed logins and lockouts go to the audit log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from anju.audit.models import Action
from anju.audit.services import audit


@receiver(user_logged_in, dispatch_uid="anju_audit_login")
def on_login(sender, request, user, **kwargs):
    audit(actor=user, action=Action.LOGIN, obj=user)


@receiver(user_logged_out, dispatch_uid="anju_audit_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit(actor=user, action=Action.LOGOUT, obj=user)


@receiver(user_login_failed, dispatch_uid="anju_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username: credentials also hold the (cleansed) password, never logged.
    username = str(credentials.get("username", ""))[:150]
    audit(
        actor=None,
        action=Action.LOGIN_FAILED,
        obj="accounts.user",
        result="refused",
        note=f"用户名：{username}",
    )


@receiver(user_locked_out, dispatch_uid="anju_audit_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    audit(
        actor=None,
        action=Action.LOCKED_OUT,
        obj="accounts.user",
        result="refused",
        note=f"用户名：{str(username or '')[:150]}",
    )
