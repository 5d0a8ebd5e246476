"""Writes of 惠企政策: the policy library, rule versions published by a second person once their
example cases pass, department-supplied facts, matching (full sweep and incremental re-match),
push, applications and review, 即申即享 and 免申即享, payouts exactly once per (policy,
enterprise, period), the fund ledger with budget alerts, payment batches and objections.

Authorise first (refusals are audited and must survive), validate everything, then one atomic
write with an audit record; follow-up work is enqueued in the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from zqt.accounts.models import User
from zqt.accounts.selectors import org_unit_get
from zqt.audit.services import audit_record
from zqt.core.calendar import add_working_days
from zqt.core.errors import ConflictError, NotFoundError, ValidationFailed
from zqt.core.services import full_clean_or_raise
from zqt.core.timeutil import local_today
from zqt.enterprises.selectors import enterprise_member_users, require_capability
from zqt.policies import catalog as cat
from zqt.policies import engine, selectors
from zqt.policies import enums as en
from zqt.policies.models import (
    Application,
    EnterpriseFact,
    LedgerEntry,
    Match,
    Objection,
    PaymentBatch,
    Payout,
    Policy,
    RuleVersion,
)
from zqt.policies.rules import (
    CompiledRules,
    Evaluation,
    Facts,
    RuleError,
    compile_rules,
    evaluate,
    facts_from_json,
    parse_rule,
    verdict_name,
)

OBJECTION_WORKING_DAYS = 5
# Payouts are announced (公示) this many working days before they can be paid.
ANNOUNCEMENT_WORKING_DAYS = 5
SWEEP_CHUNK = 20_000
# Catalog source department → standard department key (accounts.reference).
SOURCE_DEPARTMENTS = {
    "市场监督管理局": "market_regulation",
    "税务局": "taxation",
    "科学技术局": "science_technology",
    "人力资源和社会保障局": "human_resources",
    "经济和信息化局": "economy_it",
    "发展和改革局": "development_reform",
    "发展和改革局（信用办）": "development_reform",
    "商务局": "commerce",
    "地方金融管理局": "finance_regulation",
    "各审批部门": "market_regulation",
    "各执法部门": "market_regulation",
}


def _number(prefix: str) -> str:
    return f"{prefix}{local_today():%Y%m%d}{secrets.token_hex(4).upper()}"


def _rule_error(exc: RuleError, field: str = "rules") -> ValidationFailed:
    errors = [{"field": field, "message": f"{e['path']}：{e['message']}"} for e in exc.errors]
    return ValidationFailed(errors[0]["message"], field=field, errors=errors)


# --- policy library ------------------------------------------------------------------------


_POLICY_FIELDS = [
    "title",
    "issuer",
    "document_number",
    "effective_from",
    "effective_until",
    "full_text",
    "summary",
    "region_prefix",
    "mode",
    "benefit_kind",
    "benefit_amount",
    "benefit_rate_bp",
    "benefit_base_field",
    "benefit_cap",
    "budget",
    "period",
]


def _decimal(data: Mapping[str, Any], key: str, errors: list[dict[str, str]]) -> Decimal | None:
    raw = data.get(key)
    if raw in (None, ""):
        return None
    if isinstance(raw, float):
        errors.append({"field": key, "message": '金额须为数字文本（如 "5000.00"）'})
        return None
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        errors.append({"field": key, "message": f"“{raw}”不是有效的金额"})
        return None
    if not value.is_finite() or value <= 0:
        errors.append({"field": key, "message": "金额必须大于 0"})
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.append({"field": key, "message": "金额最多两位小数"})
        return None
    return value


def _date(data: Mapping[str, Any], key: str, errors: list[dict[str, str]]) -> dt.date | None:
    raw = data.get(key)
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw or ""))
    except ValueError:
        errors.append({"field": key, "message": "日期格式须为 YYYY-MM-DD"})
        return None


def _clean_policy_data(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    out: dict[str, Any] = {}
    for key in ("title", "issuer", "document_number", "full_text"):
        value = str(data.get(key) or "").strip()
        if not value:
            errors.append({"field": key, "message": "此项必填"})
        out[key] = value
    out["summary"] = str(data.get("summary") or "").strip()[:300]
    out["effective_from"] = _date(data, "effective_from", errors)
    out["effective_until"] = _date(data, "effective_until", errors)
    if (
        out["effective_from"]
        and out["effective_until"]
        and out["effective_until"] < out["effective_from"]
    ):
        errors.append({"field": "effective_until", "message": "截止日期不能早于生效日期"})
    region = str(data.get("region_prefix") or "").strip()
    if not re.fullmatch(r"33\d{0,10}", region):
        errors.append(
            {"field": "region_prefix", "message": "适用区划须为浙江省区划代码前缀（33 开头）"}
        )
    out["region_prefix"] = region
    mode = data.get("mode")
    if mode not in en.Mode.values:
        errors.append({"field": "mode", "message": "请选择兑现方式"})
    out["mode"] = mode
    kind = data.get("benefit_kind")
    out["benefit_kind"] = kind
    out["benefit_amount"] = out["benefit_rate_bp"] = out["benefit_cap"] = None
    out["benefit_base_field"] = ""
    if kind == en.BenefitKind.FIXED:
        out["benefit_amount"] = _decimal(data, "benefit_amount", errors)
        if out["benefit_amount"] is None and not any(
            e["field"] == "benefit_amount" for e in errors
        ):
            errors.append({"field": "benefit_amount", "message": "定额奖补须填写金额"})
    elif kind == en.BenefitKind.PERCENTAGE:
        rate = str(data.get("benefit_rate") or "").strip().rstrip("%")
        try:
            pct = Decimal(rate)
            if not pct.is_finite() or pct <= 0 or pct > 100 or pct != pct.quantize(Decimal("0.01")):
                raise InvalidOperation
            out["benefit_rate_bp"] = int(pct * 100)
        except InvalidOperation:
            errors.append(
                {"field": "benefit_rate", "message": "比例须为 0 到 100 之间的百分数，最多两位小数"}
            )
        base = str(data.get("benefit_base_field") or "")
        spec = cat.FIELDS.get(base)
        if spec is None or spec.kind != cat.MONEY:
            errors.append(
                {"field": "benefit_base_field", "message": "比例奖补须选择一个金额字段作为基数"}
            )
        out["benefit_base_field"] = base
        out["benefit_cap"] = _decimal(data, "benefit_cap", errors)
    else:
        errors.append({"field": "benefit_kind", "message": "请选择奖补方式"})
    out["budget"] = _decimal(data, "budget", errors)
    if out["budget"] is None and not any(e["field"] == "budget" for e in errors):
        errors.append({"field": "budget", "message": "请填写资金预算"})
    period = str(data.get("period") or "").strip()
    if not re.fullmatch(r"[0-9A-Za-z\-]{4,16}", period):
        errors.append({"field": "period", "message": "兑现期次须为 4-16 位字母数字（如 2026）"})
    out["period"] = period
    if errors:
        raise ValidationFailed(errors[0]["message"], field=errors[0]["field"], errors=errors)
    return out


def _department(*, actor: User, code: str) -> Any:
    unit = actor.org_unit
    if unit is None:
        raise ValidationFailed("您的账号未设置所属单位。", field="department")
    dept = unit.departments.filter(code=code).first()
    if dept is None:
        raise ValidationFailed("请选择本单位的兑现审核部门。", field="department")
    return dept


def policy_create(*, actor: Any, data: Mapping[str, Any]) -> Policy:
    user = require_capability(user=actor, capability="policy.manage", object_type="policy")
    cleaned = _clean_policy_data(data)
    department = _department(actor=user, code=str(data.get("department") or ""))
    assert user.org_unit is not None
    if not cleaned["region_prefix"].startswith(user.org_unit.scope_prefix):
        raise ValidationFailed("适用区划须在您的管辖范围内。", field="region_prefix")
    with transaction.atomic():
        policy = Policy(
            code=_number("ZC"),
            department=department,
            org_unit=user.org_unit,
            created_by=user,
            **cleaned,
        )
        policy.search_text = _search_text(policy)
        full_clean_or_raise(policy)
        policy.save(force_insert=True)
        LedgerEntry.objects.create(
            policy=policy, kind=en.LedgerKind.BUDGET, amount=policy.budget, note="预算下达"
        )
        audit_record(
            actor=user,
            action="policy.create",
            object_type="policy",
            object_id=policy.code,
            changes={"title": policy.title, "mode": policy.mode, "budget": policy.budget},
        )
    return policy


def policy_update(*, actor: Any, policy_id: int, data: Mapping[str, Any]) -> Policy:
    policy = selectors.policy_get_for_user(
        user=actor, policy_id=policy_id, capability="policy.manage"
    )
    cleaned = _clean_policy_data(data)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        if cleaned["budget"] < selectors.committed_amount(policy=policy):
            raise ValidationFailed("预算不能低于已承诺兑现的金额。", field="budget")
        changes = {}
        old_budget = policy.budget
        for key in _POLICY_FIELDS:
            if getattr(policy, key) != cleaned[key]:
                changes[key] = [getattr(policy, key), cleaned[key]]
                setattr(policy, key, cleaned[key])
        if data.get("department"):
            policy.department = _department(actor=actor, code=str(data["department"]))
        policy.search_text = _search_text(policy)
        full_clean_or_raise(policy)
        policy.save()
        if policy.budget != old_budget:
            LedgerEntry.objects.create(
                policy=policy,
                kind=en.LedgerKind.BUDGET,
                amount=policy.budget - old_budget,
                note="预算调整",
            )
        audit_record(
            actor=actor,
            action="policy.update",
            object_type="policy",
            object_id=policy.code,
            changes=changes,
        )
    return policy


def _search_text(policy: Policy) -> str:
    text = " ".join(
        [policy.title, policy.document_number, policy.issuer, policy.summary, policy.full_text]
    )
    return " ".join(selectors.search_tokens(text)) + " " + policy.document_number.lower()


def policy_status_set(*, actor: Any, policy_id: int, status: str) -> Policy:
    policy = selectors.policy_get_for_user(
        user=actor, policy_id=policy_id, capability="policy.manage"
    )
    if status not in en.PolicyStatus.values:
        raise ValidationFailed("状态无效。", field="status")
    if status == en.PolicyStatus.ACTIVE and selectors.rule_current(policy=policy) is None:
        raise ValidationFailed("政策须先发布一个规则版本才能启用。", field="status")
    with transaction.atomic():
        old = policy.status
        Policy.objects.filter(pk=policy.pk).update(status=status, updated_at=timezone.now())
        audit_record(
            actor=actor,
            action="policy.status",
            object_type="policy",
            object_id=policy.code,
            changes={"status": [old, status]},
        )
        if status == en.PolicyStatus.ACTIVE:
            _enqueue_sweep(policy_ids=[policy.pk])
    policy.status = status
    return policy


# --- rule versions ---------------------------------------------------------------------------


def _check_examples(rule_doc: Mapping[str, Any], examples: Any, policy: Policy) -> list[str]:
    """Run the example cases with the reference evaluator AND the vectorised engine; return
    the failures (empty: all pass and both engines agree)."""
    if not isinstance(examples, list) or not examples:
        raise ValidationFailed("请至少编写一个样例（符合与不符合各一个为宜）。", field="examples")
    try:
        parse_rule(rule_doc)
    except RuleError as exc:
        raise _rule_error(exc) from None
    scoped_version = RuleVersion(document=dict(rule_doc))
    rule = selectors.effective_rule(policy=policy, version=scoped_version)
    failures: list[str] = []
    rows: list[tuple[int, Facts]] = []
    expected: list[tuple[str, str, dt.date]] = []
    for i, ex in enumerate(examples):
        if not isinstance(ex, dict) or not isinstance(ex.get("facts"), dict):
            raise ValidationFailed(f"样例 {i + 1} 须包含 facts 对象。", field="examples")
        want = ex.get("expected")
        if want not in ("eligible", "ineligible", "unknown"):
            raise ValidationFailed(
                f"样例 {i + 1} 的 expected 须为 eligible / ineligible / unknown。", field="examples"
            )
        try:
            on = dt.date.fromisoformat(str(ex.get("on") or local_today().isoformat()))
        except ValueError:
            raise ValidationFailed(f"样例 {i + 1} 的 on 日期无效。", field="examples") from None
        data = {"status": "operating", "region_code": policy.region_prefix.ljust(6, "0")[:6]}
        data.update(ex["facts"])
        try:
            facts = facts_from_json(data, today=on)
        except RuleError as exc:
            raise _rule_error(exc, "examples") from None
        got = verdict_name(evaluate(rule, facts, on).verdict)
        name = str(ex.get("name") or f"样例 {i + 1}")
        if got != want:
            failures.append(f"{name}：期望 {want}，实际 {got}")
        rows.append((i, facts))
        expected.append((name, got, on))
    # Differential check on publish: the vectorised engine must agree on every example.
    for (i, facts), (name, got, on) in zip(rows, expected, strict=True):
        plan = engine.compile_plan({"p": rule}, on)
        value = engine.verdict_frame(plan, engine.frame_from_facts([(i, facts)]))["p"][0]
        if verdict_name(value) != got:
            failures.append(f"{name}：向量引擎与参考判定不一致（{verdict_name(value)} / {got}）")
    return failures


def rule_version_submit(
    *,
    actor: Any,
    policy_id: int,
    document: Any,
    examples: Any,
    note: str = "",
) -> RuleVersion:
    """Draft a rule version (validated, example cases run); it waits for a second person."""
    policy = selectors.policy_get_for_user(
        user=actor, policy_id=policy_id, capability="policy.manage"
    )
    if isinstance(document, str):
        try:
            document = parse_rule(document).document
        except RuleError as exc:
            raise _rule_error(exc) from None
    if isinstance(examples, str):
        import json

        try:
            examples = json.loads(examples or "[]")
        except ValueError:
            raise ValidationFailed("样例不是有效的 JSON。", field="examples") from None
    try:
        rule = parse_rule(document)
    except RuleError as exc:
        raise _rule_error(exc) from None
    failures = _check_examples(document, examples, policy)
    if failures:
        raise ValidationFailed(
            "样例未通过：" + "；".join(failures),
            field="examples",
            errors=[{"field": "examples", "message": f} for f in failures],
        )
    with transaction.atomic():
        Policy.objects.select_for_update().filter(pk=policy.pk).first()
        last = policy.rule_versions.order_by("-version").values_list("version", flat=True).first()
        version = RuleVersion(
            policy=policy,
            version=(last or 0) + 1,
            document=document,
            examples=examples,
            fields_read=sorted(rule.fields_read()),
            note=note[:200],
            created_by=actor,
        )
        full_clean_or_raise(version)
        version.save(force_insert=True)
        audit_record(
            actor=actor,
            action="policy.rule_submit",
            object_type="policy",
            object_id=policy.code,
            changes={"version": version.version, "fields_read": version.fields_read},
        )
    return version


def rule_version_decide(
    *, actor: Any, version_id: int, approve: bool, note: str = ""
) -> RuleVersion:
    """Publish (or send back) a pending rule version. The approver must not be its author, and
    the example cases must still pass on both engines."""
    version = RuleVersion.objects.select_related("policy").filter(pk=version_id).first()
    if version is None:
        raise NotFoundError("规则版本不存在。")
    policy = selectors.policy_get_for_user(
        user=actor, policy_id=version.policy_id, capability="policy.rule_approve"
    )
    if version.status != en.RuleStatus.PENDING:
        raise ConflictError("该规则版本已处理。")
    if version.created_by_id == actor.pk:
        raise ValidationFailed("规则须由起草人以外的另一人审核发布（双人复核）。", field="approver")
    if approve:
        failures = _check_examples(version.document, version.examples, policy)
        if failures:
            raise ValidationFailed("样例未通过：" + "；".join(failures), field="examples")
    with transaction.atomic():
        locked = RuleVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != en.RuleStatus.PENDING:
            raise ConflictError("该规则版本已处理。")
        if approve:
            RuleVersion.objects.filter(policy=policy, status=en.RuleStatus.PUBLISHED).update(
                status=en.RuleStatus.SUPERSEDED
            )
            locked.status = en.RuleStatus.PUBLISHED
            locked.approved_by = actor
            locked.approved_at = timezone.now()
        else:
            locked.status = en.RuleStatus.REJECTED
            locked.note = (note or locked.note)[:200]
        locked.save()
        audit_record(
            actor=actor,
            action="policy.rule_publish" if approve else "policy.rule_reject",
            object_type="policy",
            object_id=policy.code,
            changes={"version": locked.version, "note": note},
        )
        if approve and policy.status == en.PolicyStatus.ACTIVE:
            _enqueue_sweep(policy_ids=[policy.pk])
    return locked


# --- facts ------------------------------------------------------------------------------------


def fact_record(
    *,
    actor: Any,
    uscc: str,
    field: str,
    value: Any,
    as_of: dt.date | str,
    source: str = "",
) -> EnterpriseFact:
    """Record a department-supplied figure (catalog origin "fact") and re-match the enterprise
    against the policies that read it."""
    from zqt.enterprises.selectors import enterprise_get_for_user

    enterprise = enterprise_get_for_user(user=actor, uscc=uscc, capability="policy.fact_record")
    spec = cat.FIELDS.get(field)
    if spec is None or spec.origin != "fact":
        raise ValidationFailed(f"“{field}”不是由部门提供的数据项。", field="field")
    try:
        day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    except ValueError:
        raise ValidationFailed("数据日期格式须为 YYYY-MM-DD。", field="as_of") from None
    if day > local_today():
        raise ValidationFailed("数据日期不能晚于今天。", field="as_of")
    try:
        facts = facts_from_json({field: value})
    except RuleError as exc:
        raise _rule_error(exc, "value") from None
    typed = facts.values.get(field)
    if isinstance(typed, Decimal) and typed < 0:
        raise ValidationFailed("取值不能为负数。", field="value")
    stored = str(typed) if isinstance(typed, Decimal) else value
    with transaction.atomic():
        fact, _created = EnterpriseFact.objects.update_or_create(
            enterprise=enterprise,
            field=field,
            defaults={
                "value": stored,
                "as_of": day,
                "source": (source or spec.source)[:100],
                "recorded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="policy.fact_record",
            object_type="enterprise",
            object_id=enterprise.uscc,
            changes={field: stored, "as_of": day},
        )
        _enqueue_rematch(enterprise_id=enterprise.pk, fields=[field])
    return fact


# --- matching ---------------------------------------------------------------------------------


def _enqueue_sweep(*, policy_ids: list[int] | None) -> None:
    from zqt.policies import tasks
    from zqt.taskqueue.outbox import enqueue

    enqueue(tasks.policy_sweep, policy_ids=policy_ids)


def _enqueue_rematch(*, enterprise_id: int, fields: list[str] | None) -> None:
    from zqt.policies import tasks
    from zqt.taskqueue.outbox import enqueue

    enqueue(tasks.enterprise_rematch, enterprise_id=enterprise_id, fields=fields)


def matching_start(*, actor: Any, policy_id: int | None = None) -> None:
    """Queue a full sweep (one policy or all active ones)."""
    if policy_id is not None:
        policy = selectors.policy_get_for_user(
            user=actor, policy_id=policy_id, capability="policy.match_run"
        )
        ids: list[int] | None = [policy.pk]
    else:
        require_capability(user=actor, capability="policy.match_run", object_type="policy")
        ids = None
    with transaction.atomic():
        _enqueue_sweep(policy_ids=ids)
        audit_record(
            actor=actor,
            action="policy.match_run",
            object_type="policy",
            object_id=str(policy_id or "all"),
        )


def _store_verdicts(
    *,
    policy: Policy,
    version: RuleVersion,
    chunk_ids: list[int],
    eligible: set[int],
    unknown: set[int],
    today: dt.date,
    recheck: Mapping[int, dt.date | None] | None = None,
) -> dict[str, int]:
    """Bring the matches of `policy` for `chunk_ids` in line with the verdicts (idempotent)."""
    counts = {"new": 0, "changed": 0}
    existing = {
        m.enterprise_id: m for m in Match.objects.filter(policy=policy, enterprise_id__in=chunk_ids)
    }
    new_rows = []
    for eid in eligible | unknown:
        verdict = en.Verdict.ELIGIBLE if eid in eligible else en.Verdict.UNKNOWN
        m = existing.get(eid)
        if m is None:
            new_rows.append(
                Match(
                    policy=policy,
                    enterprise_id=eid,
                    rule_version=version,
                    verdict=verdict,
                    matched_on=today,
                    recheck_on=(recheck or {}).get(eid),
                )
            )
        elif m.verdict != verdict or m.rule_version_id != version.pk:
            Match.objects.filter(pk=m.pk).update(
                verdict=verdict, rule_version=version, updated_at=timezone.now()
            )
            counts["changed"] += 1
    if new_rows:
        Match.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=2_000)
        counts["new"] += len(new_rows)
    lapsed = [
        m.pk
        for eid, m in existing.items()
        if eid not in eligible
        and eid not in unknown
        and m.verdict != en.Verdict.INELIGIBLE
        and m.status in (en.MatchStatus.NEW, en.MatchStatus.NOTIFIED)
    ]
    if lapsed:
        Match.objects.filter(pk__in=lapsed).update(
            verdict=en.Verdict.INELIGIBLE, updated_at=timezone.now()
        )
        counts["changed"] += len(lapsed)
    if recheck:
        for eid, day in recheck.items():
            if eid in existing:
                Match.objects.filter(pk=existing[eid].pk).update(recheck_on=day)
    return counts


def match_sweep_run(
    *,
    policy_ids: list[int] | None = None,
    today: dt.date | None = None,
    chunk_size: int = SWEEP_CHUNK,
) -> dict[str, int]:
    """The full sweep: every active policy (or `policy_ids`) against every enterprise, set-based
    and vectorised, chunk by chunk; each chunk's matches are stored in one transaction."""
    today = today or local_today()
    active = selectors.active_rules(today=today, ids=policy_ids)
    if not active:
        return {"policies": 0, "enterprises": 0, "new": 0, "changed": 0}
    by_key = {str(p.pk): (p, v) for p, v, _r in active}
    plan = engine.compile_plan({str(p.pk): r for p, _v, r in active}, today)
    prefixes = [p.region_prefix for p, _v, _r in active]
    common = _common_prefix(prefixes)
    totals = {
        "policies": len(active),
        "enterprises": 0,
        "new": 0,
        "changed": 0,
        "atoms": plan.distinct_atoms,
    }
    for frame in selectors.snapshot_chunks(
        region_prefix=common, chunk_size=chunk_size, today=today
    ):
        result = engine.evaluate_chunk(plan, frame)
        chunk_ids = frame[engine.ID].to_list()
        totals["enterprises"] += len(chunk_ids)
        with transaction.atomic():
            for key, (policy, version) in by_key.items():
                counts = _store_verdicts(
                    policy=policy,
                    version=version,
                    chunk_ids=chunk_ids,
                    eligible=set(result.eligible[key].to_list()),
                    unknown=set(result.unknown[key].to_list()),
                    today=today,
                )
                totals["new"] += counts["new"]
                totals["changed"] += counts["changed"]
    with transaction.atomic():
        for policy, _v, _r in active:
            _enqueue_notify(policy_id=policy.pk)
        audit_record(
            actor=None,
            action="policy.match_sweep",
            object_type="policy",
            object_id=",".join(by_key)[:64],
            changes=totals,
        )
    return totals


