"""Writes of the enterprise code: issue and revoke codes, verify scans (every scan is recorded),
redeem dynamic-code nonces, pre-fill for service desks under the enterprise's consent, login by
code, publish the signed trust and status lists.

As in the registry, authorisation (with its audited refusal) happens BEFORE a service opens its
transaction; failed scans are recorded outside any transaction that could roll them back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Field, Max
from django.utils import timezone

from zqt.accounts.enums import Role
from zqt.accounts.models import OrgUnit, User
from zqt.audit.models import AuditOutcome
from zqt.audit.services import audit_record
from zqt.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.services import full_clean_or_raise
from zqt.ecode import codec, conf, documents, keys, rendering, selectors
from zqt.ecode.codec import Claims, CodeKind
from zqt.ecode.enums import PREFILL_FIELDS, Audience, Channel, ListKind, NoncePurpose, ScanResult
from zqt.ecode.errors import CodeError, RateLimited
from zqt.ecode.models import (
    EnterpriseCode,
    LoginChallenge,
    NonceRedemption,
    PrefillConsent,
    PublishedList,
    ScanRecord,
)
from zqt.ecode.status_list import CodeStatus
from zqt.enterprises import selectors as enterprise_selectors
from zqt.enterprises.models import Enterprise
from zqt.notifications.services import notification_send

logger = logging.getLogger("zqt.ecode")

CONSENT_MAX_DAYS = 365
LOGIN_TTL_S = 120
# Registry status → status-list value. 吊销/注销 invalidate the code at once.
STATUS_BY_ENTERPRISE_STATUS = {
    "existing": CodeStatus.VALID,
    "operating": CodeStatus.VALID,
    "suspended": CodeStatus.SUSPENDED,
    "revoked": CodeStatus.REVOKED,
    "deregistered": CodeStatus.REVOKED,
}


# --- issuing ---------------------------------------------------------------------------------


def _render_cache(code: EnterpriseCode) -> None:
    url = selectors.code_url(code)
    code.svg = rendering.svg(url)
    code.png = rendering.png(url)
    code.qr_version = int(rendering.qr(url).version)


def _issue(*, enterprise: Enterprise, actor: User | None, ip_address: str | None) -> EnterpriseCode:
    """Issue (or re-issue, with the active key) the static code. Caller has authorised."""
    ring = keys.key_ring()
    key = ring.active_code_key()
    assert key.signer is not None
    now = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                code = (
                    EnterpriseCode.objects.select_for_update().filter(enterprise=enterprise).first()
                )
                created = code is None
                if code is None:
                    top = EnterpriseCode.objects.aggregate(m=Max("status_index"))["m"]
                    code = EnterpriseCode(
                        enterprise=enterprise, status_index=0 if top is None else top + 1
                    )
                claims = Claims(
                    kind=CodeKind.STATIC,
                    kid=key.kid_bytes,
                    uscc=enterprise.uscc,
                    status_index=code.status_index,
                    issued_at=int(now.timestamp()),
                )
                code.token = codec.sign(claims, key.signer)
                code.kid = key.kid
                code.issued_at = now
                code.revoked_at = None
                code.revoked_reason = ""
                _render_cache(code)
                full_clean_or_raise(code, exclude=["enterprise", "png"])
                code.save()
                audit_record(
                    actor=actor,
                    action="ecode.issue",
                    object_type="enterprise",
                    object_id=enterprise.uscc,
                    changes={"kid": key.kid, "status_index": code.status_index, "new": created},
                    ip_address=ip_address,
                )
                return code
        except IntegrityError:
            # Two first issues raced for the same status index: take the next one.
            continue
    raise ValidationFailed("企业码签发繁忙，请稍后重试。")


def ecode_issue(
    *, user: Any, uscc: str | None = None, ip_address: str | None = None
) -> EnterpriseCode:
    """Issue or re-issue an enterprise's static code (its own account, or front desk/operations
    within their region)."""
    enterprise, _code = selectors.ecode_get_for_user(
        user=user, uscc=uscc, capability="ecode.issue", ip_address=ip_address
    )
    return _issue(enterprise=enterprise, actor=user, ip_address=ip_address)


def ecode_ensure(*, enterprise: Enterprise) -> EnterpriseCode:
    """System use (demo data, batch issuance): the code, issued if missing."""
    code = EnterpriseCode.objects.filter(enterprise=enterprise).first()
    return code or _issue(enterprise=enterprise, actor=None, ip_address=None)


def ecode_revoke(
    *, user: Any, uscc: str, reason: str, ip_address: str | None = None
) -> EnterpriseCode:
    """Void an enterprise's code (lost poster, misuse); it fails online at once and offline
    with the next status list. A new issue restores it."""
    enterprise, code = selectors.ecode_get_for_user(
        user=user, uscc=uscc, capability="ecode.revoke", ip_address=ip_address
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写作废原因。", field="reason")
    if code is None:
        raise NotFoundError("该企业尚未申领企业码。")
    with transaction.atomic():
        code.revoked_at = timezone.now()
        code.revoked_reason = reason[:100]
        code.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
        audit_record(
            actor=user,
            action="ecode.revoke",
            object_type="enterprise",
            object_id=enterprise.uscc,
            changes={"reason": reason},
            ip_address=ip_address,
        )
    return code


def dynamic_code_issue(*, user: Any, ip_address: str | None = None) -> dict[str, Any]:
    """A fresh dynamic code for the enterprise user's own enterprise (nothing stored: the nonce
    is checked when redeemed). The browser renders it; the server never draws it."""
    enterprise, code = selectors.ecode_get_for_user(
        user=user, capability="ecode.view_own", ip_address=ip_address
    )
    if code is None:
        raise NotFoundError("尚未签发企业码，请先在“企业码”页面签发。")
    if code.revoked_at is not None:
        raise CodeError("code_revoked", field=None)
    key = keys.key_ring().active_code_key()
    assert key.signer is not None
    ttl = conf.dynamic_ttl()
    now = int(time.time())
    claims = Claims(
        kind=CodeKind.DYNAMIC,
        kid=key.kid_bytes,
        uscc=enterprise.uscc,
        status_index=code.status_index,
        issued_at=now,
        ttl=ttl,
        nonce=secrets.token_bytes(codec.NONCE_BYTES),
    )
    token = codec.sign(claims, key.signer)
    return {
        "token": token,
        "url": codec.to_url(token, base_url=conf.base_url()),
        "issued_at": now,
        "expires_at": now + ttl,
        "ttl": ttl,
    }


# --- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    claims: Claims
    code: EnterpriseCode
    enterprise: Enterprise
    status: CodeStatus


def _record(
    *,
    audience: str,
    channel: str,
    result: str,
    enterprise: Enterprise | None = None,
    kind: str = "",
    reason: str = "",
    user: Any = None,
    ip_address: str | None = None,
) -> None:
    scanner = user if getattr(user, "is_authenticated", False) else None
    org = getattr(getattr(scanner, "org_unit", None), "code", "") if scanner else ""
    _scan_insert(
        {
            "enterprise_id": enterprise.pk if enterprise is not None else None,
            "audience": audience,
            "channel": channel,
            "code_kind": kind,
            "result": result,
            "failure_reason": reason,
            "scanner_id": scanner.pk if scanner is not None else None,
            "scanner_org_code": org or "",
            "created_at": timezone.now(),
            "ip_address": ip_address or None,
        }
    )


_SCAN_INSERT_SQL: dict[str, tuple[str, list[Field[Any, Any]]]] = {}


def _scan_insert(values: dict[str, Any]) -> None:
    """INSERT one ScanRecord with SQL built once per database alias: the public verify API
    writes one per request, and Model.objects.create() cost ~0.5 ms of CPU in compiling the
    same statement every time (profile in docs/benchmarks.md). Values still go through each
    field's get_db_prep_save, so the database sees exactly what the ORM would send."""
    alias = router.db_for_write(ScanRecord)
    connection = connections[alias]
    cached = _SCAN_INSERT_SQL.get(alias)
    if cached is None:
        fields = [f for f in ScanRecord._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(ScanRecord._meta.db_table)
        # Identifiers from the model (quoted), values as parameters: nothing from the request.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        cached = (sql, fields)
        _SCAN_INSERT_SQL[alias] = cached
    sql, fields = cached
    params = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# What the public verify API reads of a code and its enterprise (see selectors.public_summary).
_SUMMARY_FIELDS = (
    "revoked_at",
    "status_index",
    "enterprise__uscc",
    "enterprise__name",
    "enterprise__status",
    "enterprise__legal_rep_name",
)


def code_verify(
    *,
    text: str,
    audience: str = Audience.PUBLIC,
    channel: str = Channel.WEB,
    user: Any = None,
    ip_address: str | None = None,
    record: bool = True,
    summary_only: bool = False,
) -> Verification:
    """Verify a scanned code online: signature with the key ring (compromised/retired keys
    refused), time, then the code and the enterprise's CURRENT status (吊销/注销 refused at
    once). Every outcome is recorded as a ScanRecord (and failures logged); failures raise
    CodeError with the reason, never data.

    `summary_only` loads only what `selectors.public_summary` reads (the public verify API):
    a third of the columns, and as much less ORM work per request. Other callers need the
    whole enterprise (a deferred field would cost one query each)."""
    enterprise: Enterprise | None = None
    kind = ""
    try:
        now, skew = int(time.time()), conf.clock_skew()
        claims = codec.verify(text, keys=keys.trusted_keys(), now=now, clock_skew=skew)
        if (
            claims.ttl is not None
            and now > claims.issued_at + min(claims.ttl, conf.dynamic_ttl()) + skew
        ):
            # Never longer than this platform issues: nonce_redemptions_purge keeps nonces
            # only for ZQT_ECODE_DYNAMIC_TTL_S + 2 × skew, so a longer-lived code could be
            # replayed once its nonce was purged.
            raise CodeError("expired")
        kind = "dynamic" if claims.kind is CodeKind.DYNAMIC else "static"
        # Unique lookup: slicing instead of first() spares an ORDER BY on the hot path.
        lookup = EnterpriseCode.objects.select_related("enterprise")
        if summary_only:
            lookup = lookup.only(*_SUMMARY_FIELDS)
        found = list(lookup.filter(status_index=claims.status_index)[:1])
        code = found[0] if found else None
        if code is None or code.enterprise.uscc != claims.uscc:
            raise CodeError("unknown_enterprise")
        enterprise = code.enterprise
        if code.revoked_at is not None and claims.issued_at <= int(code.revoked_at.timestamp()):
            raise CodeError("code_revoked")
        status = STATUS_BY_ENTERPRISE_STATUS.get(enterprise.status, CodeStatus.UNKNOWN)
        if status is CodeStatus.REVOKED:
            raise CodeError("revoked")
    except CodeError as exc:
        logger.warning(
            "ecode scan refused: %s (audience=%s, channel=%s)", exc.code, audience, channel
        )
        if record:
            _record(
                audience=audience,
                channel=channel,
                result=ScanResult.FAILED,
                enterprise=enterprise,
                kind=kind,
                reason=exc.code,
                user=user,
                ip_address=ip_address,
            )
        raise
    if record:
        _record(
            audience=audience,
            channel=channel,
            result=ScanResult.OK,
            enterprise=enterprise,
            kind=kind,
            user=user,
            ip_address=ip_address,
        )
    return Verification(claims=claims, code=code, enterprise=enterprise, status=status)


def _redeem(*, verification: Verification, purpose: str, user: User) -> None:
    """Consume the dynamic code's nonce; call inside the transaction of the work it allows."""
    nonce = verification.claims.nonce
    assert nonce is not None
    try:
        with transaction.atomic():
            NonceRedemption.objects.create(
                nonce=nonce.hex(),
                enterprise=verification.enterprise,
                purpose=purpose,
                redeemed_by=user,
            )
    except IntegrityError:
        raise CodeError("replayed") from None


def _refuse_scan(
    *,
    exc: CodeError,
    verification: Verification,
    audience: str,
    channel: str,
    user: Any,
    ip_address: str | None,
) -> None:
    """Record a refusal found after a successful signature check (replay, wrong kind)."""
    logger.warning("ecode scan refused: %s (audience=%s)", exc.code, audience)
    _record(
        audience=audience,
        channel=channel,
        result=ScanResult.FAILED,
        enterprise=verification.enterprise,
        kind=verification.claims.kind.name.lower(),
        reason=exc.code,
        user=user,
        ip_address=ip_address,
    )


def inspection_scan(
    *, user: Any, text: str, channel: str = Channel.WEB, ip_address: str | None = None
) -> dict[str, Any]:
    """An inspector scans on site: verified, a dynamic code's nonce consumed, the enterprise
    read through enterprise_get_for_user (region scope, audited as inspection context)."""
    actor = enterprise_selectors.require_capability(
        user=user, capability="ecode.inspect", object_type="ecode", ip_address=ip_address
    )
    verification = code_verify(
        text=text,
        audience=Audience.INSPECTOR,
        channel=channel,
        user=actor,
        ip_address=ip_address,
        record=False,
    )
    try:
        if verification.claims.kind is CodeKind.DYNAMIC:
            _redeem(verification=verification, purpose=NoncePurpose.INSPECTION, user=actor)
    except CodeError as exc:
        _refuse_scan(
            exc=exc,
            verification=verification,
            audience=Audience.INSPECTOR,
            channel=channel,
            user=actor,
            ip_address=ip_address,
        )
        raise
    enterprise = enterprise_selectors.enterprise_get_for_user(
        user=actor,
        uscc=verification.enterprise.uscc,
        capability="enterprise.view",
        purpose="现场检查扫码",
        ip_address=ip_address,
    )
    _record(
        audience=Audience.INSPECTOR,
        channel=channel,
        result=ScanResult.OK,
        enterprise=enterprise,
        kind=verification.claims.kind.name.lower(),
        user=actor,
        ip_address=ip_address,
    )
    facts = selectors.inspection_facts(enterprise=enterprise, user=actor)
    facts["status"] = verification.status
    facts["code_kind"] = verification.claims.kind
    return facts


def desk_prefill(
    *,
    user: Any,
    text: str,
    purpose: str,
    channel: str = Channel.WEB,
    ip_address: str | None = None,
) -> dict[str, Any]:
    """一码通办: the desk sends the scanned dynamic code with its own credential; the platform
    checks the enterprise's consent for the desk's org unit and returns ONLY the granted fields
    from the registry. The nonce is consumed with the read; consent, purpose and fields read
    are audited. Refusals (no consent) are audited too and consume nothing."""
    actor = enterprise_selectors.require_capability(
        user=user, capability="ecode.prefill", object_type="ecode", ip_address=ip_address
    )
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationFailed("请填写办理事项（用途）。", field="purpose")
    verification = code_verify(
        text=text,
        audience=Audience.DESK,
        channel=channel,
        user=actor,
        ip_address=ip_address,
        record=False,
    )
    if verification.claims.kind is not CodeKind.DYNAMIC:
        exc = CodeError("wrong_kind")
        _refuse_scan(
            exc=exc,
            verification=verification,
            audience=Audience.DESK,
            channel=channel,
            user=actor,
            ip_address=ip_address,
        )
        raise exc
    enterprise = verification.enterprise
    consent = selectors.consent_for_desk(enterprise=enterprise, user=actor)
    if consent is None:
        audit_record(
            actor=actor,
            action="ecode.prefill",
            object_type="enterprise",
            object_id=enterprise.uscc,
            purpose=purpose,
            outcome=AuditOutcome.DENIED,
            changes={"reason": "no_consent"},
            ip_address=ip_address,
        )
        _record(
            audience=Audience.DESK,
            channel=channel,
            result=ScanResult.FAILED,
            enterprise=enterprise,
            kind="dynamic",
            reason="no_consent",
            user=actor,
            ip_address=ip_address,
        )
        raise PermissionDeniedError(
            "该企业未授权本单位读取办事信息，请企业在“企业码”页面授权后再试。", code="no_consent"
        )
    try:
        with transaction.atomic():
            _redeem(verification=verification, purpose=NoncePurpose.PREFILL, user=actor)
            values = selectors.prefill_fields(enterprise=enterprise, fields=list(consent.fields))
            audit_record(
                actor=actor,
                action="ecode.prefill",
                object_type="enterprise",
                object_id=enterprise.uscc,
                purpose=purpose,
                changes={
                    "consent": consent.pk,
                    "consent_purpose": consent.purpose,
                    "fields": list(consent.fields),
                },
                ip_address=ip_address,
            )
            _record(
                audience=Audience.DESK,
                channel=channel,
                result=ScanResult.OK,
                enterprise=enterprise,
                kind="dynamic",
                user=actor,
                ip_address=ip_address,
            )
    except CodeError as exc:
        _refuse_scan(
            exc=exc,
            verification=verification,
            audience=Audience.DESK,
            channel=channel,
            user=actor,
            ip_address=ip_address,
        )
        raise
    return {
        "enterprise_name": enterprise.name,
        "uscc": enterprise.uscc,
        "consent_id": consent.pk,
        "consent_purpose": consent.purpose,
        "fields": list(consent.fields),
        "values": values,
    }


# --- consents ----------------------------------------------------------------------------------


def prefill_consent_grant(
    *,
    user: Any,
    grantee_code: str,
    purpose: str,
    fields: list[str],
    days: int,
    ip_address: str | None = None,
) -> PrefillConsent:
    """The enterprise lets the service desks of one org unit (and below) read `fields`."""
    enterprise, _code = selectors.ecode_get_for_user(
        user=user, capability="ecode.consent", ip_address=ip_address
    )
    errors: list[dict[str, Any]] = []
    grantee = OrgUnit.objects.filter(code=(grantee_code or "").strip()).first()
    if grantee is None:
        errors.append({"field": "grantee", "message": "请选择授权对象（办事单位）。"})
    purpose = (purpose or "").strip()
    if not purpose:
        errors.append({"field": "purpose", "message": "请填写授权用途。"})
    elif len(purpose) > 100:
        errors.append({"field": "purpose", "message": "授权用途不能超过100个字符。"})
    clean_fields = [f for f in PREFILL_FIELDS if f in set(fields or [])]
    unknown = sorted(set(fields or []) - set(PREFILL_FIELDS))
    if unknown:
        errors.append({"field": "fields", "message": f"不可授权的字段：{'、'.join(unknown)}"})
    elif not clean_fields:
        errors.append({"field": "fields", "message": "请至少选择一项授权字段。"})
    if not isinstance(days, int) or not 1 <= days <= CONSENT_MAX_DAYS:
        errors.append({"field": "days", "message": f"授权期限须在1至{CONSENT_MAX_DAYS}天之间。"})
    if errors:
        raise ValidationFailed(errors[0]["message"], field=errors[0]["field"], errors=errors)
    assert grantee is not None
    with transaction.atomic():
        consent = PrefillConsent(
            enterprise=enterprise,
            grantee=grantee,
            purpose=purpose,
            fields=clean_fields,
            expires_at=timezone.now() + dt.timedelta(days=days),
            granted_by=user,
        )
        full_clean_or_raise(consent)
        consent.save()
        audit_record(
            actor=user,
            action="ecode.consent_grant",
            object_type="prefill_consent",
            object_id=str(consent.pk),
            purpose=purpose,
            changes={"grantee": grantee.code, "fields": clean_fields, "days": days},
            ip_address=ip_address,
        )
    return consent


def prefill_consent_revoke(
    *, user: Any, consent_id: int, ip_address: str | None = None
) -> PrefillConsent:
    enterprise, _code = selectors.ecode_get_for_user(
        user=user, capability="ecode.consent", ip_address=ip_address
    )
    with transaction.atomic():
        consent = (
            PrefillConsent.objects.select_for_update()
            .filter(pk=consent_id, enterprise=enterprise)
            .first()
        )
        if consent is None:
            raise NotFoundError("授权不存在。")
        if consent.revoked_at is None:
            consent.revoked_at = timezone.now()
            consent.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                actor=user,
                action="ecode.consent_revoke",
                object_type="prefill_consent",
                object_id=str(consent.pk),
                ip_address=ip_address,
            )
    return consent


