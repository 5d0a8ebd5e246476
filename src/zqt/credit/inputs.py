"""The registry facts credit scoring and risk rules read: penalties, credit records, honours,
licences of `zqt.enterprises`.

This is the ONE module of the credit app that reads the registry's tables, and only for
set-based work (a recompute over all enterprises must join them in SQL; going through
per-enterprise selectors would be a Python loop over 10M rows). It reads, never writes; writes
to the registry go through `enterprises.services`. If the registry grows a set-based read API,
this module is where to switch to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from zqt.enterprises.enums import CreditKind, EnterpriseStatus, LicenceStatus
from zqt.enterprises.models import CreditRecord, Enterprise, Honour, Licence, Penalty


def table(name: str) -> str:
    models = {
        "enterprise": Enterprise,
        "penalty": Penalty,
        "credit_record": CreditRecord,
        "honour": Honour,
        "licence": Licence,
    }
    return connection.ops.quote_name(models[name]._meta.db_table)


BAD, WARNING, GOOD = CreditKind.BAD.value, CreditKind.WARNING.value, CreditKind.GOOD.value
CLOSED_STATUSES = (EnterpriseStatus.REVOKED.value, EnterpriseStatus.DEREGISTERED.value)
ACTIVE_LICENCE = LicenceStatus.ACTIVE.value


@dataclass(frozen=True)
class RecordRow:
    """A penalty, credit record or credit event of one enterprise, as the credit pages show it."""

    kind: str  # penalty | credit_record | credit_event
    id: int
    title: str
    department: str
    recorded_on: dt.date
    detail: str = ""
    factor: str = ""  # scoring factor, e.g. "bad_record"
    amount: float | None = None


def enterprise_records(*, enterprise: Enterprise) -> list[RecordRow]:
    """Penalties and credit records of one enterprise (all of them; the caller filters)."""
    rows: list[RecordRow] = []
    for p in Penalty.objects.filter(enterprise=enterprise).order_by("-decided_on", "-id"):
        rows.append(
            RecordRow(
                "penalty",
                p.pk,
                p.reason,
                p.department,
                p.decided_on,
                detail=p.decision_number,
                factor="penalty",
                amount=float(p.amount),
            )
        )
    factor = {BAD: "bad_record", WARNING: "warning_record", GOOD: "good_record"}
    for r in CreditRecord.objects.filter(enterprise=enterprise).order_by("-recorded_on", "-id"):
        rows.append(
            RecordRow(
                "credit_record",
                r.pk,
                r.title,
                r.source_department,
                r.recorded_on,
                detail=r.get_kind_display(),
                factor=factor.get(r.kind, ""),
            )
        )
    return rows


def enterprise_record_expiry(*, enterprise: Enterprise) -> dict[int, dt.date | None]:
    return dict(CreditRecord.objects.filter(enterprise=enterprise).values_list("pk", "expires_on"))


def enterprise_honour_dates(*, enterprise: Enterprise) -> list[dt.date]:
    return list(Honour.objects.filter(enterprise=enterprise).values_list("granted_on", flat=True))


def enterprises_with_expired_licence(
    *, today: dt.date, region_prefix: str = ""
) -> list[tuple[int, str, str, str]]:
    """(enterprise id, region code, licence type, expiry) of still-trading enterprises holding
    an active licence past its expiry date (operating with an expired licence)."""
    qs = Licence.objects.filter(status=ACTIVE_LICENCE, expires_on__lt=today).exclude(
        enterprise__status__in=CLOSED_STATUSES
    )
    if region_prefix:
        qs = qs.filter(enterprise__region_code__startswith=region_prefix)
    return [
        (eid, region, ltype, expires.isoformat() if expires else "")
        for eid, region, ltype, expires in qs.values_list(
            "enterprise_id", "enterprise__region_code", "licence_type", "expires_on"
        ).order_by("enterprise_id", "licence_type")
    ]