def _common_prefix(values: list[str]) -> str:
    if not values:
        return ""
    first, last = min(values), max(values)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _enqueue_notify(*, policy_id: int) -> None:
    from zqt.policies import tasks
    from zqt.taskqueue.outbox import enqueue

    enqueue(tasks.policy_notify, policy_id=policy_id)


def enterprise_rematch(
    *, enterprise_id: int, fields: list[str] | None = None, today: dt.date | None = None
) -> dict[str, int]:
    """Incremental re-match of ONE enterprise: only the active policies whose rules read one of
    `fields` (all when None), with the reference evaluator; stores when time alone will flip a
    verdict (recheck_on) so the daily recheck finds it."""
    today = today or local_today()
    facts = selectors.facts_for_enterprises([enterprise_id], today=today).get(enterprise_id)
    if facts is None:
        return {"policies": 0, "new": 0, "changed": 0}
    wanted = set(fields) if fields else None
    totals = {"policies": 0, "new": 0, "changed": 0}
    touched: list[int] = []
    active = [
        (policy, version, rule)
        for policy, version, rule in selectors.active_rules(today=today)
        if wanted is None or wanted & (set(version.fields_read) | {"status", "region_code"})
    ]
    compiled = _compiled(active, today)
    verdicts = compiled.verdicts(facts)
    with transaction.atomic():
        for policy, version, rule in active:
            totals["policies"] += 1
            verdict = verdicts[str(version.pk)]
            # When time alone will flip the verdict (explained evaluation, eligible ones only).
            flips = evaluate(rule, facts, today).flips_on if verdict is True else None
            counts = _store_verdicts(
                policy=policy,
                version=version,
                chunk_ids=[enterprise_id],
                eligible={enterprise_id} if verdict is True else set(),
                unknown={enterprise_id} if verdict is None else set(),
                today=today,
                recheck={enterprise_id: flips},
            )
            totals["new"] += counts["new"]
            totals["changed"] += counts["changed"]
            if counts["new"] or counts["changed"]:
                touched.append(policy.pk)
        for policy_id in touched:
            _enqueue_notify(policy_id=policy_id)
    return totals


