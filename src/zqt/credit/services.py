"""Writes of credit: scoring model versions, recompute (all, one), credit events reported by
other modules, credit repair, registration-intermediary points and exams, risk warnings.

Each service authorises first (a refusal is audited and must survive, so before the
transaction), validates with Chinese messages, writes atomically with an audit record."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.accounts.selectors import user_scope_prefix
from zqt.audit.services import audit_record
from zqt.core.errors import ConflictError, NotFoundError, ValidationFailed
from zqt.core.identifiers import IdentifierError, mask_id_number, validate_uscc
from zqt.core.services import full_clean_or_raise
from zqt.core.timeutil import local_today
from zqt.credit import recompute, rules, scoring, selectors
from zqt.credit.enums import EventFactor, FilingOutcome, RecordKind, RepairStatus, WarningStatus
from zqt.credit.models import (
    Agency,
    CreditEvent,
    CreditRecomputeRun,
    CreditRepair,
    ExamAttempt,
    Filing,
    IntermediaryAgent,
    RiskWarning,
    ScoringModelVersion,
)
from zqt.enterprises import selectors as ent
from zqt.enterprises.models import Enterprise

# --- scoring model and recompute -------------------------------------------------------------


def scoring_model_publish(
    *, user: Any, config: Mapping[str, Any], note: str = "", ip_address: str | None = None
) -> ScoringModelVersion:
    """Publish a new version of the scoring model; it applies from the next recompute."""
    actor = ent.require_capability(
        user=user,
        capability="credit.model_manage",
        object_type="scoring_model",
        ip_address=ip_address,
    )
    try:
        scoring.validate_config(config)
    except scoring.ConfigError as exc:
        raise ValidationFailed(exc.message, field=exc.field) from None
    with transaction.atomic():
        last = ScoringModelVersion.objects.select_for_update().order_by("-version").first()
        version = (last.version if last else 0) + 1
        ScoringModelVersion.objects.filter(is_current=True).update(is_current=False)
        row = ScoringModelVersion(
            version=version,
            config=dict(config),
            is_current=True,
            note=(note or "").strip()[:200],
            published_by=actor,
        )
        full_clean_or_raise(row)
        row.save()
        audit_record(
            actor=actor,
            action="credit.model_publish",
            object_type="scoring_model",
            object_id=str(version),
            changes={"config": dict(config)},
            ip_address=ip_address,
        )
    return row


def credit_recompute_all(
    *, user: Any = None, today: dt.date | None = None, ip_address: str | None = None
) -> CreditRecomputeRun:
    """Set-based recompute of every enterprise (one SQL statement). `user` None = scheduled."""
    actor = None
    if user is not None:
        actor = ent.require_capability(
            user=user, capability="credit.recompute", object_type="credit", ip_address=ip_address
        )
    version, model = selectors.scoring_model_current()
    started = time.perf_counter()
    with transaction.atomic():
        changed = recompute.run(
            model=model, version=version, today=today or local_today(), now=timezone.now()
        )
        run = CreditRecomputeRun.objects.create(
            scope="all",
            model_version=version,
            changed=changed,
            seconds=time.perf_counter() - started,
        )
        audit_record(
            actor=actor,
            action="credit.recompute",
            object_type="credit",
            object_id="all",
            changes={"changed": changed, "model_version": version},
            ip_address=ip_address,
        )
    return run


def credit_recompute_one(*, enterprise: Enterprise, today: dt.date | None = None) -> int:
    """Incremental recompute of one enterprise (same SQL, one row). Called by the services
    that change a credit fact, inside their transaction; returns 1 when the score changed."""
    version, model = selectors.scoring_model_current()
    return recompute.run(
        model=model,
        version=version,
        today=today or local_today(),
        now=timezone.now(),
        enterprise_id=enterprise.pk,
    )


def credit_event_record(
    *,
    actor: User | None,
    enterprise: Enterprise,
    factor: str,
    title: str,
    source_department: str,
    occurred_on: dt.date,
    source_key: str,
) -> CreditEvent:
    """Record a credit fact another module decided (an inspection finding, an upheld complaint,
    an overdue obligation, a commendation) and rescore the enterprise. The calling service has
    authorised the decision. Idempotent on `source_key`."""
    if factor not in EventFactor.values:
        raise ValidationFailed(f"未知的信用事件类别“{factor}”。", field="factor")
    existing = CreditEvent.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        event = CreditEvent(
            enterprise=enterprise,
            factor=factor,
            title=(title or "")[:200],
            source_department=(source_department or "")[:64],
            occurred_on=occurred_on,
            source_key=source_key[:100],
        )
        full_clean_or_raise(event)
        event.save()
        credit_recompute_one(enterprise=enterprise)
        audit_record(
            actor=actor,
            action="credit.event_record",
            object_type="enterprise",
            object_id=enterprise.uscc,
            changes={"factor": factor, "title": event.title, "source": source_key},
        )
    return event


def credit_event_report(
    *,
    user: Any,
    uscc: str,
    factor: str,
    title: str,
    source_department: str,
    occurred_on: dt.date,
    source_key: str,
    ip_address: str | None = None,
) -> CreditEvent:
    """The API for other systems/departments to report a credit fact (credit.event_report)."""
    ent.require_capability(
        user=user, capability="credit.event_report", object_id=uscc, ip_address=ip_address
    )
    enterprise = ent.enterprise_get_for_user(
        user=user,
        uscc=uscc,
        capability="enterprise.view",
        purpose="报送信用事件",
        ip_address=ip_address,
    )
    if not (title or "").strip():
        raise ValidationFailed("事项不能为空。", field="title")
    if not (source_key or "").strip():
        raise ValidationFailed("来源键不能为空。", field="source_key")
    if occurred_on > local_today():
        raise ValidationFailed("发生日期不能晚于今天。", field="occurred_on")
    return credit_event_record(
        actor=user,
        enterprise=enterprise,
        factor=factor,
        title=title,
        source_department=source_department,
        occurred_on=occurred_on,
        source_key=source_key.strip(),
    )


# --- credit repair ---------------------------------------------------------------------------


def credit_repair_apply(
    *,
    user: Any,
    record_kind: str,
    record_id: int,
    reason: str,
    today: dt.date | None = None,
    ip_address: str | None = None,
) -> CreditRepair:
    """The enterprise applies to repair one of its records, once the minimum publicity period
    for the record's kind has run (three months by default)."""
    actor = ent.require_capability(
        user=user,
        capability="credit.repair_apply",
        object_type="credit_repair",
        ip_address=ip_address,
    )
    enterprise = ent.enterprise_for_member(user=actor)
    if enterprise is None:
        raise NotFoundError("您的账号未绑定市场主体。")
    today = today or local_today()
    if record_kind not in RecordKind.values:
        raise ValidationFailed("请选择要修复的记录。", field="record_kind")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed("请说明整改情况（至少10个字）。", field="reason")
    view = selectors.credit_view(enterprise=enterprise, today=today)
    record = next((r for r in view.records if r.kind == record_kind and r.id == record_id), None)
    if record is None:
        raise NotFoundError("记录不存在或已修复。", field="record_id")
    if record.kind == "credit_record" and record.factor == "good_record":
        raise ValidationFailed("守信记录无需修复。", field="record_id")
    eligible = rules.repair_eligible_from(
        kind=record_kind,
        recorded_on=record.recorded_on,
        config=selectors.repair_min_months_config(),
    )
    if today < eligible:
        raise ValidationFailed(
            f"最短公示期未满：该记录自{eligible:%Y年%m月%d日}起方可申请信用修复。",
            field="record_id",
            code="publicity_period",
        )
    try:
        with transaction.atomic():
            repair = CreditRepair(
                enterprise=enterprise,
                record_kind=record_kind,
                record_id=record_id,
                record_title=record.title[:200],
                record_date=record.recorded_on,
                eligible_from=eligible,
                reason=reason[:500],
                applicant=actor,
            )
            full_clean_or_raise(repair, exclude=["record_kind", "record_id"])
            repair.save()
            audit_record(
                actor=actor,
                action="credit.repair_apply",
                object_type="credit_repair",
                object_id=str(repair.pk),
                changes={"record": f"{record_kind}:{record_id}"},
                ip_address=ip_address,
            )
    except IntegrityError:
        raise ConflictError("该记录已有修复申请在审核中或已修复。", field="record_id") from None
    return repair


