from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    INAPP = "inapp", "站内消息"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "未发送"  # no phone/e-mail on file: recorded with the reason
    READ = "read", "已读"


# Delivery order when one event goes out on several channels.
CHANNEL_ORDER: tuple[str, ...] = (Channel.INAPP, Channel.SMS, Channel.EMAIL)

# Channels a user may switch off in their preferences. The in-app inbox is always on.
OPTIONAL_CHANNELS: tuple[str, ...] = (Channel.SMS, Channel.EMAIL)
