import time
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from anju.accounts.access import password_expired, second_factor_missing
from anju.audit.context import RequestInfo, current_request
from anju.netaddr import client_address


class RequestContextMiddleware:
    """Makes the caller's address known to audit entries written anywhere in the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(
            RequestInfo(ip=client_address(request) or None, path=request.path)
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class SessionLifetimeMiddleware:
    """Ends a session past its absolute lifetime, however active it has been."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if request.user.is_authenticated:
            started = request.session.get("started_at")
            now = int(time.time())
            if started is None:
                request.session["started_at"] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse('login')}?expired=1")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Accounts with a temporary password, or one past ANJU_PASSWORD_MAX_AGE_DAYS, may do nothing
    but change it (after the second factor, whose pages stay open)."""

    ALLOWED = ("password_change", "logout", "otp_verify", "otp_setup")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and (user.must_change_password or password_expired(user)):
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class SecondFactorMiddleware:
    """Sends a session that has passed only the password to the code page, before any view that
    needs the second factor (the decision is access.second_factor_missing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not second_factor_missing(request, view_func):
            return None
        target = reverse("otp_verify")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)


class NoStoreMiddleware:
    """Pages shown to a signed-in user may carry personal data: never keep them in any cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
