"""Reads of the enterprise code. `ecode_get_for_user` is THE fetch-and-authorise function for an
enterprise's code; the rest read what the caller has authorised already, or public facts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zqt.accounts.models import User
from zqt.accounts.permissions import role_can
from zqt.core.errors import NotFoundError
from zqt.core.identifiers import mask_name
from zqt.core.timeutil import SHANGHAI, local_today
from zqt.ecode import conf
from zqt.ecode.codec import to_url
from zqt.ecode.enums import PREFILL_FIELDS, Audience, Channel, ListKind, ScanResult
from zqt.ecode.errors import MESSAGES
from zqt.ecode.models import EnterpriseCode, PrefillConsent, PublishedList, ScanRecord
from zqt.enterprises import selectors as enterprise_selectors
from zqt.enterprises.licence_state import LEGEND
from zqt.enterprises.models import Enterprise

AnyUser = Any


def ecode_get_for_user(
    *,
    user: AnyUser,
    uscc: str | None = None,
    capability: str = "ecode.view_own",
    ip_address: str | None = None,
) -> tuple[Enterprise, EnterpriseCode | None]:
    """The enterprise whose code `user` may see and its code (None until issued).

    Enterprise users: their own enterprise (uscc ignored). Others: through
    enterprise_get_for_user with `capability` (scope, 403/404, audited refusals)."""
    enterprise_selectors.require_capability(
        user=user,
        capability=capability,
        object_type="ecode",
        object_id=uscc or "",
        ip_address=ip_address,
    )
    enterprise = enterprise_selectors.enterprise_for_member(user=user)
    if enterprise is None:
        if not uscc:
            raise NotFoundError("未找到您可查看的企业码。")
        enterprise = enterprise_selectors.enterprise_get_for_user(
            user=user, uscc=uscc, capability=capability, purpose="企业码", ip_address=ip_address
        )
    return enterprise, EnterpriseCode.objects.filter(enterprise=enterprise).first()


def code_url(code: EnterpriseCode) -> str:
    return to_url(code.token, base_url=conf.base_url())


def login_code_url(*, scheme: str, host: str, key: str) -> str:
    """The URL in the login QR: uppercase (scheme, host and the hex key), so the QR uses
    alphanumeric mode like the enterprise codes; /L/ redirects to the approval page. Host
    names are case-insensitive and the key is matched in either case."""
    return f"{scheme}://{host}/L/{key}".upper()


def code_path(token: str) -> str:
    """The site-relative scan path of a token (the link a browser follows on this host)."""
    return f"/C/{token}"


class _PublicViewer:
    """Stands in for a user in enterprise_detail: no role, so every sensitive field is masked."""

    role = ""
    is_authenticated = False


PUBLIC_FIELDS = (
    "uscc",
    "name",
    "entity_type_label",
    "status",
    "status_label",
    "legal_rep_name",
    "registered_capital",
    "founded_on",
    "address",
    "region_name",
    "industry_name",
    "tags",
)


def public_facts(*, enterprise: Enterprise, today: dt.date | None = None) -> dict[str, Any]:
    """What anyone may see after scanning: no personal data (legal representative masked, no ID
    number, no phone), licences with their colour states, public credit facts and honours."""
    detail = enterprise_selectors.enterprise_detail(
        enterprise=enterprise, user=cast(User, _PublicViewer()), today=today or local_today()
    )
    facts = {key: detail[key] for key in PUBLIC_FIELDS}
    facts["licences"] = [
        {
            "licence_type": lic.licence_type,
            "issuer": lic.issuer,
            "expires_on": lic.expires_on,
            "state": str(lic.state),
            "state_label": lic.state_label,
            "colour": lic.colour,
        }
        for lic in detail["licences"]
    ]
    facts["credit_records"] = [
        {k: r[k] for k in ("kind", "kind_label", "title", "source_department", "recorded_on")}
        for r in detail["credit_records"]
    ]
    facts["honours"] = detail["honours"]
    facts["legend"] = LEGEND
    return facts


def public_summary(*, enterprise: Enterprise, today: dt.date | None = None) -> dict[str, Any]:
    """The short public answer of the verify API (one query: the licences): name, status,
    masked legal representative, licence colour states. `public_facts` has the rest."""
    licences = enterprise_selectors.licence_list_for_enterprise(
        enterprise=enterprise, today=today or local_today()
    )
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "status": enterprise.status,
        "status_label": enterprise.get_status_display(),
        "legal_rep_name": mask_name(enterprise.legal_rep_name),
        "licences": [
            {
                "licence_type": lic.licence_type,
                "issuer": lic.issuer,
                "expires_on": lic.expires_on,
                "state": str(lic.state),
                "state_label": lic.state_label,
                "colour": lic.colour,
            }
            for lic in licences
        ],
    }


def inspection_facts(*, enterprise: Enterprise, user: User) -> dict[str, Any]:
    """The inspector's view: the full detail (masking as the role allows), plus risk flags and
    the history of inspection scans of this enterprise.

    `risk_flags` are plain Chinese (the API); `risk_flag_parts` keep each flag's message id and
    values so that pages can show it in the reader's language (risk_flags_translate)."""
    detail = enterprise_selectors.enterprise_detail(enterprise=enterprise, user=user)
    today = local_today()
    parts: list[tuple[str, dict[str, Any]]] = []
    if detail["status"] in ("revoked", "deregistered", "suspended"):
        parts.append((gettext_noop("登记状态：%(status)s"), {"status": detail["status_label"]}))
    expired = [lic for lic in detail["licences"] if str(lic.state) == "expired"]
    if expired:
        parts.append((gettext_noop("%(n)s项证照已失效"), {"n": len(expired)}))
    recent = [p for p in detail["penalties"] if (today - p["decided_on"]).days <= 365]
    if recent:
        parts.append((gettext_noop("近一年行政处罚%(n)s次"), {"n": len(recent)}))
    bad = [r for r in detail["credit_records"] if r["kind"] == "bad"]
    if bad:
        parts.append((gettext_noop("失信记录%(n)s条"), {"n": len(bad)}))
    flags = [message % values for message, values in parts]
    history = list(
        ScanRecord.objects.filter(
            enterprise=enterprise, audience=Audience.INSPECTOR, result=ScanResult.OK
        )
        .select_related("scanner")
        .order_by("-created_at", "-id")[:20]
    )
    return {
        "detail": detail,
        "risk_flags": flags,
        "risk_flag_parts": parts,
        "inspection_history": history,
    }


