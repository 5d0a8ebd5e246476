from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings as SettingsWrapper

from tests.notifications.factories import (
    FailingSmsBackend,
    licence_context,
    queued_notification_tasks,
    recipient,
    run_notification_tasks,
)
from zqt.audit.models import AuditEvent
from zqt.core.errors import DomainError, NotFoundError, ValidationFailed
from zqt.notifications import services
from zqt.notifications.backends import MemoryEmailBackend, MemorySmsBackend
from zqt.notifications.builtin import BUILTIN_TEMPLATES
from zqt.notifications.models import MessageTemplate, Notification, NotificationPreference
from zqt.notifications.services import (
    notification_deliver,
    notification_mark_all_read,
    notification_mark_read,
    notification_preference_set,
    notification_requeue_overdue,
    notification_send,
    notification_templates_load,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("templates")]

FAILING = "tests.notifications.factories.FailingSmsBackend"


def send_licence(user: Any, *, event_key: str = "licence_expiring:1:30", **kw: Any) -> list[Any]:
    return notification_send(
        recipient=user,
        template_code="licence_expiring",
        context=licence_context(),
        event_key=event_key,
        **kw,
    )


# --- templates -------------------------------------------------------------------------------


def test_templates_load_is_idempotent_and_restores_edited_builtins() -> None:
    assert MessageTemplate.objects.count() == len(BUILTIN_TEMPLATES)
    MessageTemplate.objects.filter(code="generic").update(title_template="改过的")

    assert notification_templates_load() == len(BUILTIN_TEMPLATES)
    assert notification_templates_load() == len(BUILTIN_TEMPLATES)

    assert MessageTemplate.objects.count() == len(BUILTIN_TEMPLATES)
    assert MessageTemplate.objects.get(code="generic").title_template == "{title}"
    assert MessageTemplate.objects.get(code="licence_expiring").variables == [
        "licence_type",
        "enterprise_name",
        "number",
        "expires_on",
        "days_left",
    ]


# --- sending ---------------------------------------------------------------------------------


def test_send_creates_one_inapp_row_delivered_at_once() -> None:
    user = recipient()

    rows = notification_send(
        recipient=user,
        template_code="generic",
        context={"title": "通知", "body": "请查收"},
        event_key="generic:1",
    )

    assert len(rows) == 1
    row = Notification.objects.get()
    assert (row.channel, row.status, row.title, row.body) == ("inapp", "sent", "通知", "请查收")
    assert row.sent_at is not None and row.recipient == user
    assert queued_notification_tasks() == []
    assert AuditEvent.objects.filter(action="notification.send").count() == 1


def test_same_event_twice_creates_nothing_more() -> None:
    user = recipient()
    first = send_licence(user)
    tasks_before = len(queued_notification_tasks())

    second = send_licence(user)

    assert [n.pk for n in second] == [n.pk for n in first]
    assert Notification.objects.count() == 2  # in-app + SMS, once
    assert len(queued_notification_tasks()) == tasks_before == 1
    assert AuditEvent.objects.filter(action="notification.send").count() == 1


def test_same_event_for_another_recipient_is_sent_to_them() -> None:
    send_licence(recipient())
    send_licence(recipient())
    assert Notification.objects.filter(channel="inapp").count() == 2


def test_sms_is_delivered_through_the_backend_when_the_task_runs() -> None:
    user = recipient(phone="13912345678")
    send_licence(user)
    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.address, sms.attempts) == ("pending", "13912345678", 0)
    assert MemorySmsBackend.outbox == []  # nothing leaves before the worker runs

    assert run_notification_tasks() == ["sent"]

    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.next_attempt_at) == ("sent", 1, None)
    assert sms.sent_at is not None
    [message] = MemorySmsBackend.outbox
    assert message["to"] == "13912345678"
    assert "食品经营许可证" in message["body"] and "30 天" in message["body"]


def test_email_channel_on_request() -> None:
    send_licence(recipient(email="boss@example.com"), channels=["email"])
    run_notification_tasks()
    assert [m["to"] for m in MemoryEmailBackend.outbox] == ["boss@example.com"]
    assert not Notification.objects.filter(channel="inapp").exists()


def test_delivery_task_rerun_does_not_send_twice() -> None:
    send_licence(recipient())
    sms = Notification.objects.get(channel="sms")
    run_notification_tasks()

    assert notification_deliver(notification_id=sms.pk) == "skipped"
    assert notification_deliver(notification_id=999_999) == "skipped"
    inapp = Notification.objects.get(channel="inapp")
    assert notification_deliver(notification_id=inapp.pk) == "skipped"
    assert len(MemorySmsBackend.outbox) == 1