_COMPILED: dict[tuple[dt.date, tuple[int, ...]], CompiledRules] = {}


def _compiled(active: list[tuple[Policy, RuleVersion, Any]], today: dt.date) -> CompiledRules:
    """Rules compiled once per (day, set of published versions) in this process."""
    key = (today, tuple(sorted(v.pk for _p, v, _r in active)))
    hit = _COMPILED.get(key)
    if hit is None:
        if len(_COMPILED) > 32:
            _COMPILED.clear()
        hit = _COMPILED[key] = compile_rules({str(v.pk): r for _p, v, r in active}, today)
    return hit


def _member_send(*, enterprise: Any, title: str, body: str, event_key: str) -> int:
    from zqt.notifications.services import notification_send

    sent = 0
    for user in enterprise_member_users(enterprise=enterprise):
        notification_send(
            recipient=user,
            template_code="generic",
            context={"title": title, "body": body},
            event_key=event_key,
        )
        sent += 1
    return sent


def matches_notify(*, policy_id: int, limit: int = 5_000) -> int:
    """Push: one message per (policy, enterprise) — the event key makes a second send a no-op —
    to the enterprise's users; eligible ones are told what they can expect, those with UNKNOWN
    data are asked for it (快申快享)."""
    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is None:
        return 0
    pending = list(
        Match.objects.filter(policy=policy, status=en.MatchStatus.NEW, notified_at__isnull=True)
        .exclude(verdict=en.Verdict.INELIGIBLE)
        .select_related("enterprise")[:limit]
    )
    if not pending:
        return 0
    today = local_today()
    facts = selectors.facts_for_enterprises([m.enterprise_id for m in pending], today=today)
    done = 0
    for m in pending:
        with transaction.atomic():
            amount = selectors.expected_amount(
                policy=policy, facts=facts.get(m.enterprise_id, Facts()), today=today
            )
            if m.verdict == en.Verdict.ELIGIBLE:
                title = f"您可享受政策：{policy.title}"
                expect = f"预计可获 {amount:,.2f} 元。" if amount is not None else ""
                action = {
                    en.Mode.AUTOMATIC: "本政策免申即享，请在“可享受的政策”中一键确认意愿。",
                    en.Mode.INSTANT: "本政策即申即享，提交申请即可办结。",
                    en.Mode.APPLY: "请在“可享受的政策”中在线申报。",
                }[en.Mode(policy.mode)]
                body = (
                    f"{m.enterprise.name}：经比对，贵企业符合《{policy.title}》"
                    f"（{policy.document_number}）的条件。{expect}{action}"
                )
                key = f"policy-match:{policy.pk}:{m.enterprise_id}"
            else:
                title = f"政策条件待确认：{policy.title}"
                body = (
                    f"{m.enterprise.name}：贵企业可能符合《{policy.title}》，但部分数据缺失或"
                    "已过期。请在“可享受的政策”中查看并补充（快申快享）。"
                )
                key = f"policy-data:{policy.pk}:{m.enterprise_id}"
            _member_send(enterprise=m.enterprise, title=title, body=body, event_key=key)
            Match.objects.filter(pk=m.pk).update(
                status=en.MatchStatus.NOTIFIED if m.verdict == en.Verdict.ELIGIBLE else m.status,
                notified_at=timezone.now(),
                expected_amount=amount,
            )
            done += 1
    return done