def risk_flags_translate(parts: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Risk flags in the active language (labels among the values are translated too)."""
    return [
        gettext(message) % {k: gettext(v) if isinstance(v, str) else v for k, v in values.items()}
        for message, values in parts
    ]


def scan_stats_columns(stats: ScanStats) -> list[tuple[str, str]]:
    """The statistics columns (audience · channel) in the active language, for pages."""
    labels = {(a, c) for a in Audience.values for c in Channel.values}
    columns = []
    for key, label in stats.columns:
        audience, _, channel = key.partition(":")
        if (audience, channel) in labels:
            label = f"{gettext(Audience(audience).label)}·{gettext(Channel(channel).label)}"
        columns.append((key, label))
    return columns


def scan_history(*, enterprise: Enterprise, limit: int = 50) -> list[ScanRecord]:
    """An enterprise's scans, newest first (caller authorised the enterprise)."""
    return list(
        ScanRecord.objects.filter(enterprise=enterprise)
        .select_related("scanner")
        .order_by("-created_at", "-id")[:limit]
    )


def consent_list(*, enterprise: Enterprise) -> list[PrefillConsent]:
    return list(
        PrefillConsent.objects.filter(enterprise=enterprise)
        .select_related("grantee", "granted_by")
        .order_by("-created_at", "-id")
    )


def consent_is_active(consent: PrefillConsent, *, now: dt.datetime | None = None) -> bool:
    return consent.revoked_at is None and consent.expires_at > (now or timezone.now())


def consent_for_desk(*, enterprise: Enterprise, user: User) -> PrefillConsent | None:
    """The newest active consent of `enterprise` whose grantee covers the desk's org unit."""
    if user.org_unit_id is None:
        return None
    code = user.org_unit.code  # type: ignore[union-attr]
    for consent in (
        PrefillConsent.objects.filter(
            enterprise=enterprise, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("grantee")
        .order_by("-created_at", "-id")
    ):
        if code.startswith(consent.grantee.scope_prefix):
            return consent
    return None


def prefill_fields(*, enterprise: Enterprise, fields: list[str]) -> dict[str, Any]:
    """The granted registry fields, straight from the registry (nothing typed again)."""
    detail = enterprise_selectors.enterprise_detail(
        enterprise=enterprise, user=cast(User, _SensitiveReader())
    )
    values: dict[str, Any] = {}
    for field in fields:
        if field == "licences":
            values[field] = [
                {
                    "licence_type": lic.licence_type,
                    "number": lic.number,
                    "issuer": lic.issuer,
                    "expires_on": lic.expires_on,
                    "state_label": lic.state_label,
                }
                for lic in detail["licences"]
            ]
        elif field == "entity_type":
            values[field] = detail["entity_type_label"]
        elif field in PREFILL_FIELDS:
            values[field] = detail[field]
    return values


class _SensitiveReader:
    """Reads unmasked values for a desk inside an enterprise's consent (the consent, not the
    desk's role, is what allows it; the read is audited by the caller)."""

    role = "front_desk"
    is_authenticated = True


def list_latest(kind: str) -> PublishedList | None:
    return PublishedList.objects.filter(kind=kind).order_by("-issued_at", "-id").first()


def lists_latest() -> dict[str, PublishedList | None]:
    return {kind: list_latest(kind) for kind in ListKind.values}


# --- usage statistics --------------------------------------------------------------------


@dataclass
class ScanStats:
    days: list[dt.date]
    by_day: list[dict[str, Any]]  # {"day", "total", "<audience>:<channel>": n}
    columns: list[tuple[str, str]]  # (key, label)
    failures: list[dict[str, Any]]  # {"reason", "label", "count"}
    totals: dict[str, int]


def _stats_scope(user: User) -> Q:
    prefix = user.org_unit.scope_prefix if user.org_unit_id else None  # type: ignore[union-attr]
    if not prefix:
        return Q(pk__in=[])
    if len(prefix) <= 2:  # province: everything, including anonymous failures
        return Q()
    return Q(enterprise__region_code__startswith=prefix) | Q(
        enterprise__isnull=True, scanner_org_code__startswith=prefix
    )


def scan_stats(*, user: AnyUser, days: int = 14, today: dt.date | None = None) -> ScanStats:
    """Scans per day by audience and channel, failures by reason, within the user's region.
    A constant number of queries (two aggregates)."""
    actor = enterprise_selectors.require_capability(user=user, capability="ecode.stats")
    today = today or local_today()
    start_day = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(start_day, dt.time.min, tzinfo=SHANGHAI)
    base: QuerySet[ScanRecord] = ScanRecord.objects.filter(
        _stats_scope(actor), created_at__gte=start
    )
    rows = (
        base.annotate(day=TruncDate("created_at", tzinfo=SHANGHAI))
        .values("day", "audience", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_day: dict[dt.date, dict[str, int]] = defaultdict(dict)
    seen: set[tuple[str, str]] = set()
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        key = f"{row['audience']}:{row['channel']}"
        per_day[row["day"]][key] = per_day[row["day"]].get(key, 0) + row["n"]
        seen.add((row["audience"], row["channel"]))
        totals[row["audience"]] += row["n"]
    columns = [
        (f"{a}:{c}", f"{Audience(a).label}·{Channel(c).label}")
        for a in Audience.values
        for c in Channel.values
        if (a, c) in seen
    ]
    day_list = [start_day + dt.timedelta(days=i) for i in range(days)]
    by_day = [
        {
            "day": day,
            "total": sum(per_day[day].values()),
            "cells": [per_day[day].get(key, 0) for key, _ in columns],
            **per_day[day],
        }
        for day in reversed(day_list)
    ]
    failures = [
        {
            "reason": row["failure_reason"],
            "label": MESSAGES.get(row["failure_reason"], ""),
            "count": row["n"],
        }
        for row in base.filter(result=ScanResult.FAILED)
        .values("failure_reason")
        .annotate(n=Count("id"))
        .order_by("-n", "failure_reason")
    ]
    return ScanStats(
        days=day_list, by_day=by_day, columns=columns, failures=failures, totals=dict(totals)
    )


def prefill_field_choices() -> list[tuple[str, str]]:
    return list(PREFILL_FIELDS.items())


def role_may(user: AnyUser, capability: str) -> bool:
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    return bool(role) and role_can(role, capability)