def credit_repair_decide(
    *, user: Any, repair_id: int, approve: bool, note: str, ip_address: str | None = None
) -> CreditRepair:
    """A reviewer decides; an approved repair takes the record out of public view and out of
    the score (the enterprise is rescored in the same transaction)."""
    repair = selectors.repair_get_for_user(
        user=user, repair_id=repair_id, capability="credit.repair_decide"
    )
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed("不予修复须说明理由。", field="note")
    with transaction.atomic():
        locked = CreditRepair.objects.select_for_update().get(pk=repair.pk)
        if locked.status != RepairStatus.PENDING:
            raise ConflictError("该申请已审核。", field="status")
        locked.status = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
        locked.reviewer = user
        locked.decision_note = note[:300]
        locked.decided_at = timezone.now()
        locked.save(
            update_fields=["status", "reviewer", "decision_note", "decided_at", "updated_at"]
        )
        if approve:
            credit_recompute_one(enterprise=repair.enterprise)
        audit_record(
            actor=user,
            action="credit.repair_decide",
            object_type="credit_repair",
            object_id=str(locked.pk),
            changes={"status": locked.status, "note": note},
            ip_address=ip_address,
        )
    return locked


# --- registration intermediaries -------------------------------------------------------------


def agency_create(*, user: Any, uscc: str, name: str, region_code: str) -> Agency:
    actor = ent.require_capability(
        user=user, capability="intermediary.manage", object_type="agency", object_id=uscc
    )
    try:
        code = validate_uscc(uscc)
    except IdentifierError as exc:
        raise ValidationFailed(f"统一社会信用代码不正确：{exc}", field="uscc") from None
    prefix = user_scope_prefix(actor)
    if prefix is None or not region_code.startswith(prefix):
        raise ValidationFailed("所属区划不在您的管辖范围内。", field="region_code")
    with transaction.atomic():
        if Agency.objects.filter(uscc=code).exists():
            raise ConflictError("该中介机构已登记。", field="uscc")
        agency = Agency(uscc=code, name=(name or "").strip(), region_code=region_code)
        full_clean_or_raise(agency)
        agency.save()
        audit_record(
            actor=actor,
            action="agency.create",
            object_type="agency",
            object_id=code,
            changes={"name": agency.name},
        )
    return agency


