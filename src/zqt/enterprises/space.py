"""The enterprise space (企业专属空间): one read model of what an enterprise user — or an agent
acting for the enterprise — sees on the space page.

- licences with their colour state and the legend (licence_state.LEGEND);
- permits "应办 / 已办 / 未办": the licence types the enterprise's industry division should hold
  (PermitRequirement), split into those held (a valid or expiring licence of the type) and
  those not held (none, or only expired/revoked or still pending ones);
- open to-dos, soonest due first;
- reminders: active licences expiring within the reminder thresholds (settings
  ZQT_LICENCE_REMINDER_DAYS, 60 and 30 days), with the days left;
- the latest in-app messages of the user.

Reads only; access goes through selectors.enterprise_get_for_user with capability space.view
(enterprise users: their own enterprise; agents: an active authorisation naming space.view).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils.functional import Promise

from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.core.errors import NotFoundError, ValidationFailed
from zqt.core.timeutil import local_today
from zqt.enterprises import selectors
from zqt.enterprises.enums import LicenceStatus, TodoStatus
from zqt.enterprises.licence_state import LEGEND, LicenceState
from zqt.enterprises.models import Enterprise, Industry, PermitRequirement, Todo

# Open to-dos and messages shown on the page (the full lists have their own pages).
MAX_TODOS = 50
MAX_MESSAGES = 10

# Which licence of a type speaks for the type, best first.
_STATE_RANK = {
    LicenceState.VALID: 0,
    LicenceState.EXPIRING: 1,
    LicenceState.PENDING: 2,
    LicenceState.EXPIRED: 3,
}
_HELD = frozenset({LicenceState.VALID, LicenceState.EXPIRING})


@dataclass(frozen=True)
class PermitItem:
    """One licence type the enterprise should hold, and what it holds of that type."""

    licence_type: str
    issuer_hint: str
    held: bool
    # The best licence of the type (valid > expiring > pending > expired), if any.
    licence: selectors.LicenceRow | None
    state: LicenceState | None
    state_label: str
    colour: str


@dataclass(frozen=True)
class Permits:
    required: list[PermitItem]  # 应办
    done: list[PermitItem]  # 已办
    missing: list[PermitItem]  # 未办


@dataclass(frozen=True)
class Reminder:
    licence_id: int
    licence_type: str
    number: str
    expires_on: dt.date
    days_left: int
    threshold_days: int  # the smallest reminder threshold the licence is within
    colour: str


@dataclass(frozen=True)
class EnterpriseSummary:
    uscc: str
    name: str
    entity_type_label: str
    status: str
    status_label: str
    region_code: str
    industry_code: str
    industry_name: str
    scale_label: str
    lifecycle_stage_label: str
    tags: list[str]


@dataclass(frozen=True)
class SpaceRow:
    title: str
    meta: str = ""
    url: str = ""
    badge: str | Promise = ""


@dataclass(frozen=True)
class SpaceSection:
    """A card another module adds to the enterprise space (its cases, results, appeals...).

    Modules register a provider `f(*, user, enterprise) -> SpaceSection | None` in
    settings.ZQT_SPACE_SECTIONS ("module.path:function"), so the registry does not import
    them; the provider authorises through its own selectors."""

    key: str
    title: str | Promise
    rows: list[SpaceRow]
    link_url: str = ""
    link_label: str | Promise = ""
    empty_text: str | Promise = ""


@dataclass
class EnterpriseSpace:
    enterprise: Enterprise
    summary: EnterpriseSummary
    today: dt.date
    licences: list[selectors.LicenceRow]
    legend: list[tuple[LicenceState, str | Promise, str, str | Promise]]
    permits: Permits
    todos: list[Todo]
    reminders: list[Reminder]
    messages: list[Any] = field(default_factory=list)
    unread_messages: int = 0
    acting_as_agent: bool = False
    sections: list[SpaceSection] = field(default_factory=list)


def reminder_thresholds() -> tuple[int, ...]:
    """The reminder thresholds in days, ascending (settings.ZQT_LICENCE_REMINDER_DAYS)."""
    days = sorted({int(d) for d in getattr(settings, "ZQT_LICENCE_REMINDER_DAYS", (60, 30))})
    if not days or days[0] < 0:
        raise ValueError("ZQT_LICENCE_REMINDER_DAYS must list non-negative day counts")
    return tuple(days)


def threshold_for(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The smallest threshold a licence with `days_left` is within (None: not within any, or
    already expired). Pure; shared with the reminder sweep."""
    if days_left < 0:
        return None
    for days in thresholds:
        if days_left <= days:
            return days
    return None


def _resolve_enterprise(*, user: Any, uscc: str | None, ip_address: str | None) -> Enterprise:
    actor = selectors.require_capability(user=user, capability="space.view", ip_address=ip_address)
    code = (uscc or "").strip()
    if not code and actor.role == Role.ENTERPRISE:
        own = selectors.enterprise_for_member(user=actor)
        if own is None:
            raise NotFoundError("您的账号未绑定企业。", field="uscc")
        code = own.uscc
    if not code:
        # An agent may act for several enterprises: it must say which one.
        raise ValidationFailed("请选择要查看的企业。", field="uscc")
    return selectors.enterprise_get_for_user(
        user=actor, uscc=code, capability="space.view", purpose="企业空间", ip_address=ip_address
    )


