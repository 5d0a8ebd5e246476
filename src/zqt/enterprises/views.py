"""Staff pages of the enterprise registry: search, export, detail, Excel import.

Thin: the selectors fetch and authorise (org-unit scope, audit of detail reads), the excel module
parses and writes; these views only translate between HTTP and those functions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zqt.accounts.decorators import capability_required, forbidden, staff_required
from zqt.accounts.enums import Role
from zqt.accounts.models import OrgUnit
from zqt.accounts.permissions import is_staff_role, role_can
from zqt.accounts.selectors import org_units_within, user_scope_prefix
from zqt.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.timeutil import local_today
from zqt.enterprises import excel, selectors
from zqt.enterprises.forms import (
    ACCESS_PURPOSES,
    DEFAULT_PURPOSE,
    EnterpriseImportForm,
    EnterpriseSearchForm,
)
from zqt.enterprises.licence_state import LEGEND
from zqt.enterprises.models import Industry, Tag
from zqt.enterprises.space import enterprise_space_for_user

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def not_found(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _search_form(request: HttpRequest) -> EnterpriseSearchForm:
    """The filter form; its region choices are limited to the user's org unit and below."""
    prefix = user_scope_prefix(request.user)  # type: ignore[arg-type]
    regions: list[OrgUnit] = list(org_units_within(scope_prefix=prefix)) if prefix else []
    return EnterpriseSearchForm(
        request.GET or None,
        regions=regions,
        industries=list(Industry.objects.order_by("code")),
        tags=list(Tag.objects.order_by("code")),
    )


def _filters(form: EnterpriseSearchForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "query": data["q"],
        "region_code": data["region"] or None,
        "industry_code": data["industry"] or None,
        "status": data["status"] or None,
        "tag": data["tag"] or None,
    }


@require_GET
@staff_required("enterprise.search")
def enterprise_search_view(request: HttpRequest) -> HttpResponse:
    form = _search_form(request)
    result = None
    error = None
    if form.is_bound and form.is_valid():
        try:
            result = selectors.enterprise_search(
                user=request.user,
                page=form.cleaned_data["page"] or 1,
                page_size=PAGE_SIZE,
                **_filters(form),
            )
        except DomainError as exc:
            error = exc.message
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "error": error,
        "can_export": role_can(request.user.role, "enterprise.export"),  # type: ignore[union-attr]
        "export_query": request.GET.urlencode(),
    }
    if result is not None:
        context["prev_query"] = _page_query(request, result.page - 1) if result.page > 1 else None
        context["next_query"] = _page_query(request, result.page + 1) if result.has_next else None
    return render(request, "enterprises/search.html", context)


def _page_query(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return query.urlencode()


@require_GET
@staff_required("enterprise.export")
def enterprise_export_view(request: HttpRequest) -> HttpResponse:
    form = _search_form(request)
    back = f"{reverse('enterprises:search')}?{request.GET.urlencode()}"
    if not form.is_bound:
        filters: dict[str, Any] = {"query": ""}
    elif form.is_valid():
        filters = _filters(form)
    else:
        return redirect(back)  # the search page shows the form errors
    try:
        content = excel.enterprise_export_excel(
            user=request.user,  # type: ignore[arg-type]
            ip_address=client_ip(request),
            **filters,
        )
    except PermissionDeniedError as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"enterprises-{local_today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@capability_required("enterprise.view")
def enterprise_detail_view(request: HttpRequest, uscc: str) -> HttpResponse:
    user: Any = request.user
    staff = is_staff_role(user.role)
    purposes = dict(ACCESS_PURPOSES)
    purpose = request.GET.get("purpose") or DEFAULT_PURPOSE
    if purpose not in purposes:
        purpose = DEFAULT_PURPOSE
    if not staff:
        # Enterprise users reading their own data are not audited; agents are, as acting for it.
        purpose = "经办人代办" if user.role == Role.AGENT else "本企业查询"
    try:
        enterprise = selectors.enterprise_get_for_user(
            user=user, uscc=uscc, purpose=purpose, ip_address=client_ip(request)
        )
    except NotFoundError:
        return not_found(request, _("未找到该市场主体，或其不在您的管辖范围内。"))
    except PermissionDeniedError as exc:
        return forbidden(request, exc.message)
    detail = selectors.enterprise_detail(enterprise=enterprise, user=user)
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "detail": detail,
            "legend": LEGEND,
            "purposes": ACCESS_PURPOSES if staff else [],
            "purpose": purpose,
            "is_staff_view": staff,
        },
    )


_IMPORTERS = {
    "enterprise": excel.enterprise_import_excel,
    "licence": excel.licence_import_excel,
}
_TEMPLATES = {
    "enterprise": (excel.enterprise_import_template, "enterprise-import-template.xlsx"),
    "licence": (excel.licence_import_template, "licence-import-template.xlsx"),
}


@require_http_methods(["GET", "POST"])
@staff_required("enterprise.import")
def enterprise_import_view(request: HttpRequest) -> HttpResponse:
    form = EnterpriseImportForm(request.POST or None, request.FILES or None)
    report = None
    error = None
    if request.method == "POST" and form.is_valid():
        importer = _IMPORTERS[form.cleaned_data["kind"]]
        try:
            report = importer(
                user=request.user,  # type: ignore[arg-type]
                file=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
                ip_address=client_ip(request),
            )
        except PermissionDeniedError as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            error = exc.message
    status = 400 if (request.method == "POST" and (error or form.errors)) else 200
    return render(
        request,
        "enterprises/import.html",
        {"form": form, "report": report, "error": error},
        status=status,
    )


@require_GET
@staff_required("enterprise.import")
def enterprise_import_template_view(request: HttpRequest) -> HttpResponse:
    build, filename = _TEMPLATES.get(request.GET.get("kind", ""), _TEMPLATES["enterprise"])
    response = HttpResponse(build(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- enterprise space (portal, mounted at /space/) -------------------------------------------


@require_GET
@capability_required("space.view")
def space_home_view(request: HttpRequest) -> HttpResponse:
    """The enterprise's own space; an agent names the enterprise with ?uscc=."""
    user: Any = request.user
    uscc = (request.GET.get("uscc") or "").strip() or None
    try:
        space = enterprise_space_for_user(user=user, uscc=uscc, ip_address=client_ip(request))
    except NotFoundError as exc:
        return not_found(request, exc.message)
    except PermissionDeniedError as exc:
        return forbidden(request, exc.message)
    except ValidationFailed:
        # An agent who did not say which enterprise: offer the ones they act for.
        choices = selectors.enterprise_queryset_for_user(
            user=user, capability="space.view"
        ).order_by("name")[:200]
        return render(request, "space/choose.html", {"enterprises": choices})
    return render(request, "space/home.html", {"space": space})
