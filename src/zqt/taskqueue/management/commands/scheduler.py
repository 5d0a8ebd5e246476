"""`zqt scheduler`: enqueue each periodic job once per period (see zqt.taskqueue.scheduling).

    zqt scheduler                 tick every ZQT_SCHEDULER_TICK_SECONDS until Ctrl-C / SIGTERM
    zqt scheduler --once          one tick, print what was enqueued, exit

Any number of schedulers may run (one per app server is fine): each period's run is enqueued
exactly once. The scheduler also runs the stalled-task reaper, so stalled tasks are re-queued
even while every worker is busy with a long task.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from zqt.taskqueue.conf import taskqueue_settings
from zqt.taskqueue.scheduling import discover_jobs, scheduler_tick
from zqt.taskqueue.services import stalled_tasks_reap
from zqt.taskqueue.worker import close_old_connections

logger = logging.getLogger("zqt.taskqueue")


class Command(BaseCommand):
    help = "运行周期任务调度器：每个周期每个定时任务只入队一次（可多进程同时运行）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between ticks (default: ZQT_SCHEDULER_TICK_SECONDS, 10).",
        )
        parser.add_argument(
            "--no-reap", action="store_false", dest="reap", help="Do not reap stalled tasks."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        conf = taskqueue_settings()
        interval: float = options["interval"] or conf.scheduler_tick
        level = {0: logging.ERROR, 1: logging.INFO}.get(options["verbosity"], logging.DEBUG)
        logger.setLevel(level)
        jobs = discover_jobs()  # a misconfigured scheduled.py fails here, at start-up
        if options["once"]:
            enqueued = scheduler_tick(jobs=jobs)
            if options["reap"]:
                stalled_tasks_reap()
            if options["verbosity"]:
                self.stdout.write(f"enqueued: {', '.join(enqueued) or '-'}")
            return

        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            logger.info("Scheduler received %s - stopping", signal.strsignal(signum))
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        logger.info(
            "Starting scheduler: %d job(s) (%s), tick %.1f s",
            len(jobs),
            ", ".join(job.name for job in jobs) or "none",
            interval,
        )
        next_reap = 0.0
        while not stop.is_set():
            close_old_connections()
            try:
                scheduler_tick(jobs=jobs)
                if options["reap"] and time.monotonic() >= next_reap:
                    stalled_tasks_reap()
                    next_reap = time.monotonic() + conf.reap_interval
            except DatabaseError:
                # Busy SQLite file, PostgreSQL restart: log and try again on the next tick.
                logger.exception("Scheduler tick failed; retrying in %.1f s", interval)
            stop.wait(interval)
        logger.info("Scheduler stopped")
