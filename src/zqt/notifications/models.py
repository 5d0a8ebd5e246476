from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from zqt.core.errors import DomainError
from zqt.core.models import TimeStampedModel
from zqt.notifications.enums import (
    CHANNEL_ORDER,
    OPTIONAL_CHANNELS,
    Channel,
    NotificationStatus,
)
from zqt.notifications.rendering import template_variables


def default_channels() -> list[str]:
    return [Channel.INAPP.value]


def default_optional_channels() -> list[str]:
    return list(OPTIONAL_CHANNELS)


def _check_channel_list(value: Any, *, allowed: tuple[str, ...]) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "必须是渠道编码列表。"
    unknown = [item for item in value if item not in allowed]
    if unknown:
        return f"未知或不允许的渠道：{'、'.join(unknown)}。"
    if len(set(value)) != len(value):
        return "渠道不能重复。"
    return None


class MessageTemplate(TimeStampedModel):
    """A message with named variables (`{enterprise_name}`), rendered per recipient.

    `default_channels`: where a message goes when the sender does not name channels.
    `optional_channels`: the channels on which the recipient's preference applies (a user who
    switched SMS off gets no SMS for these templates). A channel that is not optional here is
    sent regardless of preferences (e.g. a statutory deadline). In-app is never optional.
    """

    code = models.CharField(
        "编码",
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "编码只能包含小写字母、数字和下划线。")],
    )
    name = models.CharField("名称", max_length=64)
    title_template = models.CharField("标题模板", max_length=200)
    body_template = models.TextField("正文模板")
    default_channels = models.JSONField("默认渠道", default=default_channels)
    optional_channels = models.JSONField(
        "用户可关闭的渠道", default=default_optional_channels, blank=True
    )

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("title_template", "body_template"):
            try:
                template_variables(getattr(self, field) or "")
            except DomainError as exc:
                errors[field] = exc.message
        problem = _check_channel_list(self.default_channels, allowed=CHANNEL_ORDER)
        if problem is None and not self.default_channels:
            problem = "至少需要一个默认渠道。"
        if problem:
            errors["default_channels"] = problem
        problem = _check_channel_list(self.optional_channels, allowed=OPTIONAL_CHANNELS)
        if problem:
            errors["optional_channels"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def variables(self) -> list[str]:
        names = template_variables(self.title_template)
        return names + [v for v in template_variables(self.body_template) if v not in names]


class Notification(TimeStampedModel):
    """One message to one recipient on one channel for one event.

    UNIQUE (recipient, channel, event_key) is what makes "the same event never sends twice"
    hold even when two processes raise the same event at once. The row is the delivery record:
    attempts, last error, when it was sent or read.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    event_key = models.CharField("事件键", max_length=200)
    template_code = models.CharField("模板编码", max_length=64, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    address = models.CharField("发送地址", max_length=254, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=["recipient", "channel", "event_key"], name="uniq_notification_event"
            ),
        )
        indexes = (
            # Inbox pages and unread counts.
            models.Index(
                fields=["recipient", "channel", "status"], name="notif_recipient_status_idx"
            ),
            models.Index(
                fields=["recipient", "channel", "-created_at"], name="notif_recipient_recent_idx"
            ),
            # Sweep for overdue pending deliveries.
            models.Index(fields=["status", "next_attempt_at"], name="notif_pending_due_idx"),
        )

    def __str__(self) -> str:
        return f"{self.get_channel_display()}·{self.title}"

    @property
    def is_unread(self) -> bool:
        return self.channel == Channel.INAPP and self.status != NotificationStatus.READ


class NotificationPreference(TimeStampedModel):
    """A user's choice for an optional channel. No row means enabled."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    channel = models.CharField(
        "渠道",
        max_length=8,
        choices=[(c.value, c.label) for c in Channel if c.value in OPTIONAL_CHANNELS],
    )
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "消息偏好"
        verbose_name_plural = "消息偏好"
        constraints = (
            models.UniqueConstraint(fields=["user", "channel"], name="uniq_notification_pref"),
        )

    def __str__(self) -> str:
        return f"{self.user}·{self.channel}·{'开' if self.enabled else '关'}"
