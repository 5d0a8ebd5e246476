"""Reads of 惠企政策. One fetch-and-authorise function per entity (`policy_get_for_user`,
`match_get_for_user`, `application_get_for_user`, `objection_get_for_user`); refusals are audited
(404 out of scope, 403 without the capability), like enterprises.selectors.

Enterprise data is read through the registry's public selectors: the enterprise queryset
(`enterprise_queryset_for_user`, or the registry-wide one for system sweeps) and its relations
(tags, licences, penalties), never the registry's tables by name.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.accounts.permissions import is_staff_role, role_can
from zqt.audit.models import AuditOutcome
from zqt.audit.services import audit_record
from zqt.core.errors import NotFoundError
from zqt.core.timeutil import local_today
from zqt.enterprises.models import Enterprise
from zqt.enterprises.selectors import (
    enterprise_for_member,
    enterprise_get_for_user,
    require_capability,
)
from zqt.policies import benefit as bn
from zqt.policies import catalog as cat
from zqt.policies import engine
from zqt.policies import enums as en
from zqt.policies.models import (
    Application,
    EnterpriseFact,
    LedgerEntry,
    Match,
    Objection,
    Payout,
    Policy,
    RuleVersion,
)
from zqt.policies.rules import Evaluation, Facts, Rule, evaluate, parse_rule, typed_fact

_NOT_FOUND = "政策不存在或您无权查看。"


def _deny(*, user: Any, capability: str, object_type: str, object_id: str, reason: str) -> None:
    audit_record(
        actor=user,
        action=capability,
        object_type=object_type,
        object_id=object_id[:64],
        outcome=AuditOutcome.DENIED,
        changes={"reason": reason},
    )


def _scope_prefix(user: User) -> str | None:
    return user.org_unit.scope_prefix if user.org_unit_id else None  # type: ignore[union-attr]


def policy_queryset_for_user(*, user: Any, capability: str = "policy.view") -> QuerySet[Policy]:
    """Policies a staff user may see: those whose area overlaps the user's (a county sees the
    provincial and city policies that apply to it and its own; a city sees its counties')."""
    actor = require_capability(user=user, capability=capability, object_type="policy")
    prefix = _scope_prefix(actor)
    if prefix is None or not (is_staff_role(actor.role) or actor.role == Role.API_CLIENT):
        return Policy.objects.none()
    ancestors = [prefix[:n] for n in range(0, len(prefix) + 1)]
    return Policy.objects.filter(
        Q(region_prefix__startswith=prefix) | Q(region_prefix__in=ancestors)
    ).select_related("department", "org_unit")


def policy_get_for_user(*, user: Any, policy_id: int, capability: str = "policy.view") -> Policy:
    """THE fetch-and-authorise function for a policy (staff and API clients). Managing it
    (policy.manage, rule approval, runs, payouts) needs the policy's own org unit within the
    user's scope; viewing needs the policy's area to overlap the user's."""
    actor = require_capability(
        user=user, capability=capability, object_type="policy", object_id=str(policy_id)
    )
    policy = policy_queryset_for_user(user=actor).filter(pk=policy_id).first()
    prefix = _scope_prefix(actor) or "\x00"
    if policy is not None and capability != "policy.view":
        if not policy.org_unit.code.startswith(prefix) and not prefix.startswith(
            policy.org_unit.scope_prefix
        ):
            policy = None
    if policy is None:
        _deny(
            user=actor,
            capability=capability,
            object_type="policy",
            object_id=str(policy_id),
            reason="not_found_or_out_of_scope",
        )
        raise NotFoundError(_NOT_FOUND)
    return policy


def policy_search(
    *, user: Any, query: str = "", mode: str = "", status: str = "", limit: int = 200
) -> list[Policy]:
    """Chinese full-text search (jieba tokens of title, document number, issuer, full text)
    with filters; every token of the query must occur."""
    qs = policy_queryset_for_user(user=user)
    if mode:
        qs = qs.filter(mode=mode)
    if status:
        qs = qs.filter(status=status)
    for token in search_tokens(query):
        qs = qs.filter(search_text__icontains=token)
    return list(qs.order_by("-effective_from", "code")[:limit])


def search_tokens(text: str) -> list[str]:
    import jieba

    tokens = {t.strip().lower() for t in jieba.cut_for_search(text or "") if t.strip()}
    return sorted(t for t in tokens if len(t) > 1 or not t.isascii())


