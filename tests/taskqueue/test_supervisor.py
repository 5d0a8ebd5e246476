"""The process supervisor behind `zqt serve`, with tiny stand-in children (no Django)."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError

from zqt.taskqueue.management.commands.serve import parse_addrport
from zqt.taskqueue.supervisor import ChildSpec, Supervisor

# Each child marks a file once its signal handling is in place, then waits to be stopped.
SLEEPER = (
    "import signal, sys, time, pathlib\n"
    "signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\n"
    "pathlib.Path(sys.argv[1]).touch()\n"
    "time.sleep(60)\n"
)
STUBBORN = (
    "import signal, sys, time, pathlib\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "pathlib.Path(sys.argv[1]).touch()\n"
    "time.sleep(60)\n"
)


def child(name: str, script: str, marker: Path) -> ChildSpec:
    return ChildSpec(name, [sys.executable, "-c", script, str(marker)])


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_stop_request_stops_every_child_and_returns_0(tmp_path: Path) -> None:
    supervisor = Supervisor(
        [child("a", SLEEPER, tmp_path / "a"), child("b", SLEEPER, tmp_path / "b")],
        poll_interval=0.02,
        out=io.StringIO(),
    )
    supervisor.start()
    try:
        wait_for(lambda: (tmp_path / "a").exists() and (tmp_path / "b").exists())
        for process in supervisor.children.values():
            # own process group: a terminal Ctrl-C reaches only the supervisor
            assert os.getpgid(process.pid) == process.pid
        supervisor.stop_requested.set()

        assert supervisor.watch() == 0
        assert [p.returncode for p in supervisor.children.values()] == [0, 0]
    finally:
        supervisor.stop_all()


def test_a_dying_child_stops_the_others_and_returns_1(tmp_path: Path) -> None:
    out = io.StringIO()
    supervisor = Supervisor(
        [
            child("steady", SLEEPER, tmp_path / "steady"),
            ChildSpec("crashing", [sys.executable, "-c", "raise SystemExit(3)"]),
        ],
        poll_interval=0.02,
        out=out,
    )
    supervisor.start()
    try:
        wait_for(lambda: (tmp_path / "steady").exists())

        assert supervisor.watch() == 1
        assert supervisor.children["steady"].returncode is not None
        assert "crashing exited unexpectedly with code 3" in out.getvalue()
    finally:
        supervisor.stop_all()


def test_a_child_that_ignores_sigterm_is_killed_after_the_timeout(tmp_path: Path) -> None:
    out = io.StringIO()
    supervisor = Supervisor(
        [child("stubborn", STUBBORN, tmp_path / "s")], stop_timeout=0.3, out=out
    )
    supervisor.start()
    wait_for(lambda: (tmp_path / "s").exists())

    supervisor.stop_all()

    assert supervisor.children["stubborn"].returncode == -9
    assert "did not stop within" in out.getvalue()


def test_wait_ready_tells_ready_from_dead(tmp_path: Path) -> None:
    supervisor = Supervisor(
        [ChildSpec("quitter", [sys.executable, "-c", "pass"])],
        poll_interval=0.02,
        out=io.StringIO(),
    )
    supervisor.start()
    try:
        assert supervisor.wait_ready(lambda: False, timeout=10) is False
        assert supervisor.dead_child() == ("quitter", 0)
    finally:
        supervisor.stop_all()

    sleeper = Supervisor([child("s", SLEEPER, tmp_path / "m")], out=io.StringIO())
    sleeper.start()
    try:
        assert sleeper.wait_ready(lambda: (tmp_path / "m").exists(), timeout=10) is True
    finally:
        sleeper.stop_all()


@pytest.mark.parametrize(
    ("addrport", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("8080", ("127.0.0.1", 8080)),
        ("0.0.0.0:80", ("127.0.0.1", 80)),
        ("localhost:9000", ("localhost", 9000)),
        ("[::1]:8000", ("::1", 8000)),
        ("[::]:8000", ("::1", 8000)),
    ],
)
def test_parse_addrport(addrport: str, expected: tuple[str, int]) -> None:
    assert parse_addrport(addrport) == expected


@pytest.mark.parametrize("addrport", ["", "abc", "127.0.0.1:", "1.2.3.4:70000", "host:0", "a b:1"])
def test_parse_addrport_refuses_garbage(addrport: str) -> None:
    with pytest.raises(CommandError, match="addr:port"):
        parse_addrport(addrport)
