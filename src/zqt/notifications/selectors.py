"""Reads: message templates, a user's inbox, unread count, preferences, and the one
fetch-and-authorise function for a notification."""

from __future__ import annotations

from django.db.models import QuerySet

from zqt.accounts.models import User
from zqt.core.errors import NotFoundError
from zqt.notifications.enums import OPTIONAL_CHANNELS, Channel, NotificationStatus
from zqt.notifications.models import MessageTemplate, Notification, NotificationPreference


def message_template_get(*, code: str) -> MessageTemplate:
    template = MessageTemplate.objects.filter(code=code).first()
    if template is None:
        raise NotFoundError(f"消息模板「{code}」不存在。", field="template_code")
    return template


def inbox_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app messages, newest first. SMS/e-mail rows are delivery records and do
    not appear in the inbox."""
    qs = Notification.objects.filter(recipient=user, channel=Channel.INAPP)
    if unread_only:
        qs = qs.exclude(status=NotificationStatus.READ)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: User) -> int:
    return inbox_for_user(user=user, unread_only=True).count()


def notification_get_for_user(
    *, user: User, notification_id: int, for_update: bool = False
) -> Notification:
    """The user's own in-app notification, or NotFoundError (also for another user's id, so
    its existence does not leak)."""
    qs = inbox_for_user(user=user)
    if for_update:
        qs = qs.select_for_update()
    notification = qs.filter(pk=notification_id).first()
    if notification is None:
        raise NotFoundError("消息不存在。", field="notification_id")
    return notification


def preferences_for_user(*, user: User) -> dict[str, bool]:
    """{channel: enabled} for every optional channel; a channel without a row is enabled."""
    prefs = {channel: True for channel in OPTIONAL_CHANNELS}
    for channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
        "channel", "enabled"
    ):
        if channel in prefs:
            prefs[channel] = enabled
    return prefs