def test_failure_schedules_retry_with_backoff_then_fails_after_max_attempts(
    settings: SettingsWrapper,
) -> None:
    settings.ZQT_SMS_BACKEND = FAILING
    settings.ZQT_NOTIFICATION_MAX_ATTEMPTS = 3
    settings.ZQT_NOTIFICATION_RETRY_BASE_SECONDS = 60
    FailingSmsBackend.reset(failures=10)
    send_licence(recipient())
    sms = Notification.objects.get(channel="sms")

    before = timezone.now()
    assert run_notification_tasks() == ["retry"]
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("pending", 1)
    assert "短信网关不可用" in sms.last_error
    assert sms.next_attempt_at is not None
    assert sms.next_attempt_at - before >= dt.timedelta(seconds=60)
    [retry_task] = queued_notification_tasks()
    assert retry_task.run_after == sms.next_attempt_at
    assert run_notification_tasks() == []  # backoff: not due yet

    first_delay = sms.next_attempt_at - before
    before = timezone.now()
    assert run_notification_tasks(include_future=True) == ["retry"]
    sms.refresh_from_db()
    assert sms.attempts == 2
    assert sms.next_attempt_at is not None
    assert sms.next_attempt_at - before >= dt.timedelta(seconds=120) > first_delay

    assert run_notification_tasks(include_future=True) == ["failed"]
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.next_attempt_at) == ("failed", 3, None)
    assert queued_notification_tasks() == []
    assert len(FailingSmsBackend.attempts) == 3
    assert FailingSmsBackend.delivered == []


def test_transient_failure_then_success(settings: SettingsWrapper) -> None:
    settings.ZQT_SMS_BACKEND = FAILING
    FailingSmsBackend.reset(failures=1)
    send_licence(recipient())
    assert run_notification_tasks() == ["retry"]
    assert run_notification_tasks(include_future=True) == ["sent"]
    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == ("sent", 2)
    assert FailingSmsBackend.delivered == ["13800000000"]


def test_permanent_failure_is_not_retried(settings: SettingsWrapper) -> None:
    settings.ZQT_SMS_BACKEND = FAILING
    FailingSmsBackend.reset(failures=1, permanent=True)
    send_licence(recipient())

    assert run_notification_tasks() == ["failed"]
    assert Notification.objects.get(channel="sms").status == "failed"
    assert queued_notification_tasks() == []


def test_preference_off_means_no_sms_row() -> None:
    user = recipient()
    notification_preference_set(user=user, channel="sms", enabled=False)

    rows = send_licence(user)

    assert [n.channel for n in rows] == ["inapp"]
    assert not Notification.objects.filter(channel="sms").exists()
    assert queued_notification_tasks() == []


def test_non_optional_channel_ignores_the_preference() -> None:
    MessageTemplate.objects.create(
        code="statutory",
        name="法定通知",
        title_template="{title}",
        body_template="{body}",
        default_channels=["inapp", "sms"],
        optional_channels=[],
    )
    user = recipient()
    notification_preference_set(user=user, channel="sms", enabled=False)

    rows = notification_send(
        recipient=user,
        template_code="statutory",
        context={"title": "t", "body": "b"},
        event_key="statutory:1",
    )

    assert sorted(n.channel for n in rows) == ["inapp", "sms"]


def test_missing_phone_skips_sms_with_a_reason() -> None:
    user = recipient(phone="")

    rows = send_licence(user)

    sms = next(n for n in rows if n.channel == "sms")
    assert (sms.status, sms.last_error) == ("skipped", "用户未登记手机号，短信未发送。")
    assert queued_notification_tasks() == []


def test_missing_email_skips_email_with_a_reason() -> None:
    [row] = send_licence(recipient(email=""), channels=["email"])
    assert (row.status, row.last_error) == ("skipped", "用户未登记电子邮箱，邮件未发送。")


def test_missing_template_variable_is_a_chinese_error_and_nothing_is_written() -> None:
    user = recipient()
    context = licence_context()
    del context["days_left"]

    with pytest.raises(DomainError) as info:
        notification_send(
            recipient=user,
            template_code="licence_expiring",
            context=context,
            event_key="licence_expiring:1:30",
        )

    assert info.value.message == "消息模板「licence_expiring」缺少变量：days_left。"
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert not AuditEvent.objects.filter(action="notification.send").exists()


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"template_code": "no_such_template"}, NotFoundError, "template_code"),
        ({"channels": ["fax"]}, ValidationFailed, "channels"),
        ({"channels": []}, ValidationFailed, "channels"),
        ({"event_key": "   "}, ValidationFailed, "event_key"),
        ({"event_key": "x" * 201}, ValidationFailed, "event_key"),
    ],
)
def test_send_refusals_write_nothing(
    kwargs: dict[str, Any], error: type[DomainError], field: str
) -> None:
    args: dict[str, Any] = {
        "recipient": recipient(),
        "template_code": "licence_expiring",
        "context": licence_context(),
        "event_key": "licence_expiring:1:30",
        **kwargs,
    }
    with pytest.raises(error) as info:
        notification_send(**args)
    assert info.value.field == field
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_rendered_title_too_long_is_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        notification_send(
            recipient=recipient(),
            template_code="generic",
            context={"title": "长" * 201, "body": "b"},
            event_key="generic:long",
        )
    assert info.value.field == "title"
    assert Notification.objects.count() == 0


