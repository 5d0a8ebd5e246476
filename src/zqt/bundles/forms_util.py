"""Small request helpers shared by the pages and the API (no business rules)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zqt.accounts.enums import Role
from zqt.core.errors import ValidationFailed
from zqt.enterprises.selectors import enterprise_for_member


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def acting_uscc(request: HttpRequest, given: str | None = None) -> str:
    """The enterprise a request acts for: an enterprise user's own; others name it (uscc)."""
    user: Any = request.user if request.user.is_authenticated else getattr(request, "auth", None)
    if getattr(user, "role", "") == Role.ENTERPRISE:
        own = enterprise_for_member(user=user)
        if own is not None:
            return own.uscc
    uscc = (given if given is not None else request.GET.get("uscc", "")).strip().upper()
    if not uscc:
        raise ValidationFailed("请填写要代为办理的企业统一社会信用代码", field="uscc")
    return uscc
