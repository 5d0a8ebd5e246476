"""Enterprise registry API, mounted at /api/v1/enterprises/. Thin: every rule lives in selectors
and services; DomainErrors become {"code","message","field","errors"} 4xx in config/api.py.
Authentication (bearer token of an api_client account, or a session) is global."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from zqt.core.timeutil import local_today
from zqt.enterprises import selectors, services
from zqt.enterprises.schemas import (
    EnterpriseCreateIn,
    EnterpriseDetailOut,
    EnterpriseUpdateIn,
    ErrorOut,
    LicenceCreateIn,
    LicenceOut,
    LicenceRevokeIn,
    LicenceUpdateIn,
    SearchPageOut,
)

router = Router(tags=["市场主体"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class SearchParams(Schema):
    query: str = ""
    region_code: str | None = None
    industry_code: str | None = None
    status: str | None = None
    tag: str | None = None
    page: int = 1
    page_size: int = 20


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _user(request: HttpRequest) -> Any:
    # The global auth classes return the account; request.auth is what they returned.
    return request.auth  # type: ignore[attr-defined]


def _detail(request: HttpRequest, uscc: str, *, purpose: str) -> dict[str, Any]:
    user = _user(request)
    enterprise = selectors.enterprise_get_for_user(
        user=user, uscc=uscc, capability="enterprise.view", purpose=purpose, ip_address=_ip(request)
    )
    return selectors.enterprise_detail(enterprise=enterprise, user=user)


@router.get("/", response={200: SearchPageOut, **ERRORS}, summary="检索市场主体")
def search(request: HttpRequest, params: Query[SearchParams]) -> Any:
    """按统一社会信用代码（前缀）或企业名称（前缀优先，其次包含）检索，限本人管辖区域。"""
    page = selectors.enterprise_search(user=_user(request), **params.dict())
    return {
        "items": page.items,
        "page": page.page,
        "page_size": page.page_size,
        "has_next": page.has_next,
        "has_previous": page.has_previous,
        "total": page.total,
        "total_display": page.total_display,
    }


@router.post("/", response={201: EnterpriseDetailOut, **ERRORS}, summary="登记市场主体")
def create(request: HttpRequest, payload: EnterpriseCreateIn) -> Any:
    user = _user(request)
    enterprise = services.enterprise_create(user=user, ip_address=_ip(request), **payload.dict())
    return Status(201, selectors.enterprise_detail(enterprise=enterprise, user=user))


@router.patch(
    "/licences/{licence_id}", response={200: LicenceOut, **ERRORS}, summary="修改证照信息"
)
def licence_update(request: HttpRequest, licence_id: int, payload: LicenceUpdateIn) -> Any:
    licence = services.licence_update(
        user=_user(request),
        licence_id=licence_id,
        data=payload.dict(exclude_unset=True),
        ip_address=_ip(request),
    )
    return selectors.licence_row(licence, today=local_today())


@router.post(
    "/licences/{licence_id}/revoke", response={200: LicenceOut, **ERRORS}, summary="吊销/注销证照"
)
def licence_revoke(request: HttpRequest, licence_id: int, payload: LicenceRevokeIn) -> Any:
    licence = services.licence_revoke(
        user=_user(request),
        licence_id=licence_id,
        reason=payload.reason,
        ip_address=_ip(request),
    )
    return selectors.licence_row(licence, today=local_today())


@router.get("/{uscc}", response={200: EnterpriseDetailOut, **ERRORS}, summary="市场主体详情")
def detail(request: HttpRequest, uscc: str, purpose: str = "") -> Any:
    """查看即留痕（审计）：可在 purpose 中说明查看目的。"""
    return _detail(request, uscc, purpose=purpose or "接口查询")


@router.patch("/{uscc}", response={200: EnterpriseDetailOut, **ERRORS}, summary="修改市场主体")
def update(request: HttpRequest, uscc: str, payload: EnterpriseUpdateIn) -> Any:
    user = _user(request)
    enterprise = services.enterprise_update(
        user=user, uscc=uscc, data=payload.dict(exclude_unset=True), ip_address=_ip(request)
    )
    return selectors.enterprise_detail(enterprise=enterprise, user=user)


@router.get("/{uscc}/licences", response={200: list[LicenceOut], **ERRORS}, summary="证照列表")
def licences(request: HttpRequest, uscc: str) -> Any:
    enterprise = selectors.enterprise_get_for_user(
        user=_user(request),
        uscc=uscc,
        capability="licence.view",
        purpose="接口查询证照",
        ip_address=_ip(request),
    )
    return selectors.licence_list_for_enterprise(enterprise=enterprise)


@router.post("/{uscc}/licences", response={201: LicenceOut, **ERRORS}, summary="登记证照")
def licence_create(request: HttpRequest, uscc: str, payload: LicenceCreateIn) -> Any:
    licence = services.licence_create(
        user=_user(request), uscc=uscc, ip_address=_ip(request), **payload.dict()
    )
    return Status(201, selectors.licence_row(licence, today=local_today()))
