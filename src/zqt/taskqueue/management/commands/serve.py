"""`zqt serve [addr:port]`: web server, one task worker and one scheduler, started and stopped
together. Ctrl-C or SIGTERM stops all three cleanly (exit 0); if one of them dies, the others
are stopped and the command exits 1.

The web server is Django's runserver (no autoreload), fine for the quick start and demos; in
production run gunicorn, `zqt worker` (N of them) and `zqt scheduler` under a process manager
(docs/deploy.md).
"""

from __future__ import annotations

import os
import re
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zqt.taskqueue.supervisor import ChildSpec, Supervisor, tcp_port_open

DEFAULT_ADDRPORT = "127.0.0.1:8000"
ADDRPORT_RE = re.compile(r"^(?:(?P<host>\[[0-9a-fA-F:]+\]|[\w.-]+):)?(?P<port>\d{1,5})$")


def parse_addrport(addrport: str) -> tuple[str, int]:
    """`host:port`, `port` or `[v6]:port` -> (host to connect to, port)."""
    match = ADDRPORT_RE.match(addrport)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise CommandError(f"{addrport!r} is not a valid addr:port")
    host = (match["host"] or "127.0.0.1").strip("[]")
    if host in {"0.0.0.0", "", "0"}:  # noqa: S104 - we only connect to it, to see it is up
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return host, int(match["port"])


class Command(BaseCommand):
    help = "同时启动 Web 服务、一个后台任务执行进程和一个调度器；Ctrl-C 全部停止。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT)
        parser.add_argument(
            "--ready-timeout",
            type=float,
            default=120.0,
            help="Seconds to wait for the web server to accept connections (default: 120).",
        )
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=10.0,
            help="Seconds each child gets to stop before it is killed (default: 10).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        addrport: str = options["addrport"]
        host, port = parse_addrport(addrport)
        manage = [sys.executable, "-m", "zqt.manage"]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        supervisor = Supervisor(
            [
                ChildSpec("web", [*manage, "runserver", "--noreload", addrport]),
                ChildSpec("worker", [*manage, "worker", "--no-startup-delay"]),
                ChildSpec("scheduler", [*manage, "scheduler"]),
            ],
            stop_timeout=options["stop_timeout"],
            env=env,
            out=self.stdout,
        )
        supervisor.install_signal_handlers()
        supervisor.start()
        url_host = f"[{host}]" if ":" in host else host
        if supervisor.wait_ready(lambda: tcp_port_open(host, port), options["ready_timeout"]):
            pids = ", ".join(f"{name} pid {c.pid}" for name, c in supervisor.children.items())
            supervisor.say(
                f"ZQT 已启动 / up: http://{url_host}:{port}/ ({pids}); Ctrl-C 停止全部 / stops all"
            )
        elif not supervisor.stop_requested.is_set():
            dead = supervisor.dead_child()
            supervisor.stop_all()
            if dead is not None:
                raise CommandError(
                    f"{dead[0]} exited with code {dead[1]} during start-up", returncode=1
                )
            raise CommandError(
                f"the web server did not accept connections on {host}:{port} within "
                f"{options['ready_timeout']:.0f} s",
                returncode=1,
            )
        code = supervisor.watch()
        if code:
            raise CommandError("a ZQT process died; all stopped", returncode=code)
        supervisor.say("stopped")
