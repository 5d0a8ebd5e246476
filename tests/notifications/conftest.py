from __future__ import annotations

from collections.abc import Iterator

import pytest

from zqt.notifications.backends import MemoryEmailBackend, MemorySmsBackend


@pytest.fixture(autouse=True)
def _empty_outboxes() -> Iterator[None]:
    MemorySmsBackend.outbox.clear()
    MemoryEmailBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()
    MemoryEmailBackend.outbox.clear()


@pytest.fixture
def templates(db: None) -> None:
    from zqt.notifications.services import notification_templates_load

    notification_templates_load()
