"""JSON API for 企业码, mounted at /api/v1/ecode/ (see zqt.config.api). Thin: rules live in
services and selectors; CodeError and other DomainErrors become {"code","message","field"}.

/verify is public (no credential; it returns public facts only). Everything else needs a
session or a bearer token, and the capability of the role (see accounts/permissions.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from zqt.ecode import selectors, services
from zqt.ecode.enums import Audience, Channel
from zqt.ecode.models import PrefillConsent, ScanRecord
from zqt.ecode.schemas import (
    ConsentIn,
    ConsentOut,
    DynamicCodeOut,
    ErrorOut,
    InspectOut,
    PrefillIn,
    PrefillOut,
    ScanOut,
    StatsOut,
    TokenIn,
    VerifyOut,
)

router = Router(tags=["企业码"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _user(request: HttpRequest) -> Any:
    return getattr(request, "auth", None) or request.user


def _ts(value: int | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(value, tz=dt.UTC)


def verification_out(verification: services.Verification, *, detail: bool) -> dict[str, Any]:
    claims = verification.claims
    return {
        "authentic": True,
        "code_kind": claims.kind.name.lower(),
        "code_status": verification.status.name.lower(),
        "code_status_label": verification.status.label,
        "issued_at": _ts(claims.issued_at),
        "expires_at": _ts(claims.expires_at),
        "kid": claims.kid.hex(),
        "enterprise": selectors.public_summary(enterprise=verification.enterprise),
        "facts": selectors.public_facts(enterprise=verification.enterprise) if detail else None,
    }


@router.post(
    "/verify",
    auth=None,
    response={200: VerifyOut, 400: ErrorOut},
    summary="验证企业码（公开）",
    url_name="ecode_verify",
)
def verify(request: HttpRequest, payload: TokenIn, detail: bool = False) -> Any:
    """大众端：验证真伪与当前状态，只返回公开信息（法定代表人脱敏，无证件号、无电话）。
    detail=true 时另返回信用记录、荣誉等全部公开信息。"""
    verification = services.code_verify(
        text=payload.token,
        audience=Audience.PUBLIC,
        channel=Channel.API,
        ip_address=_ip(request),
        summary_only=not detail,
    )
    return verification_out(verification, detail=detail)


@router.get(
    "/dynamic",
    response={200: DynamicCodeOut, **ERRORS},
    summary="获取本企业动态码",
    url_name="ecode_dynamic",
)
def dynamic(request: HttpRequest) -> Any:
    """企业端：有效期默认60秒的动态码（含一次性随机数），由浏览器绘制二维码。"""
    return services.dynamic_code_issue(user=_user(request), ip_address=_ip(request))


@router.post(
    "/inspect", response={200: InspectOut, **ERRORS}, summary="执法扫码", url_name="ecode_inspect"
)
def inspect(request: HttpRequest, payload: TokenIn) -> Any:
    facts = services.inspection_scan(
        user=_user(request), text=payload.token, channel=Channel.API, ip_address=_ip(request)
    )
    detail = dict(facts["detail"])
    detail["licences"] = [{**lic.__dict__, "state": str(lic.state)} for lic in detail["licences"]]
    return {
        "authentic": True,
        "code_kind": facts["code_kind"].name.lower(),
        "code_status_label": facts["status"].label,
        "risk_flags": facts["risk_flags"],
        "detail": detail,
        "inspection_history": [
            {"created_at": r.created_at, "scanner": str(r.scanner or ""), "org": r.scanner_org_code}
            for r in facts["inspection_history"]
        ],
    }


@router.post(
    "/prefill",
    response={200: PrefillOut, **ERRORS},
    summary="扫码预填（政务端）",
    url_name="ecode_prefill",
)
def prefill(request: HttpRequest, payload: PrefillIn) -> Any:
    """政务端：提交扫得的动态码与办理事项，平台核验企业授权，只返回授权字段。"""
    return services.desk_prefill(
        user=_user(request),
        text=payload.token,
        purpose=payload.purpose,
        channel=Channel.API,
        ip_address=_ip(request),
    )


def _scan_out(record: ScanRecord) -> dict[str, Any]:
    return {
        "created_at": record.created_at,
        "audience": record.audience,
        "audience_label": record.get_audience_display(),
        "channel": record.channel,
        "code_kind": record.code_kind,
        "result": record.result,
        "failure_reason": record.failure_reason,
        "scanner": record.scanner_org_code if record.scanner_id else "",
    }


@router.get(
    "/scans",
    response={200: list[ScanOut], **ERRORS},
    summary="本企业扫码记录",
    url_name="ecode_scans",
)
def scans(request: HttpRequest) -> Any:
    enterprise, _code = selectors.ecode_get_for_user(user=_user(request), ip_address=_ip(request))
    return [_scan_out(r) for r in selectors.scan_history(enterprise=enterprise)]


def consent_out(consent: PrefillConsent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "grantee_code": consent.grantee.code,
        "grantee_name": consent.grantee.name,
        "purpose": consent.purpose,
        "fields": consent.fields,
        "expires_at": consent.expires_at,
        "revoked_at": consent.revoked_at,
        "active": selectors.consent_is_active(consent),
    }


@router.get(
    "/consents",
    response={200: list[ConsentOut], **ERRORS},
    summary="本企业预填授权",
    url_name="ecode_consents",
)
def consents(request: HttpRequest) -> Any:
    enterprise, _code = selectors.ecode_get_for_user(
        user=_user(request), capability="ecode.consent", ip_address=_ip(request)
    )
    return [consent_out(c) for c in selectors.consent_list(enterprise=enterprise)]


@router.post(
    "/consents",
    response={201: ConsentOut, **ERRORS},
    summary="授权办事预填",
    url_name="ecode_consent_grant",
)
def consent_grant(request: HttpRequest, payload: ConsentIn) -> Any:
    consent = services.prefill_consent_grant(
        user=_user(request), ip_address=_ip(request), **payload.dict()
    )
    return Status(201, consent_out(consent))


@router.post(
    "/consents/{consent_id}/revoke",
    response={200: ConsentOut, **ERRORS},
    summary="撤销预填授权",
    url_name="ecode_consent_revoke",
)
def consent_revoke(request: HttpRequest, consent_id: int) -> Any:
    consent = services.prefill_consent_revoke(
        user=_user(request), consent_id=consent_id, ip_address=_ip(request)
    )
    return consent_out(consent)


@router.get(
    "/stats", response={200: StatsOut, **ERRORS}, summary="企业码使用统计", url_name="ecode_stats"
)
def stats(request: HttpRequest, days: int = 14) -> Any:
    result = selectors.scan_stats(user=_user(request), days=max(1, min(days, 92)))
    return {
        "by_day": [{k: v for k, v in row.items() if k != "cells"} for row in result.by_day],
        "columns": [list(c) for c in result.columns],
        "failures": result.failures,
        "totals": result.totals,
    }
