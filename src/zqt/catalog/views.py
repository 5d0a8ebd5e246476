"""Pages of the service catalog: public browse/search and item pages (大众端/企业端), and the
operations page that maintains the local catalog. Thin: selectors/services do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zqt.accounts.decorators import staff_required
from zqt.accounts.selectors import org_unit_get
from zqt.catalog import excel, selectors, services
from zqt.catalog.rules import CHANNEL_LABELS, CHANNELS
from zqt.core.errors import DomainError, NotFoundError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default_region(request: HttpRequest) -> str:
    user = request.user
    unit = getattr(user, "org_unit", None) if user.is_authenticated else None
    return unit.code if unit is not None else ""


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    category = request.GET.get("category", "").strip()
    region = request.GET.get("region", "").strip() or _default_region(request)
    items = selectors.catalog_browse(query=query, category=category, org_unit_code=region or None)
    unit = org_unit_get(code=region) if region else None
    boards = selectors.board_names()
    return render(
        request,
        "catalog/browse.html",
        {
            "items": items,
            "query": query,
            "category": category,
            "categories": selectors.category_list(),
            "region": unit,
            "boards": boards,
            "channel_labels": CHANNEL_LABELS,
        },
    )


@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        view = selectors.catalog_item_public(code=code)
    except NotFoundError as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    return render(request, "catalog/item.html", {"v": view, "item": view.item})


@require_http_methods(["GET", "POST"])
@staff_required("catalog.manage")
def manage(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    org_unit = selectors.manage_scope(user=user)
    error: DomainError | None = None
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = request.POST.dict()
        try:
            if request.POST.get("action") == "publish":
                version = services.catalog_publish(user=user, note=request.POST.get("note", ""))
                messages.success(request, _("已发布第 %(n)s 版清单。") % {"n": version.number})
            else:
                item = services.catalog_item_create(
                    user=user,
                    base_code=request.POST.get("base_code", ""),
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", ""),
                    responsible_units=request.POST.get("responsible_units", ""),
                    service_scope=request.POST.get("service_scope", ""),
                    channels=request.POST.getlist("channels"),
                    time_limit_days=request.POST.get("time_limit_days", ""),
                    materials=request.POST.get("materials", ""),
                )
                messages.success(
                    request,
                    _("已新增本地事项 %(code)s（草稿，发布后生效）。") % {"code": item.code},
                )
            return redirect("catalog:manage")
        except DomainError as exc:
            error = exc
    assert org_unit is not None
    return render(
        request,
        "catalog/manage.html",
        {
            "org_unit": org_unit,
            "items": selectors.local_items_for_unit(org_unit=org_unit),
            "versions": selectors.version_list(org_unit=org_unit)[:10],
            "changes": selectors.change_list(org_unit=org_unit, limit=30),
            "provincial": selectors.effective_items_for_unit(org_unit=None),
            "channels": [(c, CHANNEL_LABELS[c]) for c in CHANNELS],
            "error": error,
            "form": form,
        },
        status=400 if error else 200,
    )


@require_GET
@staff_required("catalog.manage")
def export(request: HttpRequest) -> HttpResponse:
    content = excel.catalog_export_excel(user=request.user)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    return response


@require_POST
@staff_required("catalog.manage")
def import_view(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要导入的 Excel 文件。"))
        return redirect("catalog:manage")
    try:
        result = excel.catalog_import_excel(user=request.user, file=upload)  # type: ignore[arg-type]
    except DomainError as exc:
        for e in (exc.errors or [{"message": exc.message}])[:20]:
            messages.error(request, e["message"])
        return redirect("catalog:manage")
    messages.success(
        request,
        _("导入完成：新增 %(c)s 项，修改 %(u)s 项（草稿）。")
        % {"c": result["created"], "u": result["updated"]},
    )
    return redirect("catalog:manage")