def test_rollback_of_the_callers_transaction_leaves_no_notification_and_no_task() -> None:
    user = recipient()

    with pytest.raises(RuntimeError), transaction.atomic():
        send_licence(user)
        assert Notification.objects.count() == 2
        assert len(queued_notification_tasks()) == 1
        raise RuntimeError("caller fails after sending")

    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_concurrent_duplicate_returns_the_other_transactions_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another transaction inserts the same event between our existence check and our insert
    (simulated from inside the send): the unique constraint wins, our rows and task vanish."""
    user = recipient()
    real_prefs = services.preferences_for_user

    def prefs_then_concurrent_insert(*, user: Any) -> dict[str, bool]:
        Notification.objects.create(
            recipient=user, channel="sms", event_key="licence_expiring:1:30", title="t", body="b"
        )
        return real_prefs(user=user)

    monkeypatch.setattr(services, "preferences_for_user", prefs_then_concurrent_insert)

    rows = send_licence(user)

    assert [(n.channel, n.title) for n in rows] == [("sms", "t")]
    assert Notification.objects.count() == 1
    assert queued_notification_tasks() == []


def test_requeue_overdue_pending_rows() -> None:
    send_licence(recipient())
    sms = Notification.objects.get(channel="sms")
    DBTaskResult.objects.update(status="FAILED")  # the task died outside the delivery code
    Notification.objects.filter(pk=sms.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(hours=2)
    )

    assert notification_requeue_overdue() == 1
    assert notification_requeue_overdue() == 0  # the bumped row is no longer overdue
    assert run_notification_tasks() == ["sent"]
    assert len(MemorySmsBackend.outbox) == 1


# --- inbox -----------------------------------------------------------------------------------


def test_mark_read_own_notification() -> None:
    user = recipient()
    [inapp, _sms] = send_licence(user)

    read = notification_mark_read(user=user, notification_id=inapp.pk)

    assert (read.status, read.is_unread) == ("read", False)
    assert read.read_at is not None
    first_read_at = read.read_at
    assert notification_mark_read(user=user, notification_id=inapp.pk).read_at == first_read_at
    assert AuditEvent.objects.filter(action="notification.read").count() == 1


def test_mark_read_refuses_another_users_notification_and_non_inbox_rows() -> None:
    owner, other = recipient(), recipient()
    [inapp, sms] = send_licence(owner)

    with pytest.raises(NotFoundError):
        notification_mark_read(user=other, notification_id=inapp.pk)
    with pytest.raises(NotFoundError):
        notification_mark_read(user=owner, notification_id=sms.pk)
    with pytest.raises(NotFoundError):
        notification_mark_read(user=owner, notification_id=999_999)
    inapp.refresh_from_db()
    assert inapp.status == "sent"


def test_mark_all_read_touches_only_own_unread() -> None:
    user, other = recipient(), recipient()
    send_licence(user, event_key="a")
    send_licence(user, event_key="b")
    send_licence(other, event_key="a")

    assert notification_mark_all_read(user=user) == 2
    assert notification_mark_all_read(user=user) == 0
    assert Notification.objects.filter(recipient=other, status="sent", channel="inapp").count() == 1


# --- preferences ----------------------------------------------------------------------------


def test_preference_set_creates_updates_and_audits_changes_only() -> None:
    user = recipient()

    pref = notification_preference_set(user=user, channel="email", enabled=False)
    assert pref.enabled is False
    notification_preference_set(user=user, channel="email", enabled=False)
    notification_preference_set(user=user, channel="email", enabled=True)

    assert NotificationPreference.objects.get(user=user, channel="email").enabled is True
    assert AuditEvent.objects.filter(action="notification.preference_set").count() == 2


@pytest.mark.parametrize(
    ("channel", "message"),
    [("inapp", "站内消息始终开启，不能关闭。"), ("fax", "未知的消息渠道：fax。")],
)
def test_preference_refusals(channel: str, message: str) -> None:
    user = recipient()
    with pytest.raises(ValidationFailed) as info:
        notification_preference_set(user=user, channel=channel, enabled=False)
    assert (info.value.message, info.value.field) == (message, "channel")
    assert not NotificationPreference.objects.exists()


def test_preferences_set_is_all_or_nothing() -> None:
    user = recipient()
    with pytest.raises(ValidationFailed):
        services.notification_preferences_set(user=user, preferences={"sms": False, "inapp": False})
    assert not NotificationPreference.objects.exists()
