"""JSON API for 信用评价, mounted at /api/v1/credit/ (see zqt.config.api). Thin: rules live in
services/selectors; DomainErrors become structured 4xx in config/api.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from zqt.credit import selectors, services
from zqt.enterprises.schemas import ErrorOut

router = Router(tags=["信用评价"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class LineOut(Schema):
    factor: str
    label: str
    count: int
    points: int


class RecordOut(Schema):
    kind: str
    id: int
    title: str
    department: str
    recorded_on: dt.date


class CreditOut(Schema):
    uscc: str
    name: str
    score: int | None
    grade: str
    colour: str
    colour_label: str
    previous_grade: str | None
    supervision_label: str
    ratio_permille: int
    model_version: int
    explanation: list[LineOut]
    records: list[RecordOut]


@router.get("/enterprises/{uscc}", response={200: CreditOut, **ERRORS}, summary="企业信用评价")
def credit_get(request: HttpRequest, uscc: str) -> Any:
    view = selectors.credit_get_for_user(user=_user(request), uscc=uscc, ip_address=_ip(request))
    return {
        "uscc": view.enterprise.uscc,
        "name": view.enterprise.name,
        "score": view.score,
        "grade": view.grade,
        "colour": view.colour,
        "colour_label": view.colour_label,
        "previous_grade": view.previous_grade,
        "supervision_label": view.supervision_label,
        "ratio_permille": view.ratio_permille,
        "model_version": view.model_version,
        "explanation": [x.__dict__ for x in view.explanation],
        "records": [r.__dict__ for r in view.records],
    }


class RunOut(Schema):
    changed: int
    seconds: float
    model_version: int


@router.post("/recompute", response={200: RunOut, **ERRORS}, summary="全量重算信用评价")
def recompute(request: HttpRequest) -> Any:
    return services.credit_recompute_all(user=_user(request), ip_address=_ip(request))


class EventIn(Schema):
    uscc: str
    factor: str
    title: str
    source_department: str
    occurred_on: dt.date
    source_key: str


@router.post(
    "/events",
    response={201: dict[str, int], **ERRORS},
    summary="报送信用事件（投诉查实、逾期未履行、表彰等）",
)
def event_report(request: HttpRequest, payload: EventIn) -> Any:
    event = services.credit_event_report(
        user=_user(request), ip_address=_ip(request), **payload.dict()
    )
    return Status(201, {"id": event.pk})


class ModelIn(Schema):
    config: dict[str, Any]
    note: str = ""


@router.post(
    "/scoring-models", response={201: dict[str, int], **ERRORS}, summary="发布信用评分模型新版本"
)
def model_publish(request: HttpRequest, payload: ModelIn) -> Any:
    row = services.scoring_model_publish(
        user=_user(request), config=payload.config, note=payload.note, ip_address=_ip(request)
    )
    return Status(201, {"version": row.version})


class RepairIn(Schema):
    record_kind: str
    record_id: int
    reason: str


class RepairOut(Schema):
    id: int
    status: str
    eligible_from: dt.date


@router.post("/repairs", response={201: RepairOut, **ERRORS}, summary="申请信用修复（企业）")
def repair_apply(request: HttpRequest, payload: RepairIn) -> Any:
    repair = services.credit_repair_apply(
        user=_user(request), ip_address=_ip(request), **payload.dict()
    )
    return Status(
        201, {"id": repair.pk, "status": repair.status, "eligible_from": repair.eligible_from}
    )


class DecisionIn(Schema):
    approve: bool
    note: str = ""


@router.post(
    "/repairs/{repair_id}/decision", response={200: RepairOut, **ERRORS}, summary="审核信用修复"
)
def repair_decide(request: HttpRequest, repair_id: int, payload: DecisionIn) -> Any:
    repair = services.credit_repair_decide(
        user=_user(request),
        repair_id=repair_id,
        approve=payload.approve,
        note=payload.note,
        ip_address=_ip(request),
    )
    return {"id": repair.pk, "status": repair.status, "eligible_from": repair.eligible_from}


class FilingIn(Schema):
    agent_id: int
    reference: str
    enterprise_name: str
    outcome: str


class FilingOut(Schema):
    reference: str
    points_delta: int
    points_after: int
    rule_text: str


@router.post("/filings", response={201: FilingOut, **ERRORS}, summary="中介代办业务评分")
def filing_score(request: HttpRequest, payload: FilingIn) -> Any:
    filing = services.filing_score(user=_user(request), ip_address=_ip(request), **payload.dict())
    return Status(201, filing)


class ExamIn(Schema):
    answers: dict[str, str]


class ExamOut(Schema):
    score: int
    passed: bool
    points_after: int


@router.post("/exam", response={200: ExamOut, **ERRORS}, summary="中介从业人员培训考试")
def exam(request: HttpRequest, payload: ExamIn) -> Any:
    return services.agent_exam_submit(
        user=_user(request), answers=payload.answers, ip_address=_ip(request)
    )


class WarningOut(Schema):
    id: int
    rule_code: str
    title: str
    detail: str
    status: str
    feedback: str


@router.get("/warnings", response={200: list[WarningOut], **ERRORS}, summary="风险预警")
def warnings(request: HttpRequest) -> Any:
    return list(selectors.warning_queryset_for_user(user=_user(request))[:200])


class HandleIn(Schema):
    note: str
    close: bool = False
    feedback: str = ""


@router.post(
    "/warnings/{warning_id}/handling",
    response={200: WarningOut, **ERRORS},
    summary="预警处置与反馈",
)
def warning_handle(request: HttpRequest, warning_id: int, payload: HandleIn) -> Any:
    return services.warning_handle(
        user=_user(request), warning_id=warning_id, ip_address=_ip(request), **payload.dict()
    )
