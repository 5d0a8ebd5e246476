"""The supervision sweep: due-soon, overdue, step-by-step escalation; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.appeals.test_services import routed
from zqt.appeals import services, tasks
from zqt.appeals.models import Appeal, StageClock, SupervisionNotice
from zqt.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_sweep_flags_escalates_step_by_step_and_is_idempotent(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    clock = StageClock.objects.get(appeal=appeal, stage="handle")
    assert clock.warn_at and clock.due_at

    r1 = tasks.supervision_run(now=clock.warn_at + dt.timedelta(minutes=1))
    assert r1["due_soon"] == 1
    assert Appeal.objects.get(pk=appeal.pk).due_state == "due_soon"
    assert tasks.supervision_run(now=clock.warn_at + dt.timedelta(minutes=2))["due_soon"] == 0

    late = clock.due_at + dt.timedelta(minutes=1)
    r2 = tasks.supervision_run(now=late)
    assert r2["overdue"] == 1 and r2["escalated_l1"] == 1
    appeal.refresh_from_db()
    assert appeal.status == "escalated" and appeal.supervision_level == 1
    notice = SupervisionNotice.objects.get(appeal=appeal, level=1)
    assert notice.addressed_to == c.leader
    before = (Notification.objects.count(), SupervisionNotice.objects.count())
    again = tasks.supervision_run(now=late)
    assert again == {"due_soon": 0, "overdue": 0, "reminders": 0}
    assert (Notification.objects.count(), SupervisionNotice.objects.count()) == before

    # The notice is not answered in time: chief commissioner, then the fallback board.
    r3 = tasks.supervision_run(now=notice.due_at + dt.timedelta(minutes=1))
    assert r3["escalated_l2"] == 1
    level2 = SupervisionNotice.objects.get(appeal=appeal, level=2)
    assert level2.addressed_to == c.chief
    tasks.supervision_run(now=level2.due_at + dt.timedelta(minutes=1))
    appeal.refresh_from_db()
    assert appeal.supervision_level == 3 and appeal.board.code == "appeals"
    assert appeal.handler == c.fallback_handler
    fallback_clock = StageClock.objects.get(appeal=appeal, stopped_at__isnull=True, task=None)
    assert fallback_clock.tier == "five_days"
    services.supervision_notice_answer(user=c.leader, notice_id=notice.pk, response="已督促")
    assert SupervisionNotice.objects.get(pk=notice.pk).responded_at is not None


def test_orphan_reconciler_alerts_on_a_case_without_handler(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    assert tasks.orphans_reconcile() == 0
    Appeal.objects.filter(pk=appeal.pk).update(handler=None)
    assert tasks.orphans_reconcile() == 1
    assert Notification.objects.filter(recipient=c.chief, event_key__contains="orphan").exists()


def test_calendar_change_recomputes_clocks_with_audit(c) -> None:  # type: ignore[no-untyped-def]
    from zqt.appeals.deadlines import local
    from zqt.appeals.models import WorkingDayOverride

    appeal = routed(c)
    clock = StageClock.objects.get(appeal=appeal, stage="handle")
    due_day = local(clock.due_at).date()
    WorkingDayOverride.objects.create(day=due_day, is_working_day=False, note="测试")
    assert tasks.clocks_recompute_all(reason="日历调整") == 1
    clock.refresh_from_db()
    assert local(clock.due_at).date() > due_day
