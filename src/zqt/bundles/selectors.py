"""Reads of bundles and bundle cases. ONE fetch-and-authorise function per entity:
`case_get_for_user`, `task_get_for_user`, `verification_get_for_user`. Refusals are audited and
raise 404 (out of scope, no existence leak) or 403 (role lacks the capability)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet

from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.accounts.permissions import role_can
from zqt.audit.models import AuditOutcome
from zqt.audit.services import audit_record
from zqt.bundles import status as st
from zqt.bundles.models import (
    Bundle,
    BundleDefinition,
    Case,
    CaseTask,
    CommitmentVerification,
    FalseCommitmentRecord,
)
from zqt.core.errors import NotFoundError, PermissionDeniedError
from zqt.core.timeutil import local_today
from zqt.enterprises.selectors import (
    enterprise_for_member,
    enterprise_queryset_for_user,
    require_capability,
)

_CASE_NOT_FOUND = "办件不存在或您无权查看。"


# --- bundles ---------------------------------------------------------------------------------


def bundle_list(*, query: str = "", topic: str = "") -> list[Bundle]:
    qs = Bundle.objects.all()
    if topic:
        qs = qs.filter(topic=topic)
    query = (query or "").strip()[:50]
    if query:
        words = [query]
        if len(query) > 2:
            import jieba

            words += [w for w in jieba.cut_for_search(query) if len(w) >= 2]
        cond = Q()
        for w in dict.fromkeys(words):
            cond |= (
                Q(name__icontains=w) | Q(responsible_units__icontains=w) | Q(summary__icontains=w)
            )
        qs = qs.filter(cond)
        rows = list(qs.order_by("topic_no", "code"))
        # basic/value-added items are JSON: match them in Python (24-ish rows)
        extra = [
            b
            for b in Bundle.objects.exclude(pk__in=[r.pk for r in rows])
            if any(query in text for text in _bundle_texts(b))
        ]
        return sorted(rows + extra, key=lambda b: (b.topic_no, b.code))
    return list(qs.order_by("topic_no", "code"))


def _bundle_texts(bundle: Bundle) -> list[str]:
    return [*bundle.basic_items, *(v["text"] for v in bundle.value_added_items)]


def bundle_get(*, code: str) -> Bundle:
    bundle = Bundle.objects.filter(code=code).first()
    if bundle is None:
        raise NotFoundError("一类事不存在。")
    return bundle


def bundle_with_definition(*, code: str) -> tuple[Bundle, BundleDefinition | None]:
    """A bundle and its current definition version. The current version number is read every
    time (an edit takes effect at once); the version rows themselves never change after they
    are written, so their decoded documents are kept per process."""
    row = (
        BundleDefinition.objects.filter(bundle__code=code)
        .order_by("-version")
        .values_list("pk", "created_at")
        .first()
    )
    if row is None:
        return bundle_get(code=code), None
    definition = _definition_by_key(*row)
    return definition.bundle, definition


@lru_cache(maxsize=512)
def _definition_by_key(pk: int, created_at: Any) -> BundleDefinition:
    # Keyed by (pk, created_at): a recreated row (another database, a test) never hits.
    return BundleDefinition.objects.select_related("bundle").get(pk=pk, created_at=created_at)


def definition_current(*, bundle: Bundle) -> BundleDefinition | None:
    return BundleDefinition.objects.filter(bundle=bundle).order_by("-version").first()


def definition_history(*, bundle: Bundle) -> QuerySet[BundleDefinition]:
    return BundleDefinition.objects.filter(bundle=bundle).select_related("created_by")


def configured_codes() -> set[str]:
    return set(BundleDefinition.objects.values_list("bundle__code", flat=True))


# --- who may see a case ----------------------------------------------------------------------


def user_department_codes(user: User) -> set[str]:
    return set(user.departments.values_list("code", flat=True))


def _scope_prefix(user: User) -> str | None:
    return user.org_unit.scope_prefix if user.org_unit_id else None  # type: ignore[union-attr]


def _may_see_case(user: User, case: Case) -> bool:
    role = user.role
    if role == Role.ENTERPRISE:
        own = enterprise_for_member(user=user)
        return own is not None and own.pk == case.enterprise_id
    if role == Role.AGENT:
        return enterprise_queryset_for_user(user=user).filter(pk=case.enterprise_id).exists()
    if role == Role.DEPARTMENT_REVIEWER:
        codes = user_department_codes(user)
        return (
            case.tasks.filter(department_code__in=codes).exists()
            or case.verifications.filter(department_code__in=codes).exists()
        )
    prefix = _scope_prefix(user)
    return prefix is not None and case.org_unit.code.startswith(prefix)


def _deny(
    *, user: Any, action: str, object_type: str, object_id: str, reason: str, ip_address: str | None
) -> None:
    audit_record(
        actor=user,
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        outcome=AuditOutcome.DENIED,
        changes={"reason": reason},
        ip_address=ip_address,
    )


def case_get_for_user(
    *,
    user: Any,
    number: str,
    capability: str = "bundle.case_view",
    ip_address: str | None = None,
) -> Case:
    """THE fetch-and-authorise function for a case. Enterprise users: their own enterprise's
    cases; agents: enterprises that authorised them; department reviewers: cases with a task or
    verification of one of their departments; other staff and API clients: cases accepted
    within their org unit."""
    actor = require_capability(
        user=user,
        capability=capability,
        object_type="bundle_case",
        object_id=number,
        ip_address=ip_address,
    )
    case = (
        Case.objects.select_related("bundle", "definition", "org_unit", "enterprise", "applicant")
        .filter(number=(number or "").strip()[:32])
        .first()
    )
    if case is None or not _may_see_case(actor, case):
        _deny(
            user=actor,
            action=capability,
            object_type="bundle_case",
            object_id=number or "",
            reason="not_found" if case is None else "out_of_scope",
            ip_address=ip_address,
        )
        raise NotFoundError(_CASE_NOT_FOUND)
    return case


def task_get_for_user(
    *, user: Any, task_id: int, capability: str = "bundle.review", ip_address: str | None = None
) -> CaseTask:
    """A department task, for a reviewer of that department."""
    actor = require_capability(
        user=user,
        capability=capability,
        object_type="bundle_task",
        object_id=str(task_id),
        ip_address=ip_address,
    )
    task = CaseTask.objects.select_related("case").filter(pk=task_id).first()
    if task is None or task.department_code not in user_department_codes(actor):
        _deny(
            user=actor,
            action=capability,
            object_type="bundle_task",
            object_id=str(task_id),
            reason="not_found" if task is None else "other_department",
            ip_address=ip_address,
        )
        raise NotFoundError("任务不存在或不属于您的部门。")
    return task


def verification_get_for_user(
    *, user: Any, verification_id: int, ip_address: str | None = None
) -> CommitmentVerification:
    actor = require_capability(
        user=user,
        capability="bundle.review",
        object_type="bundle_commitment",
        object_id=str(verification_id),
        ip_address=ip_address,
    )
    row = CommitmentVerification.objects.select_related("case").filter(pk=verification_id).first()
    if row is None or row.department_code not in user_department_codes(actor):
        _deny(
            user=actor,
            action="bundle.review",
            object_type="bundle_commitment",
            object_id=str(verification_id),
            reason="other_department",
            ip_address=ip_address,
        )
        raise NotFoundError("核查任务不存在或不属于您的部门。")
    return row


# --- lists -----------------------------------------------------------------------------------


def case_queryset_for_user(*, user: Any) -> QuerySet[Case]:
    actor = require_capability(user=user, capability="bundle.case_view", object_type="bundle_case")
    qs = Case.objects.select_related("bundle", "enterprise", "org_unit")
    role = actor.role
    if role in (Role.ENTERPRISE, Role.AGENT):
        # Agents: only enterprises whose authorisation delegates bundle.case_view.
        ids = enterprise_queryset_for_user(user=actor, capability="bundle.case_view").values("pk")
        return qs.filter(enterprise_id__in=ids)
    if role == Role.DEPARTMENT_REVIEWER:
        codes = user_department_codes(actor)
        return qs.filter(
            Q(tasks__department_code__in=codes) | Q(verifications__department_code__in=codes)
        ).distinct()
    prefix = _scope_prefix(actor)
    if prefix is None:
        return qs.none()
    return qs.filter(org_unit__code__startswith=prefix)


def reviewer_tasks(*, user: Any, open_only: bool = True) -> QuerySet[CaseTask]:
    actor = require_capability(user=user, capability="bundle.review", object_type="bundle_task")
    qs = CaseTask.objects.select_related("case", "case__enterprise", "case__bundle").filter(
        department_code__in=user_department_codes(actor)
    )
    if open_only:
        qs = qs.exclude(status__in=st.FINAL)
    return qs.order_by("due_on", "id")


def reviewer_verifications(*, user: Any) -> QuerySet[CommitmentVerification]:
    actor = require_capability(user=user, capability="bundle.review", object_type="bundle_task")
    return (
        CommitmentVerification.objects.select_related("case", "case__enterprise")
        .filter(department_code__in=user_department_codes(actor), status="pending")
        .order_by("due_on")
    )


def overdue_tasks(*, user: Any, today: dt.date | None = None) -> QuerySet[CaseTask]:
    """Open tasks past their working-day deadline: the case owner sees its own, the chief
    commissioner (and operations) every case in their org unit."""
    today = today or local_today()
    actor = require_capability(user=user, capability="bundle.case_view", object_type="bundle_case")
    qs = (
        CaseTask.objects.select_related("case", "case__enterprise", "case__bundle")
        .filter(due_on__lt=today)
        .exclude(status__in=st.FINAL)
    )
    if actor.role in (Role.ENTERPRISE, Role.AGENT):
        # Agents: only enterprises whose authorisation delegates bundle.case_view.
        ids = enterprise_queryset_for_user(user=actor, capability="bundle.case_view").values("pk")
        return qs.filter(case__enterprise_id__in=ids).order_by("due_on")
    if not role_can(actor.role, "bundle.overdue_view"):
        raise PermissionDeniedError("仅首席服务专员和营商办可查看全部超期事项。")
    prefix = _scope_prefix(actor)
    if prefix is None:
        return qs.none()
    return qs.filter(case__org_unit__code__startswith=prefix).order_by("due_on")


# --- the aggregated status page --------------------------------------------------------------


@dataclass
class TaskRow:
    task: CaseTask
    overdue: bool
    may_decide: bool


@dataclass
class CaseView:
    case: Case
    status_label: str
    done: int
    total: int
    tasks: list[TaskRow]
    events: list[Any]
    materials: list[Any]
    verifications: list[Any]
    results: list[CaseTask]
    overdue_count: int
    form_labels: dict[str, str] = field(default_factory=dict)
    can_answer: bool = False
    can_resume: bool = False
    credit_records: list[Any] = field(default_factory=list)


def case_view(*, case: Case, user: Any, today: dt.date | None = None) -> CaseView:
    """Everything the status page shows; the caller authorised `case` (case_get_for_user)."""
    today = today or local_today()
    tasks = list(case.tasks.all())
    codes = (
        user_department_codes(user)
        if getattr(user, "role", "") == Role.DEPARTMENT_REVIEWER
        else set()
    )
    rows = [
        TaskRow(
            task=t,
            overdue=t.status not in st.FINAL and t.due_on < today,
            may_decide=t.department_code in codes and t.status not in st.FINAL,
        )
        for t in tasks
    ]
    done, total = st.progress(t.status for t in tasks)
    role = getattr(user, "role", "")
    applicant_side = role in (Role.ENTERPRISE, Role.AGENT, Role.FRONT_DESK)
    labels = {f["key"]: f["label"] for f in case.definition.document.get("fields", [])}
    verifications = list(case.verifications.all())
    return CaseView(
        case=case,
        status_label=case.status_label,
        done=done,
        total=total,
        tasks=rows,
        events=list(case.events.select_related("task").all()),
        materials=list(case.materials.all()),
        verifications=verifications,
        results=[t for t in tasks if t.status == st.APPROVED],
        overdue_count=sum(1 for r in rows if r.overdue),
        form_labels=labels,
        can_answer=applicant_side and case.status == st.CASE_SUPPLEMENT,
        can_resume=applicant_side
        and case.effect == "suspend"
        and case.effect_applied_at is not None
        and case.resumed_at is None,
        credit_records=list(
            FalseCommitmentRecord.objects.filter(verification__case=case).order_by("id")
        ),
    )


def results_for_enterprise(*, user: Any) -> list[CaseTask]:
    """E-certificates and decisions of the user's enterprise's cases (for the enterprise space)."""
    cases = case_queryset_for_user(user=user)
    return list(
        CaseTask.objects.filter(case__in=cases.values("pk"), status=st.APPROVED)
        .select_related("case", "case__bundle")
        .order_by("-decided_at")[:50]
    )


def space_section(*, user: Any, enterprise: Any) -> Any:
    """The enterprise space card "办理结果": the latest results of this enterprise's bundle cases
    (registered in settings.ZQT_SPACE_SECTIONS)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from zqt.enterprises.space import SpaceRow, SpaceSection

    if not role_can(user.role, "bundle.case_view"):
        return None
    cases = case_queryset_for_user(user=user).filter(enterprise=enterprise)
    tasks = (
        CaseTask.objects.filter(case__in=cases.values("pk"), status=st.APPROVED)
        .select_related("case")
        .order_by("-decided_at", "-id")[:5]
    )
    rows = [
        SpaceRow(
            title=t.result_title,
            meta=f"{t.department_name} · {t.result_number}",
            url=reverse("bundles:case", args=[t.case.number]),
        )
        for t in tasks
    ]
    return SpaceSection(
        key="bundle-results",
        title=gettext_lazy("办理结果"),
        rows=rows,
        link_url=reverse("bundles:case_list"),
        link_label=gettext_lazy("查看我的办件"),
        empty_text=gettext_lazy("暂无办理结果。"),
    )