def _summary(enterprise: Enterprise) -> EnterpriseSummary:
    industry = Industry.objects.filter(code=enterprise.industry_code).first()
    return EnterpriseSummary(
        uscc=enterprise.uscc,
        name=enterprise.name,
        entity_type_label=enterprise.get_entity_type_display(),
        status=enterprise.status,
        status_label=enterprise.get_status_display(),
        region_code=enterprise.region_code,
        industry_code=enterprise.industry_code,
        industry_name=industry.name if industry else "",
        scale_label=enterprise.get_scale_display(),
        lifecycle_stage_label=enterprise.get_lifecycle_stage_display(),
        tags=[t.name for t in enterprise.tags.order_by("code")],
    )


def permits_for(
    *, requirements: list[tuple[str, str]], licences: list[selectors.LicenceRow]
) -> Permits:
    """应办/已办/未办 from (licence_type, issuer_hint) requirements and the licences held. Pure."""
    best: dict[str, selectors.LicenceRow] = {}
    for row in licences:
        current = best.get(row.licence_type)
        if current is None or _STATE_RANK[row.state] < _STATE_RANK[current.state]:
            best[row.licence_type] = row
    required: list[PermitItem] = []
    for licence_type, issuer_hint in requirements:
        best_row = best.get(licence_type)
        held = best_row is not None and best_row.state in _HELD
        required.append(
            PermitItem(
                licence_type=licence_type,
                issuer_hint=issuer_hint,
                held=held,
                licence=best_row,
                state=best_row.state if best_row else None,
                state_label=best_row.state.label if best_row else "未办理",
                colour=best_row.colour if best_row else "",
            )
        )
    return Permits(
        required=required,
        done=[item for item in required if item.held],
        missing=[item for item in required if not item.held],
    )


def reminders_for(
    *, licences: list[selectors.LicenceRow], thresholds: tuple[int, ...]
) -> list[Reminder]:
    """Active licences within a reminder threshold, fewest days left first. Pure."""
    out: list[Reminder] = []
    for row in licences:
        if row.status != LicenceStatus.ACTIVE or row.expires_on is None or row.days_left is None:
            continue
        threshold = threshold_for(row.days_left, thresholds)
        if threshold is None:
            continue
        out.append(
            Reminder(
                licence_id=row.id,
                licence_type=row.licence_type,
                number=row.number,
                expires_on=row.expires_on,
                days_left=row.days_left,
                threshold_days=threshold,
                colour=row.colour,
            )
        )
    out.sort(key=lambda r: (r.days_left, r.licence_id))
    return out


def _messages(user: User) -> tuple[list[Any], int]:
    try:
        from zqt.notifications import selectors as inbox
    except ImportError:  # notifications app absent
        return [], 0
    return list(inbox.inbox_for_user(user=user)[:MAX_MESSAGES]), inbox.unread_count(user=user)


def _sections(*, user: Any, enterprise: Enterprise) -> list[SpaceSection]:
    from django.utils.module_loading import import_string

    sections = []
    for path in getattr(settings, "ZQT_SPACE_SECTIONS", ()):
        provider = import_string(path.replace(":", "."))
        section = provider(user=user, enterprise=enterprise)
        if section is not None:
            sections.append(section)
    return sections


def enterprise_space_for_user(
    *,
    user: Any,
    uscc: str | None = None,
    today: dt.date | None = None,
    ip_address: str | None = None,
) -> EnterpriseSpace:
    """The space of the user's enterprise (enterprise users; `uscc` may be omitted) or of the
    enterprise `uscc` an agent acts for (an active authorisation with scope space.view).

    Raises PermissionDeniedError for a role without space.view, NotFoundError for an enterprise
    outside the user's reach (or an enterprise account bound to none), ValidationFailed when an
    agent names no enterprise. Refusals are audited by the selectors. Constant query count.
    """
    enterprise = _resolve_enterprise(user=user, uscc=uscc, ip_address=ip_address)
    today = today or local_today()
    thresholds = reminder_thresholds()
    licences = selectors.licence_list_for_enterprise(enterprise=enterprise, today=today)
    requirements = list(
        PermitRequirement.objects.filter(industry_code=enterprise.industry_code)
        .order_by("licence_type")
        .values_list("licence_type", "issuer_hint")
    )
    todos = list(
        Todo.objects.filter(enterprise=enterprise, status=TodoStatus.OPEN).order_by(
            F("due_on").asc(nulls_last=True), "id"
        )[:MAX_TODOS]
    )
    messages, unread = _messages(user)
    return EnterpriseSpace(
        enterprise=enterprise,
        summary=_summary(enterprise),
        today=today,
        licences=licences,
        legend=LEGEND,
        permits=permits_for(requirements=requirements, licences=licences),
        todos=todos,
        reminders=reminders_for(licences=licences, thresholds=thresholds),
        messages=messages,
        unread_messages=unread,
        acting_as_agent=user.role == Role.AGENT,
        sections=_sections(user=user, enterprise=enterprise),
    )
