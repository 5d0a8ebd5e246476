"""Reads of credit: scores with their explanation, public records (repaired ones left out),
repairs, intermediaries, risk warnings. Enterprises are authorised through
`enterprises.selectors.enterprise_get_for_user`; each credit entity has one fetch-and-authorise
function (`repair_get_for_user`, `warning_get_for_user`, `agent_get_for_user`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.accounts.permissions import role_can
from zqt.accounts.selectors import user_scope_prefix
from zqt.core.errors import NotFoundError
from zqt.core.timeutil import local_today
from zqt.credit import inputs, rules, scoring
from zqt.credit.enums import EventFactor, RepairStatus, WarningStatus
from zqt.credit.models import (
    Agency,
    CreditEvent,
    CreditRepair,
    CreditScore,
    IntermediaryAgent,
    RiskWarning,
    ScoringModelVersion,
)
from zqt.enterprises import selectors as ent
from zqt.enterprises.models import Enterprise

AnyUser = ent.AnyUser


def scoring_model_current() -> tuple[int, scoring.ScoringModel]:
    """(version, model) in force; version 0 is the built-in default before any is published."""
    row = ScoringModelVersion.objects.filter(is_current=True).first()
    if row is None:
        return 0, scoring.default_model()
    return row.version, scoring.ScoringModel.from_config(row.config)


def repair_min_months_config() -> dict[str, int]:
    return dict(getattr(settings, "ZQT_CREDIT_REPAIR_MIN_MONTHS", rules.DEFAULT_REPAIR_MIN_MONTHS))


# The lookup that reads an enterprise's stored grade in an Enterprise queryset, as a LEFT JOIN
# (`.values_list("uscc", GRADE_LOOKUP)`); None = no counting fact, i.e. the base grade.
GRADE_LOOKUP = "credit_score__grade"


def grade_weights() -> dict[str, int]:
    """Draw weight by grade (and for unscored enterprises, key "")."""
    _, model = scoring_model_current()
    weights = {g: scoring.weight_for(g, model) for g in scoring.GRADES}
    weights[""] = scoring.weight_for(None, model)
    return weights


def score_for(*, enterprise: Enterprise) -> CreditScore | None:
    return CreditScore.objects.filter(enterprise=enterprise).first()


def _repaired_ids(enterprise: Enterprise) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for kind, rid in CreditRepair.objects.filter(
        enterprise=enterprise, status=RepairStatus.APPROVED
    ).values_list("record_kind", "record_id"):
        out.setdefault(kind, set()).add(int(rid))
    return out


@dataclass
class CreditView:
    enterprise: Enterprise
    score: int
    grade: str
    colour: str
    colour_label: str
    previous_grade: str
    supervision_label: str
    ratio_permille: int
    model_version: int
    explanation: list[scoring.Explanation]
    records: list[inputs.RecordRow]  # still in public view (not repaired)
    repaired: list[inputs.RecordRow]
    repairs: list[CreditRepair] = field(default_factory=list)
    today: dt.date = field(default_factory=local_today)


def factor_counts(
    *, enterprise: Enterprise, model: scoring.ScoringModel, today: dt.date
) -> tuple[dict[str, int], list[inputs.RecordRow], list[inputs.RecordRow]]:
    """The factor counts the recompute uses for one enterprise (explanation), and the records
    split into still-public and repaired."""
    repaired = _repaired_ids(enterprise)
    expiry = inputs.enterprise_record_expiry(enterprise=enterprise)
    counts: dict[str, int] = {}
    public, gone = [], []
    for row in inputs.enterprise_records(enterprise=enterprise):
        if row.id in repaired.get(row.kind, set()):
            gone.append(row)
            continue
        public.append(row)
        if row.kind == "penalty":
            if row.recorded_on >= today - dt.timedelta(days=model.windows["penalty"]):
                counts["penalty"] = counts.get("penalty", 0) + 1
                if (row.amount or 0) >= model.large_penalty_yuan:
                    counts["penalty_large"] = counts.get("penalty_large", 0) + 1
        elif row.factor:
            expires = expiry.get(row.id)
            if expires is None or expires >= today:
                counts[row.factor] = counts.get(row.factor, 0) + 1
    since = today - dt.timedelta(days=model.windows["honour"])
    honours = [d for d in inputs.enterprise_honour_dates(enterprise=enterprise) if d >= since]
    if honours:
        counts["honour"] = len(honours)
    events = CreditEvent.objects.filter(
        enterprise=enterprise, occurred_on__gte=today - dt.timedelta(days=model.windows["event"])
    )
    for ev in CreditEvent.objects.filter(enterprise=enterprise).order_by("-occurred_on", "-id"):
        row = inputs.RecordRow(
            "credit_event",
            ev.pk,
            ev.title,
            ev.source_department,
            ev.occurred_on,
            detail=EventFactor(ev.factor).label,
            factor=ev.factor,
        )
        if ev.pk in repaired.get("credit_event", set()):
            gone.append(row)
        elif ev.factor in scoring.DEDUCTION_FACTORS:
            public.append(row)
    for ev in events:
        if ev.pk not in repaired.get("credit_event", set()):
            counts[ev.factor] = counts.get(ev.factor, 0) + 1
    return counts, public, gone


def credit_view(*, enterprise: Enterprise, today: dt.date | None = None) -> CreditView:
    """The credit page of one enterprise (caller authorised it)."""
    today = today or local_today()
    version, model = scoring_model_current()
    counts, public, gone = factor_counts(enterprise=enterprise, model=model, today=today)
    row = score_for(enterprise=enterprise)
    # No row: no counting fact ever, so exactly the base score (see recompute.py).
    grade = row.grade if row else scoring.grade_for(model.base, model)
    colour = row.colour if row else scoring.colour_for(grade)
    sup = model.supervision[grade]
    return CreditView(
        enterprise=enterprise,
        score=row.score if row else model.base,
        grade=grade,
        colour=colour,
        colour_label=scoring.COLOUR_LABELS[colour],
        previous_grade=row.previous_grade if row else "",
        supervision_label=str(sup["label"]),
        ratio_permille=int(sup["ratio_permille"]),
        model_version=row.model_version if row else version,
        explanation=scoring.explain(counts, model),
        records=public,
        repaired=gone,
        repairs=list(CreditRepair.objects.filter(enterprise=enterprise).order_by("-created_at")),
        today=today,
    )


def credit_get_for_user(*, user: AnyUser, uscc: str, ip_address: str | None = None) -> CreditView:
    """Fetch-and-authorise one enterprise's credit: staff in scope (credit.view), the
    enterprise itself (credit.view_own)."""
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    capability = "credit.view_own" if role == Role.ENTERPRISE else "credit.view"
    ent.require_capability(user=user, capability=capability, object_id=uscc, ip_address=ip_address)
    enterprise = ent.enterprise_get_for_user(
        user=user,
        uscc=uscc,
        capability="enterprise.view",
        purpose="信用评价查看",
        ip_address=ip_address,
    )
    return credit_view(enterprise=enterprise)


def public_grade(*, uscc: str) -> dict[str, Any] | None:
    """What anyone may see: the grade and four-colour code (no score breakdown)."""
    row = (
        CreditScore.objects.filter(enterprise__uscc=uscc)
        .values("grade", "colour", "enterprise__name")
        .first()
    )
    if row is None:
        return None  # no counting fact: the base grade (callers say so)
    return {
        "uscc": uscc,
        "name": row["enterprise__name"],
        "grade": row["grade"],
        "colour": row["colour"],
        "colour_label": scoring.COLOUR_LABELS[row["colour"]],
    }


def space_section(*, user: Any, enterprise: Enterprise) -> Any:
    """Enterprise-space card "信用评价": the four-colour code, the grade and what the grade means
    for supervision (register "zqt.credit.selectors:space_section" in ZQT_SPACE_SECTIONS)."""
    from zqt.enterprises.space import SpaceRow, SpaceSection

    if getattr(user, "role", "") != Role.ENTERPRISE:
        return None
    view = credit_view(enterprise=enterprise)
    rows = [
        SpaceRow(
            title=f"{view.colour_label} · {view.grade}级",
            meta=f"信用分 {view.score} · {view.supervision_label}",
            url=reverse("credit:mine"),
            badge=view.colour_label,
        )
    ]
    for line in view.explanation[:3]:
        rows.append(SpaceRow(title=line.label, meta=f"{line.count} 项，{line.points:+d} 分"))
    return SpaceSection(
        key="credit",
        title=gettext_lazy("信用评价"),
        rows=rows,
        link_url=reverse("credit:mine"),
        link_label=gettext_lazy("查看信用详情与信用修复"),
    )


# --- repairs --------------------------------------------------------------------------------


def repair_queue_for_user(*, user: AnyUser) -> QuerySet[CreditRepair]:
    actor = ent.require_capability(
        user=user, capability="credit.repair_decide", object_type="credit_repair"
    )
    prefix = user_scope_prefix(actor)
    if prefix is None:
        return CreditRepair.objects.none()
    return (
        CreditRepair.objects.filter(enterprise__region_code__startswith=prefix)
        .select_related("enterprise")
        .order_by("status", "-created_at")
    )


def repair_get_for_user(*, user: AnyUser, repair_id: int, capability: str) -> CreditRepair:
    actor = ent.require_capability(
        user=user, capability=capability, object_type="credit_repair", object_id=str(repair_id)
    )
    repair = CreditRepair.objects.select_related("enterprise").filter(pk=repair_id).first()
    if repair is not None:
        try:
            ent.enterprise_get_for_user(
                user=actor,
                uscc=repair.enterprise.uscc,
                capability="enterprise.view",
                purpose="信用修复",
            )
            return repair
        except NotFoundError:
            pass
    raise NotFoundError("信用修复申请不存在或您无权查看。")


# --- intermediaries -------------------------------------------------------------------------


def agency_list_for_user(*, user: AnyUser) -> list[dict[str, Any]]:
    actor = ent.require_capability(
        user=user, capability="intermediary.manage", object_type="agency"
    )
    prefix = user_scope_prefix(actor) or "-"
    out = []
    for agency in Agency.objects.filter(region_code__startswith=prefix).prefetch_related("agents"):
        points = [a.points for a in agency.agents.all()]
        out.append(
            {
                "agency": agency,
                "agents": list(agency.agents.all()),
                "grade": rules.agency_grade(points),
            }
        )
    return out


def agent_get_for_user(*, user: AnyUser, agent_id: int | None = None) -> IntermediaryAgent:
    """Staff (intermediary.manage) in scope of the agency's region; an agent: its own profile."""
    if agent_id is None:  # an agent reading its own profile
        actor = ent.require_capability(
            user=user, capability="intermediary.exam", object_type="intermediary_agent"
        )
        found = IntermediaryAgent.objects.select_related("agency").filter(user=actor).first()
        if found is None:
            raise NotFoundError("您的账号未登记为中介从业人员。")
        return found
    actor = ent.require_capability(
        user=user,
        capability="intermediary.manage",
        object_type="intermediary_agent",
        object_id=str(agent_id),
    )
    prefix = user_scope_prefix(actor)
    found = IntermediaryAgent.objects.select_related("agency").filter(pk=agent_id).first()
    if found is None or prefix is None or not found.agency.region_code.startswith(prefix):
        raise NotFoundError("中介从业人员不存在或您无权查看。")
    return found


