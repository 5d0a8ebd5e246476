"""JSON API for 企业诉求, mounted at /api/v1/appeals/ (see zqt.config.api). Thin: rules live in
selectors and services; DomainErrors become {"code","message","field"} 4xx in config/api.py.
The 12345 hotline system submits with a bearer token and an `Idempotency-Key` header."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from zqt.appeals import deadlines, selectors, services
from zqt.core.errors import ValidationFailed

router = Router(tags=["企业诉求"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class AppealIn(Schema):
    uscc: str | None = None
    title: str
    content: str
    appeal_type: str = "help"
    channel: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    external_id: str = ""
    idempotency_key: str | None = None


class AppealOut(Schema):
    id: int
    reference: str
    status: str
    enterprise_uscc: str
    title: str
    board: str | None
    handler: str | None
    due_at: dt.datetime | None
    suggested_board: str
    created_at: dt.datetime


class RouteIn(Schema):
    board_code: str
    appeal_type: str = "help"
    scope: str = "point"
    difficulty: str = "simple"
    handler_id: int | None = None


class AnswerIn(Schema):
    resolution_type: str
    text: str


class RateIn(Schema):
    score: str
    comment: str = ""


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _out(appeal: Any) -> dict[str, Any]:
    clock = selectors.active_clock(appeal)
    return {
        "id": appeal.pk,
        "reference": appeal.reference,
        "status": appeal.status,
        "enterprise_uscc": appeal.enterprise.uscc,
        "title": appeal.title,
        "board": appeal.board.code if appeal.board_id and appeal.board else None,
        "handler": appeal.handler.display_name if appeal.handler_id and appeal.handler else None,
        "due_at": clock.due_at if clock else None,
        "suggested_board": appeal.suggested_board_code,
        "created_at": appeal.created_at,
    }


@router.post("/", response={200: AppealOut, 201: AppealOut, **ERRORS}, summary="提交诉求")
def submit(request: HttpRequest, payload: AppealIn) -> Any:
    """企业在线提交、窗口代录或12345等系统推送。同一幂等键重复提交返回首次结果（200）。"""
    data = payload.dict()
    key = request.headers.get("Idempotency-Key") or data.pop("idempotency_key", None)
    data.pop("idempotency_key", None)
    appeal, created = services.appeal_submit(
        user=_user(request), idempotency_key=key, ip_address=_ip(request), **data
    )
    return Status(201 if created else 200, _out(appeal))


@router.get("/", response={200: list[AppealOut], **ERRORS}, summary="诉求列表")
def list_appeals(request: HttpRequest, status: str | None = None, limit: int = 50) -> Any:
    qs = selectors.appeal_queryset_for_user(user=_user(request)).order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return [_out(a) for a in qs[: max(1, min(limit, 200))]]


class Open311ImportOut(Schema):
    external_id: str
    service_request_id: str | None
    created: bool
    code: str | None
    message: str | None
    field: str | None


def _open311_time(value: str | None, field: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{field} 不是 ISO 8601 时间。", field=field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=deadlines.SHANGHAI)


@router.get(
    "/open311/requests.json",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="Open311 GeoReport v2：导出服务请求",
)
def open311_export(
    request: HttpRequest,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> Any:
    """GeoReport v2 GET Service Requests: service_request_id (逗号分隔), service_code（板块代码，
    未分派为 unassigned）, start_date/end_date（ISO 8601）, status（open/closed）。最多1000条。"""
    if status not in (None, "", "open", "closed"):
        raise ValidationFailed("status 只能是 open 或 closed。", field="status")
    references = (
        [r.strip() for r in service_request_id.split(",") if r.strip()]
        if service_request_id
        else None
    )
    return selectors.open311_requests(
        user=_user(request),
        status=status or None,
        service_code=service_code or None,
        start=_open311_time(start_date, "start_date"),
        end=_open311_time(end_date, "end_date"),
        references=references,
    )


@router.post(
    "/open311/requests.json",
    response={200: list[Open311ImportOut], **ERRORS},
    summary="Open311 GeoReport v2：导入服务请求",
)
def open311_import(request: HttpRequest) -> Any:
    """请求体为 GeoReport 服务请求的 JSON 数组（最多500条）；企业以 account_id 或
    attributes.uscc 给出统一社会信用代码。按 service_request_id 幂等：重复导入返回已有诉求。"""
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        raise ValidationFailed("请求体不是合法的 JSON。", field="requests") from None
    return services.open311_import(user=_user(request), requests=body, ip_address=_ip(request))


@router.get("/{appeal_id}", response={200: AppealOut, **ERRORS}, summary="诉求详情")
def detail(request: HttpRequest, appeal_id: int) -> Any:
    return _out(
        selectors.appeal_get_for_user(
            user=_user(request), appeal_id=appeal_id, ip_address=_ip(request)
        )
    )


@router.post("/{appeal_id}/route", response={200: AppealOut, **ERRORS}, summary="分类分派")
def route(request: HttpRequest, appeal_id: int, payload: RouteIn) -> Any:
    return _out(
        services.appeal_route(
            user=_user(request), appeal_id=appeal_id, ip_address=_ip(request), **payload.dict()
        )
    )


@router.post("/{appeal_id}/answer", response={200: AppealOut, **ERRORS}, summary="答复")
def answer(request: HttpRequest, appeal_id: int, payload: AnswerIn) -> Any:
    return _out(
        services.appeal_answer(
            user=_user(request), appeal_id=appeal_id, ip_address=_ip(request), **payload.dict()
        )
    )


@router.post("/{appeal_id}/rate", response={200: AppealOut, **ERRORS}, summary="评价（一单一评）")
def rate(request: HttpRequest, appeal_id: int, payload: RateIn) -> Any:
    services.appeal_rate(
        user=_user(request), appeal_id=appeal_id, ip_address=_ip(request), **payload.dict()
    )
    return _out(selectors.appeal_get_for_user(user=_user(request), appeal_id=appeal_id))
