"""Pages of 惠企政策: the staff library (jieba search, create/edit, rules JSON editor with
examples, two-person publishing, matching runs, near-miss report, payouts), the enterprise's
"可享受的政策" with explanations, apply / 意愿确认 / 异议, the department review queue and the
evaluation page with its Excel export. Thin: selectors authorise, services write."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zqt.accounts.permissions import role_can
from zqt.core.errors import DomainError, NotFoundError, PermissionDeniedError
from zqt.policies import catalog as cat
from zqt.policies import enums as en
from zqt.policies import selectors, services
from zqt.policies.models import PaymentBatch, Payout, RuleVersion

RULE_TEMPLATE = {
    "params": {},
    "condition": {
        "op": "all",
        "items": [
            {"op": "has", "field": "tags", "value": "high_tech", "ref": "第二条第（一）项"},
            {
                "op": "cmp",
                "field": "rd_ratio",
                "cmp": ">=",
                "value": "3",
                "ref": "第二条第（二）项",
            },
            {"op": "penalties_within", "years": 3, "cmp": "==", "value": 0, "ref": "第三条"},
        ],
    },
}
EXAMPLES_TEMPLATE = [
    {
        "name": "符合",
        "facts": {"tags": ["high_tech"], "rd_spend": "50", "revenue": "1000", "penalties": []},
        "expected": "eligible",
    },
    {
        "name": "研发占比不足",
        "facts": {"tags": ["high_tech"], "rd_spend": "20", "revenue": "1000", "penalties": []},
        "expected": "ineligible",
    },
]


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotFoundError):
        return render(request, "404.html", {"message": exc.message}, status=404)
    if isinstance(exc, PermissionDeniedError):
        return render(request, "403.html", {"message": exc.message}, status=403)
    return render(request, "404.html", {"message": exc.message}, status=400)


def _can(request: HttpRequest, capability: str) -> bool:
    return role_can(getattr(request.user, "role", ""), capability)


# --- staff: library --------------------------------------------------------------------------


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    mode = request.GET.get("mode", "")
    status = request.GET.get("status", "")
    try:
        policies = selectors.policy_search(user=request.user, query=query, mode=mode, status=status)
    except DomainError as exc:
        return _error_page(request, exc)
    return render(
        request,
        "policies/library.html",
        {
            "policies": policies,
            "query": query,
            "mode": mode,
            "status": status,
            "modes": en.Mode.choices,
            "statuses": en.PolicyStatus.choices,
            "can_manage": _can(request, "policy.manage"),
            "can_run": _can(request, "policy.match_run"),
        },
    )


def _policy_form_context(request: HttpRequest, policy: Any = None, data: Any = None) -> dict:
    unit = getattr(request.user, "org_unit", None)
    departments = list(unit.departments.order_by("code")) if unit is not None else []
    return {
        "policy": policy,
        "data": data or {},
        "departments": departments,
        "modes": en.Mode.choices,
        "benefit_kinds": en.BenefitKind.choices,
        "money_fields": [f for f in cat.FIELDS.values() if f.kind == cat.MONEY],
    }


def _policy_initial(policy: Any) -> dict[str, Any]:
    data = {k: getattr(policy, k) for k in services._POLICY_FIELDS}
    data["department"] = policy.department.code
    data["benefit_rate"] = (
        f"{policy.benefit_rate_bp / 100:g}" if policy.benefit_rate_bp is not None else ""
    )
    for key in ("effective_from", "effective_until"):
        data[key] = data[key].isoformat()
    return data


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest) -> HttpResponse:
    if not _can(request, "policy.manage"):
        return _error_page(request, PermissionDeniedError(_("您的角色没有此项操作权限。")))
    if request.method == "POST":
        try:
            policy = services.policy_create(actor=request.user, data=request.POST)
        except DomainError as exc:
            ctx = _policy_form_context(request, data=request.POST)
            ctx["error"] = exc
            return render(request, "policies/form.html", ctx, status=400)
        messages.success(request, _("政策已录入，请编写规则并提交审核。"))
        return redirect("policies:detail", policy.pk)
    return render(request, "policies/form.html", _policy_form_context(request))


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        policy = selectors.policy_get_for_user(
            user=request.user, policy_id=policy_id, capability="policy.manage"
        )
    except DomainError as exc:
        return _error_page(request, exc)
    if request.method == "POST":
        try:
            services.policy_update(actor=request.user, policy_id=policy.pk, data=request.POST)
        except DomainError as exc:
            ctx = _policy_form_context(request, policy, request.POST)
            ctx["error"] = exc
            return render(request, "policies/form.html", ctx, status=400)
        messages.success(request, _("已保存。"))
        return redirect("policies:detail", policy.pk)
    return render(
        request,
        "policies/form.html",
        _policy_form_context(request, policy, _policy_initial(policy)),
    )


@login_required
@require_GET
def detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        policy = selectors.policy_get_for_user(user=request.user, policy_id=policy_id)
    except DomainError as exc:
        return _error_page(request, exc)
    return _detail(request, policy)


def _detail(
    request: HttpRequest,
    policy: Any,
    *,
    rule_error: Any = None,
    rule_text: str = "",
    examples_text: str = "",
    status: int = 200,
) -> HttpResponse:
    versions = list(
        RuleVersion.objects.filter(policy=policy).select_related("created_by", "approved_by")
    )
    current = next((v for v in versions if v.status == en.RuleStatus.PUBLISHED), None)
    latest = versions[0] if versions else None
    if not rule_text:
        rule_text = json.dumps(
            latest.document if latest else RULE_TEMPLATE, ensure_ascii=False, indent=2
        )
        examples_text = json.dumps(
            latest.examples if latest else EXAMPLES_TEMPLATE, ensure_ascii=False, indent=2
        )
    counts: dict[str, int] = {}
    for m in policy.matches.values_list("verdict", flat=True):
        counts[m] = counts.get(m, 0) + 1
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "benefit_text": selectors.benefit_text(policy),
            "versions": versions,
            "current": current,
            "rule_text": rule_text,
            "examples_text": examples_text,
            "rule_error": rule_error,
            "catalog": list(cat.FIELDS.values()),
            "counts": counts,
            "committed": selectors.committed_amount(policy=policy),
            "ledger": selectors.ledger_for_policy(policy=policy)[-20:],
            "payouts": Payout.objects.filter(policy=policy).select_related("enterprise")[:50],
            "batches": PaymentBatch.objects.filter(policy=policy)[:20],
            "can_manage": _can(request, "policy.manage"),
            "can_approve": _can(request, "policy.rule_approve"),
            "can_run": _can(request, "policy.match_run"),
            "can_pay": _can(request, "policy.payout_manage"),
            "user_id": request.user.pk,
        },
        status=status,
    )


@login_required
@require_POST
def rule_submit(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        policy = selectors.policy_get_for_user(
            user=request.user, policy_id=policy_id, capability="policy.manage"
        )
    except DomainError as exc:
        return _error_page(request, exc)
    text = request.POST.get("document", "")
    examples = request.POST.get("examples", "")
    try:
        version = services.rule_version_submit(
            actor=request.user,
            policy_id=policy.pk,
            document=text,
            examples=examples,
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        return _detail(
            request, policy, rule_error=exc, rule_text=text, examples_text=examples, status=400
        )
    messages.success(
        request,
        _("规则第 %(v)s 版已提交，读取字段：%(f)s。须由另一人审核发布。")
        % {"v": version.version, "f": "、".join(version.fields_read)},
    )
    return redirect("policies:detail", policy.pk)


@login_required
@require_POST
def rule_decide(request: HttpRequest, version_id: int) -> HttpResponse:
    version = RuleVersion.objects.filter(pk=version_id).first()
    try:
        if version is None:
            raise NotFoundError(_("规则版本不存在。"))
        services.rule_version_decide(
            actor=request.user,
            version_id=version_id,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        if version is None or isinstance(exc, NotFoundError | PermissionDeniedError):
            return _error_page(request, exc)
        messages.error(request, exc.message)
        return redirect("policies:detail", version.policy_id)
    messages.success(request, _("已处理规则版本。"))
    return redirect("policies:detail", version.policy_id)


@login_required
@require_POST
def policy_status(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        services.policy_status_set(
            actor=request.user, policy_id=policy_id, status=request.POST.get("status", "")
        )
    except NotFoundError as exc:
        return _error_page(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("policies:detail", policy_id)


@login_required
@require_POST
def run(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        services.matching_start(actor=request.user, policy_id=policy_id)
    except DomainError as exc:
        return _error_page(request, exc)
    messages.success(request, _("已排队进行匹配，完成后符合条件的企业将收到推送。"))
    return redirect("policies:detail", policy_id)


@login_required
@require_GET
def near_miss(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        policy = selectors.policy_get_for_user(
            user=request.user, policy_id=policy_id, capability="policy.match_run"
        )
    except DomainError as exc:
        return _error_page(request, exc)
    rows = selectors.near_miss_report(policy=policy)
    return render(request, "policies/near_miss.html", {"policy": policy, "rows": rows})


@login_required
@require_POST
def batch_action(request: HttpRequest, policy_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        if action == "create":
            services.batch_create(actor=request.user, policy_id=policy_id)
        elif action == "approve":
            services.batch_approve(actor=request.user, batch_id=int(request.POST["batch"]))
        elif action == "export":
            name, body = services.batch_export(
                actor=request.user, batch_id=int(request.POST["batch"])
            )
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    except NotFoundError as exc:
        return _error_page(request, exc)
    except (DomainError, KeyError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("操作无效。")))
    return redirect("policies:detail", policy_id)


# --- enterprise -----------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    uscc = request.GET.get("uscc")
    try:
        enterprise = selectors.enterprise_for_policies(user=request.user, uscc=uscc)
    except DomainError as exc:
        return _error_page(request, exc)
    views = selectors.matches_for_enterprise(enterprise=enterprise)
    return render(
        request,
        "policies/mine.html",
        {"enterprise": enterprise, "views": views, "uscc": uscc or ""},
    )


@login_required
@require_GET
def match(request: HttpRequest, policy_id: int) -> HttpResponse:
    uscc = request.GET.get("uscc")
    try:
        view = selectors.match_get_for_user(user=request.user, policy_id=policy_id, uscc=uscc)
    except DomainError as exc:
        return _error_page(request, exc)
    return _match_page(request, view, uscc)


def _match_page(
    request: HttpRequest, view: Any, uscc: str | None, status: int = 200
) -> HttpResponse:
    enterprise = view.match.enterprise
    prefill = {
        "enterprise_name": enterprise.name,
        "uscc": enterprise.uscc,
        "legal_rep": enterprise.legal_rep_name,
        "phone": enterprise.phone,
        "address": enterprise.address,
    }
    return render(
        request,
        "policies/match.html",
        {
            "view": view,
            "policy": view.policy,
            "prefill": prefill,
            "uscc": uscc or "",
            "objections": view.policy.objections.filter(enterprise=enterprise),
        },
        status=status,
    )


@login_required
@require_POST
def match_action(request: HttpRequest, policy_id: int) -> HttpResponse:
    uscc = request.POST.get("uscc") or None
    action = request.POST.get("action", "")
    try:
        if action == "apply":
            form = {
                k: request.POST.get(k, "")
                for k in ("contact_name", "contact_phone", "bank_account")
            }
            services.application_submit(
                actor=request.user,
                policy_id=policy_id,
                form_data=form,
                materials_note=request.POST.get("materials_note", ""),
                uscc=uscc,
            )
            messages.success(request, _("申报已提交。"))
        elif action == "confirm":
            services.match_confirm(actor=request.user, policy_id=policy_id, uscc=uscc)
            messages.success(request, _("已确认，兑现结果进入公示。"))
        elif action == "object":
            services.objection_file(
                actor=request.user,
                policy_id=policy_id,
                condition_path=request.POST.get("condition_path", ""),
                message=request.POST.get("message", ""),
                claimed_value=request.POST.get("claimed_value", ""),
                uscc=uscc,
            )
            messages.success(request, _("异议已提交，数据责任部门将在期限内答复。"))
        else:
            messages.error(request, _("操作无效。"))
    except (NotFoundError, PermissionDeniedError) as exc:
        return _error_page(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    suffix = f"?uscc={uscc}" if uscc else ""
    return redirect(f"/policies/mine/{policy_id}/{suffix}")


# --- department review -------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    try:
        apps = list(selectors.application_queue_for_user(user=request.user)[:100])
        objections = list(selectors.objection_queue_for_user(user=request.user)[:100])
    except DomainError as exc:
        return _error_page(request, exc)
    return render(request, "policies/review.html", {"apps": apps, "objections": objections})


@login_required
@require_POST
def review_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    try:
        services.application_decide(
            actor=request.user,
            application_id=application_id,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("审核意见已保存。"))
    except (NotFoundError, PermissionDeniedError) as exc:
        return _error_page(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("policies:review_queue")


@login_required
@require_POST
def objection_decide(request: HttpRequest, objection_id: int) -> HttpResponse:
    try:
        services.objection_resolve(
            actor=request.user,
            objection_id=objection_id,
            upheld=request.POST.get("upheld") == "yes",
            resolution=request.POST.get("resolution", ""),
            corrected_value=request.POST.get("corrected_value") or None,
        )
        messages.success(request, _("异议已答复。"))
    except (NotFoundError, PermissionDeniedError) as exc:
        return _error_page(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("policies:review_queue")


# --- evaluation --------------------------------------------------------------------------------


@login_required
@require_GET
def evaluation(request: HttpRequest) -> HttpResponse:
    try:
        rows = selectors.policy_evaluation_rows(user=request.user)
    except DomainError as exc:
        return _error_page(request, exc)
    if request.GET.get("format") == "xlsx":
        from zqt.policies.excel import evaluation_workbook

        body = evaluation_workbook(rows, selectors.department_evaluation_rows(rows))
        response = HttpResponse(
            body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="policy-evaluation.xlsx"'
        return response
    return render(
        request,
        "policies/evaluation.html",
        {"rows": rows, "departments": selectors.department_evaluation_rows(rows)},
    )
