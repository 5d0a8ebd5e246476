from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zqt.accounts.permissions import role_can

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Public landing for visitors; a role-appropriate dashboard for signed-in users."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "core/landing.html")
    role = getattr(user, "role", "")
    shortcuts = []
    for capability, label, url_name, hint in _SHORTCUTS:
        if role and role_can(role, capability):
            shortcuts.append({"label": label, "url_name": url_name, "hint": hint})
    return render(request, "core/dashboard.html", {"shortcuts": shortcuts})


# (capability, label, url name, hint) — the dashboard tiles; the templates carry no role logic.
_SHORTCUTS: list[tuple[str, Any, str, Any]] = [
    (
        "enterprise.search",
        _("企业检索"),
        "enterprises:search",
        _("按统一社会信用代码或名称查询市场主体"),
    ),
    ("enterprise.import", _("企业导入"), "enterprises:import", _("Excel 批量导入市场主体与证照")),
    ("space.view", _("企业空间"), "space:home", _("证照、应办事项、待办与到期提醒")),
    ("ecode.view_own", _("企业码"), "ecode:home", _("亮码、动态码、扫码记录与数据授权")),
    ("ecode.inspect", _("扫码检查"), "ecode:inspect", _("执法检查时扫企业码查看检查所需信息")),
    ("ecode.prefill", _("扫码办事"), "ecode:desk", _("经企业授权扫码，表单自动填写")),
    ("bundle.apply", _("一类事"), "bundles:browse", _("一张表单联办多个部门事项")),
    ("bundle.case_view", _("办件"), "bundles:case_list", _("联办办件的进度、补正与办理结果")),
    ("appeal.view", _("企业诉求"), "appeals:home", _("提交、受理、办理与评价企业诉求")),
    ("catalog.manage", _("清单管理"), "catalog:manage", _("本级服务清单的维护、发布与导入导出")),
    ("audit.search", _("审计查询"), "audit:search", _("查询企业数据访问与数据变更记录")),
]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness + database check for load balancers and the quick-start smoke test."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: database check failed")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
