"""Pages of 企业诉求: the enterprise's submit form and "my appeals", the front-desk window
intake, the staff workbench, the case page with its actions, the weekly report. Thin: rules
live in selectors/services; a DomainError is shown to the user as a message."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zqt.accounts.decorators import capability_required, staff_required
from zqt.accounts.enums import Role
from zqt.accounts.selectors import service_board_list
from zqt.appeals import classifier, reports, selectors, services
from zqt.appeals.enums import AppealType, CallbackResult, Difficulty, ResolutionType, Scope, Score
from zqt.appeals.forms import AppealForm, WindowIntakeForm
from zqt.appeals.models import Callback, Extension, RatingReview, SupervisionNotice
from zqt.core.errors import DomainError, NotFoundError
from zqt.core.timeutil import local_today


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@capability_required("appeal.view")
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", "") == Role.ENTERPRISE:
        return redirect("appeals:mine")
    return redirect("appeals:workbench")


@capability_required("appeal.rate")
def mine(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    appeals = list(
        selectors.appeal_queryset_for_user(user=request.user).order_by("-created_at")[:100]
    )
    rows = [
        {
            "appeal": a,
            "holder": selectors.holder_label(a),
            "clock": selectors.clock_view(selectors.active_clock(a), now=now),
        }
        for a in appeals
    ]
    return render(request, "appeals/mine.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@capability_required("appeal.submit")
def submit(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    window = user.role == Role.FRONT_DESK
    form_class = WindowIntakeForm if window else AppealForm
    form = form_class(
        request.POST or None,
        request.FILES or None,
        initial={"idempotency_key": secrets.token_hex(16)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal, _created = services.appeal_submit(
                user=user,
                title=data["title"],
                content=data["content"],
                appeal_type=data["appeal_type"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                attachments=data["attachments"],
                idempotency_key=data["idempotency_key"] or None,
                uscc=data.get("uscc"),
                channel=data.get("channel"),
                ip_address=_ip(request),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("诉求已提交，编号 %(ref)s。") % {"ref": appeal.reference})
            return redirect("appeals:detail", appeal_id=appeal.pk)
    return render(request, "appeals/submit.html", {"form": form, "window": window})


@staff_required("appeal.view")
def workbench(request: HttpRequest) -> HttpResponse:
    data = selectors.workbench_for_user(user=request.user)  # type: ignore[arg-type]
    return render(request, "appeals/workbench.html", data)


@capability_required("appeal.view")
def detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    try:
        appeal = selectors.appeal_get_for_user(
            user=request.user, appeal_id=appeal_id, ip_address=_ip(request)
        )
    except NotFoundError as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    user: Any = request.user
    context = selectors.appeal_detail(appeal=appeal, user=user)
    context.update(
        {
            "boards": list(service_board_list()),
            "types": AppealType.choices,
            "scopes": Scope.choices,
            "difficulties": Difficulty.choices,
            "resolutions": ResolutionType.choices,
            "scores": Score.choices,
            "callback_results": CallbackResult.choices,
            "can_route": user.role in (Role.FRONT_DESK, Role.CHIEF_COMMISSIONER, Role.OPERATIONS),
            "can_handle": user.role != Role.ENTERPRISE
            and selectors.may_act_on(user=user, appeal=appeal),
            "can_supervise": user.role in (Role.CHIEF_COMMISSIONER, Role.OPERATIONS),
            "suggestion": None,
        }
    )
    if context["can_route"] and appeal.status in ("submitted", "accepted", "transferred"):
        context["suggestion"] = classifier.suggest(f"{appeal.title}{appeal.content}")
    return render(request, "appeals/detail.html", context)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


ACTIONS: dict[str, Callable[[Any, int, Any, str | None], Any]] = {
    "accept": lambda u, i, p, ip: services.appeal_accept(user=u, appeal_id=i, ip_address=ip),
    "reject": lambda u, i, p, ip: services.appeal_reject(
        user=u, appeal_id=i, reason=p.get("reason", ""), ip_address=ip
    ),
    "merge": lambda u, i, p, ip: services.appeal_merge(
        user=u, appeal_id=i, into_id=_int(p.get("into")) or 0, ip_address=ip
    ),
    "route": lambda u, i, p, ip: services.appeal_route(
        user=u,
        appeal_id=i,
        board_code=p.get("board_code", ""),
        appeal_type=p.get("appeal_type", ""),
        scope=p.get("scope", ""),
        difficulty=p.get("difficulty", ""),
        note=p.get("note", ""),
        ip_address=ip,
    ),
    "start": lambda u, i, p, ip: services.appeal_start(user=u, appeal_id=i, ip_address=ip),
    "note": lambda u, i, p, ip: services.appeal_note_add(
        user=u,
        appeal_id=i,
        text=p.get("text", ""),
        internal=p.get("internal") == "1",
        ip_address=ip,
    ),
    "pause": lambda u, i, p, ip: services.appeal_pause(
        user=u, appeal_id=i, request=p.get("request", ""), ip_address=ip
    ),
    "resume": lambda u, i, p, ip: services.appeal_resume(
        user=u, appeal_id=i, reply=p.get("reply", ""), ip_address=ip
    ),
    "extend": lambda u, i, p, ip: services.extension_request(
        user=u,
        appeal_id=i,
        days=_int(p.get("days")) or 0,
        reason=p.get("reason", ""),
        ip_address=ip,
    ),
    "answer": lambda u, i, p, ip: services.appeal_answer(
        user=u,
        appeal_id=i,
        resolution_type=p.get("resolution_type", ""),
        text=p.get("text", ""),
        ip_address=ip,
    ),
    "confirm": lambda u, i, p, ip: services.appeal_confirm(user=u, appeal_id=i, ip_address=ip),
    "reopen": lambda u, i, p, ip: services.appeal_reopen(
        user=u, appeal_id=i, reason=p.get("reason", ""), ip_address=ip
    ),
    "rate": lambda u, i, p, ip: services.appeal_rate(
        user=u, appeal_id=i, score=p.get("score", ""), comment=p.get("comment", ""), ip_address=ip
    ),
    "task": lambda u, i, p, ip: services.task_add(
        user=u,
        appeal_id=i,
        department_code=p.get("department_code", ""),
        role=p.get("role", ""),
        instructions=p.get("instructions", ""),
        ip_address=ip,
    ),
}

OBJECT_ACTIONS: dict[str, Callable[[Any, int, Any, str | None], Any]] = {
    "extension_decide": lambda u, i, p, ip: services.extension_decide(
        user=u, extension_id=i, grant=p.get("grant") == "1", ip_address=ip
    ),
    "notice_answer": lambda u, i, p, ip: services.supervision_notice_answer(
        user=u, notice_id=i, response=p.get("response", ""), ip_address=ip
    ),
    "callback": lambda u, i, p, ip: services.callback_record(
        user=u, callback_id=i, result=p.get("result", ""), note=p.get("note", ""), ip_address=ip
    ),
    "review_contest": lambda u, i, p, ip: services.rating_review_contest(
        user=u, review_id=i, statement=p.get("text", ""), ip_address=ip
    ),
    "review_decide": lambda u, i, p, ip: services.rating_review_decide(
        user=u, review_id=i, valid=p.get("valid") == "1", note=p.get("text", ""), ip_address=ip
    ),
    "review_rectify": lambda u, i, p, ip: services.rating_review_rectify(
        user=u, review_id=i, text=p.get("text", ""), ip_address=ip
    ),
}


@require_POST
@capability_required("appeal.view")
def act(request: HttpRequest, appeal_id: int, action: str) -> HttpResponse:
    handler = ACTIONS.get(action)
    object_handler = OBJECT_ACTIONS.get(action)
    if handler is None and object_handler is None:
        return render(request, "404.html", {"message": _("未知操作。")}, status=404)
    try:
        if handler is not None:
            handler(request.user, appeal_id, request.POST, _ip(request))
        else:
            object_id = _int(request.POST.get("object_id")) or 0
            if not _object_belongs(action, object_id, appeal_id):
                raise NotFoundError(_("对象不存在。"))
            assert object_handler is not None
            object_handler(request.user, object_id, request.POST, _ip(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("操作成功。"))
    return redirect("appeals:detail", appeal_id=appeal_id)


def _object_belongs(action: str, object_id: int, appeal_id: int) -> bool:
    if action == "extension_decide":
        return Extension.objects.filter(pk=object_id, appeal_id=appeal_id).exists()
    if action == "notice_answer":
        return SupervisionNotice.objects.filter(pk=object_id, appeal_id=appeal_id).exists()
    if action == "callback":
        return Callback.objects.filter(pk=object_id, appeal_id=appeal_id).exists()
    return RatingReview.objects.filter(pk=object_id, rating__appeal_id=appeal_id).exists()


@staff_required("appeal.report")
def report(request: HttpRequest) -> HttpResponse:
    today = local_today()
    try:
        end = dt.date.fromisoformat(request.GET.get("end", "")) if request.GET.get("end") else today
        start = (
            dt.date.fromisoformat(request.GET["start"])
            if request.GET.get("start")
            else end - dt.timedelta(days=6)
        )
    except ValueError:
        messages.error(request, _("日期格式不正确。"))
        end, start = today, today - dt.timedelta(days=6)
    data = reports.trend_report(
        appeals=selectors.appeal_queryset_for_user(user=request.user), start=start, end=end
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            reports.report_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="appeals-{start}-{end}.xlsx"'
        return response
    return render(request, "appeals/report.html", {"r": data})


@require_http_methods(["GET", "POST"])
@staff_required("appeal.calendar")
def calendar(request: HttpRequest) -> HttpResponse:
    """Operations: the working days entered for a year (e.g. the official schedule of a year
    chinese-calendar does not cover yet). A change recomputes every running clock."""
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or local_today().year)
    except ValueError:
        year = local_today().year
    year = min(max(year, 2000), 2100)
    user: Any = request.user
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            messages.error(request, _("日期格式不正确。"))
        else:
            try:
                if request.POST.get("action") == "remove":
                    services.working_day_override_remove(user=user, day=day)
                else:
                    services.working_day_override_set(
                        user=user,
                        day=day,
                        is_working_day=request.POST.get("is_working_day") == "1",
                        note=request.POST.get("note", ""),
                    )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已保存，正在按新日历重算所有进行中的时限。"))
        return redirect(f"{request.path}?year={year}")
    data = selectors.working_day_overrides_for_year(user=request.user, year=year)
    return render(request, "appeals/calendar.html", {**data, "prev": year - 1, "next": year + 1})
