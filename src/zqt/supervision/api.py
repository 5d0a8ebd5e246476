"""JSON API for 监管检查, mounted at /api/v1/supervision/ (see zqt.config.api). Thin: rules live
in services/selectors; DomainErrors become structured 4xx in config/api.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from zqt.enterprises.schemas import ErrorOut
from zqt.supervision import selectors, services
from zqt.supervision.models import Draw

router = Router(tags=["监管检查"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class DrawOut(Schema):
    number: str
    purpose: str
    title: str
    department_name: str
    status: str
    engine_version: str
    population_filter: dict[str, Any]
    population_size: int
    population_digest: str
    pool: list[str]
    pool_digest: str
    conflicts: list[str]
    conflicts_digest: str
    region_conflict: bool
    excluded: list[list[str]]
    k: int
    m: int
    max_per_assignee: int | None
    commitment: str
    seed: str
    committed_at: dt.datetime
    drawn_at: dt.datetime | None
    result: list[str]
    result_digest: str


def _draw_out(draw: Draw) -> dict[str, Any]:
    data = {f: getattr(draw, f) for f in DrawOut.model_fields if f != "seed"}
    data["seed"] = selectors.public_seed(draw)
    return data


class DrawIn(Schema):
    title: str
    department_code: str
    k: int
    m: int = 2
    region_prefix: str = ""
    industry_code: str = ""
    region_conflict: bool = True
    recent_days: int = services.DEFAULT_RECENT_DAYS
    max_per_assignee: int | None = None


class VerifyOut(Schema):
    ok: bool
    checks: list[tuple[str, bool]]


@router.get(
    "/draws/{number}", auth=None, response={200: DrawOut, **ERRORS}, summary="抽取公示记录（公开）"
)
def draw_public(request: HttpRequest, number: str) -> Any:
    """承诺、名录摘要、人员库、回避对、结果；种子在抽取后公开。"""
    return _draw_out(selectors.draw_get_public(number=number))


@router.get(
    "/draws/{number}/verify",
    auth=None,
    response={200: VerifyOut, **ERRORS},
    summary="按公示数据复核抽取（公开）",
)
def draw_verify(request: HttpRequest, number: str) -> Any:
    report = selectors.draw_verify(selectors.draw_get_public(number=number))
    return {"ok": report.ok, "checks": report.checks}


@router.post("/draws", response={201: DrawOut, **ERRORS}, summary="新建双随机抽查（公示承诺）")
def draw_commit(request: HttpRequest, payload: DrawIn) -> Any:
    draw = services.inspection_draw_commit(
        user=_user(request), ip_address=_ip(request), **payload.dict()
    )
    return Status(201, _draw_out(draw))


@router.post(
    "/draws/{number}/execute",
    response={200: DrawOut, **ERRORS},
    summary="进行抽取（公开种子与结果）",
)
def draw_execute(request: HttpRequest, number: str) -> Any:
    return _draw_out(
        services.draw_execute(user=_user(request), number=number, ip_address=_ip(request))
    )


class FindingIn(Schema):
    item_id: int
    outcome: str
    note: str = ""


class ResultIn(Schema):
    uscc: str
    inspection_id: int
    findings: list[FindingIn]
    conclusion: str = ""


class InspectionOut(Schema):
    id: int
    status: str
    conclusion: str
    published_at: dt.datetime | None


@router.post(
    "/inspections/results",
    response={200: list[InspectionOut], **ERRORS},
    summary="录入检查结果（执法人员）",
)
def results_record(request: HttpRequest, payload: list[ResultIn]) -> Any:
    if not payload:
        from zqt.core.errors import ValidationFailed

        raise ValidationFailed("没有要录入的检查任务。", field="inspection")
    uscc = payload[0].uscc
    results = {
        r.inspection_id: {f.item_id: (f.outcome, f.note) for f in r.findings} for r in payload
    }
    done = services.inspection_results_record(
        user=_user(request),
        uscc=uscc,
        results=results,
        conclusion=payload[0].conclusion,
        ip_address=_ip(request),
    )
    return [
        {"id": i.pk, "status": i.status, "conclusion": i.conclusion, "published_at": i.published_at}
        for i in done
    ]


class ItemIn(Schema):
    code: str
    title: str
    colour: str
    legal_basis: str


class ItemListIn(Schema):
    department_key: str
    department_name: str
    items: list[ItemIn]
    note: str = ""


class ItemListOut(Schema):
    department_code: str
    version: int


@router.post("/item-lists", response={201: ItemListOut, **ERRORS}, summary="发布检查事项清单新版本")
def item_list_publish(request: HttpRequest, payload: ItemListIn) -> Any:
    row = services.item_list_publish(
        user=_user(request),
        department_key=payload.department_key,
        department_name=payload.department_name,
        items=[i.dict() for i in payload.items],
        note=payload.note,
        ip_address=_ip(request),
    )
    return Status(201, {"department_code": row.department_code, "version": row.version})


class TenderIn(Schema):
    number: str
    title: str
    speciality: str
    region_code: str
    bidders: list[str]
    venues: list[str]


class ExpertDrawIn(Schema):
    k: int
    department_code: str


@router.post("/tenders", response={201: dict[str, str], **ERRORS}, summary="登记招标项目")
def tender_create(request: HttpRequest, payload: TenderIn) -> Any:
    tender = services.tender_create(user=_user(request), **payload.dict())
    return Status(201, {"number": tender.number})


@router.post(
    "/tenders/{number}/expert-draws",
    response={201: DrawOut, **ERRORS},
    summary="评标专家随机抽取（公示承诺）",
)
def expert_draw(request: HttpRequest, number: str, payload: ExpertDrawIn) -> Any:
    tender = selectors.tender_get(number=number)
    draw = services.expert_draw_commit(
        user=_user(request),
        tender=tender,
        k=payload.k,
        department_code=payload.department_code,
        ip_address=_ip(request),
    )
    return Status(201, _draw_out(draw))


class JointIn(Schema):
    period_start: dt.date
    period_end: dt.date


@router.post(
    "/joint-inspections", response={200: list[str], **ERRORS}, summary="综合查一次：合并计划检查"
)
def joint_plan(request: HttpRequest, payload: JointIn) -> Any:
    created = services.joint_inspections_plan(
        user=_user(request), ip_address=_ip(request), **payload.dict()
    )
    return [j.number for j in created]
