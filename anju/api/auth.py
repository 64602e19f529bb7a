"""How /api/v1/ knows who calls: a personal token in `Authorization: Bearer …`, nothing else
(no session cookie, so the staff pages' two-factor check can simply leave /api/v1/ alone)."""

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from anju.accounts.access import PUBLIC, require
from anju.api.tokens import Refusal, check_token
from anju.audit.models import Action
from anju.audit.services import audit
from anju.netaddr import client_address

# Refused tokens are audited up to this many per address and minute, then refused unlogged.
AUDITED_FAILURES_PER_MINUTE = 20


class TokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization 头格式应为：Bearer <令牌>。")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌格式不正确。") from None
        found = check_token(raw)
        if isinstance(found, Refusal):
            self._audit_refusal(request, found)
            raise exceptions.AuthenticationFailed(found.reason)
        return found.user, found

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'

    def _audit_refusal(self, request, refusal: Refusal) -> None:
        """A refused token, under its owner when it is known; at most so many per address and
        minute, so a script hammering with a dead or guessed token cannot fill the audit log."""
        key = f"api-token-failures:{client_address(request)}"
        cache.add(key, 0, 60)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        if count > AUDITED_FAILURES_PER_MINUTE:
            return
        token = refusal.token
        audit(
            actor=token.user if token is not None else None,
            action=Action.DENIED,
            obj=token if token is not None else "api.token",
            result="refused",
            note=f"接口令牌被拒绝：{refusal.reason}",
        )


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "个人接口令牌（在「接口令牌」页面创建）：Authorization: Bearer anju_…",
        }


class AccessPolicy(BasePermission):
    """The view's `access_policy` (a Perm) through access.require: 403 and audited otherwise."""

    def has_permission(self, request, view):
        policy = view.access_policy
        if policy == PUBLIC:
            return True
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated("请在 Authorization 头中提供接口令牌。")
        require(request.user, policy)
        return True


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token and minute (ANJU_API_RATE); callers without a token by address."""

    scope = "token"

    def get_rate(self):
        return f"{settings.ANJU_API_RATE}/min"

    def get_ident(self, request):
        # DRF's own get_ident believes any X-Forwarded-For unless NUM_PROXIES is set: a caller
        # could pick a new identity per request. Only trusted proxies' headers count here.
        return client_address(request)

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        ident = f"t{token.pk}" if token is not None else self.get_ident(request)
        return f"throttle_token_{ident}"
