"""Choice labels stay plain Chinese strings: the API and the Excel import/export use them as
they are. gettext_noop only marks them for the message catalog; pages translate them at
render time with {% translate obj.x_label %} (or gettext_lazy around the choices in forms)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class Channel(models.TextChoices):
    INAPP = "inapp", gettext_noop("站内消息")
    SMS = "sms", gettext_noop("短信")
    EMAIL = "email", gettext_noop("电子邮件")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待发送")
    SENT = "sent", gettext_noop("已发送")
    FAILED = "failed", gettext_noop("发送失败")
    SKIPPED = "skipped", gettext_noop("未发送")  # no phone/e-mail on file: recorded with the reason
    READ = "read", gettext_noop("已读")


# Delivery order when one event goes out on several channels.
CHANNEL_ORDER: tuple[str, ...] = (Channel.INAPP, Channel.SMS, Channel.EMAIL)

# Channels a user may switch off in their preferences. The in-app inbox is always on.
OPTIONAL_CHANNELS: tuple[str, ...] = (Channel.SMS, Channel.EMAIL)
