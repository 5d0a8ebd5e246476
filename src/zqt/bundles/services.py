"""Writes of 一类事 joint handling: submit a case once (idempotent), fan it out to department
tasks, department decisions (serialised per case with row locks), supplements answered once
for all, informed commitments and their verification, the 歇业 "一键暂停" effect and its
reversal, and versioned edits of bundle definitions.

Authorisation happens first (refusals are audited and must survive), then every input is
validated with all problems reported at once, then one atomic write with an audit record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Protocol

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zqt.accounts.enums import Role
from zqt.accounts.models import OrgUnit, User
from zqt.accounts.selectors import org_unit_get
from zqt.audit.services import audit_record
from zqt.bundles import definition as defn
from zqt.bundles import selectors
from zqt.bundles import status as st
from zqt.bundles.models import (
    Bundle,
    BundleDefinition,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseTask,
    CommitmentVerification,
    FalseCommitmentRecord,
)
from zqt.core.calendar import add_working_days
from zqt.core.errors import (
    ConflictError,
    NotFoundError,
    ValidationFailed,
    validation_error_from_django,
)
from zqt.core.services import full_clean_or_raise
from zqt.core.timeutil import local_today
from zqt.enterprises.enums import EnterpriseStatus
from zqt.enterprises.models import Enterprise
from zqt.enterprises.selectors import enterprise_detail, enterprise_get_for_user, require_capability

_KEY_RE = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")
EFFECT_STATUS = {"suspend": EnterpriseStatus.SUSPENDED, "deregister": EnterpriseStatus.DEREGISTERED}


class Upload(Protocol):
    """What a material upload needs to offer (Django's UploadedFile does)."""

    name: str | None
    size: int | None

    def read(self, n: int = -1, /) -> bytes: ...
    def seek(self, pos: int, /) -> int: ...


def _fail(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise ValidationFailed(errors[0]["message"], field=errors[0]["field"], errors=errors)


def _label(user: Any) -> str:
    return str(getattr(user, "display_name", "") or getattr(user, "username", "") or "系统")


def _event(
    case: Case, kind: str, message: str, *, actor: Any = None, task: CaseTask | None = None
) -> CaseEvent:
    return CaseEvent(
        case=case,
        task=task,
        kind=kind,
        message=message[:500],
        actor=actor if isinstance(actor, User) else None,
        actor_label=_label(actor) if actor else "系统",
    )


# --- routing and form ------------------------------------------------------------------------


def case_org_unit(region_code: str) -> OrgUnit:
    """The county (else city, else province) where the enterprise is registered."""
    for code in (region_code[:6], region_code[:4] + "00", region_code[:2] + "0000"):
        unit = org_unit_get(code=code)
        if unit is not None:
            return unit
    raise ValidationFailed("企业所属区划无对应受理机构", field="region_code")


_ROUTING_TTL_S = 300


def _routing(region_code: str) -> tuple[OrgUnit, set[str]]:
    """The accepting org unit and its department codes. Org units and their departments change
    rarely and a submit is on the hot path, so this is cached for a few minutes."""
    from django.core.cache import cache

    key = f"bundles:routing:{region_code}"
    hit = cache.get(key)
    if hit is not None:
        unit, codes = hit
        return unit, set(codes)
    unit = case_org_unit(region_code)
    codes = set(unit.departments.values_list("code", flat=True))
    cache.set(key, (unit, sorted(codes)), _ROUTING_TTL_S)
    return unit, codes


def route(*, org_unit: OrgUnit, department: str, available: set[str]) -> tuple[str, bool]:
    """The department code handling an item at `org_unit`; departments not set up there (e.g. a
    utility company) are reached through the unit's enterprise service centre (代转)."""
    code = f"{org_unit.code}-{department}"
    if code in available:
        return code, False
    return f"{org_unit.code}-service_centre", True


def case_form_for_user(
    *,
    user: Any,
    bundle_code: str,
    uscc: str,
    items: Iterable[str] | None = None,
    ip_address: str | None = None,
) -> tuple[Enterprise, Bundle, BundleDefinition, defn.CaseForm, dict[str, str]]:
    """The ONE form for the ticked items, pre-filled from the registry."""
    enterprise, bundle, definition, form = _form(
        user=user, bundle_code=bundle_code, uscc=uscc, items=items, ip_address=ip_address
    )
    registry = enterprise_detail(enterprise=enterprise, user=user)
    return enterprise, bundle, definition, form, defn.prefill(form, registry)


def _form(
    *,
    user: Any,
    bundle_code: str,
    uscc: str,
    items: Iterable[str] | None,
    ip_address: str | None,
) -> tuple[Enterprise, Bundle, BundleDefinition, defn.CaseForm]:
    enterprise = enterprise_get_for_user(
        user=user, uscc=uscc, capability="bundle.apply", purpose="一类事申请", ip_address=ip_address
    )
    bundle, definition = selectors.bundle_with_definition(code=bundle_code)
    if definition is None:
        raise ValidationFailed(
            "该一类事尚未开通网上联办，请到企业综合服务中心窗口办理", field="bundle"
        )
    chosen = list(items) if items is not None else defn.default_items(definition.document)
    try:
        form = defn.case_form(definition.document, chosen)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="items") from None
    return enterprise, bundle, definition, form


# --- submit ----------------------------------------------------------------------------------


def _read_upload(upload: Upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _check_materials(
    form: defn.CaseForm, files: Mapping[str, Upload], commitments: set[str], *, required: bool
) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    contents: dict[str, bytes] = {}
    errors: list[dict[str, Any]] = []
    by_key = {m["key"]: m for m in form.materials}
    for key in files:
        if key not in by_key:
            errors.append({"field": f"material_{key}", "message": f"材料“{key}”不属于所选事项"})
    for key in commitments:
        m = by_key.get(key)
        if m is None or not m.get("commitment_allowed"):
            label = m["label"] if m else key
            errors.append({"field": f"material_{key}", "message": f"“{label}”不适用告知承诺制"})
    for m in form.materials:
        key = m["key"]
        upload = files.get(key)
        if upload is None:
            if required and key not in commitments:
                errors.append({"field": f"material_{key}", "message": f"请上传“{m['label']}”"})
            continue
        size = int(upload.size or 0)
        limit = int(m["max_mb"]) * 1024 * 1024
        if size > limit:
            # Refuse without reading a too-large upload into memory.
            errors.append(
                {
                    "field": f"material_{key}",
                    "message": f"“{m['label']}”的文件过大（不超过 {m['max_mb']} MB）",
                }
            )
            continue
        data = _read_upload(upload)
        problems = defn.material_errors(
            m, filename=upload.name or "", size=len(data), head=data[:16]
        )
        errors += [{"field": f"material_{key}", "message": p} for p in problems]
        if not problems:
            contents[key] = data
    return contents, errors


def _save_material(
    case: Case, m: Mapping[str, Any], upload: Upload, data: bytes, rnd: int
) -> CaseMaterial:
    row = CaseMaterial(
        case=case,
        key=m["key"],
        label=m["label"],
        original_name=(upload.name or "")[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        round=rnd,
    )
    ext = (upload.name or "file").rsplit(".", 1)[-1].lower()[:5]
    row.file.save(f"{case.number}-{m['key']}-{rnd}.{ext}", ContentFile(data), save=False)
    return row


@lru_cache(maxsize=256)
def _due(start: dt.date, days: int) -> dt.date:
    # Every case of a day gets the same deadlines per item: compute each once per process.
    return add_working_days(start, days)


def _clean_fields(instance: Any, *, exclude: list[str]) -> None:
    """full_clean without the uniqueness queries: the database enforces those constraints and
    the callers handle the IntegrityError (a submit is on the hot path)."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise validation_error_from_django(exc) from exc


def _case_number() -> str:
    return f"YJS{local_today():%Y%m%d}{secrets.token_hex(4).upper()}"


def case_submit(
    *,
    user: Any,
    bundle_code: str,
    uscc: str,
    items: Iterable[str],
    data: Mapping[str, Any],
    files: Mapping[str, Upload] | None = None,
    commitments: Iterable[str] = (),
    idempotency_key: str,
    ip_address: str | None = None,
) -> Case:
    """Submit ONE application for the ticked items. A retry with the same idempotency key
    returns the case already made (never a second one); nothing is written on any error."""
    key = (idempotency_key or "").strip()
    if not _KEY_RE.match(key):
        raise ValidationFailed("提交标识无效，请刷新页面后重新提交", field="idempotency_key")
    enterprise, bundle, definition, form = _form(
        user=user, bundle_code=bundle_code, uscc=uscc, items=items, ip_address=ip_address
    )
    existing = Case.objects.filter(enterprise=enterprise, idempotency_key=key).first()
    if existing is not None:
        return existing
    files = files or {}
    committed = {c for c in commitments if c and c not in files}
    cleaned, field_errors = defn.clean_form_data(form, data)
    contents, material_errors = _check_materials(form, files, committed, required=True)
    _fail(field_errors + material_errors)

    org_unit, available = _routing(enterprise.region_code)
    try:
        return _case_create(
            actor=user,
            enterprise=enterprise,
            bundle=bundle,
            definition=definition,
            form=form,
            cleaned=cleaned,
            contents=contents,
            files=files,
            committed=committed,
            key=key,
            org_unit=org_unit,
            available=available,
            ip_address=ip_address,
        )
    except IntegrityError:
        # The same submission raced us and won (the case row is the transaction's first
        # write, so nothing else was written): its case is the answer.
        winner = Case.objects.filter(enterprise=enterprise, idempotency_key=key).first()
        if winner is None:
            raise
        return winner


def _case_create(
    *,
    actor: User,
    enterprise: Enterprise,
    bundle: Bundle,
    definition: BundleDefinition,
    form: defn.CaseForm,
    cleaned: dict[str, str],
    contents: dict[str, bytes],
    files: Mapping[str, Upload],
    committed: set[str],
    key: str,
    org_unit: OrgUnit,
    available: set[str],
    ip_address: str | None,
) -> Case:
    today = local_today()
    doc = definition.document
    with transaction.atomic():
        case = Case(
            number=_case_number(),
            bundle=bundle,
            definition=definition,
            enterprise=enterprise,
            org_unit=org_unit,
            applicant=actor,
            applicant_role=actor.role,
            selected_items=[i["code"] for i in form.items],
            form_data=cleaned,
            idempotency_key=key,
            effect=defn.effect_of(form.items) or "",
        )
        _clean_fields(case, exclude=["bundle", "definition", "enterprise", "org_unit", "applicant"])
        case.save(force_insert=True)
        by_key = {m["key"]: m for m in form.materials}
        rows = [_save_material(case, by_key[k], files[k], contents[k], 0) for k in contents]
        rows += [
            CaseMaterial(case=case, key=k, label=by_key[k]["label"], commitment=True)
            for k in sorted(committed)
        ]
        CaseMaterial.objects.bulk_create(rows)
        tasks = []
        for item in form.items:
            code, via_centre = route(
                org_unit=org_unit, department=item["department"], available=available
            )
            tasks.append(
                CaseTask(
                    case=case,
                    item_code=item["code"],
                    item_name=item["name"],
                    department_code=code,
                    department_name=item["department_name"],
                    routed_via_centre=via_centre,
                    due_on=_due(today, int(item["deadline_days"])),
                    result_title=item.get("result", ""),
                )
            )
        CaseTask.objects.bulk_create(tasks)
        verifications = []
        for k in sorted(committed):
            owner = next(i for i in form.items if k in i.get("materials", []))
            code, _ = route(org_unit=org_unit, department=owner["department"], available=available)
            verifications.append(
                CommitmentVerification(
                    case=case,
                    material_key=k,
                    material_label=by_key[k]["label"],
                    department_code=code,
                    department_name=owner["department_name"],
                    due_on=_due(today, int(doc.get("commitment_verify_days", 20))),
                )
            )
        CommitmentVerification.objects.bulk_create(verifications)
        departments = "、".join(dict.fromkeys(t.department_name for t in tasks))
        events = [
            _event(
                case,
                "submitted",
                f"提交申请：{bundle.name}（{len(tasks)} 个事项，一次提交）",
                actor=actor,
            ),
            _event(case, "dispatched", f"已同步分送：{departments}"),
        ]
        if committed:
            events.append(
                _event(
                    case,
                    "commitment",
                    "以告知承诺代替材料："
                    + "、".join(by_key[k]["label"] for k in sorted(committed)),
                    actor=actor,
                )
            )
        CaseEvent.objects.bulk_create(events)
        audit_record(
            actor=actor,
            action="bundle.case_submit",
            object_type="bundle_case",
            object_id=case.number,
            ip_address=ip_address,
            changes={
                "bundle": bundle.code,
                "definition_version": definition.version,
                "enterprise": enterprise.uscc,
                "items": case.selected_items,
                "materials": sorted(contents),
                "commitments": sorted(committed),
            },
        )
    return case


# --- department decisions --------------------------------------------------------------------


def _notify(case: Case, *, title: str, body: str, event: str) -> None:
    from zqt.enterprises.selectors import enterprise_member_users
    from zqt.notifications.services import notification_send

    if case.applicant.role in (Role.ENTERPRISE, Role.AGENT):
        recipients = [case.applicant]
    else:  # a desk filed it on the enterprise's behalf: tell the enterprise's own accounts
        recipients = list(enterprise_member_users(enterprise=case.enterprise))
    for recipient in recipients:
        notification_send(
            recipient=recipient,
            template_code="generic",
            context={"title": title, "body": body},
            event_key=f"bundle:{case.number}:{event}",
        )


def _apply_effect(case: Case, events: list[CaseEvent], *, actor: User) -> None:
    if not case.effect or case.effect_applied_at is not None:
        return
    effect_items = {
        i["code"] for i in case.definition.document["items"] if i.get("effect") == case.effect
    }
    approved = set(
        case.tasks.filter(status=st.APPROVED, item_code__in=effect_items).values_list(
            "item_code", flat=True
        )
    )
    if not approved:
        return
    from zqt.enterprises.services import enterprise_status_set

    target = EFFECT_STATUS[case.effect]
    prior = case.enterprise.status
    # The approving department's decision is the legal basis; the registry records it as such.
    enterprise_status_set(
        actor=actor,
        uscc=case.enterprise.uscc,
        status=target.value,
        reason=f"{case.bundle.name}办件 {case.number} 审批通过",
    )
    case.prior_enterprise_status = prior
    case.effect_applied_at = timezone.now()
    events.append(
        _event(
            case,
            "effect",
            f"登记状态已变更为“{target.label}”（一键暂停）"
            if case.effect == "suspend"
            else f"登记状态已变更为“{target.label}”",
        )
    )


def _refresh(case: Case, events: list[CaseEvent], *, actor: User) -> None:
    """Recompute the aggregated status (the case row is locked by the caller)."""
    old = case.status
    new = st.case_status(case.tasks.values_list("status", flat=True))
    if new != old:
        case.status = new
        if new not in st.CASE_OPEN:
            case.completed_at = timezone.now()
            results = list(
                case.tasks.filter(status=st.APPROVED).values_list("result_title", flat=True)
            )
            events.append(
                _event(
                    case,
                    "completed",
                    f"办件{st.CASE_LABELS[new]}；办理结果：{'、'.join(results) or '无'}",
                )
            )
            _apply_effect(case, events, actor=actor)
            _notify(
                case,
                title=f"{case.bundle.name}{st.CASE_LABELS[new]}",
                body=(
                    f"办件 {case.number} {st.CASE_LABELS[new]}。"
                    f"办理结果：{'、'.join(results) or '无'}。"
                ),
                event="completed",
            )
        elif new == st.CASE_SUPPLEMENT:
            _notify(
                case,
                title=f"{case.bundle.name}需补正材料",
                body=f"办件 {case.number} 有部门要求补正，请在办件页面一次性补正。",
                event=f"supplement-{timezone.now():%Y%m%d%H%M%S%f}",
            )
    case.save(
        update_fields=[
            "status",
            "completed_at",
            "prior_enterprise_status",
            "effect_applied_at",
            "updated_at",
        ]
    )


def task_decide(
    *,
    user: Any,
    task_id: int,
    action: str,
    reason: str = "",
    result_number: str = "",
    ip_address: str | None = None,
) -> CaseTask:
    """A department acts on its task: accept / request_more (reason = what is missing) /
    approve (result_number = e-certificate or decision number) / reject (reason required).
    Decisions on one case are serialised by locking the case row, then the task row; a task
    already decided cannot be decided again (ConflictError)."""
    if action not in ("accept", "request_more", "approve", "reject"):
        raise ValidationFailed("未知的操作", field="action")
    task = selectors.task_get_for_user(user=user, task_id=task_id, ip_address=ip_address)
    reason = (reason or "").strip()
    result_number = (result_number or "").strip()
    if action in ("reject", "request_more") and not reason:
        raise ValidationFailed(
            "请填写不予办理的理由" if action == "reject" else "请写明需要补正的内容", field="reason"
        )
    if len(reason) > 500 or len(result_number) > 64:
        raise ValidationFailed("内容过长", field="reason")
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("bundle", "definition", "enterprise", "applicant")
            .get(pk=task.case_id)
        )
        locked = CaseTask.objects.select_for_update().get(pk=task.pk)
        try:
            new = st.next_status(locked.status, action)
        except st.TransitionError as exc:
            raise ConflictError(str(exc), field="action") from None
        old = locked.status
        locked.status = new
        events: list[CaseEvent] = []
        if action == "request_more":
            locked.more_info_request = reason
            events.append(
                _event(
                    case,
                    "more_info",
                    f"{locked.department_name}要求补正：{reason}",
                    actor=user,
                    task=locked,
                )
            )
        elif action == "accept":
            events.append(
                _event(
                    case,
                    "accepted",
                    f"{locked.department_name}已受理：{locked.item_name}",
                    actor=user,
                    task=locked,
                )
            )
        else:
            locked.decided_at = timezone.now()
            locked.decided_by = user
            if action == "approve":
                locked.result_number = result_number or f"{locked.item_code}-{case.number[-8:]}"
                events.append(
                    _event(
                        case,
                        "approved",
                        f"{locked.department_name}办结：{locked.item_name}，出具{locked.result_title}（{locked.result_number}）",
                        actor=user,
                        task=locked,
                    )
                )
            else:
                locked.reason = reason
                events.append(
                    _event(
                        case,
                        "rejected",
                        f"{locked.department_name}不予办理：{locked.item_name}。理由：{reason}",
                        actor=user,
                        task=locked,
                    )
                )
        full_clean_or_raise(locked, exclude=["case", "decided_by"])
        locked.save()
        _refresh(case, events, actor=user)
        CaseEvent.objects.bulk_create(events)
        audit_record(
            actor=user,
            action=f"bundle.task_{action}",
            object_type="bundle_task",
            object_id=str(locked.pk),
            ip_address=ip_address,
            changes={
                "case": case.number,
                "status": {"old": old, "new": new},
                "reason": reason,
                "result_number": locked.result_number,
            },
        )
    return locked


def case_supplement_answer(
    *,
    user: Any,
    number: str,
    message: str,
    files: Mapping[str, Upload] | None = None,
    ip_address: str | None = None,
) -> Case:
    """The enterprise answers every open request for more information at once; each department
    that asked goes back to handling its task."""
    case = selectors.case_get_for_user(
        user=user, number=number, capability="bundle.apply", ip_address=ip_address
    )
    message = (message or "").strip()
    files = files or {}
    if case.status != st.CASE_SUPPLEMENT:
        raise ConflictError("该办件当前无需补正", field="status")
    form = defn.case_form(case.definition.document, case.selected_items)
    contents, errors = _check_materials(form, files, set(), required=False)
    if not message and not files:
        errors.append({"field": "message", "message": "请填写补正说明或上传补正材料"})
    if len(message) > 500:
        errors.append({"field": "message", "message": "补正说明不能超过 500 字"})
    _fail(errors)
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("bundle", "definition", "enterprise", "applicant")
            .get(pk=case.pk)
        )
        if case.status != st.CASE_SUPPLEMENT:
            raise ConflictError("该办件当前无需补正", field="status")
        rnd = (case.materials.aggregate(r=Max("round"))["r"] or 0) + 1
        by_key = {m["key"]: m for m in form.materials}
        CaseMaterial.objects.bulk_create(
            [_save_material(case, by_key[k], files[k], contents[k], rnd) for k in contents]
        )
        waiting = list(CaseTask.objects.select_for_update().filter(case=case, status=st.MORE_INFO))
        for t in waiting:
            t.status = st.next_status(t.status, "answer")
        CaseTask.objects.bulk_update(waiting, ["status"])
        events = [
            _event(
                case,
                "supplemented",
                f"企业一次性补正（{len(waiting)} 个部门）：{message or '已上传补正材料'}"
                + (
                    f"；材料：{'、'.join(by_key[k]['label'] for k in contents)}" if contents else ""
                ),
                actor=user,
            )
        ]
        _refresh(case, events, actor=user)
        CaseEvent.objects.bulk_create(events)
        audit_record(
            actor=user,
            action="bundle.case_supplement",
            object_type="bundle_case",
            object_id=case.number,
            ip_address=ip_address,
            changes={"tasks": [t.pk for t in waiting], "materials": sorted(contents)},
        )
    return case


def case_resume(*, user: Any, number: str, ip_address: str | None = None) -> Case:
    """End a 歇业: the enterprise's registry status returns to what it was before."""
    case = selectors.case_get_for_user(
        user=user, number=number, capability="bundle.apply", ip_address=ip_address
    )
    with transaction.atomic():
        case = (
            Case.objects.select_for_update().select_related("enterprise", "bundle").get(pk=case.pk)
        )
        if case.effect != "suspend" or case.effect_applied_at is None:
            raise ConflictError("该办件未产生歇业状态，无需恢复", field="status")
        if case.resumed_at is not None:
            raise ConflictError("已恢复营业，请勿重复操作", field="status")
        from zqt.enterprises.services import enterprise_status_set

        prior = case.prior_enterprise_status or EnterpriseStatus.EXISTING.value
        enterprise_status_set(
            actor=user,
            uscc=case.enterprise.uscc,
            status=prior,
            reason=f"恢复营业（{case.bundle.name}办件 {case.number}）",
        )
        case.resumed_at = timezone.now()
        case.save(update_fields=["resumed_at", "updated_at"])
        CaseEvent.objects.create(
            case=case,
            kind="resumed",
            actor=user,
            actor_label=_label(user),
            message=f"恢复营业：登记状态恢复为“{EnterpriseStatus(prior).label}”",
        )
        audit_record(
            actor=user,
            action="bundle.case_resume",
            object_type="bundle_case",
            object_id=case.number,
            ip_address=ip_address,
            changes={"status": prior},
        )
    return case


def commitment_verify(
    *, user: Any, verification_id: int, truthful: bool, note: str, ip_address: str | None = None
) -> CommitmentVerification:
    """The department's check of an informed commitment. A false commitment is recorded against
    the enterprise's credit (FalseCommitmentRecord) and the enterprise is told."""
    row = selectors.verification_get_for_user(
        user=user, verification_id=verification_id, ip_address=ip_address
    )
    note = (note or "").strip()
    if not truthful and not note:
        raise ValidationFailed("认定承诺不实须写明核查情况", field="note")
    with transaction.atomic():
        locked = (
            CommitmentVerification.objects.select_for_update()
            .select_related("case", "case__enterprise", "case__bundle", "case__applicant")
            .get(pk=row.pk)
        )
        if locked.status != CommitmentVerification.PENDING:
            raise ConflictError("该承诺已核查，不能重复认定", field="status")
        locked.status = (
            CommitmentVerification.CONFIRMED if truthful else CommitmentVerification.FALSE
        )
        locked.note = note[:500]
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save()
        case = locked.case
        if truthful:
            msg = f"{locked.department_name}核查告知承诺属实：{locked.material_label}"
        else:
            from zqt.enterprises.services import credit_record_create

            # The registry's credit record is what other modules (credit grades, policies) read;
            # the bundle keeps its own link to the verification for the case page.
            credit_record_create(
                actor=user,
                uscc=case.enterprise.uscc,
                kind="bad",
                title=f"告知承诺不实：{locked.material_label}"[:128],
                source_department=locked.department_name,
                recorded_on=local_today(),
                ip_address=ip_address,
            )
            FalseCommitmentRecord.objects.create(
                enterprise=case.enterprise,
                verification=locked,
                recorded_on=local_today(),
                title=f"告知承诺不实：{locked.material_label}（办件 {case.number}）",
                department_name=locked.department_name,
            )
            msg = (
                f"{locked.department_name}认定告知承诺不实：{locked.material_label}，"
                "已记入企业信用记录"
            )
            _notify(
                case,
                title="告知承诺核查结果",
                body=f"{msg}。核查情况：{note}",
                event=f"commitment-{locked.pk}",
            )
        CaseEvent.objects.create(
            case=case, kind="verification", message=msg[:500], actor=user, actor_label=_label(user)
        )
        audit_record(
            actor=user,
            action="bundle.commitment_verify",
            object_type="bundle_commitment",
            object_id=str(locked.pk),
            ip_address=ip_address,
            changes={"case": case.number, "truthful": truthful, "note": note},
        )
    return locked


# --- definitions -----------------------------------------------------------------------------


def bundle_definition_save(
    *, user: Any, bundle_code: str, document: Any, note: str = "", ip_address: str | None = None
) -> BundleDefinition:
    """Save an edited definition as the bundle's next version; cases already submitted keep the
    version they started with."""
    actor = require_capability(
        user=user,
        capability="bundle.manage",
        object_type="bundle",
        object_id=bundle_code,
        ip_address=ip_address,
    )
    bundle = Bundle.objects.filter(code=bundle_code).first()
    if bundle is None:
        raise NotFoundError("一类事不存在。")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                f"定义不是有效的 JSON（第 {exc.lineno} 行）", field="document"
            ) from None
    errors = defn.definition_errors(document)
    if errors:
        raise ValidationFailed(
            errors[0],
            field="document",
            errors=[{"field": "document", "message": e} for e in errors],
        )
    with transaction.atomic():
        Bundle.objects.select_for_update().filter(pk=bundle.pk).first()
        current = (
            BundleDefinition.objects.filter(bundle=bundle).aggregate(v=Max("version"))["v"] or 0
        )
        row = BundleDefinition(
            bundle=bundle,
            version=current + 1,
            document=document,
            note=(note or "").strip()[:200],
            created_by=actor,
        )
        full_clean_or_raise(row, exclude=["bundle", "created_by"])
        row.save(force_insert=True)
        audit_record(
            actor=actor,
            action="bundle.definition_save",
            object_type="bundle",
            object_id=bundle.code,
            ip_address=ip_address,
            changes={"version": row.version, "note": row.note},
        )
    return row