def recheck_due(*, today: dt.date | None = None) -> int:
    """Re-match enterprises whose verdicts flip with time today ("成立不满5年" ending, a penalty
    leaving its window); the nightly sweep is the safety net."""
    today = today or local_today()
    ids = set(
        Match.objects.filter(recheck_on__lte=today).values_list("enterprise_id", flat=True)[:10_000]
    )
    for eid in ids:
        Match.objects.filter(enterprise_id=eid, recheck_on__lte=today).update(recheck_on=None)
        enterprise_rematch(enterprise_id=eid, fields=["founded_on", "penalties"], today=today)
    return len(ids)


# --- payouts ----------------------------------------------------------------------------------


def _inputs(rule_fields: list[str], facts: Facts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in rule_fields:
        value = facts.values.get(name)
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = [str(v) for v in value]
        elif value is not None:
            value = str(value)
        out[name] = {"value": value, "as_of": str(facts.as_of.get(name) or "")}
    return out


def _payout_create(
    *,
    policy: Policy,
    enterprise: Any,
    version: RuleVersion,
    evaluation: Evaluation,
    facts: Facts,
    amount: Decimal,
    application: Application | None,
    today: dt.date,
) -> Payout:
    """Exactly once per (policy, enterprise, period): the UNIQUE constraint decides between
    concurrent sweeps and retries; the policy row lock serialises the budget check. Returns the
    existing payout when there is one. Call inside a transaction."""
    existing = Payout.objects.filter(
        policy=policy, enterprise=enterprise, period=policy.period
    ).first()
    if existing is not None:
        return existing
    locked = Policy.objects.select_for_update().get(pk=policy.pk)
    committed = selectors.committed_amount(policy=locked)
    if committed + amount > locked.budget:
        raise ValidationFailed(
            f"超出政策资金预算：预算 {locked.budget:,.2f} 元，已承诺 {committed:,.2f} 元，"
            f"本笔 {amount:,.2f} 元。",
            field="budget",
            code="over_budget",
        )
    payout = Payout(
        policy=locked,
        enterprise=enterprise,
        period=locked.period,
        amount=amount,
        rule_version=version,
        inputs=_inputs(version.fields_read, facts),
        explanation=evaluation.as_json(),
        application=application,
        announced_on=today,
        pay_after=add_working_days(today, ANNOUNCEMENT_WORKING_DAYS),
    )
    full_clean_or_raise(payout, exclude=["enterprise", "policy"])
    try:
        with transaction.atomic():
            payout.save(force_insert=True)
    except IntegrityError:
        found = Payout.objects.filter(
            policy=policy, enterprise=enterprise, period=policy.period
        ).first()
        if found is None:
            raise
        return found
    LedgerEntry.objects.create(
        policy=locked,
        kind=en.LedgerKind.COMMIT,
        amount=-amount,
        payout=payout,
        note=f"{enterprise.name} 兑现公示",
    )
    _budget_alert(policy=locked, committed=committed + amount)
    audit_record(
        actor=None,
        action="policy.payout_announce",
        object_type="policy",
        object_id=locked.code,
        changes={"enterprise": enterprise.uscc, "amount": amount, "period": locked.period},
    )
    _member_send(
        enterprise=enterprise,
        title=f"政策兑现公示：{locked.title}",
        body=(
            f"{enterprise.name}：《{locked.title}》拟兑现 {amount:,.2f} 元，公示至 "
            f"{payout.pay_after:%Y-%m-%d}。如对判定依据有异议，请在公示期内通过政策说明页提出。"
        ),
        event_key=f"policy-payout:{locked.pk}:{enterprise.pk}:{locked.period}",
    )
    Match.objects.filter(policy=locked, enterprise=enterprise).update(
        status=en.MatchStatus.APPROVED, updated_at=timezone.now()
    )
    return payout


def _budget_alert(*, policy: Policy, committed: Decimal) -> None:
    """Alert the policy's author and the office before the budget runs out (at the alert line
    and at 100%), once per threshold."""
    from zqt.notifications.services import notification_send

    used_bp = int(committed * 10_000 / policy.budget)
    for threshold in (policy.budget_alert_bp, 10_000):
        if used_bp < threshold or policy.created_by is None:
            continue
        notification_send(
            recipient=policy.created_by,
            template_code="generic",
            context={
                "title": f"政策资金预警：{policy.title}",
                "body": (
                    f"已承诺兑现 {committed:,.2f} 元，占预算 {used_bp / 100:.1f}%"
                    f"（预算 {policy.budget:,.2f} 元）。"
                ),
            },
            event_key=f"policy-budget:{policy.pk}:{threshold}",
        )


def _evaluate_now(
    policy: Policy, enterprise_id: int
) -> tuple[Evaluation, Decimal | None, RuleVersion, Facts]:
    evaluation, amount, version, facts = selectors.explain(
        policy=policy, enterprise_id=enterprise_id
    )
    if version is None:
        raise ValidationFailed("该政策尚无已发布的规则。", field="policy")
    return evaluation, amount, version, facts


def _policy_for_enterprise(policy_id: int) -> Policy:
    policy = Policy.objects.filter(pk=policy_id).first()
    today = local_today()
    if (
        policy is None
        or policy.status != en.PolicyStatus.ACTIVE
        or not policy.effective_from <= today <= policy.effective_until
    ):
        raise NotFoundError("该政策不存在或不在执行期内。")
    return policy


def match_confirm(*, actor: Any, policy_id: int, uscc: str | None = None) -> Payout:
    """免申即享: the enterprise confirms it wants the benefit (意愿确认); the payout is decided
    on the rules as they evaluate now and announced, then paid after the objection window."""
    require_capability(user=actor, capability="policy.apply", object_type="policy")
    enterprise = selectors.enterprise_for_policies(user=actor, uscc=uscc)
    policy = _policy_for_enterprise(policy_id)
    if policy.mode != en.Mode.AUTOMATIC:
        raise ValidationFailed("该政策需要申报，不适用一键确认。", field="policy")
    evaluation, amount, version, facts = _evaluate_now(policy, enterprise.pk)
    if evaluation.verdict is not True:
        raise ValidationFailed(
            "贵企业当前不符合或尚有数据待补充，暂不能确认兑现："
            + "；".join(r.sentence for r in evaluation.atoms if r.verdict is not True),
            field="policy",
        )
    if amount is None:
        raise ValidationFailed("计算兑现金额所需的数据缺失，请先补充。", field="amount")
    with transaction.atomic():
        Match.objects.filter(policy=policy, enterprise=enterprise).update(
            status=en.MatchStatus.CONFIRMED, confirmed_at=timezone.now()
        )
        payout = _payout_create(
            policy=policy,
            enterprise=enterprise,
            version=version,
            evaluation=evaluation,
            facts=facts,
            amount=amount,
            application=None,
            today=local_today(),
        )
        audit_record(
            actor=actor,
            action="policy.confirm",
            object_type="policy",
            object_id=policy.code,
            changes={"enterprise": enterprise.uscc},
        )
    return payout


def automatic_payouts_run(*, policy_id: int, today: dt.date | None = None) -> int:
    """For 免申即享 policies whose enterprises have confirmed: (re)create the payouts that are
    missing — the idempotent "pay automatically" step a retry or a second worker can repeat."""
    policy = Policy.objects.filter(pk=policy_id, mode=en.Mode.AUTOMATIC).first()
    if policy is None:
        return 0
    today = today or local_today()
    version = selectors.rule_current(policy=policy)
    if version is None:
        return 0
    rule = selectors.effective_rule(policy=policy, version=version)
    confirmed = list(
        Match.objects.filter(policy=policy, status=en.MatchStatus.CONFIRMED).select_related(
            "enterprise"
        )
    )
    facts = selectors.facts_for_enterprises([m.enterprise_id for m in confirmed], today=today)
    made = 0
    for m in confirmed:
        f = facts.get(m.enterprise_id, Facts())
        evaluation = evaluate(rule, f, today)
        amount = selectors.expected_amount(policy=policy, facts=f, today=today)
        if evaluation.verdict is not True or amount is None:
            continue
        with transaction.atomic():
            _payout_create(
                policy=policy,
                enterprise=m.enterprise,
                version=version,
                evaluation=evaluation,
                facts=f,
                amount=amount,
                application=None,
                today=today,
            )
            made += 1
    return made


# --- applications ---------------------------------------------------------------------------


def application_submit(
    *,
    actor: Any,
    policy_id: int,
    form_data: Mapping[str, Any] | None = None,
    materials_note: str = "",
    uscc: str | None = None,
) -> Application:
    """Apply for a policy (pre-filled form). 即申即享: approved at once when the rules pass now,
    refused when they do not; 申报审核: goes to the policy's department."""
    require_capability(user=actor, capability="policy.apply", object_type="policy")
    enterprise = selectors.enterprise_for_policies(user=actor, uscc=uscc)
    policy = _policy_for_enterprise(policy_id)
    if policy.mode == en.Mode.AUTOMATIC:
        raise ValidationFailed("该政策免申即享，无需申报，请一键确认。", field="policy")
    evaluation, amount, version, facts = _evaluate_now(policy, enterprise.pk)
    if policy.mode == en.Mode.INSTANT and evaluation.verdict is not True:
        reasons = [r.sentence for r in evaluation.atoms if r.verdict is not True]
        raise ValidationFailed(
            "即申即享须当前符合全部条件：" + "；".join(reasons), field="policy", code="not_eligible"
        )
    if evaluation.verdict is False:
        raise ValidationFailed(
            "贵企业不符合该政策条件：" + "；".join(r.sentence for r in evaluation.failing),
            field="policy",
            code="not_eligible",
        )
    if Application.objects.filter(
        policy=policy, enterprise=enterprise, period=policy.period
    ).exists():
        raise ConflictError("本期已申报过该政策，请勿重复申报。", field="policy")
    note = (materials_note or "").strip()
    if len(note) > 500:
        raise ValidationFailed("材料说明不超过 500 字。", field="materials_note")
    with transaction.atomic():
        app = Application(
            number=_number("SB"),
            policy=policy,
            enterprise=enterprise,
            period=policy.period,
            applicant=actor,
            form_data=dict(form_data or {}),
            materials_note=note,
            evaluation=evaluation.as_json(),
        )
        full_clean_or_raise(app, exclude=["enterprise", "policy", "applicant"])
        try:
            with transaction.atomic():
                app.save(force_insert=True)
        except IntegrityError:
            raise ConflictError("本期已申报过该政策，请勿重复申报。", field="policy") from None
        Match.objects.filter(policy=policy, enterprise=enterprise).update(
            status=en.MatchStatus.APPLIED, updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="policy.apply",
            object_type="application",
            object_id=app.number,
            changes={"policy": policy.code, "enterprise": enterprise.uscc},
        )
        if policy.mode == en.Mode.INSTANT:
            if amount is None:
                raise ValidationFailed("计算兑现金额所需的数据缺失，请先补充。", field="amount")
            app.status = en.ApplicationStatus.APPROVED
            app.decided_at = timezone.now()
            app.decision_reason = "即申即享：提交时符合全部条件，自动批准"
            app.save(update_fields=["status", "decided_at", "decision_reason", "updated_at"])
            _payout_create(
                policy=policy,
                enterprise=enterprise,
                version=version,
                evaluation=evaluation,
                facts=facts,
                amount=amount,
                application=app,
                today=local_today(),
            )
    return app


def application_decide(
    *, actor: Any, application_id: int, decision: str, reason: str = ""
) -> Application:
    """Department review: approve (payout announced on the rules and data as they are now),
    reject with a reason, or ask for more (补充材料)."""
    app = selectors.application_get_for_user(user=actor, application_id=application_id)
    if decision not in ("approve", "reject", "more_info"):
        raise ValidationFailed("审核结论无效。", field="decision")
    reason = (reason or "").strip()
    if decision != "approve" and not reason:
        raise ValidationFailed("退回或要求补充时须写明理由。", field="reason")
    if app.status not in (en.ApplicationStatus.SUBMITTED, en.ApplicationStatus.MORE_INFO):
        raise ConflictError("该申报已审核。")
    evaluation = amount = version = facts = None
    if decision == "approve":
        evaluation, amount, version, facts = _evaluate_now(app.policy, app.enterprise_id)
        if evaluation.verdict is not True:
            raise ValidationFailed(
                "当前数据下企业不满足全部条件，不能批准："
                + "；".join(r.sentence for r in evaluation.atoms if r.verdict is not True),
                field="decision",
            )
        if amount is None:
            raise ValidationFailed("计算兑现金额所需的数据缺失。", field="amount")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=app.pk)
        if locked.status not in (en.ApplicationStatus.SUBMITTED, en.ApplicationStatus.MORE_INFO):
            raise ConflictError("该申报已审核。")
        locked.status = {
            "approve": en.ApplicationStatus.APPROVED,
            "reject": en.ApplicationStatus.REJECTED,
            "more_info": en.ApplicationStatus.MORE_INFO,
        }[decision]
        locked.decision_reason = reason[:500]
        locked.reviewed_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        audit_record(
            actor=actor,
            action=f"policy.review_{decision}",
            object_type="application",
            object_id=locked.number,
            changes={"reason": reason},
        )
        if decision == "approve":
            assert evaluation is not None and version is not None and facts is not None
            assert amount is not None
            _payout_create(
                policy=app.policy,
                enterprise=app.enterprise,
                version=version,
                evaluation=evaluation,
                facts=facts,
                amount=amount,
                application=locked,
                today=local_today(),
            )
        else:
            if decision == "reject":
                Match.objects.filter(policy=app.policy, enterprise=app.enterprise).update(
                    status=en.MatchStatus.REJECTED
                )
            title = "政策申报未通过" if decision == "reject" else "政策申报需补充材料"
            _member_send(
                enterprise=app.enterprise,
                title=f"{title}：{app.policy.title}",
                body=f"申报编号 {locked.number}：{reason}",
                event_key=f"policy-review:{locked.pk}:{decision}:{locked.decided_at:%Y%m%d%H%M%S}",
            )
    return locked


