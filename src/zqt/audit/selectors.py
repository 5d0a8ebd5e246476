"""Reading the audit trail: search for operations staff, scoped to their org unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from zqt.accounts.enums import OrgLevel
from zqt.accounts.models import User
from zqt.accounts.permissions import role_can
from zqt.accounts.selectors import user_scope_prefix
from zqt.audit.models import AuditEvent, AuditOutcome
from zqt.core.errors import PermissionDeniedError, ValidationFailed
from zqt.core.timeutil import SHANGHAI

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEvent]
    page: int
    page_size: int
    has_next: bool


def _scoped_events(user: User) -> QuerySet[AuditEvent]:
    """Events the user may see: those recorded by actors of their org unit and below.

    Provincial operations see everything, including events without an org unit (enterprise
    users, agents, scheduled work). Everyone else sees only events whose actor belonged to an
    org unit within theirs.
    """
    prefix = user_scope_prefix(user)
    if prefix is None:
        return AuditEvent.objects.none()
    if user.org_unit is not None and user.org_unit.level == OrgLevel.PROVINCE:
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(org_unit_code__startswith=prefix)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def audit_event_search(
    *,
    user: User,
    actor_username: str = "",
    action: str = "",
    object_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    outcome: str = "",
    page: int = 1,
    page_size: int = 50,
) -> AuditPage:
    """Audit events matching the filters, newest first, within the user's scope.

    `action` matches as a prefix ("enterprise." finds every enterprise action); dates are local
    (Asia/Shanghai) calendar days, both ends included. No total count: the trail grows without
    bound, so the page only says whether another page follows.
    """
    if not role_can(user.role, "audit.search"):
        raise PermissionDeniedError("您没有查询审计记录的权限。")
    if page < 1:
        raise ValidationFailed("页码必须大于0。", field="page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"每页条数应在1到{MAX_PAGE_SIZE}之间。", field="page_size")
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("开始日期不能晚于结束日期。", field="date_from")
    if outcome and outcome not in AuditOutcome.values:
        raise ValidationFailed("结果只能是“允许”或“拒绝”。", field="outcome")

    qs = _scoped_events(user)
    if actor_username:
        qs = qs.filter(actor__username=actor_username.strip())
    if action:
        qs = qs.filter(action__startswith=action.strip())
    if object_id:
        qs = qs.filter(object_id=object_id.strip())
    if date_from:
        qs = qs.filter(at__gte=_local_midnight(date_from))
    if date_to:
        qs = qs.filter(at__lt=_local_midnight(date_to + dt.timedelta(days=1)))
    if outcome:
        qs = qs.filter(outcome=outcome)

    offset = (page - 1) * page_size
    rows = list(qs.order_by("-at", "-id")[offset : offset + page_size + 1])
    return AuditPage(
        items=rows[:page_size],
        page=page,
        page_size=page_size,
        has_next=len(rows) > page_size,
    )
