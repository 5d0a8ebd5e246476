from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.taskqueue.tasks_for_tests import Calls


@pytest.fixture(autouse=True)
def _reset_calls() -> Iterator[None]:
    Calls.log = []
    yield
    Calls.log = []


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """Commands under test install SIGINT/SIGTERM handlers; put pytest's back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
