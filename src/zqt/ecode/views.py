"""Pages of the enterprise code ("一码四端"): the public scan page (no login), the enterprise's
own code page, the inspector's scan page, the service desk's pre-fill page, login by code, and
the usage statistics. Thin: services verify, record and authorise; selectors read."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zqt.accounts.decorators import capability_required, forbidden, staff_required
from zqt.accounts.models import OrgUnit
from zqt.core.errors import DomainError, NotFoundError, PermissionDeniedError
from zqt.ecode import documents, keys, rendering, selectors, services
from zqt.ecode.enums import PREFILL_FIELDS, Audience, Channel
from zqt.ecode.errors import CodeError, RateLimited
from zqt.ecode.status_list import CodeStatus
from zqt.enterprises.licence_state import LEGEND

LOGIN_SESSION_KEY = "ecode_login"
# A random id of this browser session: login codes are rate-limited per session too.
LOGIN_CLIENT_KEY = "ecode_login_client"


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)


# --- 大众端: the page a phone opens from the QR ------------------------------------------------


@require_GET
@never_cache
def public_scan_view(request: HttpRequest, token: str) -> HttpResponse:
    """No login, public facts only. The verdict colour: green valid, amber suspended, red not
    valid (with the reason). Staff who may inspect get a link to the inspector page."""
    context: dict[str, Any] = {"token": token, "legend": LEGEND}
    try:
        verification = services.code_verify(
            text=token, audience=Audience.PUBLIC, channel=Channel.WEB, ip_address=_ip(request)
        )
    except CodeError as exc:
        context.update(error=exc, verdict="invalid")
        return render(request, "ecode/public.html", context, status=200)
    context.update(
        verification=verification,
        facts=selectors.public_facts(enterprise=verification.enterprise),
        verdict="suspended" if verification.status is CodeStatus.SUSPENDED else "valid",
        can_inspect=selectors.role_may(request.user, "ecode.inspect"),
    )
    return render(request, "ecode/public.html", context)


# --- published keys and lists --------------------------------------------------------------------


@require_GET
@cache_control(public=True, max_age=300)
def key_set_view(request: HttpRequest) -> JsonResponse:
    """The published key set: code keys that verify, and the anchor that signs the lists."""
    ring = keys.key_ring()
    anchor = ring.anchor_key()
    return JsonResponse(
        {
            "keys": [
                {
                    "kid": k.kid,
                    "alg": k.algorithm,
                    "use": "code",
                    "status": k.status,
                    "public_key": documents.b64url(k.public_key),
                    "created_at": k.created_at,
                }
                for k in ring.verification_keys()
            ]
            + [
                {
                    "kid": anchor.kid,
                    "alg": anchor.algorithm,
                    "use": "lists",
                    "status": "active",
                    "public_key": documents.b64url(anchor.public_key),
                    "created_at": anchor.created_at,
                }
            ],
            "trust_list": reverse("ecode_root:trust_list"),
            "status_list": reverse("ecode_root:status_list"),
        }
    )


@require_GET
@cache_control(public=True, max_age=300)
def trust_list_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.lists_current()["trust"].document)


@require_GET
@cache_control(public=True, max_age=300)
def status_list_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.lists_current()["status"].document)


# --- 企业端 -----------------------------------------------------------------------------------


@require_GET
@capability_required("ecode.view_own")
def home_view(request: HttpRequest) -> HttpResponse:
    enterprise, code = selectors.ecode_get_for_user(user=request.user, ip_address=_ip(request))
    consents = selectors.consent_list(enterprise=enterprise)
    context = {
        "enterprise": enterprise,
        "code": code,
        "code_path": selectors.code_path(code.token) if code else "",
        "code_url": selectors.code_url(code) if code else "",
        "scans": selectors.scan_history(enterprise=enterprise, limit=30),
        "consents": [(c, selectors.consent_is_active(c)) for c in consents],
        "field_choices": list(PREFILL_FIELDS.items()),
        "field_labels": PREFILL_FIELDS,
        "grantees": OrgUnit.objects.filter(level__in=["city", "county"]).order_by("code")[:400],
    }
    return render(request, "ecode/home.html", context)


@require_POST
@capability_required("ecode.issue")
def issue_view(request: HttpRequest) -> HttpResponse:
    try:
        services.ecode_issue(user=request.user, ip_address=_ip(request))
        messages.success(request, _("企业码已签发。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("ecode:home")


def _own_code(request: HttpRequest) -> Any:
    _enterprise, code = selectors.ecode_get_for_user(user=request.user, ip_address=_ip(request))
    if code is None:
        raise NotFoundError(_("尚未签发企业码。"))
    return code


@require_GET
@capability_required("ecode.view_own")
def static_svg_view(request: HttpRequest) -> HttpResponse:
    try:
        code = _own_code(request)
    except NotFoundError as exc:
        return _not_found(request, exc.message)
    return HttpResponse(code.svg, content_type="image/svg+xml")


@require_GET
@capability_required("ecode.view_own")
def static_png_view(request: HttpRequest) -> HttpResponse:
    try:
        code = _own_code(request)
    except NotFoundError as exc:
        return _not_found(request, exc.message)
    response = HttpResponse(bytes(code.png), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="ecode.png"'
    return response


@require_GET
@capability_required("ecode.view_own")
def poster_view(request: HttpRequest) -> HttpResponse:
    try:
        code = _own_code(request)
    except NotFoundError as exc:
        return _not_found(request, exc.message)
    pdf = rendering.poster_pdf(
        url=selectors.code_url(code),
        enterprise_name=code.enterprise.name,
        uscc=code.enterprise.uscc,
        footer=_("政企通 · 企业码（静态码，签发于 %(day)s）")
        % {"day": code.issued_at.date().isoformat()},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="ecode-poster.pdf"'
    return response


@require_POST
@capability_required("ecode.consent")
def consent_grant_view(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.POST.get("days") or 0)
    except ValueError:
        days = 0
    try:
        services.prefill_consent_grant(
            user=request.user,
            grantee_code=request.POST.get("grantee", ""),
            purpose=request.POST.get("purpose", ""),
            fields=request.POST.getlist("fields"),
            days=days,
            ip_address=_ip(request),
        )
        messages.success(request, _("已授权。办事窗口扫您的动态码时可读取所选信息。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("ecode:home") + "#consents")


@require_POST
@capability_required("ecode.consent")
def consent_revoke_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    try:
        services.prefill_consent_revoke(
            user=request.user, consent_id=consent_id, ip_address=_ip(request)
        )
        messages.success(request, _("授权已撤销。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("ecode:home") + "#consents")


# --- 执法端 -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required("ecode.inspect")
def inspect_view(request: HttpRequest) -> HttpResponse:
    token = (request.POST.get("token") or request.GET.get("token") or "").strip()
    context: dict[str, Any] = {"token": token, "legend": LEGEND}
    if token:
        try:
            context["result"] = services.inspection_scan(
                user=request.user, text=token, ip_address=_ip(request)
            )
            context["risk_flags"] = selectors.risk_flags_translate(
                context["result"]["risk_flag_parts"]
            )
        except (CodeError, NotFoundError) as exc:
            context["error"] = exc
        except PermissionDeniedError as exc:
            return forbidden(request, exc.message)
    return render(request, "ecode/inspect.html", context)


# --- 政务端 -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required("ecode.prefill")
def desk_view(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"field_labels": PREFILL_FIELDS, "purpose": "", "token": ""}
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip()
        purpose = (request.POST.get("purpose") or "").strip()
        context.update(token=token, purpose=purpose)
        try:
            context["result"] = services.desk_prefill(
                user=request.user, text=token, purpose=purpose, ip_address=_ip(request)
            )
        except DomainError as exc:
            context["error"] = exc
    return render(request, "ecode/desk.html", context)


# --- statistics -------------------------------------------------------------------------------


@require_GET
@staff_required("ecode.stats")
def stats_view(request: HttpRequest) -> HttpResponse:
    stats = selectors.scan_stats(user=request.user)
    columns = selectors.scan_stats_columns(stats)
    return render(request, "ecode/stats.html", {"stats": stats, "columns": columns})


# --- 一码通行: login by code ---------------------------------------------------------------------


@require_GET
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """On the desktop: a login code to scan with the enterprise's signed-in phone."""
    client_id = request.session.get(LOGIN_CLIENT_KEY)
    if not isinstance(client_id, str) or not client_id:
        client_id = secrets.token_urlsafe(16)
        request.session[LOGIN_CLIENT_KEY] = client_id
    try:
        challenge, secret = services.login_challenge_create(
            ip_address=_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            client_id=client_id,
        )
    except RateLimited as exc:
        response = render(request, "ecode/login.html", {"error": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    request.session[LOGIN_SESSION_KEY] = {"key": challenge.key, "secret": secret}
    approve = selectors.login_code_url(
        scheme=request.scheme or "https", host=request.get_host(), key=challenge.key
    )
    return render(
        request,
        "ecode/login.html",
        {"challenge": challenge, "approve_url": approve, "ttl": services.LOGIN_TTL_S},
    )


@require_GET
def login_code_short_view(request: HttpRequest, key: str) -> HttpResponse:
    """The uppercase URL in the login QR (/L/<KEY>): on to the approval page."""
    return redirect("ecode:login_approve", key=key.lower())


@require_GET
@never_cache
def login_poll_view(request: HttpRequest) -> JsonResponse:
    data = request.session.get(LOGIN_SESSION_KEY) or {}
    try:
        user = services.login_challenge_complete(
            key=str(data.get("key", "")), browser_secret=str(data.get("secret", ""))
        )
    except DomainError as exc:
        return JsonResponse({"state": "expired", "message": exc.message})
    if user is None:
        return JsonResponse({"state": "waiting"})
    request.session.pop(LOGIN_SESSION_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return JsonResponse({"state": "done", "next": reverse("space:home")})


@require_http_methods(["GET", "POST"])
@capability_required("ecode.login_approve")
def login_approve_view(request: HttpRequest, key: str) -> HttpResponse:
    """On the phone (signed in): confirm the desktop login, seeing where it comes from."""
    try:
        challenge = services.login_challenge_get(key=key)
    except NotFoundError as exc:
        return render(request, "ecode/login_approve.html", {"error": exc.message})
    if request.method == "POST":
        try:
            services.login_challenge_approve(user=request.user, key=key, ip_address=_ip(request))
        except DomainError as exc:
            return render(request, "ecode/login_approve.html", {"error": exc.message})
        return render(request, "ecode/login_approve.html", {"approved": True})
    return render(request, "ecode/login_approve.html", {"challenge": challenge})