# --- payment batches ----------------------------------------------------------------------------


def batch_create(*, actor: Any, policy_id: int, today: dt.date | None = None) -> PaymentBatch:
    """Collect the announced payouts whose objection window has passed into a batch."""
    policy = selectors.policy_get_for_user(
        user=actor, policy_id=policy_id, capability="policy.payout_manage"
    )
    today = today or local_today()
    with transaction.atomic():
        due = list(
            Payout.objects.select_for_update().filter(
                policy=policy,
                status=en.PayoutStatus.ANNOUNCED,
                pay_after__lte=today,
                batch__isnull=True,
            )
        )
        open_objections = set(
            Objection.objects.filter(policy=policy, status=en.ObjectionStatus.OPEN).values_list(
                "enterprise_id", flat=True
            )
        )
        due = [p for p in due if p.enterprise_id not in open_objections]
        if not due:
            raise ValidationFailed("没有公示期已满、可支付的兑现。", field="policy")
        batch = PaymentBatch.objects.create(
            number=_number("PC"),
            policy=policy,
            created_by=actor,
            total=sum((p.amount for p in due), Decimal(0)),
        )
        Payout.objects.filter(pk__in=[p.pk for p in due]).update(
            batch=batch, status=en.PayoutStatus.BATCHED
        )
        audit_record(
            actor=actor,
            action="policy.batch_create",
            object_type="payment_batch",
            object_id=batch.number,
            changes={"count": len(due), "total": batch.total},
        )
    return batch


