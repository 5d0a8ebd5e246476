"""Pages: the signed-in user's inbox and notification preferences."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zqt.accounts.models import User
from zqt.core.errors import DomainError, NotFoundError
from zqt.notifications import selectors, services
from zqt.notifications.forms import PreferencesForm

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:inbox")
    return HttpResponseRedirect(target)


@login_required
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox_for_user(user=user, unread_only=unread_only), PAGE_SIZE)
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "unread_only": unread_only,
            "unread_count": selectors.unread_count(user=user),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        services.notification_mark_read(user=_user(request), notification_id=notification_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=_user(request))
    if count:
        messages.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.notification_preferences_set(user=user, preferences=form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("消息接收偏好已保存。"))
                return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial=selectors.preferences_for_user(user=user))
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_phone": bool(user.phone), "has_email": bool(user.email)},
    )
