"""Pages of 一类事: public directory, the ONE application form, the aggregated case status page
with department actions, the department queue, overdue list, 为你推荐 and definition editing.
Thin: selectors fetch and authorise, services write."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zqt.accounts.decorators import capability_required, staff_required
from zqt.accounts.enums import Role
from zqt.accounts.permissions import role_can
from zqt.bundles import selectors, services
from zqt.bundles import status as st
from zqt.bundles.forms_util import acting_uscc, client_ip
from zqt.core.errors import DomainError, NotFoundError, PermissionDeniedError
from zqt.enterprises.selectors import enterprise_get_for_user


def _uploads(request: HttpRequest) -> dict[str, Any]:
    """Uploaded materials by material key (form inputs are named material_<key>)."""
    return {
        name[len("material_") :]: request.FILES[name]
        for name in request.FILES
        if name.startswith("material_")
    }


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotFoundError):
        return render(request, "404.html", {"message": exc.message}, status=404)
    if isinstance(exc, PermissionDeniedError):
        return render(request, "403.html", {"message": exc.message}, status=403)
    messages.error(request, exc.message)
    return render(request, "404.html", {"message": exc.message}, status=400)


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    topic = request.GET.get("topic", "").strip()
    bundles = selectors.bundle_list(query=query, topic=topic)
    groups: dict[str, list[Any]] = {}
    for b in bundles:
        groups.setdefault(b.topic, []).append(b)
    from zqt.bundles.reference import BUNDLES_JSON

    topics = json.loads(BUNDLES_JSON.read_text(encoding="utf-8"))["topics"]
    return render(
        request,
        "bundles/browse.html",
        {
            "groups": groups,
            "query": query,
            "topic": topic,
            "topics": topics,
            "configured": selectors.configured_codes(),
            "count": len(bundles),
        },
    )


@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        bundle = selectors.bundle_get(code=code)
    except NotFoundError as exc:
        return _error_page(request, exc)
    definition = selectors.definition_current(bundle=bundle)
    can_apply = request.user.is_authenticated and role_can(
        getattr(request.user, "role", ""), "bundle.apply"
    )
    return render(
        request,
        "bundles/detail.html",
        {
            "bundle": bundle,
            "definition": definition.document if definition else None,
            "version": definition.version if definition else None,
            "can_apply": can_apply,
            "can_manage": request.user.is_authenticated
            and role_can(getattr(request.user, "role", ""), "bundle.manage"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("bundle.apply")
def apply(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    source = request.POST if request.method == "POST" else request.GET
    try:
        uscc = acting_uscc(request, source.get("uscc", ""))
    except DomainError as exc:
        return render(request, "bundles/apply_pick.html", {"code": code, "error": exc.message})
    items = source.getlist("items") if "items" in source or request.method == "POST" else None
    errors: list[dict[str, Any]] = []
    values: dict[str, str] = {}
    try:
        enterprise, bundle, definition, form, prefilled = services.case_form_for_user(
            user=user, bundle_code=code, uscc=uscc, items=items, ip_address=client_ip(request)
        )
    except DomainError as exc:
        if exc.field == "items":
            messages.error(request, exc.message)
            return redirect(f"{request.path}?uscc={uscc}")
        return _error_page(request, exc)
    values = prefilled
    if request.method == "POST":
        values = {f["key"]: request.POST.get(f["key"], "") for f in form.fields}
        try:
            case = services.case_submit(
                user=user,
                bundle_code=code,
                uscc=uscc,
                items=items or [],
                data=request.POST,
                files=_uploads(request),
                commitments=request.POST.getlist("commit"),
                idempotency_key=request.POST.get("idempotency_key", ""),
                ip_address=client_ip(request),
            )
        except DomainError as exc:
            errors = exc.errors or [{"field": exc.field, "message": exc.message}]
        else:
            messages.success(
                request, _("已提交，办件编号 %(n)s。各部门将同步办理。") % {"n": case.number}
            )
            return redirect("bundles:case", number=case.number)
    error_fields = {e.get("field"): e["message"] for e in errors}
    all_items = definition.document["items"]
    chosen = {i["code"] for i in form.items}
    return render(
        request,
        "bundles/apply.html",
        {
            "bundle": bundle,
            "enterprise": enterprise,
            "uscc": uscc,
            "form": form,
            "all_items": all_items,
            "chosen": chosen,
            "values": values,
            "errors": errors,
            "error_fields": error_fields,
            "version": definition.version,
            "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
            "fields": [
                {**f, "value": values.get(f["key"], ""), "error": error_fields.get(f["key"])}
                for f in form.fields
            ],
            "materials": [
                {
                    **m,
                    "used_by": form.used_by.get(m["key"], []),
                    "error": error_fields.get(f"material_{m['key']}"),
                }
                for m in form.materials
            ],
        },
        status=400 if errors else 200,
    )


@require_GET
@capability_required("bundle.case_view")
def case_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {
        "cases": list(selectors.case_queryset_for_user(user=user).order_by("-created_at")[:100]),
        "is_reviewer": user.role == Role.DEPARTMENT_REVIEWER,
    }
    if user.role == Role.DEPARTMENT_REVIEWER:
        context["tasks"] = list(selectors.reviewer_tasks(user=user)[:200])
        context["verifications"] = list(selectors.reviewer_verifications(user=user)[:100])
    if user.role in (Role.ENTERPRISE, Role.AGENT) or role_can(user.role, "bundle.overdue_view"):
        context["overdue"] = list(selectors.overdue_tasks(user=user)[:200])
    if user.role in (Role.ENTERPRISE, Role.AGENT):
        context["results"] = selectors.results_for_enterprise(user=user)
    return render(request, "bundles/case_list.html", context)


@require_GET
@capability_required("bundle.case_view")
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        case = selectors.case_get_for_user(
            user=request.user, number=number, ip_address=client_ip(request)
        )
    except DomainError as exc:
        return _error_page(request, exc)
    view = selectors.case_view(case=case, user=request.user)
    form_rows = [(view.form_labels.get(k, k), v) for k, v in case.form_data.items()]
    return render(
        request,
        "bundles/case.html",
        {"v": view, "case": case, "form_rows": form_rows, "FINAL": st.FINAL},
    )


@require_POST
@staff_required("bundle.review")
def task_action(request: HttpRequest, task_id: int) -> HttpResponse:
    try:
        task = services.task_decide(
            user=request.user,
            task_id=task_id,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
            result_number=request.POST.get("result_number", ""),
            ip_address=client_ip(request),
        )
    except NotFoundError as exc:
        return _error_page(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        back = request.POST.get("next") or "bundles:case_list"
        return redirect(back)
    messages.success(
        request,
        _("已处理：%(item)s（%(status)s）")
        % {"item": task.item_name, "status": _(task.status_label)},
    )
    return redirect("bundles:case", number=task.case.number)


@require_POST
@capability_required("bundle.apply")
def supplement(request: HttpRequest, number: str) -> HttpResponse:
    try:
        services.case_supplement_answer(
            user=request.user,
            number=number,
            message=request.POST.get("message", ""),
            files=_uploads(request),
            ip_address=client_ip(request),
        )
        messages.success(request, _("补正已提交，相关部门将继续办理。"))
    except NotFoundError as exc:
        return _error_page(request, exc)
    except DomainError as exc:
        for e in exc.errors or [{"message": exc.message}]:
            messages.error(request, e["message"])
    return redirect("bundles:case", number=number)


@require_POST
@capability_required("bundle.apply")
def resume(request: HttpRequest, number: str) -> HttpResponse:
    try:
        services.case_resume(user=request.user, number=number, ip_address=client_ip(request))
        messages.success(request, _("已恢复营业。"))
    except NotFoundError as exc:
        return _error_page(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("bundles:case", number=number)


@require_POST
@staff_required("bundle.review")
def verify(request: HttpRequest, verification_id: int) -> HttpResponse:
    try:
        row = services.commitment_verify(
            user=request.user,
            verification_id=verification_id,
            truthful=request.POST.get("truthful") == "yes",
            note=request.POST.get("note", ""),
            ip_address=client_ip(request),
        )
    except NotFoundError as exc:
        return _error_page(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("bundles:case_list")
    messages.success(request, _("核查结果已记录。"))
    return redirect("bundles:case", number=row.case.number)


@require_GET
@capability_required("recommendation.view")
def recommend(request: HttpRequest) -> HttpResponse:
    try:
        uscc = acting_uscc(request)
        enterprise = enterprise_get_for_user(
            user=request.user,
            uscc=uscc,
            capability="recommendation.view",
            ip_address=client_ip(request),
        )
    except DomainError as exc:
        return _error_page(request, exc)
    rows = selectors.recommendations_for_enterprise(enterprise=enterprise, user=request.user)
    return render(request, "bundles/recommend.html", {"rows": rows, "enterprise": enterprise})


@require_http_methods(["GET", "POST"])
@staff_required("bundle.manage")
def manage(request: HttpRequest, code: str) -> HttpResponse:
    try:
        bundle = selectors.bundle_get(code=code)
    except NotFoundError as exc:
        return _error_page(request, exc)
    error: DomainError | None = None
    current = selectors.definition_current(bundle=bundle)
    text = json.dumps(
        current.document if current else {"fields": [], "materials": [], "items": []},
        ensure_ascii=False,
        indent=2,
    )
    if request.method == "POST":
        text = request.POST.get("document", "")
        try:
            row = services.bundle_definition_save(
                user=request.user,
                bundle_code=code,
                document=text,
                note=request.POST.get("note", ""),
                ip_address=client_ip(request),
            )
            messages.success(
                request, _("已保存为第 %(v)s 版；已提交的办件仍按原版本办理。") % {"v": row.version}
            )
            return redirect("bundles:manage", code=code)
        except DomainError as exc:
            error = exc
    return render(
        request,
        "bundles/manage.html",
        {
            "bundle": bundle,
            "text": text,
            "error": error,
            "history": list(selectors.definition_history(bundle=bundle)),
        },
        status=400 if error else 200,
    )
