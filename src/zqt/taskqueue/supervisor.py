"""Run a few child processes together and stop them together (used by `zqt serve`).

Children get their own process group, so a Ctrl-C in the terminal reaches only the supervisor,
which then stops them in order: SIGTERM to all (the worker finishes its current task), wait up
to `stop_timeout`, SIGKILL what is left. On Linux a child also gets SIGTERM if the supervisor
itself dies (PR_SET_PDEATHSIG), so no orphan keeps the port or the queue.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: Sequence[str]


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when its parent dies (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def hook() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return hook


def tcp_port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Supervisor:
    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        stop_timeout: float = 10.0,
        poll_interval: float = 0.2,
        env: Mapping[str, str] | None = None,
        out: Any = None,
    ) -> None:
        self.specs = list(specs)
        self.stop_timeout = stop_timeout
        self.poll_interval = poll_interval
        self.env = dict(env) if env is not None else None
        self.out = out or sys.stdout
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stop_requested = threading.Event()

    def say(self, message: str) -> None:
        self.out.write(f"[zqt serve] {message}\n")
        self.out.flush()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requested.set()

    def start(self) -> None:
        hook = _die_with_parent_hook()
        try:
            for spec in self.specs:
                self.children[spec.name] = subprocess.Popen(
                    list(spec.argv), env=self.env, process_group=0, preexec_fn=hook
                )
        except OSError:
            self.stop_all()
            raise

    def dead_child(self) -> tuple[str, int] | None:
        for name, child in self.children.items():
            code = child.poll()
            if code is not None:
                return name, code
        return None

    def wait_ready(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Wait until ready() holds. False if a child died, a stop was requested or time ran out
        (the caller tells these apart with dead_child() / stop_requested)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stop_requested.is_set() or self.dead_child() is not None:
                return False
            if ready():
                return True
            self.stop_requested.wait(self.poll_interval)
        return False

    def watch(self) -> int:
        """Block until a stop is requested (returns 0) or a child exits (returns 1); either way
        every child is stopped before returning."""
        while not self.stop_requested.is_set():
            dead = self.dead_child()
            if dead is not None:
                name, code = dead
                self.say(f"{name} exited unexpectedly with code {code}; stopping the others")
                self.stop_all()
                return 1
            self.stop_requested.wait(self.poll_interval)
        self.stop_all()
        return 0

    def stop_all(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + self.stop_timeout
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{name} did not stop within {self.stop_timeout:.0f} s; killing it")
                child.kill()
                child.wait()
