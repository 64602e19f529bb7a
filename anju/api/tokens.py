"""Creating, revoking and checking personal API tokens (audited in the same transaction)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from anju.accounts.access import api_user_allowed
from anju.api.models import ApiToken
from anju.audit.models import Action
from anju.audit.services import audit

TOKEN_PREFIX = "anju_"  # noqa: S105 (a marker, not a secret)
MAX_ACTIVE = 10
LIFETIMES = (30, 90, 180, 365)
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def active_tokens(user):
    now = timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)


def token_create(*, actor, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for `actor` himself; returns it with the raw value, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError("请填写令牌用途。")
    if days not in LIFETIMES:
        raise ValidationError("有效期只能是 30、90、180 或 365 天。")
    if not api_user_allowed(actor):
        raise ValidationError("您的账号不能使用数据接口。")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        if active_tokens(actor).select_for_update().count() >= MAX_ACTIVE:
            raise ValidationError(f"有效令牌最多 {MAX_ACTIVE} 个，请先吊销不用的令牌。")
        token = ApiToken(
            user=actor,
            name=name,
            key_hash=digest(raw),
            prefix=raw[:12],
            expires_at=timezone.now() + timedelta(days=days),
            issued_stamp=actor.session_stamp,
        )
        token.full_clean()
        token.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=token,
            after={"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at},
            note="创建接口令牌",
        )
    return token, raw


def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj=token,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at},
            note="吊销接口令牌",
        )
    return token


@dataclass(frozen=True)
class Refusal:
    reason: str  # Chinese, for the 401 body and the audit log
    token: ApiToken | None = None


def check_token(raw: str) -> ApiToken | Refusal:
    """The live token for `raw`, or why it is refused (the caller audits the refusal)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return Refusal("令牌格式不正确。")
    token = ApiToken.objects.select_related("user").filter(key_hash=digest(raw)).first()
    if token is None:
        return Refusal("令牌无效。")
    now = timezone.now()
    reason = ""
    if token.revoked_at is not None:
        reason = "令牌已吊销。"
    elif token.expires_at <= now:
        reason = "令牌已过期。"
    elif token.issued_stamp != token.user.session_stamp:
        reason = "账号的密码、角色或区划已变更，此前创建的令牌已失效，请重新创建。"
    elif not api_user_allowed(token.user):
        reason = "令牌所属账号已停用、须修改密码或无权使用数据接口。"
    if reason:
        return Refusal(reason, token)
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
