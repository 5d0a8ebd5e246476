"""Writing the audit trail. Every service that writes, and every staff read of an enterprise's
detail, calls audit_record in the same transaction as the work it records."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from zqt.audit.models import AuditEvent, AuditOutcome


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


def audit_record(
    *,
    actor: Any | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    changes: dict[str, Any] | None = None,
    outcome: str = AuditOutcome.ALLOWED,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. `actor` is a User or None (system/scheduled work)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = getattr(actor, "display_name", None) or actor.get_username()
        role = getattr(actor, "role", "") or ""
        org_unit = getattr(actor, "org_unit", None)
        org_code = org_unit.code if org_unit is not None else ""
        actor_obj = actor
    else:
        label, role, org_code, actor_obj = ("系统" if actor is None else "匿名"), "", "", None
    event = AuditEvent(
        actor=actor_obj,
        actor_label=label[:150],
        actor_role=role,
        org_unit_code=org_code,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        purpose=purpose[:200],
        outcome=outcome,
        changes=_jsonable(changes or {}),
        ip_address=ip_address,
    )
    event.save(force_insert=True)
    return event


def changes_as_audit(changes: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """{field: (old, new)} from model_update → {field: {"old":…, "new":…}} for the trail."""
    return {field: {"old": old, "new": new} for field, (old, new) in changes.items()}
