"""Pages of credit: lookup and recompute (staff), the enterprise's own credit with credit repair,
the repair review queue, risk warnings, registration intermediaries and the agent's exam.
Thin: selectors fetch and authorise, services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zqt.accounts.decorators import capability_required, forbidden, staff_required
from zqt.accounts.permissions import role_can
from zqt.core.errors import DomainError, NotFoundError, PermissionDeniedError
from zqt.core.timeutil import local_today
from zqt.credit import selectors, services
from zqt.credit.enums import FilingOutcome
from zqt.credit.models import CreditRecomputeRun, CreditScore
from zqt.enterprises import selectors as ent


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotFoundError):
        return render(request, "404.html", {"message": exc.message}, status=404)
    if isinstance(exc, PermissionDeniedError):
        return forbidden(request, exc.message)
    return render(request, "404.html", {"message": exc.message}, status=400)


@require_GET
@staff_required("credit.view")
def home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    if q:
        return redirect("credit:enterprise", uscc=q.upper())
    user: Any = request.user
    scoped = ent.enterprise_queryset_for_user(user=user)
    distribution = dict(
        CreditScore.objects.filter(enterprise__in=scoped.values("pk"))
        .values_list("grade")
        .annotate(n=Count("pk"))
        .order_by("grade")
    )
    return render(
        request,
        "credit/home.html",
        {
            "distribution": [(g, distribution.get(g, 0)) for g in "ABCDE"],
            "runs": CreditRecomputeRun.objects.all()[:5],
            "can_recompute": role_can(user.role, "credit.recompute"),
            "can_decide": role_can(user.role, "credit.repair_decide"),
        },
    )


@require_POST
@staff_required("credit.recompute")
def recompute(request: HttpRequest) -> HttpResponse:
    try:
        run = services.credit_recompute_all(user=request.user, ip_address=_ip(request))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(
        request,
        _("重算完成：%(n)d 户信用评价有变化，用时 %(s).1f 秒。")
        % {"n": run.changed, "s": run.seconds},
    )
    return redirect("credit:home")


@require_GET
@staff_required("credit.view")
def enterprise(request: HttpRequest, uscc: str) -> HttpResponse:
    try:
        view = selectors.credit_get_for_user(user=request.user, uscc=uscc, ip_address=_ip(request))
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "credit/enterprise.html", {"view": view, "own": False})


@require_http_methods(["GET", "POST"])
@capability_required("credit.view_own")
def mine(request: HttpRequest) -> HttpResponse:
    member = ent.enterprise_for_member(user=request.user)
    if member is None:
        return _error(request, NotFoundError(_("您的账号未绑定市场主体。")))
    error = None
    if request.method == "POST":
        try:
            services.credit_repair_apply(
                user=request.user,
                record_kind=request.POST.get("record_kind", ""),
                record_id=int(request.POST.get("record_id") or 0),
                reason=request.POST.get("reason", ""),
                ip_address=_ip(request),
            )
            messages.success(request, _("信用修复申请已提交，等待审核。"))
            return redirect("credit:mine")
        except PermissionDeniedError as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            error = exc
    view = selectors.credit_get_for_user(user=request.user, uscc=member.uscc)
    return render(
        request,
        "credit/enterprise.html",
        {"view": view, "own": True, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required("credit.repair_decide")
def repairs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.credit_repair_decide(
                user=request.user,
                repair_id=int(request.POST.get("repair_id") or 0),
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
                ip_address=_ip(request),
            )
            messages.success(request, _("已审核。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("credit:repairs")
    return render(
        request,
        "credit/repairs.html",
        {"repairs": selectors.repair_queue_for_user(user=request.user)[:100]},
    )


@require_http_methods(["GET", "POST"])
@staff_required("risk.handle")
def warnings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.warning_handle(
                user=request.user,
                warning_id=int(request.POST.get("warning_id") or 0),
                note=request.POST.get("note", ""),
                close=request.POST.get("close") == "yes",
                feedback=request.POST.get("feedback", ""),
                ip_address=_ip(request),
            )
            messages.success(request, _("处置情况已记录。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("credit:warnings")
    return render(
        request,
        "credit/warnings.html",
        {"warnings": selectors.warning_queryset_for_user(user=request.user)[:100]},
    )


@require_http_methods(["GET", "POST"])
@staff_required("intermediary.manage")
def intermediaries(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            filing = services.filing_score(
                user=request.user,
                agent_id=int(request.POST.get("agent_id") or 0),
                reference=request.POST.get("reference", ""),
                enterprise_name=request.POST.get("enterprise_name", ""),
                outcome=request.POST.get("outcome", ""),
                ip_address=_ip(request),
            )
            messages.success(request, _("已评分：%(rule)s") % {"rule": filing.rule_text})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("credit:intermediaries")
    since = local_today() - dt.timedelta(days=90)
    return render(
        request,
        "credit/intermediaries.html",
        {
            "agencies": selectors.agency_list_for_user(user=request.user),
            "outcomes": FilingOutcome.choices,
            "problems": selectors.problem_filings(user=request.user, since=since),
            "since": since,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("intermediary.exam")
def agent_home(request: HttpRequest) -> HttpResponse:
    try:
        agent = selectors.agent_get_for_user(user=request.user)
    except DomainError as exc:
        return _error(request, exc)
    if request.method == "POST":
        answers = {
            q["id"]: request.POST.get(q["id"], "")
            for q in services.EXAM_QUESTIONS
            if request.POST.get(q["id"])
        }
        try:
            attempt = services.agent_exam_submit(
                user=request.user, answers=answers, ip_address=_ip(request)
            )
            if attempt.passed:
                messages.success(
                    request,
                    _("考试通过（%(s)d 分），积分已恢复，限制已解除。") % {"s": attempt.score},
                )
            else:
                messages.error(
                    request, _("考试未通过（%(s)d 分），请复习后重考。") % {"s": attempt.score}
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("credit:agent_home")
    return render(
        request,
        "credit/agent.html",
        {
            "agent": agent,
            "filings": agent.filings.all()[:50],
            "questions": services.EXAM_QUESTIONS,
        },
    )