# --- login by code (一码通行) --------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _login_rate_check(*, ip_address: str | None, client_hash: str) -> None:
    """RateLimited when this IP or this browser session created too many login codes within
    the window. Counted on the challenges themselves (indexed), so every worker and server
    sees the same counts; two simultaneous requests may both pass at the limit, which a rate
    limit can afford."""
    window = conf.login_window()
    since = timezone.now() - dt.timedelta(seconds=window)
    recent = LoginChallenge.objects.filter(created_at__gte=since)
    over = None
    if client_hash and recent.filter(requester_client=client_hash).count() >= (
        conf.login_limit_session()
    ):
        over = "session"
    elif ip_address and recent.filter(requester_ip=ip_address).count() >= conf.login_limit_ip():
        over = "ip"
    if over is None:
        return
    logger.warning("ecode login codes rate-limited (%s, ip=%s)", over, ip_address)
    audit_record(
        actor=None,
        action="ecode.login_code",
        object_type="login",
        outcome=AuditOutcome.DENIED,
        changes={"reason": "rate_limited", "limit": over},
        ip_address=ip_address,
    )
    minutes = max(1, window // 60)
    raise RateLimited(
        f"获取登录码过于频繁，请{minutes}分钟后再试，或使用账号密码登录。", retry_after=window
    )


def login_challenge_create(
    *, ip_address: str | None = None, user_agent: str = "", client_id: str = ""
) -> tuple[LoginChallenge, str]:
    """A login code for a desktop browser: (challenge, browser secret). The browser keeps the
    secret in its session; only it can complete the login after a phone approved.

    `client_id` is a random id the browser session keeps (views.LOGIN_CLIENT_KEY): at most
    ZQT_ECODE_LOGIN_LIMIT_SESSION codes per session and ZQT_ECODE_LOGIN_LIMIT_IP per IP
    address within ZQT_ECODE_LOGIN_WINDOW_S, RateLimited (429 in the API) beyond."""
    client_hash = _hash(client_id) if client_id else ""
    _login_rate_check(ip_address=ip_address, client_hash=client_hash)
    secret = secrets.token_urlsafe(24)
    challenge = LoginChallenge(
        key=secrets.token_hex(16),
        browser_secret_hash=_hash(secret),
        expires_at=timezone.now() + dt.timedelta(seconds=LOGIN_TTL_S),
        requester_ip=ip_address,
        requester_agent=user_agent[:200],
        requester_client=client_hash,
    )
    with transaction.atomic():
        full_clean_or_raise(challenge)
        challenge.save()
    return challenge, secret


def login_challenge_get(*, key: str) -> LoginChallenge:
    challenge = LoginChallenge.objects.filter(key=key).first()
    if challenge is None or challenge.expires_at <= timezone.now() or challenge.consumed_at:
        raise NotFoundError("登录码已失效，请在电脑上刷新登录码。")
    return challenge


def login_challenge_approve(
    *, user: Any, key: str, ip_address: str | None = None
) -> LoginChallenge:
    """The enterprise user's signed-in phone approves a desktop login."""
    actor = enterprise_selectors.require_capability(
        user=user, capability="ecode.login_approve", object_type="login", ip_address=ip_address
    )
    with transaction.atomic():
        challenge = LoginChallenge.objects.select_for_update().filter(key=key).first()
        if challenge is None or challenge.expires_at <= timezone.now() or challenge.consumed_at:
            raise NotFoundError("登录码已失效，请在电脑上刷新登录码。")
        if challenge.approved_by_id is not None:
            raise ValidationFailed("该登录码已被确认。", code="replayed")
        challenge.approved_by = actor
        challenge.approved_at = timezone.now()
        challenge.save(update_fields=["approved_by", "approved_at"])
        audit_record(
            actor=actor,
            action="ecode.login_approve",
            object_type="login",
            object_id=str(challenge.pk),
            changes={
                "requester_ip": challenge.requester_ip,
                "requester_agent": challenge.requester_agent,
            },
            ip_address=ip_address,
        )
        _record(
            audience=Audience.LOGIN,
            channel=Channel.WEB,
            result=ScanResult.OK,
            enterprise=enterprise_selectors.enterprise_for_member(user=actor),
            user=actor,
            ip_address=ip_address,
        )
    return challenge


def login_challenge_complete(*, key: str, browser_secret: str) -> User | None:
    """The desktop browser's poll: the approving user once (then the challenge is spent), None
    while nobody approved. Only the browser holding the secret can complete."""
    with transaction.atomic():
        challenge = LoginChallenge.objects.select_for_update().filter(key=key).first()
        if challenge is None or not secrets.compare_digest(
            challenge.browser_secret_hash, _hash(browser_secret or "")
        ):
            raise NotFoundError("登录码无效。")
        if challenge.consumed_at is not None or challenge.expires_at <= timezone.now():
            raise NotFoundError("登录码已失效，请刷新登录码。")
        if challenge.approved_by_id is None:
            return None
        challenge.consumed_at = timezone.now()
        challenge.save(update_fields=["consumed_at"])
        user = User.objects.get(pk=challenge.approved_by_id)
        if not user.is_active or user.role != Role.ENTERPRISE:
            raise PermissionDeniedError("该账号不能扫码登录。")
        audit_record(
            actor=user,
            action="ecode.login",
            object_type="login",
            object_id=str(challenge.pk),
            ip_address=challenge.requester_ip,
        )
        return user


# --- published lists ---------------------------------------------------------------------------


def lists_publish(*, now: dt.datetime | None = None) -> dict[str, PublishedList]:
    """Sign and store a new trust list and status list (anchor key). The status list is read
    in one streaming query of (status index, enterprise status) pairs."""
    now = now or timezone.now()
    ring = keys.key_ring()
    anchor = ring.anchor_key()
    assert anchor.signer is not None
    issued = int(now.timestamp())
    ttl = conf.list_ttl()
    trust = documents.trust_list_payload(
        keys=[(k.kid, k.algorithm, k.public_key, k.status) for k in ring.verification_keys()],
        issued_at=issued,
        ttl=ttl,
    )
    entries = []
    for index, status, revoked_at in (
        EnterpriseCode.objects.order_by()
        .values_list("status_index", "enterprise__status", "revoked_at")
        .iterator(chunk_size=10_000)
    ):
        value = STATUS_BY_ENTERPRISE_STATUS.get(status, CodeStatus.UNKNOWN)
        if revoked_at is not None:
            value = CodeStatus.REVOKED
        entries.append((index, int(value)))
    status_payload = documents.status_list_payload(entries=entries, issued_at=issued, ttl=ttl)
    expires = now + dt.timedelta(seconds=ttl)
    result = {}
    with transaction.atomic():
        for kind, payload in ((ListKind.TRUST, trust), (ListKind.STATUS, status_payload)):
            envelope = documents.sign_document(payload, signer=anchor.signer, kid=anchor.kid)
            result[str(kind)] = PublishedList.objects.create(
                kind=kind, issued_at=now, expires_at=expires, document=envelope
            )
        # Keep a short history only.
        for kind_value in ListKind.values:
            stale = list(
                PublishedList.objects.filter(kind=kind_value)
                .order_by("-issued_at", "-id")
                .values_list("pk", flat=True)[10:]
            )
            if stale:
                PublishedList.objects.filter(pk__in=stale).delete()
        audit_record(
            actor=None,
            action="ecode.lists_publish",
            object_type="ecode_lists",
            changes={
                "entries": len(entries),
                "keys": [k["kid"] for k in trust["keys"]],
                "expires_at": expires,
            },
        )
    return result


def lists_current(*, now: dt.datetime | None = None) -> dict[str, PublishedList]:
    """The newest lists, published now if missing, expired, or older than the key ring (a
    rotation must reach the trust list at once)."""
    now = now or timezone.now()
    latest = selectors.lists_latest()
    trust = latest.get(ListKind.TRUST)
    kids = {k.kid for k in keys.key_ring().verification_keys()}
    stale = (
        trust is None
        or latest.get(ListKind.STATUS) is None
        or any(doc is None or doc.expires_at <= now for doc in latest.values())
        or {k["kid"] for k in _payload(trust)["keys"]} != kids
    )
    if stale:
        return lists_publish(now=now)
    return {k: v for k, v in latest.items() if v is not None}


def _payload(doc: PublishedList) -> dict[str, Any]:
    import json

    return dict(json.loads(documents.b64url_decode(doc.document["payload"])))


def lists_check(*, now: dt.datetime | None = None) -> list[str]:
    """Warnings for lists that expire within ZQT_ECODE_LIST_WARN_S (periodic job): logged,
    audited and sent to the operations users (营商办) in their inbox. One message per
    published document (or per day while a list is missing), however often the job runs."""
    now = now or timezone.now()
    warnings: list[tuple[str, str]] = []  # (text, event key)
    for kind, doc in selectors.lists_latest().items():
        label = ListKind(kind).label
        if doc is None:
            key = f"ecode.lists:{kind}:missing:{timezone.localdate(now):%Y%m%d}"
            warnings.append((f"{label}尚未发布。", key))
        elif doc.expires_at - now <= dt.timedelta(seconds=conf.list_warn_before()):
            local = timezone.localtime(doc.expires_at)
            text = f"{label}将于{local:%Y-%m-%d %H:%M}过期。"
            warnings.append((text, f"ecode.lists:{kind}:expiring:{doc.pk}"))
    recipients = _operations_users() if warnings else []
    for warning, event_key in warnings:
        logger.warning("ecode lists: %s", warning)
        audit_record(
            actor=None,
            action="ecode.lists_warning",
            object_type="ecode_lists",
            changes={"warning": warning, "recipients": len(recipients)},
            outcome=AuditOutcome.ALLOWED,
        )
        for user in recipients:
            notification_send(
                recipient=user,
                template_code="generic",
                context={
                    "title": "企业码离线清单即将过期",
                    "body": (
                        f"{warning}离线核验设备在清单过期后将无法验证企业码。请检查定时任务"
                        "“ecode.lists_refresh”是否正常运行，或执行 zqt ecode_publish 立即重新发布。"
                    ),
                },
                event_key=event_key,
            )
    return [text for text, _key in warnings]


def _operations_users() -> list[User]:
    """Who is told about the offline lists: the provincial operations users (the lists are
    platform-wide), or every active operations user where no provincial one exists."""
    users = User.objects.filter(role=Role.OPERATIONS, is_active=True).order_by("pk")
    provincial = list(users.filter(org_unit__level="province"))
    return provincial or list(users)


# --- housekeeping --------------------------------------------------------------------------


def nonce_redemptions_purge(*, now: dt.datetime | None = None) -> int:
    """Delete redeemed nonces that can no longer be replayed: a dynamic code is accepted for
    at most ZQT_ECODE_DYNAMIC_TTL_S + skew after it was issued (code_verify caps it), and it
    was issued at most `skew` before its redemption, so a nonce redeemed more than
    ttl + 2 × skew ago belongs to a code every verifier refuses as expired."""
    now = now or timezone.now()
    keep = dt.timedelta(seconds=conf.dynamic_ttl() + 2 * conf.clock_skew())
    deleted, _detail = NonceRedemption.objects.filter(redeemed_at__lt=now - keep).delete()
    return deleted


def login_challenges_purge(*, now: dt.datetime | None = None) -> int:
    """Delete login challenges that expired and no longer count for the rate limits."""
    now = now or timezone.now()
    horizon = now - dt.timedelta(seconds=max(conf.login_window(), LOGIN_TTL_S))
    deleted, _detail = LoginChallenge.objects.filter(
        expires_at__lt=now, created_at__lt=horizon
    ).delete()
    return deleted


def housekeeping_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic purge (ecode.housekeeping); audited when it deleted anything."""
    with transaction.atomic():
        result = {
            "nonces": nonce_redemptions_purge(now=now),
            "login_challenges": login_challenges_purge(now=now),
        }
        if any(result.values()):
            audit_record(
                actor=None, action="ecode.housekeeping", object_type="ecode", changes=result
            )
    return result
