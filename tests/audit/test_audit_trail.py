from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tests.accounts.factories import staff
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_records_actor_role_and_unit() -> None:
    user = staff(Role.INSPECTOR)
    event = audit_record(
        actor=user,
        action="enterprise.view",
        object_type="enterprise",
        object_id="91330802X",
        purpose="现场检查",
    )
    assert (event.actor_role, event.org_unit_code, event.purpose) == (
        "inspector",
        "330802",
        "现场检查",
    )
    assert audit_record(actor=None, action="sweep").actor_label == "系统"


def test_audit_events_cannot_be_changed_or_deleted() -> None:
    event = audit_record(actor=None, action="x")
    event.action = "y"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL-only")
def test_database_refuses_raw_update_on_postgresql() -> None:
    audit_record(actor=None, action="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="tampered")