def problem_filings(*, user: AnyUser, since: dt.date) -> list[dict[str, Any]]:
    """The problem-filing report: filings not passed first time since `since`, by agent."""
    rows: dict[int, dict[str, Any]] = {}
    for item in agency_list_for_user(user=user):
        for agent in item["agents"]:
            for f in agent.filings.filter(created_at__date__gte=since).exclude(outcome="clean"):
                entry = rows.setdefault(
                    agent.pk, {"agent": agent, "agency": item["agency"], "filings": []}
                )
                entry["filings"].append(f)
    return sorted(rows.values(), key=lambda r: -len(r["filings"]))


# --- risk warnings --------------------------------------------------------------------------


def warning_queryset_for_user(*, user: AnyUser) -> QuerySet[RiskWarning]:
    actor = ent.require_capability(user=user, capability="risk.handle", object_type="risk_warning")
    prefix = user_scope_prefix(actor)
    if prefix is None:
        return RiskWarning.objects.none()
    qs = RiskWarning.objects.filter(region_code__startswith=prefix).select_related("enterprise")
    if actor.role != Role.OPERATIONS:
        # Routed to a department: its members handle it.
        keys = [c.rsplit("-", 1)[-1] for c in actor.departments.values_list("code", flat=True)]
        qs = qs.filter(department_key__in=keys)
    return qs.order_by("status", "-created_at")


def warning_get_for_user(*, user: AnyUser, warning_id: int) -> RiskWarning:
    found = warning_queryset_for_user(user=user).filter(pk=warning_id).first()
    if found is None:
        raise NotFoundError("预警不存在或您无权查看。")
    return found


def open_warning_count(*, user: User) -> int:
    if not role_can(user.role, "risk.handle"):
        return 0
    return warning_queryset_for_user(user=user).exclude(status=WarningStatus.CLOSED).count()