def batch_approve(*, actor: Any, batch_id: int) -> PaymentBatch:
    batch = PaymentBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFoundError("支付批次不存在。")
    selectors.policy_get_for_user(
        user=actor, policy_id=batch.policy_id, capability="policy.payout_manage"
    )
    if batch.created_by_id == actor.pk:
        raise ValidationFailed("支付批次须由制单人以外的另一人审批。", field="approver")
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != en.BatchStatus.DRAFT:
            raise ConflictError("该批次已审批。")
        locked.status = en.BatchStatus.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.save()
        audit_record(
            actor=actor,
            action="policy.batch_approve",
            object_type="payment_batch",
            object_id=locked.number,
        )
    return locked


def batch_export(*, actor: Any, batch_id: int) -> tuple[str, str]:
    """The bank payment file (CSV) of an approved batch; marks its payouts paid (once)."""
    batch = PaymentBatch.objects.select_related("policy").filter(pk=batch_id).first()
    if batch is None:
        raise NotFoundError("支付批次不存在。")
    selectors.policy_get_for_user(
        user=actor, policy_id=batch.policy_id, capability="policy.payout_manage"
    )
    if batch.status == en.BatchStatus.DRAFT:
        raise ValidationFailed("支付批次须先审批。", field="batch")
    payouts = list(batch.payouts.select_related("enterprise").order_by("pk"))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        ["批次号", "统一社会信用代码", "收款单位", "金额（元）", "政策", "文号", "期次"]
    )
    for p in payouts:
        writer.writerow(
            [
                batch.number,
                p.enterprise.uscc,
                p.enterprise.name,
                f"{p.amount:.2f}",
                batch.policy.title,
                batch.policy.document_number,
                p.period,
            ]
        )
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == en.BatchStatus.APPROVED:
            now = timezone.now()
            for p in payouts:
                if p.status == en.PayoutStatus.PAID:
                    continue
                Payout.objects.filter(pk=p.pk).update(status=en.PayoutStatus.PAID, paid_at=now)
                LedgerEntry.objects.get_or_create(
                    payout=p,
                    kind=en.LedgerKind.PAYMENT,
                    defaults={
                        "policy": batch.policy,
                        "amount": Decimal(0),
                        "note": f"{p.enterprise.name} 已支付 {p.amount:,.2f} 元",
                    },
                )
                Match.objects.filter(policy=batch.policy, enterprise=p.enterprise).update(
                    status=en.MatchStatus.PAID
                )
                _member_send(
                    enterprise=p.enterprise,
                    title=f"政策资金已拨付：{batch.policy.title}",
                    body=f"{p.enterprise.name}：{p.amount:,.2f} 元已拨付（批次 {batch.number}）。",
                    event_key=f"policy-paid:{p.pk}",
                )
            locked.status = en.BatchStatus.EXPORTED
            locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="policy.batch_export",
            object_type="payment_batch",
            object_id=batch.number,
            changes={"count": len(payouts)},
        )
    return f"payment-{batch.number}.csv", "\ufeff" + buf.getvalue()


