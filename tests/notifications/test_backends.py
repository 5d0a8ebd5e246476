from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_django import Settings as SettingsWrapper

from zqt.notifications.backends import (
    ConsoleSmsBackend,
    FileEmailBackend,
    FileSmsBackend,
    MemoryEmailBackend,
    MemorySmsBackend,
    NotificationBackend,
    backend_for_channel,
)


def test_file_backends_append_json_lines_and_create_the_directory(
    settings: SettingsWrapper, tmp_path: Path
) -> None:
    outbox = tmp_path / "nested" / "outbox"
    settings.ZQT_OUTBOX_DIR = outbox

    FileSmsBackend().send(to="13800000000", subject="标题", body="第一条")
    FileSmsBackend().send(to="13800000001", subject="标题", body="第二条")
    FileEmailBackend().send(to="a@example.com", subject="主题", body="正文")

    sms = [json.loads(line) for line in (outbox / "sms.jsonl").read_text("utf-8").splitlines()]
    assert [(m["to"], m["body"], m["channel"]) for m in sms] == [
        ("13800000000", "第一条", "sms"),
        ("13800000001", "第二条", "sms"),
    ]
    email = json.loads((outbox / "email.jsonl").read_text("utf-8"))
    assert (email["to"], email["subject"]) == ("a@example.com", "主题")


def test_memory_backends_keep_separate_outboxes() -> None:
    MemorySmsBackend().send(to="138", subject="s", body="b")
    assert len(MemorySmsBackend.outbox) == 1
    assert MemoryEmailBackend.outbox == []


def test_console_backend_prints(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleSmsBackend().send(to="138", subject="标题", body="正文")
    assert "to=138" in capsys.readouterr().out


def test_backend_comes_from_settings(settings: SettingsWrapper) -> None:
    assert isinstance(backend_for_channel("sms"), MemorySmsBackend)
    assert isinstance(backend_for_channel("email"), MemoryEmailBackend)
    settings.ZQT_SMS_BACKEND = "zqt.notifications.backends.FileSmsBackend"
    assert isinstance(backend_for_channel("sms"), FileSmsBackend)


def test_backend_refusals(settings: SettingsWrapper) -> None:
    with pytest.raises(ValueError):
        backend_for_channel("inapp")
    settings.ZQT_SMS_BACKEND = "zqt.notifications.rendering.RetryPolicy"
    with pytest.raises(ImportError):
        backend_for_channel("sms")
    settings.ZQT_SMS_BACKEND = "zqt.notifications.retry.RetryPolicy"
    with pytest.raises(TypeError):
        backend_for_channel("sms")
    with pytest.raises(NotImplementedError):
        NotificationBackend().send(to="x", subject="y", body="z")
