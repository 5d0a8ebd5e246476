"""JSON API for 一类事, mounted at /api/v1/bundles/ (see zqt.config.api). Thin: rules live in
selectors/services; DomainErrors become {"code","message","field","errors"} 4xx."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from ninja import Router, Schema, Status

from zqt.bundles import selectors, services
from zqt.bundles.forms_util import client_ip
from zqt.bundles.models import Case
from zqt.core.errors import ValidationFailed
from zqt.enterprises.schemas import ErrorOut

router = Router(tags=["一类事"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class BundleOut(Schema):
    code: str
    name: str
    topic: str
    basic_items: list[str]
    value_added_items: list[dict[str, Any]]
    responsible_units: str
    configured: bool


class MaterialIn(Schema):
    filename: str
    content_base64: str


class CaseIn(Schema):
    bundle_code: str
    uscc: str
    items: list[str]
    data: dict[str, str]
    materials: dict[str, MaterialIn] = {}
    commitments: list[str] = []
    idempotency_key: str


class TaskOut(Schema):
    id: int
    item_code: str
    item_name: str
    department_name: str
    status: str
    status_label: str
    due_on: str
    overdue: bool
    result_title: str
    result_number: str
    reason: str


class CaseOut(Schema):
    number: str
    bundle_code: str
    bundle_name: str
    status: str
    status_label: str
    definition_version: int
    done: int
    total: int
    tasks: list[TaskOut]
    timeline: list[dict[str, str]]


class DecideIn(Schema):
    action: str
    reason: str = ""
    result_number: str = ""


def _bundle(b: Any, configured: set[str]) -> dict[str, Any]:
    return {
        "code": b.code,
        "name": b.name,
        "topic": b.topic,
        "basic_items": b.basic_items,
        "value_added_items": b.value_added_items,
        "responsible_units": b.responsible_units,
        "configured": b.code in configured,
    }


def _case(case: Case, user: Any) -> dict[str, Any]:
    v = selectors.case_view(case=case, user=user)
    return {
        "number": case.number,
        "bundle_code": case.bundle.code,
        "bundle_name": case.bundle.name,
        "status": case.status,
        "status_label": v.status_label,
        "definition_version": case.definition.version,
        "done": v.done,
        "total": v.total,
        "tasks": [
            {
                "id": r.task.pk,
                "item_code": r.task.item_code,
                "item_name": r.task.item_name,
                "department_name": r.task.department_name,
                "status": r.task.status,
                "status_label": r.task.status_label,
                "due_on": r.task.due_on.isoformat(),
                "overdue": r.overdue,
                "result_title": r.task.result_title if r.task.status == "approved" else "",
                "result_number": r.task.result_number,
                "reason": r.task.reason,
            }
            for r in v.tasks
        ],
        "timeline": [
            {"at": e.created_at.isoformat(), "kind": e.kind, "message": e.message} for e in v.events
        ],
    }


@router.get("/", auth=None, response={200: list[BundleOut]}, summary="一类事目录（公开）")
def bundles(request: HttpRequest, q: str = "", topic: str = "") -> Any:
    configured = selectors.configured_codes()
    return [_bundle(b, configured) for b in selectors.bundle_list(query=q, topic=topic)]


@router.get(
    "/directory/{code}", auth=None, response={200: BundleOut, **ERRORS}, summary="一类事详情"
)
def bundle(request: HttpRequest, code: str) -> Any:
    return _bundle(selectors.bundle_get(code=code), selectors.configured_codes())


def _uploads(materials: dict[str, MaterialIn]) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for key, m in materials.items():
        try:
            data = base64.b64decode(m.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                f"材料“{key}”不是有效的 Base64 内容", field=f"material_{key}"
            ) from None
        files[key] = SimpleUploadedFile(m.filename, data)
    return files


@router.post("/cases", response={201: CaseOut, 200: CaseOut, **ERRORS}, summary="一次提交联办申请")
def submit(request: HttpRequest, payload: CaseIn) -> Any:
    """同一 idempotency_key 重复提交返回已创建的办件（200），不会产生第二个办件。"""
    user = request.auth  # type: ignore[attr-defined]
    before = (
        Case.objects.filter(idempotency_key=payload.idempotency_key)
        .values_list("pk", flat=True)
        .first()
    )
    case = services.case_submit(
        user=user,
        bundle_code=payload.bundle_code,
        uscc=payload.uscc,
        items=payload.items,
        data=payload.data,
        files=_uploads(payload.materials),
        commitments=payload.commitments,
        idempotency_key=payload.idempotency_key,
        ip_address=client_ip(request),
    )
    return Status(200 if before == case.pk else 201, _case(case, user))


@router.get("/cases/{number}", response={200: CaseOut, **ERRORS}, summary="办件汇总状态与时间线")
def case(request: HttpRequest, number: str) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    found = selectors.case_get_for_user(user=user, number=number, ip_address=client_ip(request))
    return _case(found, user)


@router.post(
    "/tasks/{task_id}/decide",
    response={200: CaseOut, **ERRORS},
    summary="部门受理/要求补正/办结/不予办理",
)
def decide(request: HttpRequest, task_id: int, payload: DecideIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    task = services.task_decide(
        user=user,
        task_id=task_id,
        action=payload.action,
        reason=payload.reason,
        result_number=payload.result_number,
        ip_address=client_ip(request),
    )
    found = selectors.case_get_for_user(user=user, number=task.case.number)
    return _case(found, user)