def ledger_balance(*, policy: Policy) -> Decimal:
    total = LedgerEntry.objects.filter(policy=policy).aggregate(s=Sum("amount"))["s"]
    return total or Decimal(0)


# --- objections -----------------------------------------------------------------------------


def objection_file(
    *,
    actor: Any,
    policy_id: int,
    condition_path: str,
    message: str,
    claimed_value: str = "",
    uscc: str | None = None,
) -> Objection:
    """异议: the enterprise names a condition of the explanation it disputes; routed to the
    department that owns that data, with a deadline in working days."""
    view = selectors.match_get_for_user(user=actor, policy_id=policy_id, uscc=uscc)
    atom = next((r.atom for r in view.evaluation.atoms if r.atom.path == condition_path), None)
    if atom is None:
        raise ValidationFailed("请选择说明中的一项条件。", field="condition_path")
    message = (message or "").strip()
    if not message:
        raise ValidationFailed("请说明异议理由。", field="message")
    if len(message) > 1000:
        raise ValidationFailed("异议理由不超过 1000 字。", field="message")
    field_name = atom.reads()[0]
    spec = cat.FIELDS.get(field_name)
    key = SOURCE_DEPARTMENTS.get(spec.source if spec else "", "")
    enterprise = view.match.enterprise
    department = None
    unit = org_unit_get(code=enterprise.region_code[:6])
    if unit is not None and key:
        department = unit.departments.filter(code=f"{unit.code}-{key}").first()
    department = department or view.policy.department
    today = local_today()
    with transaction.atomic():
        obj = Objection(
            number=_number("YY"),
            policy=view.policy,
            enterprise=enterprise,
            condition_path=condition_path,
            field=field_name,
            claimed_value=(claimed_value or "").strip()[:100],
            message=message,
            department=department,
            due_on=add_working_days(today, OBJECTION_WORKING_DAYS),
            filed_by=actor,
        )
        full_clean_or_raise(obj, exclude=["enterprise", "policy", "department", "filed_by"])
        obj.save(force_insert=True)
        audit_record(
            actor=actor,
            action="policy.objection_file",
            object_type="objection",
            object_id=obj.number,
            changes={
                "policy": view.policy.code,
                "field": field_name,
                "department": department.code,
            },
        )
    return obj


