"""The one notification service every module uses.

    notification_send(recipient=user, template_code="licence_expiring",
                      context={...}, event_key=f"licence_expiring:{licence.pk}:{days}")

creates one row per channel in the caller's transaction: in-app rows are delivered at once
(they are the inbox), SMS/e-mail rows are delivered by the `notification_deliver` task, which is
enqueued in the same transaction (transactional outbox: if the caller rolls back, neither the
rows nor the task exist). The event_key names the event; the same recipient never gets the same
event twice on a channel (database constraint), so callers may retry freely.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zqt.accounts.models import User
from zqt.audit.services import audit_record, changes_as_audit
from zqt.core.errors import ValidationFailed, validation_error_from_django
from zqt.core.services import full_clean_or_raise, model_update
from zqt.notifications.backends import DeliveryError, backend_for_channel
from zqt.notifications.builtin import BUILTIN_TEMPLATES
from zqt.notifications.enums import (
    CHANNEL_ORDER,
    OPTIONAL_CHANNELS,
    Channel,
    NotificationStatus,
)
from zqt.notifications.models import MessageTemplate, Notification, NotificationPreference
from zqt.notifications.rendering import render
from zqt.notifications.retry import RetryPolicy
from zqt.notifications.selectors import (
    message_template_get,
    notification_get_for_user,
    preferences_for_user,
)

logger = logging.getLogger(__name__)


def retry_policy() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=int(getattr(settings, "ZQT_NOTIFICATION_MAX_ATTEMPTS", 5)),
        base_delay_seconds=int(getattr(settings, "ZQT_NOTIFICATION_RETRY_BASE_SECONDS", 60)),
        max_delay_seconds=int(getattr(settings, "ZQT_NOTIFICATION_RETRY_MAX_SECONDS", 3600)),
    )


# --- templates -----------------------------------------------------------------------------


def notification_templates_load() -> int:
    """Upsert the built-in templates (builtin.BUILTIN_TEMPLATES). Idempotent: a template that
    already matches is not written. Returns the number of built-in templates."""
    fields = ["name", "title_template", "body_template", "default_channels", "optional_channels"]
    with transaction.atomic():
        for spec in BUILTIN_TEMPLATES:
            data: dict[str, Any] = dict(spec)
            existing = MessageTemplate.objects.filter(code=spec["code"]).first()
            if existing is None:
                template = MessageTemplate(**data)
                full_clean_or_raise(template)
                template.save(force_insert=True)
            else:
                model_update(instance=existing, fields=fields, data=data)
    return len(BUILTIN_TEMPLATES)


# --- sending -------------------------------------------------------------------------------


def _resolve_channels(template: MessageTemplate, channels: list[str] | None) -> list[str]:
    wanted = list(template.default_channels) if channels is None else list(channels)
    unknown = [c for c in wanted if c not in CHANNEL_ORDER]
    if unknown:
        raise ValidationFailed(
            f"未知的消息渠道：{'、'.join(map(str, unknown))}。", field="channels"
        )
    if not wanted:
        raise ValidationFailed("至少需要一个消息渠道。", field="channels")
    return [c for c in CHANNEL_ORDER if c in wanted]


def _address_for(user: User, channel: str) -> tuple[str, str]:
    """(address, reason it is missing) for an outbound channel."""
    if channel == Channel.SMS:
        phone = (user.phone or "").strip()
        return phone, "" if phone else "用户未登记手机号，短信未发送。"
    email = (user.email or "").strip()
    return email, "" if email else "用户未登记电子邮箱，邮件未发送。"


def _clean_notification(row: Notification) -> None:
    # recipient is an instance we hold (skip the existence query); the event constraint is
    # enforced by the database insert, where a concurrent duplicate is caught.
    try:
        row.full_clean(exclude=["recipient"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise validation_error_from_django(exc) from exc


def notification_send(
    *,
    recipient: User,
    template_code: str,
    context: Mapping[str, Any],
    event_key: str,
    channels: list[str] | None = None,
) -> list[Notification]:
    """Send the message `template_code` rendered with `context` to `recipient` for the event
    `event_key`, on `channels` (default: the template's default channels).

    Idempotent per (recipient, event_key): if any notification for the event exists, the
    existing rows are returned and nothing is created or enqueued. Optional channels the user
    switched off are left out (no row); SMS/e-mail without a phone/e-mail on file get a row
    with status "skipped" and the reason in last_error. Raises ValidationFailed for a missing
    template variable or an unknown channel, NotFoundError for an unknown template; nothing is
    written then.
    """
    event_key = (event_key or "").strip()
    if not event_key:
        raise ValidationFailed("事件键不能为空。", field="event_key")

    def existing_rows() -> list[Notification]:
        return list(
            Notification.objects.filter(recipient=recipient, event_key=event_key).order_by("id")
        )

    with transaction.atomic():
        existing = existing_rows()
        if existing:
            return existing
        template = message_template_get(code=template_code)
        wanted = _resolve_channels(template, channels)
        title = render(template.title_template, context, template_code=template.code)
        body = render(template.body_template, context, template_code=template.code)

        prefs: dict[str, bool] = {}
        if any(c in template.optional_channels for c in wanted):
            prefs = preferences_for_user(user=recipient)

        now = timezone.now()
        rows: list[Notification] = []
        for channel in wanted:
            if channel in template.optional_channels and not prefs.get(channel, True):
                continue
            row = Notification(
                recipient=recipient,
                channel=channel,
                event_key=event_key,
                template_code=template.code,
                title=title,
                body=body,
            )
            if channel == Channel.INAPP:
                row.status = NotificationStatus.SENT
                row.sent_at = now
            else:
                address, missing = _address_for(recipient, channel)
                row.address = address
                if missing:
                    row.status = NotificationStatus.SKIPPED
                    row.last_error = missing
                else:
                    row.status = NotificationStatus.PENDING
                    row.next_attempt_at = now
            _clean_notification(row)
            rows.append(row)

        try:
            with transaction.atomic():  # savepoint: a concurrent duplicate undoes only this
                for row in rows:
                    row.save(force_insert=True)
                for row in rows:
                    if row.status == NotificationStatus.PENDING:
                        _enqueue_delivery(row)
        except IntegrityError:
            # Another transaction created this event for the recipient first (we waited for
            # it on the unique index): its rows are the answer.
            return existing_rows()

        if rows:
            audit_record(
                actor=None,
                action="notification.send",
                object_type="notification",
                object_id=str(rows[0].pk),
                changes={
                    "recipient": recipient.pk,
                    "template": template.code,
                    "event_key": event_key,
                    "channels": {row.channel: row.status for row in rows},
                },
            )
        return rows


def _enqueue_delivery(notification: Notification) -> None:
    """Enqueue the delivery task in the current transaction (the task row commits or rolls
    back with the notification; never wrap this in on_commit)."""
    from zqt.notifications.tasks import notification_deliver_task

    run_after = notification.next_attempt_at
    task = notification_deliver_task
    if run_after is not None and run_after > timezone.now():
        task = task.using(run_after=run_after)
    task.enqueue(notification.pk)


# --- delivery (runs in the worker) ---------------------------------------------------------


def notification_deliver(*, notification_id: int) -> str:
    """Try to deliver one pending SMS/e-mail notification. Returns what happened:
    "sent", "retry", "failed", or "skipped" (not pending, already taken by another worker, or
    gone).

    The row stays locked while the backend sends, so two workers cannot both send it; the
    status check makes a re-run after success a no-op. A failure schedules the next attempt
    with exponential backoff (a new task with run_after) until the policy's last attempt, then
    the row is "failed". A crash between the gateway accepting the message and the commit
    sends it again on retry: delivery is at least once, never silently lost.
    """
    policy = retry_policy()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status != NotificationStatus.PENDING:
            return "skipped"
        if notification.channel not in OPTIONAL_CHANNELS:
            return "skipped"
        now = timezone.now()
        notification.attempts += 1
        update_fields = ["attempts", "status", "next_attempt_at", "last_error", "updated_at"]
        try:
            backend = backend_for_channel(notification.channel)
            backend.send(
                to=notification.address, subject=notification.title, body=notification.body
            )
        except Exception as exc:  # any backend failure is recorded and retried
            permanent = isinstance(exc, DeliveryError) and exc.permanent
            notification.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if permanent or policy.gives_up_after(notification.attempts):
                notification.status = NotificationStatus.FAILED
                notification.next_attempt_at = None
                outcome = "failed"
            else:
                notification.next_attempt_at = now + policy.delay_after(notification.attempts)
                outcome = "retry"
            notification.save(update_fields=update_fields)
            if outcome == "retry":
                _enqueue_delivery(notification)
            logger.warning(
                "notification %s %s delivery attempt %s failed (%s): %s",
                notification.pk,
                notification.channel,
                notification.attempts,
                outcome,
                notification.last_error,
            )
            return outcome
        notification.status = NotificationStatus.SENT
        notification.sent_at = now
        notification.next_attempt_at = None
        notification.save(update_fields=[*update_fields, "sent_at"])
        return "sent"


def notification_requeue_overdue(
    *, older_than: dt.timedelta = dt.timedelta(minutes=30), limit: int = 1000
) -> int:
    """Safety net for a scheduled sweep: re-enqueue pending SMS/e-mail rows whose attempt is
    overdue by `older_than` (e.g. their task failed outside the delivery code). Harmless if the
    original task is merely late: delivery is a no-op for a row that is no longer pending.
    Returns how many rows were re-enqueued."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                status=NotificationStatus.PENDING,
                next_attempt_at__lte=now - older_than,
                channel__in=OPTIONAL_CHANNELS,
            )
            .order_by("next_attempt_at")[:limit]
        )
        if not rows:
            return 0
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            next_attempt_at=now, updated_at=now
        )
        for row in rows:
            row.next_attempt_at = now
            _enqueue_delivery(row)
        audit_record(
            actor=None,
            action="notification.requeue",
            object_type="notification",
            changes={"ids": [row.pk for row in rows]},
        )
    return len(rows)