def rule_current(*, policy: Policy) -> RuleVersion | None:
    return (
        RuleVersion.objects.filter(policy=policy, status=en.RuleStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )


def effective_rule(*, policy: Policy, version: RuleVersion) -> Rule:
    """The published rule with the policy's scope added: the enterprise lies in the policy's
    area and is trading (存续/在业). Scope conditions are ordinary atoms, so they are shared
    between policies and explained like the others."""
    doc = version.document
    scope: list[dict[str, Any]] = [
        {"op": "in", "field": "status", "values": ["existing", "operating"], "ref": "适用对象"},
    ]
    if policy.region_prefix:
        scope.append(
            {
                "op": "prefix",
                "field": "region_code",
                "prefixes": [policy.region_prefix],
                "ref": "适用范围",
            }
        )
    return parse_rule(
        {
            "params": doc.get("params", {}),
            "condition": {"op": "all", "items": [*scope, doc["condition"]]},
        }
    )


def active_policies(*, today: dt.date, ids: Iterable[int] | None = None) -> list[Policy]:
    qs = Policy.objects.filter(
        status=en.PolicyStatus.ACTIVE, effective_from__lte=today, effective_until__gte=today
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return list(qs.select_related("department", "org_unit").order_by("pk"))


def active_rules(
    *, today: dt.date, ids: Iterable[int] | None = None
) -> list[tuple[Policy, RuleVersion, Rule]]:
    out = []
    for policy in active_policies(today=today, ids=ids):
        version = rule_current(policy=policy)
        if version is not None:
            out.append((policy, version, effective_rule(policy=policy, version=version)))
    return out


# --- facts about enterprises (the snapshot) ---------------------------------------------------


def _registry() -> QuerySet[Enterprise]:
    """Every enterprise, for system sweeps (no user), through the registry's public selector."""
    from zqt.enterprises.selectors import enterprise_queryset_all

    return enterprise_queryset_all()


_BASE = (
    "id",
    "registered_capital",
    "revenue",
    "rd_spend",
    "employees",
    "founded_on",
    "region_code",
    "industry_code",
    "entity_type",
    "status",
    "scale",
    "lifecycle_stage",
    "updated_at",
)
_DATED_REGISTRY = ("revenue", "rd_spend", "employees")


def facts_for_enterprises(
    ids: Iterable[int], *, today: dt.date | None = None, base: QuerySet[Enterprise] | None = None
) -> dict[int, Facts]:
    """Facts of the given enterprises, from the registry (through the enterprise queryset and
    its relations) and the department-supplied EnterpriseFact rows. A constant number of
    queries, whatever the number of ids."""
    today = today or local_today()
    ids = list(ids)
    qs = (base if base is not None else _registry()).filter(pk__in=ids)
    out: dict[int, Facts] = {}
    tz = timezone.get_default_timezone()
    for row in qs.values_list(*_BASE):
        values = dict(zip(_BASE, row, strict=True))
        f = Facts()
        as_of = timezone.localtime(values.pop("updated_at"), tz).date()
        pk = values.pop("id")
        f.values.update(values)
        for name in _DATED_REGISTRY:
            f.as_of[name] = as_of
        f.values["tags"] = frozenset()
        f.values["licences"] = frozenset()
        f.values["penalties"] = ()
        out[pk] = f
    found = list(out)
    if not found:
        return out
    rel = (base if base is not None else _registry()).filter(pk__in=found)
    tags: dict[int, set[str]] = {}
    for pk, code in rel.filter(tags__isnull=False).values_list("id", "tags__code"):
        tags.setdefault(pk, set()).add(code)
    licences: dict[int, set[str]] = {}
    for pk, kind in (
        rel.filter(licences__status="active")
        .filter(Q(licences__expires_on__isnull=True) | Q(licences__expires_on__gte=today))
        .values_list("id", "licences__licence_type")
    ):
        licences.setdefault(pk, set()).add(kind)
    penalties: dict[int, list[dt.date]] = {}
    for pk, day in rel.filter(penalties__isnull=False).values_list("id", "penalties__decided_on"):
        penalties.setdefault(pk, []).append(day)
    for pk, f in out.items():
        f.values["tags"] = frozenset(tags.get(pk, ()))
        f.values["licences"] = frozenset(licences.get(pk, ()))
        f.values["penalties"] = tuple(sorted(penalties.get(pk, ())))
    for fact in EnterpriseFact.objects.filter(enterprise_id__in=found):
        spec = cat.FIELDS.get(fact.field)
        if spec is None:
            continue
        try:
            out[fact.enterprise_id].values[fact.field] = typed_fact(spec, fact.value)
        except (ValueError, TypeError, ArithmeticError):
            continue  # an unreadable value is as good as none: UNKNOWN
        out[fact.enterprise_id].as_of[fact.field] = fact.as_of
    return out


def snapshot_chunks(
    *, region_prefix: str = "", chunk_size: int = 20_000, today: dt.date | None = None
) -> Iterator[pl.DataFrame]:
    """The columnar snapshot of the registry in id order, `chunk_size` enterprises at a time."""
    last = 0
    qs = _registry().filter(region_code__startswith=region_prefix).order_by("pk")
    while True:
        ids = list(qs.filter(pk__gt=last).values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return
        last = ids[-1]
        facts = facts_for_enterprises(ids, today=today)
        yield engine.frame_from_facts(sorted(facts.items()))


# --- matches ----------------------------------------------------------------------------------


@dataclass
class MatchView:
    match: Match
    policy: Policy
    evaluation: Evaluation
    amount: Decimal | None
    benefit_text: str
    payout: Payout | None
    application: Application | None


def expected_amount(*, policy: Policy, facts: Facts, today: dt.date) -> Decimal | None:
    base_value = None
    if policy.benefit_kind == en.BenefitKind.PERCENTAGE:
        base_value, _reason = facts.get(policy.benefit_base_field, today)
    return bn.benefit_amount(
        kind=policy.benefit_kind,
        fixed=policy.benefit_amount,
        rate_bp=policy.benefit_rate_bp,
        base_field=policy.benefit_base_field,
        base_value=base_value,
        cap=policy.benefit_cap,
    )


def benefit_text(policy: Policy) -> str:
    return bn.describe(
        kind=policy.benefit_kind,
        fixed=policy.benefit_amount,
        rate_bp=policy.benefit_rate_bp,
        base_field=policy.benefit_base_field,
        cap=policy.benefit_cap,
    )


def explain(
    *, policy: Policy, enterprise_id: int, today: dt.date | None = None
) -> tuple[Evaluation, Decimal | None, RuleVersion | None, Facts]:
    """The live explanation of one enterprise against one policy (reference evaluator)."""
    today = today or local_today()
    facts = facts_for_enterprises([enterprise_id], today=today).get(enterprise_id, Facts())
    version = rule_current(policy=policy)
    if version is None:
        return Evaluation(None, [], today), None, None, facts
    rule = effective_rule(policy=policy, version=version)
    result = evaluate(rule, facts, today)
    return result, expected_amount(policy=policy, facts=facts, today=today), version, facts


def enterprise_for_policies(*, user: Any, uscc: str | None = None) -> Enterprise:
    """The enterprise whose policies the user looks at: an enterprise user's own, or the one an
    agent names (authorised by enterprise_get_for_user with policy.my_view)."""
    require_capability(user=user, capability="policy.my_view", object_type="policy")
    if user.role == Role.ENTERPRISE:
        enterprise = enterprise_for_member(user=user)
        if enterprise is None:
            raise NotFoundError("该账号未绑定企业。")
        return enterprise
    return enterprise_get_for_user(user=user, uscc=uscc or "", capability="policy.my_view")


def matches_for_enterprise(
    *, enterprise: Enterprise, today: dt.date | None = None
) -> list[MatchView]:
    """ "可享受的政策": the enterprise's matches (eligible or needing data) with live explanations
    and the amount it can expect. The caller authorised `enterprise`."""
    today = today or local_today()
    matches = list(
        Match.objects.filter(enterprise=enterprise)
        .exclude(
            verdict=en.Verdict.INELIGIBLE, status__in=[en.MatchStatus.NEW, en.MatchStatus.NOTIFIED]
        )
        .select_related("policy")
        .order_by("-matched_on", "pk")
    )
    facts = facts_for_enterprises([enterprise.pk], today=today).get(enterprise.pk, Facts())
    payouts = {p.policy_id: p for p in Payout.objects.filter(enterprise=enterprise)}
    applications = {a.policy_id: a for a in Application.objects.filter(enterprise=enterprise)}
    out = []
    for m in matches:
        version = rule_current(policy=m.policy)
        if version is None:
            continue
        result = evaluate(effective_rule(policy=m.policy, version=version), facts, today)
        out.append(
            MatchView(
                match=m,
                policy=m.policy,
                evaluation=result,
                amount=expected_amount(policy=m.policy, facts=facts, today=today),
                benefit_text=benefit_text(m.policy),
                payout=payouts.get(m.policy_id),
                application=applications.get(m.policy_id),
            )
        )
    return out


def match_get_for_user(*, user: Any, policy_id: int, uscc: str | None = None) -> MatchView:
    """Fetch-and-authorise one (policy, enterprise) match of the user's enterprise."""
    enterprise = enterprise_for_policies(user=user, uscc=uscc)
    for view in matches_for_enterprise(enterprise=enterprise):
        if view.policy.pk == policy_id:
            return view
    _deny(
        user=user,
        capability="policy.my_view",
        object_type="policy_match",
        object_id=f"{policy_id}:{enterprise.uscc}",
        reason="not_matched",
    )
    raise NotFoundError("该政策与贵企业没有匹配记录。")


def space_section(*, user: Any, enterprise: Any) -> Any:
    """Enterprise-space card "可享受的政策" (settings.ZQT_SPACE_SECTIONS)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from zqt.enterprises.space import SpaceRow, SpaceSection

    if not role_can(getattr(user, "role", ""), "policy.my_view"):
        return None
    matches = (
        Match.objects.filter(enterprise=enterprise)
        .exclude(verdict=en.Verdict.INELIGIBLE)
        .select_related("policy")
        .order_by("-matched_on", "pk")[:5]
    )
    rows = [
        SpaceRow(
            title=m.policy.title,
            meta=(
                f"{m.policy.mode_label} · 预计 {m.expected_amount:,.2f} 元"
                if m.expected_amount is not None
                else m.policy.mode_label
            ),
            url=reverse("policies:match", args=[m.policy_id]),
            badge=m.verdict_label if m.verdict != en.Verdict.ELIGIBLE else m.status_label,
        )
        for m in matches
    ]
    return SpaceSection(
        key="policies",
        title=gettext_lazy("可享受的政策"),
        rows=rows,
        link_url=reverse("policies:mine"),
        link_label=gettext_lazy("查看全部政策"),
        empty_text=gettext_lazy("暂无匹配的政策。"),
    )


# --- applications, objections ------------------------------------------------------------------


def application_queue_for_user(*, user: Any) -> QuerySet[Application]:
    """Applications a department reviewer decides: those of policies whose department is one of
    the reviewer's."""
    actor = require_capability(user=user, capability="policy.review", object_type="application")
    return (
        Application.objects.filter(policy__department__in=actor.departments.all())
        .select_related("policy", "enterprise")
        .order_by("status", "-created_at")
    )


def application_get_for_user(
    *, user: Any, application_id: int, capability: str = "policy.review"
) -> Application:
    actor = require_capability(
        user=user, capability=capability, object_type="application", object_id=str(application_id)
    )
    app = application_queue_for_user(user=actor).filter(pk=application_id).first()
    if app is None:
        _deny(
            user=actor,
            capability=capability,
            object_type="application",
            object_id=str(application_id),
            reason="not_found_or_out_of_scope",
        )
        raise NotFoundError("申报不存在或您无权查看。")
    return app


def objection_queue_for_user(*, user: Any) -> QuerySet[Objection]:
    actor = require_capability(
        user=user, capability="policy.objection_handle", object_type="objection"
    )
    return (
        Objection.objects.filter(department__in=actor.departments.all())
        .select_related("policy", "enterprise", "department")
        .order_by("status", "due_on")
    )


def objection_get_for_user(*, user: Any, objection_id: int) -> Objection:
    actor = require_capability(
        user=user,
        capability="policy.objection_handle",
        object_type="objection",
        object_id=str(objection_id),
    )
    obj = objection_queue_for_user(user=actor).filter(pk=objection_id).first()
    if obj is None:
        _deny(
            user=actor,
            capability="policy.objection_handle",
            object_type="objection",
            object_id=str(objection_id),
            reason="not_found_or_out_of_scope",
        )
        raise NotFoundError("异议不存在或您无权查看。")
    return obj


# --- evaluation and near misses ----------------------------------------------------------------


def committed_amount(*, policy: Policy) -> Decimal:
    total = (
        Payout.objects.filter(policy=policy)
        .exclude(status=en.PayoutStatus.CANCELLED)
        .aggregate(s=Sum("amount"))["s"]
    )
    return total or Decimal(0)


def ledger_for_policy(*, policy: Policy) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(policy=policy).select_related("payout"))


def policy_evaluation_rows(*, user: Any) -> list[dict[str, Any]]:
    """Per policy: matched, notified, applied, approved, paid, amount paid, application/match
    ratio, fulfilment ratio (paid / matched), median days from match to money."""
    require_capability(user=user, capability="policy.evaluate", object_type="policy")
    policies = list(policy_queryset_for_user(user=user))
    ids = [p.pk for p in policies]
    counts: dict[int, dict[str, int]] = {}
    for row in (
        Match.objects.filter(policy_id__in=ids)
        .exclude(verdict=en.Verdict.INELIGIBLE)
        .values("policy_id", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["policy_id"], {})[row["status"]] = row["n"]
    notified = dict(
        Match.objects.filter(policy_id__in=ids, notified_at__isnull=False)
        .values_list("policy_id")
        .annotate(n=Count("id"))
    )
    applied = dict(
        Application.objects.filter(policy_id__in=ids)
        .values_list("policy_id")
        .annotate(n=Count("id"))
    )
    approved = dict(
        Application.objects.filter(policy_id__in=ids, status=en.ApplicationStatus.APPROVED)
        .values_list("policy_id")
        .annotate(n=Count("id"))
    )
    paid: dict[int, list[Payout]] = {}
    for p in Payout.objects.filter(policy_id__in=ids, status=en.PayoutStatus.PAID):
        paid.setdefault(p.policy_id, []).append(p)
    matched_on = {
        (m.policy_id, m.enterprise_id): m.matched_on
        for m in Match.objects.filter(policy_id__in=ids, status=en.MatchStatus.PAID).only(
            "policy_id", "enterprise_id", "matched_on"
        )
    }
    rows = []
    for policy in policies:
        c = counts.get(policy.pk, {})
        matched = sum(c.values())
        paid_rows = paid.get(policy.pk, [])
        days = [
            (timezone.localtime(p.paid_at).date() - matched_on[(p.policy_id, p.enterprise_id)]).days
            for p in paid_rows
            if p.paid_at and (p.policy_id, p.enterprise_id) in matched_on
        ]
        n_applied = applied.get(policy.pk, 0)
        rows.append(
            {
                "policy": policy,
                "department": policy.department.name,
                "matched": matched,
                "notified": notified.get(policy.pk, 0),
                "applied": n_applied,
                "approved": approved.get(policy.pk, 0),
                "paid": len(paid_rows),
                "amount": sum((p.amount for p in paid_rows), Decimal(0)),
                "application_ratio": _ratio(n_applied, matched),
                "fulfilment_ratio": _ratio(len(paid_rows), matched),
                "median_days": statistics.median(days) if days else None,
            }
        )
    return rows


def _ratio(a: int, b: int) -> str:
    return f"{Decimal(a * 100) / b:.1f}%" if b else "—"


def department_evaluation_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by: dict[str, dict[str, Any]] = {}
    for r in rows:
        d = by.setdefault(
            r["department"],
            {"department": r["department"], "policies": 0, "matched": 0, "notified": 0,
             "applied": 0, "approved": 0, "paid": 0, "amount": Decimal(0)},
        )  # fmt: skip
        d["policies"] += 1
        for k in ("matched", "notified", "applied", "approved", "paid", "amount"):
            d[k] += r[k]
    for d in by.values():
        d["application_ratio"] = _ratio(d["applied"], d["matched"])
        d["fulfilment_ratio"] = _ratio(d["paid"], d["matched"])
    return sorted(by.values(), key=lambda d: d["department"])


def near_miss_report(*, policy: Policy, limit_chunks: int | None = None) -> list[dict[str, Any]]:
    """Enterprises failing exactly one condition of the policy, counted by condition, with a
    few examples each (vectorised over the registry snapshot)."""
    today = local_today()
    version = rule_current(policy=policy)
    if version is None:
        return []
    rule = effective_rule(policy=policy, version=version)
    plan = engine.compile_plan({"p": rule}, today)
    by_path: dict[str, list[int]] = {}
    for n, frame in enumerate(snapshot_chunks(region_prefix=policy.region_prefix, today=today)):
        if limit_chunks is not None and n >= limit_chunks:
            break
        misses = engine.near_misses(plan, "p", frame)
        for path, ids in misses.group_by("path").agg(pl.col(engine.ID)).iter_rows():
            by_path.setdefault(path, []).extend(ids)
    atoms = {a.path: a for a in rule.atoms()}
    examples = dict(
        _registry()
        .filter(pk__in=[i for ids in by_path.values() for i in ids[:5]])
        .values_list("pk", "name")
    )
    from zqt.policies.rules import atom_label

    out = []
    for path, ids in sorted(by_path.items(), key=lambda kv: -len(kv[1])):
        atom = atoms.get(path)
        out.append(
            {
                "path": path,
                "label": atom_label(atom) if atom else path,
                "ref": atom.ref if atom else "",
                "count": len(ids),
                "examples": [examples[i] for i in ids[:5] if i in examples],
            }
        )
    return out


def fact_list_for_enterprise(*, enterprise: Enterprise) -> list[EnterpriseFact]:
    return list(EnterpriseFact.objects.filter(enterprise=enterprise).order_by("field"))