def objection_resolve(
    *,
    actor: Any,
    objection_id: int,
    upheld: bool,
    resolution: str,
    corrected_value: Any = None,
    as_of: str | dt.date | None = None,
) -> Objection:
    """The data department answers. Upheld with a corrected value of a department-supplied
    figure: the value is recorded (re-matching the enterprise automatically); the enterprise is
    told the outcome either way."""
    obj = selectors.objection_get_for_user(user=actor, objection_id=objection_id)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed("请填写处理结果。", field="resolution")
    if obj.status != en.ObjectionStatus.OPEN:
        raise ConflictError("该异议已处理。")
    spec = cat.FIELDS.get(obj.field)
    with transaction.atomic():
        if upheld and corrected_value not in (None, "") and spec is not None:
            if spec.origin != "fact":
                raise ValidationFailed(
                    "登记类数据须在市场主体登记中更正，更正后将自动重新匹配。",
                    field="corrected_value",
                )
            fact_record(
                actor=actor,
                uscc=obj.enterprise.uscc,
                field=obj.field,
                value=corrected_value,
                as_of=as_of or local_today(),
                source=obj.department.name,
            )
        elif upheld:
            _enqueue_rematch(enterprise_id=obj.enterprise_id, fields=None)
        obj.status = en.ObjectionStatus.UPHELD if upheld else en.ObjectionStatus.DISMISSED
        obj.resolution = resolution[:500]
        obj.resolved_by = actor
        obj.resolved_at = timezone.now()
        obj.save()
        audit_record(
            actor=actor,
            action="policy.objection_resolve",
            object_type="objection",
            object_id=obj.number,
            changes={"upheld": upheld, "resolution": resolution},
        )
        _member_send(
            enterprise=obj.enterprise,
            title=f"政策异议处理结果：{obj.policy.title}",
            body=f"异议 {obj.number}（{obj.get_status_display()}）：{resolution}",
            event_key=f"policy-objection:{obj.pk}",
        )
    return obj
