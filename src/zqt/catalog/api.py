"""JSON API for 服务清单, mounted at /api/v1/catalog/ (see zqt.config.api). The published
catalog is public; management needs catalog.manage."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from zqt.catalog import selectors, services
from zqt.catalog.models import CatalogItem
from zqt.enterprises.schemas import ErrorOut

router = Router(tags=["服务清单"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ItemOut(Schema):
    code: str
    category: str
    category_name: str
    name: str
    description: str
    responsible_units: str
    service_scope: str
    channels: list[str]
    board_code: str
    time_limit_days: int | None
    materials: list[str]
    org_unit: str | None
    extends: str | None
    status: str


def _out(item: CatalogItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "category": item.category.code,
        "category_name": item.category.name,
        "name": item.name,
        "description": item.description,
        "responsible_units": item.responsible_units,
        "service_scope": item.service_scope,
        "channels": list(item.channels),
        "board_code": item.board_code,
        "time_limit_days": item.time_limit_days,
        "materials": list(item.materials),
        "org_unit": item.org_unit.code if item.org_unit_id else None,  # type: ignore[union-attr]
        "extends": item.extends.code if item.extends_id else None,  # type: ignore[union-attr]
        "status": item.status,
    }


class BrowseParams(Schema):
    q: str = ""
    category: str = ""
    org_unit: str | None = None


class ItemCreateIn(Schema):
    base_code: str
    name: str
    responsible_units: str
    service_scope: str
    channels: list[str]
    description: str = ""
    time_limit_days: int | None = None
    materials: list[str] = []


class ItemUpdateIn(Schema):
    name: str | None = None
    description: str | None = None
    responsible_units: str | None = None
    service_scope: str | None = None
    channels: list[str] | None = None
    time_limit_days: int | None = None
    materials: list[str] | None = None


class PublishIn(Schema):
    note: str = ""


class VersionOut(Schema):
    number: int
    item_count: int
    note: str


@router.get("/items", auth=None, response={200: list[ItemOut]}, summary="检索服务清单（公开）")
def items(request: HttpRequest, params: Query[BrowseParams]) -> Any:
    rows = selectors.catalog_browse(
        query=params.q, category=params.category, org_unit_code=params.org_unit
    )
    return [_out(i) for i in rows]


@router.get("/items/{code}", auth=None, response={200: ItemOut, **ERRORS}, summary="服务事项详情")
def item(request: HttpRequest, code: str) -> Any:
    return _out(selectors.catalog_item_public(code=code).item)


@router.post("/items", response={201: ItemOut, **ERRORS}, summary="新增本地事项（草稿）")
def create(request: HttpRequest, payload: ItemCreateIn) -> Any:
    item = services.catalog_item_create(user=request.auth, **payload.dict())  # type: ignore[attr-defined]
    return Status(201, _out(item))


@router.patch("/items/{code}", response={200: ItemOut, **ERRORS}, summary="修改本地事项")
def update(request: HttpRequest, code: str, payload: ItemUpdateIn) -> Any:
    data = payload.dict(exclude_unset=True)
    item = services.catalog_item_update(user=request.auth, code=code, data=data)  # type: ignore[attr-defined]
    return _out(item)


@router.post("/publish", response={201: VersionOut, **ERRORS}, summary="发布本级清单")
def publish(request: HttpRequest, payload: PublishIn) -> Any:
    version = services.catalog_publish(user=request.auth, note=payload.note)  # type: ignore[attr-defined]
    return Status(
        201, {"number": version.number, "item_count": version.item_count, "note": version.note}
    )
