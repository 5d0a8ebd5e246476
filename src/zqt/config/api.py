"""The JSON API (django-ninja) mounted at /api/v1/; each app contributes a router."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from zqt.accounts.api_auth import ApiTokenAuth, SessionStaffAuth
from zqt.core.errors import DomainError, NotFoundError, PermissionDeniedError

api = NinjaAPI(
    title="ZQT 政企通 API",
    version="1",
    urls_namespace="api",
    auth=[ApiTokenAuth(), SessionStaffAuth()],
    description=(
        "政企通开放接口。认证：`Authorization: Bearer <token>`（政府系统接口令牌）或已登录会话。"
    ),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 400
    if isinstance(exc, NotFoundError):
        status = 404
    elif isinstance(exc, PermissionDeniedError):
        status = 403
    return api.create_response(request, exc.as_dict(), status=status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "invalid_input", "message": "请求数据格式不正确。", "errors": exc.errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": "未登录或令牌无效。"}, status=401
    )


def _register_routers() -> None:
    from zqt.accounts.api import router as accounts_router
    from zqt.appeals.api import router as appeals_router
    from zqt.bundles.api import router as bundles_router
    from zqt.catalog.api import router as catalog_router
    from zqt.credit.api import router as credit_router
    from zqt.ecode.api import router as ecode_router
    from zqt.enterprises.api import router as enterprises_router
    from zqt.notifications.api import router as notifications_router
    from zqt.policies.api import router as policies_router
    from zqt.supervision.api import router as supervision_router

    api.add_router("/enterprises", enterprises_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/ecode", ecode_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/bundles", bundles_router)
    api.add_router("/appeals", appeals_router)
    api.add_router("/policies", policies_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/credit", credit_router)


_register_routers()
