"""The licence-expiry reminder sweep (zqt.enterprises.tasks): exactly one reminder per licence,
threshold and expiry date, with one to-do and one notification per enterprise user."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.enterprises.factories import EnterpriseFactory, LicenceFactory, enterprise_user
from zqt.audit.models import AuditEvent
from zqt.core.timeutil import local_today
from zqt.enterprises import tasks
from zqt.enterprises.enums import EnterpriseStatus, LicenceStatus, TodoStatus
from zqt.enterprises.models import Licence, LicenceReminder, Todo
from zqt.notifications.enums import Channel
from zqt.notifications.models import Notification

TODAY = dt.date(2026, 3, 2)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def run(today: dt.date = TODAY, **kw: int) -> dict[str, int]:
    return tasks.licence_reminders_run(today=today, **kw)


def reminders(licence: Licence) -> list[tuple[int, dt.date]]:
    return sorted(
        LicenceReminder.objects.filter(licence=licence).values_list("threshold_days", "expires_on")
    )


def inbox(user) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=user, channel=Channel.INAPP).order_by("id"))


@pytest.fixture
def shop(reference_data):  # type: ignore[no-untyped-def]
    """An enterprise with two user accounts."""
    enterprise = EnterpriseFactory(name="衢州好味餐饮有限公司")
    enterprise.test_users = [enterprise_user(enterprise), enterprise_user(enterprise)]  # type: ignore[attr-defined]
    return enterprise


@pytest.mark.django_db
def test_licence_entering_the_60_day_window_is_reminded_once(shop) -> None:  # type: ignore[no-untyped-def]
    licence = LicenceFactory(enterprise=shop, expires_on=days(45))

    first = run()
    again = run()

    assert reminders(licence) == [(60, days(45))]
    assert first["reminders"] == 1 and first["reminders_60d"] == 1
    assert first["notifications"] == 2  # one per enterprise user
    assert (again["reminders"], again["notifications"], again["todos"]) == (0, 0, 0)
    todo = Todo.objects.get(enterprise=shop)
    assert todo.source_key == f"licence-renewal:{licence.pk}:{days(45).isoformat()}"
    assert todo.title == "证照即将到期：食品经营许可证（还有45天）"
    assert (todo.due_on, todo.status) == (days(45), TodoStatus.OPEN)
    assert licence.number in todo.detail
    for user in shop.test_users:
        [message] = inbox(user)
        assert message.event_key == f"licence-expiring:{licence.pk}:60:{days(45).isoformat()}"
        assert message.template_code == "licence_expiring"
        assert "衢州好味餐饮有限公司" in message.body and "45" in message.body
        assert "2026年4月16日" in message.body
    assert AuditEvent.objects.filter(action="licence.reminder").count() == 1


@pytest.mark.django_db
def test_30_day_reminder_follows_and_refreshes_the_todo(shop) -> None:  # type: ignore[no-untyped-def]
    licence = LicenceFactory(enterprise=shop, expires_on=days(45))
    run()
    later = TODAY + dt.timedelta(days=15)  # 30 days left

    result = run(today=later)
    run(today=later + dt.timedelta(days=1))

    assert result["reminders_30d"] == 1
    assert reminders(licence) == [(30, days(45)), (60, days(45))]
    todo = Todo.objects.get(enterprise=shop)  # still one to-do, refreshed
    assert todo.title == "证照即将到期：食品经营许可证（还有30天）"
    user = shop.test_users[0]
    assert [n.event_key.split(":")[2] for n in inbox(user)] == ["60", "30"]


@pytest.mark.django_db
def test_first_seen_inside_30_days_gets_only_the_30_day_reminder(shop) -> None:  # type: ignore[no-untyped-def]
    licence = LicenceFactory(enterprise=shop, expires_on=days(20))
    run()
    run(today=TODAY + dt.timedelta(days=1))
    assert reminders(licence) == [(30, days(20))]
    assert len(inbox(shop.test_users[0])) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("left", "expected"),
    [(61, []), (60, [60]), (31, [60]), (30, [30]), (1, [30]), (0, [30]), (-1, [])],
)
def test_window_edges(shop, left: int, expected: list[int]) -> None:  # type: ignore[no-untyped-def]
    licence = LicenceFactory(enterprise=shop, expires_on=days(left))
    run()
    assert [t for t, _d in reminders(licence)] == expected


@pytest.mark.django_db
def test_expiry_day_todo_says_today(shop) -> None:  # type: ignore[no-untyped-def]
    LicenceFactory(enterprise=shop, expires_on=TODAY)
    run()
    assert Todo.objects.get().title.endswith("（今天到期）")


@pytest.mark.django_db
def test_revoked_pending_expired_and_open_ended_licences_get_nothing(shop) -> None:  # type: ignore[no-untyped-def]
    LicenceFactory(enterprise=shop, expires_on=days(10), status=LicenceStatus.REVOKED)
    LicenceFactory(enterprise=shop, expires_on=days(10), status=LicenceStatus.PENDING)
    LicenceFactory(enterprise=shop, expires_on=days(-3))
    LicenceFactory(enterprise=shop, expires_on=None)
    result = run()
    assert result["reminders"] == 0
    assert not LicenceReminder.objects.exists()
    assert not Todo.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [EnterpriseStatus.REVOKED, EnterpriseStatus.DEREGISTERED])
def test_closed_enterprises_get_nothing(reference_data, status: str) -> None:  # type: ignore[no-untyped-def]
    LicenceFactory(enterprise=EnterpriseFactory(status=status), expires_on=days(10))
    assert run()["reminders"] == 0


@pytest.mark.django_db
def test_renewal_produces_new_reminders_and_closes_the_old_todo(shop) -> None:  # type: ignore[no-untyped-def]
    licence = LicenceFactory(enterprise=shop, expires_on=days(20))
    run()
    old_todo = Todo.objects.get()

    # Renewed, but the new date is itself soon (e.g. a short extension): 50 days left.
    Licence.objects.filter(pk=licence.pk).update(expires_on=days(50))
    result = run()

    assert reminders(licence) == [(30, days(20)), (60, days(50))]
    assert result["todos_closed"] == 1
    old_todo.refresh_from_db()
    assert old_todo.status == TodoStatus.DONE
    new_todo = Todo.objects.get(status=TodoStatus.OPEN)
    assert new_todo.source_key.endswith(days(50).isoformat())
    assert len(inbox(shop.test_users[0])) == 2
    assert run()["reminders"] == 0


@pytest.mark.django_db
def test_revocation_closes_the_open_todo_but_plain_expiry_does_not(shop) -> None:  # type: ignore[no-untyped-def]
    revoked = LicenceFactory(enterprise=shop, expires_on=days(10))
    lapsing = LicenceFactory(enterprise=shop, expires_on=days(12))
    run()
    Licence.objects.filter(pk=revoked.pk).update(status=LicenceStatus.REVOKED)

    result = run(today=days(20))  # both past their expiry date now

    assert result["todos_closed"] == 1
    open_keys = set(
        Todo.objects.filter(status=TodoStatus.OPEN).values_list("source_key", flat=True)
    )
    assert open_keys == {f"licence-renewal:{lapsing.pk}:{days(12).isoformat()}"}


@pytest.mark.django_db
def test_todo_marked_done_is_not_reopened_by_the_next_threshold(shop) -> None:  # type: ignore[no-untyped-def]
    LicenceFactory(enterprise=shop, expires_on=days(45))
    run()
    Todo.objects.update(status=TodoStatus.DONE)
    run(today=TODAY + dt.timedelta(days=15))
    todo = Todo.objects.get()
    assert todo.status == TodoStatus.DONE
    assert "还有30天" in todo.title


@pytest.mark.django_db
def test_enterprise_without_users_still_gets_reminder_and_todo(reference_data) -> None:  # type: ignore[no-untyped-def]
    LicenceFactory(expires_on=days(5))
    result = run()
    assert (result["reminders"], result["todos"], result["notifications"]) == (1, 1, 0)


@pytest.mark.django_db
def test_inactive_users_are_not_notified(shop) -> None:  # type: ignore[no-untyped-def]
    inactive = shop.test_users[1]
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    LicenceFactory(enterprise=shop, expires_on=days(5))
    assert run()["notifications"] == 1
    assert inbox(inactive) == []


@pytest.mark.django_db
def test_batches_cover_every_licence(reference_data) -> None:  # type: ignore[no-untyped-def]
    licences = [LicenceFactory(expires_on=days(10 + n % 40)) for n in range(7)]
    result = run(batch_size=2)
    assert result["reminders"] == 7
    assert LicenceReminder.objects.count() == 7
    assert Todo.objects.count() == 7
    assert AuditEvent.objects.filter(action="licence.reminder").count() >= 4
    assert all(reminders(lic) for lic in licences)


@pytest.mark.django_db
def test_reminder_inserted_by_a_concurrent_sweep_is_not_repeated(shop) -> None:  # type: ignore[no-untyped-def]
    """The INSERT … ON CONFLICT DO NOTHING RETURNING reports only rows this call inserted: a
    second sweep racing the first gets nothing back, so it sends nothing."""
    licence = LicenceFactory(enterprise=shop, expires_on=days(45))
    row = {"pk": licence.pk, "expires_on": licence.expires_on}
    assert tasks._insert_reminders([row], threshold=60) == {licence.pk}
    assert tasks._insert_reminders([row], threshold=60) == set()
    assert tasks._insert_reminders([row], threshold=30) == {licence.pk}
    assert LicenceReminder.objects.count() == 2


@pytest.mark.django_db
def test_failure_keeps_nothing_and_the_next_sweep_retries(shop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import zqt.notifications.services as notification_services

    LicenceFactory(enterprise=shop, expires_on=days(45))

    def broken(**kwargs: object) -> None:
        raise RuntimeError("message service down")

    monkeypatch.setattr(notification_services, "notification_send", broken)
    with pytest.raises(RuntimeError):
        run()
    assert not LicenceReminder.objects.exists()
    assert not Todo.objects.exists()

    monkeypatch.undo()
    assert run()["reminders"] == 1
    assert len(inbox(shop.test_users[0])) == 1


@pytest.mark.django_db
def test_task_runs_through_the_queue(shop) -> None:  # type: ignore[no-untyped-def]
    from zqt.taskqueue.testing import run_pending_tasks

    LicenceFactory(enterprise=shop, expires_on=local_today() + dt.timedelta(days=40))
    tasks.licence_reminders_sweep.enqueue()
    [result] = run_pending_tasks(queue="sweeps")
    assert result.return_value is not None
    assert result.return_value["reminders"] == 1
    assert tasks.licence_reminders_sweep.queue_name == "sweeps"


def test_scheduled_job_is_discovered() -> None:
    from zqt.enterprises.scheduled import JOBS
    from zqt.taskqueue.scheduling import discover_jobs

    [job] = [j for j in discover_jobs() if j.name == "enterprises.licence_reminders"]
    assert job in JOBS
    assert job.task is tasks.licence_reminders_sweep
    assert job.every == dt.timedelta(hours=1)


def test_keys() -> None:
    assert tasks.renewal_todo_key(licence_id=7, expires_on=TODAY) == "licence-renewal:7:2026-03-02"
    assert (
        tasks.reminder_event_key(licence_id=7, threshold_days=30, expires_on=TODAY)
        == "licence-expiring:7:30:2026-03-02"
    )