# --- inbox and preferences -----------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own in-app messages read (a no-op if it already is).
    Another user's id raises NotFoundError."""
    with transaction.atomic():
        notification = notification_get_for_user(
            user=user, notification_id=notification_id, for_update=True
        )
        if notification.status == NotificationStatus.READ:
            return notification
        notification.status = NotificationStatus.READ
        notification.read_at = timezone.now()
        notification.save(update_fields=["status", "read_at", "updated_at"])
        audit_record(
            actor=user,
            action="notification.read",
            object_type="notification",
            object_id=str(notification.pk),
        )
        return notification


def notification_mark_all_read(*, user: User) -> int:
    """Mark all of the user's unread in-app messages read. Returns how many changed."""
    now = timezone.now()
    with transaction.atomic():
        count = (
            Notification.objects.filter(recipient=user, channel=Channel.INAPP)
            .exclude(status=NotificationStatus.READ)
            .update(status=NotificationStatus.READ, read_at=now, updated_at=now)
        )
        if count:
            audit_record(
                actor=user,
                action="notification.read_all",
                object_type="notification",
                changes={"count": count},
            )
    return count


def notification_preference_set(
    *, user: User, channel: str, enabled: bool
) -> NotificationPreference:
    """Switch an optional channel (SMS, e-mail) on or off for the user. The in-app inbox is
    always on."""
    if channel == Channel.INAPP:
        raise ValidationFailed("站内消息始终开启，不能关闭。", field="channel")
    if channel not in OPTIONAL_CHANNELS:
        raise ValidationFailed(f"未知的消息渠道：{channel}。", field="channel")
    with transaction.atomic():
        pref = (
            NotificationPreference.objects.select_for_update()
            .filter(user=user, channel=channel)
            .first()
        )
        if pref is None:
            pref = NotificationPreference(user=user, channel=channel, enabled=enabled)
            full_clean_or_raise(pref, exclude=["user"])
            pref.save(force_insert=True)
            changes = {"enabled": (None, enabled)}
        else:
            pref, changes = model_update(
                instance=pref, fields=["enabled"], data={"enabled": enabled}
            )
        if changes:
            audit_record(
                actor=user,
                action="notification.preference_set",
                object_type="notification_preference",
                object_id=f"{user.pk}:{channel}",
                changes={"channel": channel, **changes_as_audit(changes)},
            )
        return pref


def notification_preferences_set(*, user: User, preferences: Mapping[str, bool]) -> dict[str, bool]:
    """Set several optional channels at once (all or nothing). Returns the resulting
    {channel: enabled} for every optional channel."""
    with transaction.atomic():
        for channel, enabled in preferences.items():
            notification_preference_set(user=user, channel=channel, enabled=enabled)
        return preferences_for_user(user=user)
