"""Reads of 企业诉求. Object access goes through ONE fetch-and-authorise function,
`appeal_get_for_user`; lists through `appeal_queryset_for_user`, scoped the same way.

Scope: government staff and API clients see appeals whose region lies within their org unit;
an enterprise user sees its own enterprise's appeals. Acting on a case (`appeal.handle`)
further needs, for board staff, membership of the case's board at its centre (or being its
handler), and for department reviewers a department task on the case. Refusals are audited and
raise NotFoundError (out of scope, no existence leak) or PermissionDeniedError (403).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zqt.accounts import selectors as staffing
from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.accounts.permissions import is_staff_role
from zqt.appeals import deadlines
from zqt.appeals.enums import Stage
from zqt.appeals.models import (
    Appeal,
    AppealEvent,
    Callback,
    Extension,
    StageClock,
    SupervisionNotice,
    WorkingDayOverride,
)
from zqt.appeals.states import OPEN_STATUSES, TERMINAL_STATUSES, Status
from zqt.audit.models import AuditOutcome
from zqt.audit.services import audit_record
from zqt.core.errors import NotFoundError, PermissionDeniedError
from zqt.enterprises.selectors import enterprise_queryset_for_user, require_capability

_NOT_FOUND = "诉求不存在或您无权查看。"
SIMILAR_WINDOW = dt.timedelta(days=7)
SIMILAR_THRESHOLD = 0.35


def working_calendar() -> deadlines.WorkingCalendar:
    overrides = dict(WorkingDayOverride.objects.values_list("day", "is_working_day"))
    return deadlines.WorkingCalendar(overrides)


def _deny(*, user: Any, capability: str, appeal_id: Any, reason: str, ip: str | None) -> None:
    audit_record(
        actor=user,
        action=capability,
        object_type="appeal",
        object_id=str(appeal_id),
        outcome=AuditOutcome.DENIED,
        changes={"reason": reason},
        ip_address=ip,
    )


def _in_region(user: User, appeal: Appeal) -> bool:
    if user.org_unit_id is None:
        return False
    return appeal.region_code.startswith(user.org_unit.scope_prefix)  # type: ignore[union-attr]


def _own_enterprise_ids(user: User) -> set[int]:
    return set(enterprise_queryset_for_user(user=user).values_list("pk", flat=True))


def may_act_on(*, user: User, appeal: Appeal) -> bool:
    """Board staff: handler or member of the case's board at its centre; reviewers: a task of
    their department; chief commissioners and operations: the region is enough."""
    if user.role in (Role.CHIEF_COMMISSIONER, Role.OPERATIONS):
        return True
    if appeal.handler_id == user.pk:
        return True
    if user.role == Role.BOARD_STAFF:
        return staffing.is_board_member(
            user_id=user.pk, org_unit_id=appeal.org_unit_id, board_id=appeal.board_id
        )
    if user.role == Role.DEPARTMENT_REVIEWER:
        departments = set(user.departments.values_list("pk", flat=True))
        return appeal.tasks.filter(department_id__in=departments).exists()
    return False


def appeal_get_for_user(
    *,
    user: Any,
    appeal_id: int,
    capability: str = "appeal.view",
    ip_address: str | None = None,
    for_update: bool = False,
) -> Appeal:
    """THE fetch-and-authorise function for one appeal (see the module docstring).

    With for_update the row is locked: call inside the caller's transaction, after a first
    unlocked call made (and audited) the authorisation outside it."""
    actor = require_capability(
        user=user,
        capability=capability,
        object_type="appeal",
        object_id=str(appeal_id),
        ip_address=ip_address,
    )
    qs = Appeal.objects.select_related("enterprise", "board", "handler", "org_unit")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    appeal = qs.filter(pk=appeal_id).first()
    if appeal is None:
        _deny(
            user=actor,
            capability=capability,
            appeal_id=appeal_id,
            reason="not_found",
            ip=ip_address,
        )
        raise NotFoundError(_NOT_FOUND)
    if actor.role == Role.ENTERPRISE:
        visible = appeal.enterprise_id in _own_enterprise_ids(actor)
    else:
        visible = (is_staff_role(actor.role) or actor.role == Role.API_CLIENT) and _in_region(
            actor, appeal
        )
    if not visible:
        _deny(
            user=actor,
            capability=capability,
            appeal_id=appeal_id,
            reason="out_of_scope",
            ip=ip_address,
        )
        raise NotFoundError(_NOT_FOUND)
    if capability == "appeal.handle" and not may_act_on(user=actor, appeal=appeal):
        _deny(
            user=actor,
            capability=capability,
            appeal_id=appeal_id,
            reason="not_on_board",
            ip=ip_address,
        )
        raise PermissionDeniedError("您不是该诉求所在板块的人员，不能办理此诉求。")
    return appeal


def appeal_queryset_for_user(*, user: Any) -> QuerySet[Appeal]:
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    assert isinstance(user, User)
    base = Appeal.objects.select_related("enterprise", "board", "handler")
    if user.role == Role.ENTERPRISE:
        return base.filter(enterprise_id__in=_own_enterprise_ids(user))
    if (is_staff_role(user.role) or user.role == Role.API_CLIENT) and user.org_unit_id:
        return base.filter(region_code__startswith=user.org_unit.scope_prefix)  # type: ignore[union-attr]
    return Appeal.objects.none()


# --- similarity (merge suggestion, problem classes) -----------------------------------------

_PUNCT = re.compile(r"[\s，。、！？；：,.!?;:（）()“”\"'-]+")


def _bigrams(text: str) -> set[str]:
    clean = _PUNCT.sub("", text)
    return {clean[i : i + 2] for i in range(len(clean) - 1)} or {clean}


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (0..1): cheap and good enough for "the same
    enterprise wrote about the same thing again"."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def similar_open_appeals(
    *, enterprise_id: int, text: str, exclude_id: int | None = None, now: dt.datetime | None = None
) -> list[tuple[Appeal, float]]:
    """Open appeals of the same enterprise in the last 7 days that look like `text`."""
    now = now or timezone.now()
    rows = Appeal.objects.filter(
        enterprise_id=enterprise_id,
        created_at__gte=now - SIMILAR_WINDOW,
        status__in=OPEN_STATUSES | {Status.ANSWERED},
    ).order_by("-created_at")[:50]
    out = []
    for row in rows:
        if row.pk == exclude_id:
            continue
        score = text_similarity(text, f"{row.title}{row.content}")
        if score >= SIMILAR_THRESHOLD:
            out.append((row, score))
    return sorted(out, key=lambda pair: -pair[1])


def similar_appeals_in_region(
    *, appeal: Appeal, limit: int = 10, threshold: float = 0.25
) -> list[tuple[Appeal, float]]:
    """Candidates for a problem class: similar appeals of any enterprise in the same county."""
    rows = (
        Appeal.objects.filter(region_code__startswith=appeal.region_code[:6])
        .exclude(pk=appeal.pk)
        .exclude(status__in=[Status.MERGED, Status.REJECTED])
        .select_related("enterprise")
        .order_by("-created_at")[:500]
    )
    text = f"{appeal.title}{appeal.content}"
    scored = [(r, text_similarity(text, f"{r.title}{r.content}")) for r in rows]
    return sorted([p for p in scored if p[1] >= threshold], key=lambda p: -p[1])[:limit]


# --- case page -------------------------------------------------------------------------------


def active_clock(appeal: Appeal) -> StageClock | None:
    return (
        StageClock.objects.filter(appeal=appeal, task__isnull=True, stopped_at__isnull=True)
        .order_by("-started_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class ClockView:
    stage_label: str
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    state: str
    days_left: int | None
    provisional: bool
    paused: bool
    extension_days: int


def clock_view(clock: StageClock | None, *, now: dt.datetime | None = None) -> ClockView | None:
    if clock is None:
        return None
    now = now or timezone.now()
    state = deadlines.due_state(now=now, due_at=clock.due_at, warn_at=clock.warn_at)
    days_left = (
        deadlines.working_days_left(now=now, due_at=clock.due_at, cal=working_calendar())
        if clock.due_at
        else None
    )
    return ClockView(
        stage_label=Stage(clock.stage).label,
        due_at=clock.due_at,
        warn_at=clock.warn_at,
        state=str(state),
        days_left=days_left,
        provisional=clock.provisional,
        paused=clock.paused_at is not None,
        extension_days=clock.extension_days,
    )


def holder_label(appeal: Appeal) -> str:
    """Who holds the case, as the enterprise sees it."""
    if appeal.status in (Status.SUBMITTED,):
        return "综合受理窗口（待受理）"
    if appeal.board is None:
        return f"{appeal.org_unit.name}企业综合服务中心"
    handler = appeal.handler.display_name if appeal.handler else "待分派"
    return f"{appeal.org_unit.name}·{appeal.board.name}（{handler}）"


def timeline_for(*, appeal: Appeal, user: User) -> list[AppealEvent]:
    events = AppealEvent.objects.filter(appeal=appeal).order_by("created_at", "id")
    if user.role in (Role.ENTERPRISE, Role.AGENT):
        events = events.filter(internal=False)
    return list(events)


def appeal_detail(*, appeal: Appeal, user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    clock = clock_view(active_clock(appeal), now=now)
    is_enterprise = user.role == Role.ENTERPRISE
    data: dict[str, Any] = {
        "appeal": appeal,
        "clock": clock,
        "holder": holder_label(appeal),
        "timeline": timeline_for(appeal=appeal, user=user),
        "attachments": list(appeal.attachments.all()),
        "rating": getattr(appeal, "rating", None) if hasattr(appeal, "rating") else None,
        "is_enterprise": is_enterprise,
        "tasks": [] if is_enterprise else list(appeal.tasks.select_related("department")),
        "notices": [] if is_enterprise else list(appeal.notices.order_by("level")),
        "extensions": list(appeal.extensions.order_by("-created_at")),
        "callbacks": [] if is_enterprise else list(appeal.callbacks.order_by("-created_at")),
        "similar": (
            []
            if is_enterprise or appeal.status in TERMINAL_STATUSES
            else similar_open_appeals(
                enterprise_id=appeal.enterprise_id,
                text=f"{appeal.title}{appeal.content}",
                exclude_id=appeal.pk,
            )
        ),
    }
    from zqt.appeals.models import Rating, RatingReview

    rating = Rating.objects.filter(appeal=appeal).first()
    data["rating"] = rating
    data["review"] = RatingReview.objects.filter(rating=rating).first() if rating else None
    return data


# --- workbench -------------------------------------------------------------------------------


@dataclass
class WorkbenchRow:
    appeal: Appeal
    clock: ClockView | None


def _rows(qs: QuerySet[Appeal], now: dt.datetime, limit: int = 100) -> list[WorkbenchRow]:
    appeals = list(qs[:limit])
    clocks: dict[int, StageClock] = {}
    for clock in StageClock.objects.filter(
        appeal_id__in=[a.pk for a in appeals], task__isnull=True, stopped_at__isnull=True
    ).order_by("started_at", "id"):
        clocks[clock.appeal_id] = clock
    return [WorkbenchRow(a, clock_view(clocks.get(a.pk), now=now)) for a in appeals]


def workbench_for_user(*, user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    scoped = appeal_queryset_for_user(user=user)
    open_qs = scoped.filter(status__in=OPEN_STATUSES).order_by("received_at")
    mine = open_qs.filter(handler=user)
    board_pairs = staffing.board_ids_for_user(user_id=user.pk)
    board_q = Q(pk__in=[])
    for org_unit_id, board_id in board_pairs:
        board_q |= Q(org_unit_id=org_unit_id, board_id=board_id)
    board_queue = open_qs.filter(board_q).exclude(handler=user) if board_pairs else open_qs.none()
    to_route = (
        open_qs.filter(status__in=[Status.SUBMITTED, Status.ACCEPTED, Status.TRANSFERRED])
        if user.role in (Role.FRONT_DESK, Role.CHIEF_COMMISSIONER, Role.OPERATIONS)
        else open_qs.none()
    )
    watch = open_qs.filter(handler=user) | (
        open_qs.filter(board_q) if board_pairs else open_qs.none()
    )
    if user.role in (Role.CHIEF_COMMISSIONER, Role.OPERATIONS):
        watch = open_qs
    notices = (
        SupervisionNotice.objects.filter(addressed_to=user, responded_at__isnull=True)
        .select_related("appeal")
        .order_by("due_at")
    )
    callbacks = (
        Callback.objects.filter(made_at__isnull=True, appeal__in=scoped)
        .exclude(appeal__handler=user)
        .select_related("appeal")
        .order_by("created_at")
        if user.role in (Role.FRONT_DESK, Role.CHIEF_COMMISSIONER, Role.OPERATIONS)
        else Callback.objects.none()
    )
    extensions = (
        Extension.objects.filter(status="pending", appeal__in=scoped).select_related("appeal")
        if user.role in (Role.CHIEF_COMMISSIONER, Role.OPERATIONS)
        else Extension.objects.none()
    )
    return {
        "mine": _rows(mine, now),
        "board_queue": _rows(board_queue, now),
        "to_route": _rows(to_route, now),
        "overdue": _rows(watch.filter(due_state="overdue"), now),
        "due_soon": _rows(watch.filter(due_state="due_soon"), now),
        "notices": list(notices[:50]),
        "callbacks": list(callbacks[:50]),
        "extensions": list(extensions[:50]),
    }


def working_day_overrides_for_year(*, user: Any, year: int) -> dict[str, Any]:
    """The operations calendar page: the overrides entered for `year`, whether the statutory
    calendar library covers the year, and whether the year is complete (every day known)."""
    from zqt.core import calendar as core_calendar

    require_capability(user=user, capability="appeal.calendar", object_type="working_day_override")
    rows = list(WorkingDayOverride.objects.filter(day__year=year).order_by("day"))
    overrides = {r.day: r.is_working_day for r in rows}
    return {
        "year": year,
        "rows": rows,
        "library_covers": core_calendar.library_covers(dt.date(year, 6, 30)),
        "complete": not core_calendar.unauthoritative_years([year], overrides),
    }


def open311_requests(
    *,
    user: Any,
    status: str | None = None,
    service_code: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    references: list[str] | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """GeoReport v2 service requests for the appeals `user` may see (scoped like every list),
    newest first. Filters follow the GeoReport GET parameters."""
    from zqt.appeals import open311

    require_capability(user=user, capability="appeal.view", object_type="appeal")
    qs = appeal_queryset_for_user(user=user).select_related("org_unit")
    if references:
        qs = qs.filter(reference__in=references[:200])
    if status == "open":
        qs = qs.exclude(status__in=open311.CLOSED_STATUSES)
    elif status == "closed":
        qs = qs.filter(status__in=open311.CLOSED_STATUSES)
    if service_code == open311.UNASSIGNED:
        qs = qs.filter(board__isnull=True)
    elif service_code:
        qs = qs.filter(board__code=service_code)
    if start:
        qs = qs.filter(received_at__gte=start)
    if end:
        qs = qs.filter(received_at__lte=end)
    appeals = list(qs.order_by("-received_at", "-pk")[: max(1, min(limit, 1000))])
    due: dict[int, dt.datetime | None] = {}
    for appeal_id, due_at in (
        StageClock.objects.filter(
            appeal_id__in=[a.pk for a in appeals], task__isnull=True, stopped_at__isnull=True
        )
        .order_by("appeal_id", "started_at", "pk")
        .values_list("appeal_id", "due_at")
    ):
        due[appeal_id] = due_at  # the latest running case clock wins, as in active_clock
    return [
        open311.to_request(
            reference=a.reference,
            status=a.status,
            status_label=Status(a.status).label,
            board_code=a.board.code if a.board else None,
            board_name=a.board.name if a.board else None,
            title=a.title,
            content=a.content,
            agency=a.org_unit.name,
            received_at=a.received_at,
            updated_at=a.updated_at,
            expected_at=due.get(a.pk),
            address=a.enterprise.address,
        )
        for a in appeals
    ]
