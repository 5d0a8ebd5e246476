"""Page guards. Every staff page is wrapped in `staff_required(capability)`.

The object scope (org unit, own enterprise, agent authorisation) is still checked by each entity's
fetch-and-authorise selector; this guard only answers "may this role use this page at all".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zqt.accounts.enums import Role
from zqt.accounts.permissions import is_staff_role, role_can

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """The 403 page, in Chinese."""
    return render(
        request,
        "403.html",
        {"message": message or _("您没有访问此页面的权限。")},
        status=403,
    )


def _needs_otp(user: Any) -> bool:
    """Government staff must have passed the TOTP step in this session."""
    if not is_staff_role(getattr(user, "role", "")):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def capability_required(capability: str) -> Callable[[View], View]:
    """Signed in, second factor passed where the role requires it, and the role has `capability`.

    Works for every role (enterprise users and agents too); staff must be OTP-verified; API
    service accounts are refused (they use the JSON API).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if _needs_otp(user):
                # A session that skipped the second factor: start again at the login page.
                return redirect_to_login(request.get_full_path())
            role = getattr(user, "role", "")
            if role == Role.API_CLIENT:
                # Service accounts use the JSON API with a token, never the pages.
                return forbidden(request, _("接口账号不能使用页面。"))
            if not role or not role_can(role, capability):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_required(capability: str) -> Callable[[View], View]:
    """A government-staff page: as capability_required, and the role must be a staff role."""

    def decorator(view: View) -> View:
        guarded = capability_required(capability)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if user.is_authenticated and not is_staff_role(getattr(user, "role", "")):
                return forbidden(request, _("此页面仅供政府工作人员使用。"))
            return guarded(request, *args, **kwargs)

        return wrapped

    return decorator