def intermediary_agent_create(
    *, user: Any, agency: Agency, name: str, id_number: str, account: User | None = None
) -> IntermediaryAgent:
    actor = ent.require_capability(
        user=user, capability="intermediary.manage", object_type="intermediary_agent"
    )
    if account is not None and account.role != Role.AGENT:
        raise ValidationFailed("绑定的账号须为经办人/中介角色。", field="account")
    with transaction.atomic():
        agent = IntermediaryAgent(
            agency=agency,
            user=account,
            name=(name or "").strip(),
            id_number_masked=mask_id_number(id_number or ""),
            points=rules.INITIAL_POINTS,
        )
        full_clean_or_raise(agent)
        agent.save()
        audit_record(
            actor=actor,
            action="intermediary_agent.create",
            object_type="intermediary_agent",
            object_id=str(agent.pk),
            changes={"name": agent.name, "agency": agency.uscc},
        )
    return agent


def filing_score(
    *,
    user: Any,
    agent_id: int,
    reference: str,
    enterprise_name: str,
    outcome: str,
    ip_address: str | None = None,
) -> Filing:
    """Score one registration filing by its review outcome (the rule is stored and shown);
    below the threshold the agent is suspended from new filings. A suspended agent's filing
    is refused (暂停受理)."""
    agent = selectors.agent_get_for_user(user=user, agent_id=agent_id)
    if outcome not in FilingOutcome.values:
        raise ValidationFailed("请选择审核结果。", field="outcome")
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed("业务编号不能为空。", field="reference")
    with transaction.atomic():
        locked = IntermediaryAgent.objects.select_for_update().get(pk=agent.pk)
        if locked.suspended_at is not None:
            raise ConflictError(
                f"{locked.name}信用积分低于{rules.SUSPEND_BELOW}分，已暂停受理其提交的登记业务；"
                "须通过线上培训考试恢复。",
                field="agent_id",
                code="agent_suspended",
            )
        if Filing.objects.filter(reference=reference).exists():
            raise ConflictError("该业务已评分。", field="reference")
        before = locked.points
        after, rule = rules.filing_points(current=before, outcome=outcome)
        filing = Filing(
            agent=locked,
            reference=reference,
            enterprise_name=(enterprise_name or "").strip()[:128],
            outcome=outcome,
            points_delta=after - before,
            points_after=after,
            rule_text=rule.text,
            scored_by=user,
        )
        full_clean_or_raise(filing, exclude=["agent"])
        filing.save()
        locked.points = after
        fields = ["points", "updated_at"]
        if rules.is_suspended_at(after):
            locked.suspended_at = timezone.now()
            fields.append("suspended_at")
        locked.save(update_fields=fields)
        audit_record(
            actor=user,
            action="filing.score",
            object_type="intermediary_agent",
            object_id=str(locked.pk),
            changes={
                "reference": reference,
                "outcome": outcome,
                "points": {"old": before, "new": after},
                "suspended": locked.suspended_at is not None,
            },
            ip_address=ip_address,
        )
    return filing


