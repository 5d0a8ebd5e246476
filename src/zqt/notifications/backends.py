"""Outbound SMS and e-mail backends, chosen by dotted path in settings.ZQT_SMS_BACKEND and
settings.ZQT_EMAIL_BACKEND.

A backend sends one message and raises on failure; the delivery task turns the exception into
a retry (or a final failure). Raise `DeliveryError(..., permanent=True)` for failures a retry
cannot fix (e.g. the gateway rejects the number) so the message fails at once.

The default file backends append one JSON line per message under settings.ZQT_OUTBOX_DIR
(`sms.jsonl`, `email.jsonl`): the quick start needs no gateway and a developer can read what
"went out". A real gateway is a subclass of NotificationBackend named in the settings.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from zqt.notifications.enums import Channel


class DeliveryError(Exception):
    """A backend could not send. `permanent=True`: do not retry."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class NotificationBackend:
    channel: ClassVar[str] = ""

    def send(self, *, to: str, subject: str, body: str) -> None:
        """Send one message to `to` (a phone number or an e-mail address). Raise on failure."""
        raise NotImplementedError


def _record(channel: str, *, to: str, subject: str, body: str) -> dict[str, Any]:
    return {
        "at": timezone.now().isoformat(),
        "channel": channel,
        "to": to,
        "subject": subject,
        "body": body,
    }


class FileBackend(NotificationBackend):
    """Appends one JSON line per message to <ZQT_OUTBOX_DIR>/<channel>.jsonl."""

    def send(self, *, to: str, subject: str, body: str) -> None:
        outbox = Path(settings.ZQT_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            _record(self.channel, to=to, subject=subject, body=body), ensure_ascii=False
        )
        # One write() of one line on an O_APPEND descriptor: lines from several workers
        # do not interleave.
        fd = os.open(
            outbox / f"{self.channel}.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640
        )
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)


class FileSmsBackend(FileBackend):
    channel = Channel.SMS


class FileEmailBackend(FileBackend):
    channel = Channel.EMAIL


class MemoryBackend(NotificationBackend):
    """Keeps messages in a class-level list (tests). Each subclass has its own `outbox`."""

    outbox: ClassVar[list[dict[str, Any]]]

    def send(self, *, to: str, subject: str, body: str) -> None:
        self.outbox.append(_record(self.channel, to=to, subject=subject, body=body))


class MemorySmsBackend(MemoryBackend):
    channel = Channel.SMS
    outbox: ClassVar[list[dict[str, Any]]] = []


class MemoryEmailBackend(MemoryBackend):
    channel = Channel.EMAIL
    outbox: ClassVar[list[dict[str, Any]]] = []


class ConsoleBackend(NotificationBackend):
    """Prints each message to standard output (a developer running the worker in a terminal)."""

    def send(self, *, to: str, subject: str, body: str) -> None:
        sys.stdout.write(f"[{self.channel}] to={to} subject={subject}\n{body}\n\n")
        sys.stdout.flush()


class ConsoleSmsBackend(ConsoleBackend):
    channel = Channel.SMS


class ConsoleEmailBackend(ConsoleBackend):
    channel = Channel.EMAIL


_SETTING_FOR_CHANNEL = {Channel.SMS: "ZQT_SMS_BACKEND", Channel.EMAIL: "ZQT_EMAIL_BACKEND"}


def backend_for_channel(channel: str) -> NotificationBackend:
    """A fresh instance of the backend configured for `channel` (sms or email)."""
    setting = _SETTING_FOR_CHANNEL.get(Channel(channel))
    if setting is None:
        raise ValueError(f"channel {channel!r} has no outbound backend")
    backend_class = import_string(getattr(settings, setting))
    backend = backend_class()
    if not isinstance(backend, NotificationBackend):
        raise TypeError(f"{getattr(settings, setting)} is not a NotificationBackend")
    return backend
