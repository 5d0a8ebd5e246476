"""Sign-in pages: password, then (government staff only) a TOTP code; TOTP enrolment; logout.

Staff are not signed in until the second factor passes: after the password step the session only
holds a short-lived "pending" marker, so no page (not even one without a capability) opens on a
password alone. Failed TOTP codes are reported to django-axes as failed logins, and a session may
try at most AXES_FAILURE_LIMIT codes before it has to start again with the password.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zqt.accounts.enums import Role
from zqt.accounts.forms import LoginForm, TotpCodeForm
from zqt.accounts.permissions import is_staff_role
from zqt.accounts.services import totp_device_confirm, totp_device_enrol

PENDING_USER = "zqt_pending_user_id"
PENDING_BACKEND = "zqt_pending_backend"
PENDING_SINCE = "zqt_pending_since"
PENDING_NEXT = "zqt_pending_next"
TOTP_FAILURES = "zqt_totp_failures"
# How long the password step stays valid while the user fetches the code.
PENDING_MAX_AGE_SECONDS = 300


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes lockout page (AXES_LOCKOUT_CALLABLE): 429 with a Chinese message."""
    _clear_pending(request)
    return render(
        request,
        "accounts/lockout.html",
        {"message": _("登录失败次数过多，请15分钟后再试")},
        status=429,
    )


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _clear_pending(request: HttpRequest) -> None:
    if not hasattr(request, "session"):
        return
    for key in (PENDING_USER, PENDING_BACKEND, PENDING_SINCE, PENDING_NEXT, TOTP_FAILURES):
        request.session.pop(key, None)


def _pending_user(request: HttpRequest) -> Any | None:
    """The staff user who passed the password step in this session, if still fresh."""
    user_id = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE)
    if user_id is None or since is None:
        return None
    if time.time() - float(since) > PENDING_MAX_AGE_SECONDS:
        _clear_pending(request)
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not is_staff_role(user.role):
        _clear_pending(request)
        return None
    return user


def _confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def _finish_login(request: HttpRequest, user: Any, backend: str, device: Any | None) -> str:
    next_url = request.session.get(PENDING_NEXT)
    _clear_pending(request)
    auth_login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    return _safe_next(request, next_url)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password (throttled by django-axes through authenticate())."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, next_url))
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            error = _("用户名或密码不正确。")
        elif getattr(user, "role", "") == Role.API_CLIENT:
            error = _("接口账号不能登录页面。")
        elif is_staff_role(getattr(user, "role", "")):
            # Not signed in yet: the second factor decides.
            if request.user.is_authenticated:
                auth_logout(request)
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_BACKEND] = getattr(user, "backend", None)
            request.session[PENDING_SINCE] = time.time()
            request.session[PENDING_NEXT] = next_url
            request.session[TOTP_FAILURES] = 0
            if _confirmed_device(user) is None:
                return redirect("accounts:totp_setup")
            return redirect("accounts:totp_verify")
        else:
            _clear_pending(request)
            auth_login(request, user)
            return redirect(_safe_next(request, next_url))
    return render(request, "accounts/login.html", {"form": form, "error": error, "next": next_url})


def _totp_failed(request: HttpRequest, user: Any) -> HttpResponse | None:
    """Count a wrong code: once per session and once as a failed login for django-axes."""
    failures = int(request.session.get(TOTP_FAILURES, 0)) + 1
    request.session[TOTP_FAILURES] = failures
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username()},
        request=request,
    )
    if getattr(request, "axes_locked_out", False):
        return None  # AxesMiddleware turns the response into the lockout page.
    if failures >= settings.AXES_FAILURE_LIMIT:
        _clear_pending(request)
        return render(
            request,
            "accounts/lockout.html",
            {"message": _("动态验证码错误次数过多，请重新登录。"), "restart": True},
            status=429,
        )
    return None


def _locked(request: HttpRequest, user: Any) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": user.get_username()}))


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def totp_verify(request: HttpRequest) -> HttpResponse:
    """Step 2 for government staff: the 6-digit code from their confirmed authenticator."""
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if _locked(request, user):
        return lockout_response(request)
    device = _confirmed_device(user)
    if device is None:
        return redirect("accounts:totp_setup")
    form = TotpCodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            return redirect(_finish_login(request, user, request.session[PENDING_BACKEND], device))
        refused = _totp_failed(request, user)
        if refused is not None:
            return refused
        error = _("动态验证码不正确或已过期，请重新输入。")
    return render(
        request, "accounts/totp_verify.html", {"form": form, "error": error, "pending": user}
    )


def _qr_svg(data: str) -> str:
    """The otpauth:// URL as an inline SVG QR code (no external service)."""
    qr = segno.make(data, error="m")
    svg: str = qr.svg_inline(scale=5, border=2, dark="#1f2d3d", light="#ffffff")
    return svg


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """TOTP enrolment for staff who passed the password step but have no confirmed device.

    Shows a QR code and the base32 secret; the device is confirmed by entering a valid code.
    """
    user = _pending_user(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect("core:home")
        return redirect("accounts:login")
    if _locked(request, user):
        return lockout_response(request)
    if _confirmed_device(user) is not None:
        return redirect("accounts:totp_verify")
    device = totp_device_enrol(user=user, ip_address=_client_ip(request))
    form = TotpCodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(
            user=user,
            device=device,
            code=form.cleaned_data["code"],
            ip_address=_client_ip(request),
        ):
            return redirect(_finish_login(request, user, request.session[PENDING_BACKEND], device))
        refused = _totp_failed(request, user)
        if refused is not None:
            return refused
        error = _("动态验证码不正确，请确认手机时间准确后重试。")
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "error": error,
            "pending": user,
            "qr_svg": _qr_svg(device.config_url),
            "secret": secret,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    _clear_pending(request)
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
