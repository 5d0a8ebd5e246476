"""Pages of supervision: the draw desk, the public record (一公开), the inspector's mobile
result page, item lists, joint inspections. Thin: selectors fetch and authorise, services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zqt.accounts.decorators import forbidden, staff_required
from zqt.accounts.permissions import role_can
from zqt.core.errors import DomainError, NotFoundError, PermissionDeniedError
from zqt.core.identifiers import IdentifierError, validate_uscc
from zqt.core.timeutil import local_today
from zqt.credit import selectors as credit_selectors
from zqt.enterprises import selectors as ent
from zqt.supervision import selectors, services
from zqt.supervision.enums import DrawPurpose, FindingOutcome


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotFoundError):
        return render(request, "404.html", {"message": exc.message}, status=404)
    if isinstance(exc, PermissionDeniedError):
        return forbidden(request, exc.message)
    return render(request, "404.html", {"message": exc.message}, status=400)


@require_GET
@staff_required("supervision.view")
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    prefix = user.org_unit.scope_prefix if user.org_unit else "-"
    draws = [
        d
        for d in selectors.draw_list_public(limit=200)
        if d.org_unit.scope_prefix.startswith(prefix)
    ][:50]
    return render(
        request,
        "supervision/home.html",
        {
            "draws": draws,
            "can_draw": role_can(user.role, "supervision.draw"),
            "departments": list(user.departments.all()),
            "inspections": selectors.inspection_queryset_for_user(user=user)[:50],
            "form": request.GET,
        },
    )


@require_POST
@staff_required("supervision.draw")
def draw_commit(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        draw = services.inspection_draw_commit(
            user=request.user,
            title=p.get("title", ""),
            department_code=p.get("department_code", ""),
            k=p.get("k", ""),
            m=p.get("m", "2"),
            region_prefix=p.get("region_prefix", ""),
            industry_code=p.get("industry_code", ""),
            region_conflict=p.get("region_conflict") == "on",
            recent_days=p.get("recent_days") or services.DEFAULT_RECENT_DAYS,
            max_per_assignee=p.get("max_per_assignee") or None,
            ip_address=_ip(request),
        )
    except PermissionDeniedError as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        user: Any = request.user
        prefix = user.org_unit.scope_prefix if user.org_unit else "-"
        return render(
            request,
            "supervision/home.html",
            {
                "draws": [
                    d
                    for d in selectors.draw_list_public(limit=200)
                    if d.org_unit.scope_prefix.startswith(prefix)
                ][:50],
                "can_draw": True,
                "departments": list(user.departments.all()),
                "inspections": selectors.inspection_queryset_for_user(user=user)[:50],
                "form": p,
                "error": exc,
            },
            status=400,
        )
    messages.success(request, _("种子承诺已公示，可以进行抽取。"))
    return redirect("supervision:draw", number=draw.number)


@require_GET
@staff_required("supervision.view")
def draw_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        draw = selectors.draw_get_for_user(user=request.user, number=number)
    except DomainError as exc:
        return _error(request, exc)
    return render(
        request,
        "supervision/draw.html",
        {
            "draw": draw,
            "rows": selectors.draw_result_rows(draw),
            "can_draw": role_can(getattr(request.user, "role", ""), "supervision.draw"),
        },
    )


@require_POST
@staff_required("supervision.draw")
def draw_execute(request: HttpRequest, number: str) -> HttpResponse:
    try:
        services.draw_execute(user=request.user, number=number, ip_address=_ip(request))
    except (NotFoundError, PermissionDeniedError) as exc:
        return _error(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:draw", number=number)
    messages.success(request, _("抽取完成，种子与结果已公示。"))
    return redirect("supervision:draw", number=number)


# --- 一公开 (no login) -------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supervision/public_list.html",
        {
            "draws": selectors.draw_list_public(limit=100),
            "results": selectors.published_results(limit=30),
        },
    )


@require_GET
def public_draw(request: HttpRequest, number: str) -> HttpResponse:
    try:
        draw = selectors.draw_get_public(number=number)
    except NotFoundError as exc:
        return _error(request, exc)
    verification = selectors.draw_verify(draw) if draw.status == "drawn" else None
    return render(
        request,
        "supervision/public_draw.html",
        {
            "draw": draw,
            "seed": selectors.public_seed(draw),
            "verification": verification,
            "rows": selectors.draw_result_rows(draw) if draw.status == "drawn" else [],
            "is_expert": draw.purpose == DrawPurpose.EXPERT,
        },
    )


@require_GET
def public_population(request: HttpRequest, number: str) -> HttpResponse:
    try:
        lines = selectors.draw_population_public(number=number)
    except NotFoundError as exc:
        return _error(request, exc)
    response = HttpResponse(
        "".join(f"{line}\n" for line in lines), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{number}-population.txt"'
    return response


# --- 执法端: find the enterprise, record results ---------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required("supervision.inspect")
def inspect_find(request: HttpRequest) -> HttpResponse:
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()
    context: dict[str, Any] = {"q": query}
    if query:
        try:
            uscc = validate_uscc(query)
        except IdentifierError:
            uscc = ""
        try:
            if not uscc:
                # A scanned enterprise code: verified by the ecode module (signature, status,
                # dynamic-code nonce), recorded as an inspector scan.
                from zqt.ecode.services import inspection_scan

                uscc = inspection_scan(user=request.user, text=query, ip_address=_ip(request))[
                    "detail"
                ]["uscc"]
            return redirect("supervision:inspect_enterprise", uscc=uscc)
        except PermissionDeniedError as exc:
            return forbidden(request, exc.message)
        except Exception as exc:
            context["error"] = getattr(exc, "message", None) or _(
                "未能识别企业码或统一社会信用代码。"
            )
    user: Any = request.user
    context["inspections"] = selectors.inspection_queryset_for_user(user=user).filter(
        status="planned"
    )[:50]
    return render(request, "supervision/inspect_find.html", context)


def _posted_results(
    request: HttpRequest, inspections: list[Any]
) -> dict[int, dict[int, tuple[str, str]]]:
    results: dict[int, dict[int, tuple[str, str]]] = {}
    for insp in inspections:
        findings = {}
        for item in insp.item_list.items.all():
            outcome = request.POST.get(f"o_{insp.pk}_{item.pk}")
            if outcome is not None:
                findings[item.pk] = (outcome, request.POST.get(f"n_{insp.pk}_{item.pk}", ""))
        results[insp.pk] = findings
    return results


@require_http_methods(["GET", "POST"])
@staff_required("supervision.inspect")
def inspect_enterprise(request: HttpRequest, uscc: str) -> HttpResponse:
    user: Any = request.user
    try:
        enterprise = ent.enterprise_get_for_user(
            user=user,
            uscc=uscc,
            capability="enterprise.view",
            purpose="现场检查",
            ip_address=_ip(request),
        )
    except DomainError as exc:
        return _error(request, exc)
    inspections = selectors.open_inspections_for(user=user, enterprise=enterprise)
    error = None
    if request.method == "POST":
        try:
            services.inspection_results_record(
                user=user,
                uscc=enterprise.uscc,
                results=_posted_results(request, inspections),
                conclusion=request.POST.get("conclusion", ""),
                ip_address=_ip(request),
            )
            messages.success(request, _("检查结果已录入并公示。"))
            return redirect("supervision:inspect_enterprise", uscc=enterprise.uscc)
        except PermissionDeniedError as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            error = exc
    return render(
        request,
        "supervision/inspect_enterprise.html",
        {
            "enterprise": enterprise,
            "inspections": inspections,
            "error": error,
            "outcomes": FindingOutcome.choices,
            "posted": request.POST,
            "credit": credit_selectors.credit_view(enterprise=enterprise),
            "history": selectors.inspections_for_enterprise(enterprise=enterprise),
        },
        status=400 if error else 200,
    )


# --- item lists and joint inspections --------------------------------------------------------


@require_GET
@staff_required("supervision.view")
def items(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/items.html", {"lists": selectors.item_lists_current()})


@require_http_methods(["GET", "POST"])
@staff_required("supervision.view")
def joint(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = local_today()
    if request.method == "POST":
        if not role_can(user.role, "supervision.draw"):
            return forbidden(request)
        try:
            start = dt.date.fromisoformat(request.POST.get("period_start", ""))
            end = dt.date.fromisoformat(request.POST.get("period_end", ""))
            created = services.joint_inspections_plan(
                user=user, period_start=start, period_end=end, ip_address=_ip(request)
            )
            messages.success(request, _("已合并 %(n)d 户企业的检查。") % {"n": len(created)})
        except ValueError:
            messages.error(request, _("请填写正确的计划期。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("supervision:joint")
    return render(
        request,
        "supervision/joint.html",
        {
            "joints": selectors.joint_list_for_user(user=user)[:50],
            "can_plan": role_can(user.role, "supervision.draw"),
            "start": today.replace(day=1),
            "end": today + dt.timedelta(days=30),
        },
    )
