from base64 import b32encode

import segno
from axes.helpers import get_lockout_response
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from anju import offline
from anju.accounts import enrolment, services
from anju.accounts.access import (
    Perm,
    access_region,
    access_user,
    password_expired,
    public_view,
    second_factor_view,
    staff_view,
    users_visible_to,
)
from anju.accounts.forms import CodeForm, EnrolCodeForm, LoginForm, RolesForm, UserCreateForm
from anju.accounts.models import User
from anju.audit.models import Action
from anju.audit.services import audit
from anju.pagination import paginate
from anju.regions.picker import limit_regions

login = public_view(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
_logout = auth_views.LogoutView.as_view()


@public_view
def logout(request, *args, **kwargs):
    """Django's logout, and the browser told to drop what the field pages kept for use without a
    network (pages, the phone's queue, the service workers): on a shared phone the next person
    finds none of it (offline.js also deletes it before the logout form is sent)."""
    response = _logout(request, *args, **kwargs)
    if request.method == "POST":
        response["Clear-Site-Data"] = offline.CLEAR_SITE_DATA
    return response


@staff_view()
@never_cache
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        request.session.cycle_key()
        services.password_changed(user=user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "expired": password_expired(request.user),
            "max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
        },
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: `redirect("113803")` would look the text up as a view name
    # (NoReverseMatch, a 500); anything else goes home.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


_CODE_ERRORS = {
    services.CodeResult.WRONG: "验证码不正确或已使用过，请输入验证器上当前显示的验证码。",
    services.CodeResult.THROTTLED: "验证码错误次数过多，请稍等片刻再试。",
}


@second_factor_view
@never_cache
def otp_verify(request):
    """Login's second step: the 6-digit code from the user's authenticator app."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not user_has_device(request.user):
        return redirect(f"{reverse('otp_setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.second_factor_verify(request=request, code=form.cleaned_data["code"])
        if result == services.CodeResult.OK:
            return redirect(next_url)
        if result == services.CodeResult.LOCKED:
            # Guessing codes locks the account as guessing passwords does; the half-done
            # session ends, and the password must be given again after the cool-off.
            credentials = {"username": request.user.get_username()}
            auth_logout(request)
            return get_lockout_response(request, None, credentials)
        form.add_error("code", _CODE_ERRORS[result])
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


@second_factor_view
@never_cache
def otp_setup(request):
    """Enrolment: a secret made on the server, shown as a QR code and in base32, bound to the
    user once they type a code their app made from it. Only for a user without a device."""
    next_url = _next_url(request)
    if user_has_device(request.user):
        return redirect(f"{reverse('otp_verify')}?{request.GET.urlencode()}")
    if not enrolment.passed(request):
        return _enrol_code_step(request, next_url)
    device = services.second_factor_enrolment(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.second_factor_confirm(
            request=request, device=device, code=form.cleaned_data["code"]
        )
        if result == services.CodeResult.OK:
            messages.success(request, "手机验证器已绑定，今后登录须输入其动态验证码。")
            return redirect(next_url)
        form.add_error("code", _CODE_ERRORS[result])
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "next": next_url,
            # An SVG image in a data: URI (allowed by the CSP's img-src), made here by segno.
            "qr_uri": qr.svg_data_uri(scale=5, border=2, dark="#000", light="#fff"),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


def _enrol_code_step(request, next_url: str):
    """Before the secret is shown: the enrolment code from the security administrator."""
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = enrolment.check(request=request, code=form.cleaned_data["enrol_code"])
        if result == "ok":
            return redirect(f"{reverse('otp_setup')}?{request.GET.urlencode()}")
        if result == "locked":
            credentials = {"username": request.user.get_username()}
            auth_logout(request)
            return get_lockout_response(request, None, credentials)
        form.add_error("enrol_code", "绑定码不正确或已失效，请核对，或请安全管理员重新签发。")
    return render(request, "accounts/otp_enrol_code.html", {"form": form, "next": next_url})


def _form_error(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@staff_view(Perm.VIEW_USERS)
def users(request):
    q = request.GET.get("q", "").strip()
    items = users_visible_to(request.user).select_related("region").prefetch_related("role_grants")
    if q:
        items = items.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    page = paginate(request, items.order_by("username"))
    template = "accounts/_user_rows.html" if request.htmx else "accounts/user_list.html"
    return render(request, template, {"page": page, "q": q})


@staff_view(Perm.MANAGE_USERS)
def user_create(request):
    form = limit_regions(UserCreateForm(request.POST or None), request.user.region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region = access_region(request.user, data["region_code"])
            user, password = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                region=region,
                unit=data["unit"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            return render(
                request, "accounts/temporary_password.html", {"target": user, "password": password}
            )
    return render(request, "accounts/user_form.html", {"form": form})


@staff_view(Perm.VIEW_USERS)
def user_detail(request, pk: int):
    target = access_user(request.user, pk)
    initial = {
        "region_code": target.region_id,
        "roles": sorted(target.roles),
        "work_unit": target.work_unit_id,
    }
    form = limit_regions(RolesForm(initial=initial), request.user.region)
    return render(
        request,
        "accounts/user_detail.html",
        {"target": target, "form": form, "has_device": user_has_device(target)},
    )


@require_POST
@staff_view(Perm.ASSIGN_ROLES)
def user_roles(request, pk: int):
    target = access_user(request.user, pk, write_perm=Perm.ASSIGN_ROLES)
    form = limit_regions(RolesForm(request.POST), request.user.region)
    if form.is_valid():
        try:
            region = access_region(request.user, form.cleaned_data["region_code"])
            services.user_set_roles(
                actor=request.user,
                user=target,
                region=region,
                roles=set(form.cleaned_data["roles"]),
                work_unit=form.cleaned_data["work_unit"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "角色与区划已更新。")
            return redirect("accounts:user", pk=target.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {"target": target, "form": form, "has_device": user_has_device(target)},
        status=400,
    )


@require_POST
@staff_view(Perm.MANAGE_USERS)
def user_active(request, pk: int):
    target = access_user(request.user, pk, write_perm=Perm.MANAGE_USERS)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=target, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "账号已启用。" if active else "账号已停用，其会话立即失效。")
    return redirect("accounts:user", pk=target.pk)


@require_POST
@staff_view(Perm.MANAGE_USERS)
def user_reset_password(request, pk: int):
    target = access_user(request.user, pk, write_perm=Perm.MANAGE_USERS)
    password = services.user_reset_password(actor=request.user, user=target)
    return render(
        request,
        "accounts/temporary_password.html",
        {"target": target, "password": password, "reset": True},
    )


@require_POST
@staff_view(Perm.ASSIGN_ROLES)
def user_unlock(request, pk: int):
    target: User = access_user(request.user, pk, write_perm=Perm.ASSIGN_ROLES)
    axes_reset(username=target.username)

    audit(actor=request.user, action=Action.UPDATE, obj=target, note="解除登录锁定")
    messages.success(request, "已解除该账号的登录锁定。")
    return redirect("accounts:user", pk=target.pk)


@require_POST
@staff_view(Perm.RESET_SECOND_FACTOR)
@never_cache
def user_enrol_code(request, pk: int):
    """The security administrator issues a one-time code for binding an authenticator."""
    target: User = access_user(request.user, pk, write_perm=Perm.RESET_SECOND_FACTOR)
    try:
        code = enrolment.issue(actor=request.user, user=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:user", pk=target.pk)
    return render(
        request,
        "accounts/enrol_code.html",
        {"target": target, "code": code, "hours": enrolment.ENROL_CODE_HOURS},
    )


@require_POST
@staff_view(Perm.RESET_SECOND_FACTOR)
def user_reset_otp(request, pk: int):
    target: User = access_user(request.user, pk, write_perm=Perm.RESET_SECOND_FACTOR)
    try:
        services.second_factor_reset(actor=request.user, user=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "已重置动态口令：该用户的会话已结束，下次登录须重新绑定手机验证器。"
        )
    return redirect("accounts:user", pk=target.pk)