# --- 为你推荐 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationRow:
    kind: str
    code: str
    name: str
    reason: str
    configured: bool


def recommendations_for_enterprise(*, enterprise: Any, user: Any) -> list[RecommendationRow]:
    """Bundles and catalog services for the enterprise's profile, each with its reason. The
    caller authorised `enterprise` (enterprise_get_for_user with recommendation.view)."""
    from zqt.bundles.recommend import recommend
    from zqt.catalog.selectors import catalog_browse
    from zqt.enterprises.selectors import enterprise_detail

    detail = enterprise_detail(enterprise=enterprise, user=user)
    profile = {
        **detail,
        "expiring_licences": [
            lic.licence_type for lic in detail["licences"] if str(lic.state) == "expiring"
        ],
        "has_bad_credit": any(r["kind"] in ("bad", "warning") for r in detail["credit_records"]),
    }
    found = recommend(profile)
    bundles = {b.code: b for b in Bundle.objects.filter(code__in=[r.code for r in found])}
    items = {i.code: i for i in catalog_browse()}
    configured = configured_codes()
    rows: list[RecommendationRow] = []
    for r in found:
        if r.kind == "bundle" and r.code in bundles:
            rows.append(
                RecommendationRow(
                    "bundle", r.code, bundles[r.code].name, r.reason, r.code in configured
                )
            )
        elif r.kind == "item" and r.code in items:
            rows.append(RecommendationRow("item", r.code, items[r.code].name, r.reason, False))
    return rows
