from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.accounts.factories import login_verified
from tests.appeals.test_services import routed
from zqt.appeals import services
from zqt.appeals.deadlines import local
from zqt.appeals.models import StageClock, WorkingDayOverride
from zqt.audit.models import AuditEvent
from zqt.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.taskqueue.testing import run_pending_tasks

pytestmark = pytest.mark.django_db


def test_override_set_enqueues_recompute_of_running_clocks(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    clock = StageClock.objects.get(appeal=appeal, stage="handle")
    due_day = local(clock.due_at).date()
    started = clock.started_at
    services.working_day_override_set(
        user=c.office, day=due_day, is_working_day=False, note="临时调整"
    )
    clock.refresh_from_db()
    assert local(clock.due_at).date() == due_day  # not yet: the worker recomputes
    results = run_pending_tasks()
    assert any(r.task.name == "clocks_recompute" for r in results)
    clock.refresh_from_db()
    assert local(clock.due_at).date() > due_day and clock.started_at == started
    assert AuditEvent.objects.filter(action="appeal.calendar_set").exists()
    assert AuditEvent.objects.filter(
        action="appeal.clock_recompute", object_id=str(appeal.pk)
    ).exists()
    # Removing it moves the deadline back.
    services.working_day_override_remove(user=c.office, day=due_day)
    run_pending_tasks()
    clock.refresh_from_db()
    assert local(clock.due_at).date() == due_day
    assert not WorkingDayOverride.objects.exists()


def test_setting_the_same_value_twice_changes_nothing(c) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2099, 10, 1)
    services.working_day_override_set(user=c.office, day=day, is_working_day=False, note="国庆")
    run_pending_tasks()
    services.working_day_override_set(user=c.office, day=day, is_working_day=False, note="国庆")
    assert run_pending_tasks() == []
    assert AuditEvent.objects.filter(action="appeal.calendar_set").count() == 1
    services.working_day_override_set(user=c.office, day=day, is_working_day=True, note="调休")
    assert WorkingDayOverride.objects.get(day=day).is_working_day


@pytest.mark.parametrize("who", ["handler", "desk", "chief", "company", "api"])
def test_only_operations_may_edit_the_calendar(c, who) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        services.working_day_override_set(
            user=getattr(c, who), day=dt.date(2099, 1, 2), is_working_day=False
        )
    assert not WorkingDayOverride.objects.exists()
    assert AuditEvent.objects.filter(action="appeal.calendar", outcome="denied").exists()


def test_bad_input_writes_nothing(c) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed):
        services.working_day_override_set(
            user=c.office, day=dt.date(2099, 1, 2), is_working_day=False, note="长" * 101
        )
    with pytest.raises(NotFoundError):
        services.working_day_override_remove(user=c.office, day=dt.date(2099, 1, 2))
    assert not WorkingDayOverride.objects.exists()
    assert run_pending_tasks() == []


def test_calendar_page(c) -> None:  # type: ignore[no-untyped-def]
    ops = login_verified(Client(), c.office)
    page = ops.get("/appeals/calendar/?year=2099").content.decode()
    assert "2099" in page and "周一至周五" in page
    r = ops.post(
        "/appeals/calendar/",
        {"year": "2099", "day": "2099-10-01", "is_working_day": "0", "note": "国庆节"},
    )
    assert r.status_code == 302
    page = ops.get("/appeals/calendar/?year=2099").content.decode()
    assert "2099-10-01" in page and "国庆节" in page
    ops.post("/appeals/calendar/", {"year": "2099", "day": "2099-10-01", "action": "remove"})
    assert not WorkingDayOverride.objects.exists()
    r = ops.post("/appeals/calendar/", {"year": "2099", "day": "not-a-date"})
    assert r.status_code == 302 and not WorkingDayOverride.objects.exists()
    assert "系统日历收录" in ops.get("/appeals/calendar/?year=2025").content.decode()
    handler = login_verified(Client(), c.handler)
    assert handler.get("/appeals/calendar/").status_code == 403
    assert handler.post("/appeals/calendar/", {"day": "2099-10-01"}).status_code == 403
    assert not WorkingDayOverride.objects.exists()