EXAM_QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "q1",
        "text": "代办企业登记时，申请材料应当由谁对真实性负责？",
        "options": {"a": "中介机构", "b": "申请人", "c": "登记机关"},
        "answer": "b",
    },
    {
        "id": "q2",
        "text": "发现委托人提供虚假材料时，中介从业人员应当：",
        "options": {"a": "照常提交", "b": "拒绝代办并告知风险", "c": "修改后提交"},
        "answer": "b",
    },
    {
        "id": "q3",
        "text": "代办登记须取得委托人的：",
        "options": {"a": "口头同意", "b": "书面授权委托", "c": "无需授权"},
        "answer": "b",
    },
    {
        "id": "q4",
        "text": "住所（经营场所）登记应当提交：",
        "options": {"a": "真实有效的场所使用证明或承诺", "b": "任意地址", "c": "中介机构地址"},
        "answer": "a",
    },
    {
        "id": "q5",
        "text": "信用积分低于多少分将暂停受理登记业务？",
        "options": {"a": "40分", "b": "60分", "c": "80分"},
        "answer": "b",
    },
]


def agent_exam_submit(
    *, user: Any, answers: Mapping[str, str], ip_address: str | None = None
) -> ExamAttempt:
    """The agent's online training exam: passing restores the points and lifts the suspension.
    Only a suspended agent takes it."""
    agent = selectors.agent_get_for_user(user=user)
    if agent.suspended_at is None:
        raise ConflictError(
            "您当前未被暂停受理，无需参加恢复考试。", field="answers", code="not_suspended"
        )
    unknown = set(answers) - {q["id"] for q in EXAM_QUESTIONS}
    if unknown:
        raise ValidationFailed(f"未知的题目：{'、'.join(sorted(unknown))}。", field="answers")
    key = {q["id"]: q["answer"] for q in EXAM_QUESTIONS}
    result = rules.exam_score(answers=answers, key=key)
    passed = result >= rules.EXAM_PASS_PERCENT
    with transaction.atomic():
        locked = IntermediaryAgent.objects.select_for_update().get(pk=agent.pk)
        before = locked.points
        if passed:
            locked.points = max(locked.points, rules.RESTORE_TO)
            locked.suspended_at = None
            locked.save(update_fields=["points", "suspended_at", "updated_at"])
        attempt = ExamAttempt.objects.create(
            agent=locked,
            score=result,
            passed=passed,
            points_before=before,
            points_after=locked.points,
        )
        audit_record(
            actor=user,
            action="intermediary.exam",
            object_type="intermediary_agent",
            object_id=str(locked.pk),
            changes={
                "score": result,
                "passed": passed,
                "points": {"old": before, "new": locked.points},
            },
            ip_address=ip_address,
        )
    return attempt


# --- risk warnings ---------------------------------------------------------------------------


def risk_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Evaluate every warning rule (risk.RULES) and create the warnings not produced before
    (unique per enterprise, rule and fact). Scheduled; idempotent."""
    from zqt.credit import risk

    today = today or local_today()
    created: dict[str, int] = {}
    for hit in risk.evaluate(today=today):
        try:
            with transaction.atomic():
                RiskWarning.objects.create(
                    enterprise_id=hit.enterprise_id,
                    rule_code=hit.rule.code,
                    title=hit.rule.title,
                    detail=hit.detail[:300],
                    department_key=hit.rule.department_key,
                    region_code=hit.region_code,
                    fact_key=hit.fact_key[:100],
                )
        except IntegrityError:
            continue
        created[hit.rule.code] = created.get(hit.rule.code, 0) + 1
    if created:
        audit_record(
            actor=None,
            action="risk.sweep",
            object_type="risk_warning",
            changes={"created": created},
        )
    return created


def warning_handle(
    *,
    user: Any,
    warning_id: int,
    note: str,
    close: bool = False,
    feedback: str = "",
    ip_address: str | None = None,
) -> RiskWarning:
    """Record handling of a warning; closing it requires the feedback (处置反馈)."""
    warning = selectors.warning_get_for_user(user=user, warning_id=warning_id)
    note, feedback = (note or "").strip(), (feedback or "").strip()
    if not note:
        raise ValidationFailed("请填写处置情况。", field="note")
    if close and not feedback:
        raise ValidationFailed("办结须填写处置反馈。", field="feedback")
    with transaction.atomic():
        locked = RiskWarning.objects.select_for_update().get(pk=warning.pk)
        if locked.status == WarningStatus.CLOSED:
            raise ConflictError("该预警已办结。", field="status")
        old = locked.status
        locked.status = WarningStatus.CLOSED if close else WarningStatus.HANDLING
        locked.handled_by = user
        locked.handling_note = note[:500]
        fields = ["status", "handled_by", "handling_note", "updated_at"]
        if close:
            locked.feedback = feedback[:500]
            locked.closed_at = timezone.now()
            fields += ["feedback", "closed_at"]
        locked.save(update_fields=fields)
        audit_record(
            actor=user,
            action="risk.handle",
            object_type="risk_warning",
            object_id=str(locked.pk),
            changes={"status": {"old": old, "new": locked.status}},
            ip_address=ip_address,
        )
    return locked
