"""`zqt worker`: run background tasks from the database queue, with leases and a reaper.

    zqt worker                          all queues, until Ctrl-C / SIGTERM
    zqt worker --queues notifications   only these queues (comma-separated)
    zqt worker --batch                  run what is ready, then exit
    zqt worker --max-tasks 100          exit after 100 tasks (a supervisor restarts it)

The first SIGINT/SIGTERM lets the running task finish, then exits 0; a second one stops at once
and puts the running task back in the queue.
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import (
    valid_interval,
    valid_max_tasks,
    validate_worker_id,
)

from zqt.taskqueue.conf import taskqueue_settings
from zqt.taskqueue.worker import Worker, default_worker_id


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Command(BaseCommand):
    help = "运行后台任务执行进程（数据库队列，带租约心跳与失联任务回收）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queues",
            default="*",
            help="Queues to process, comma-separated; '*' means all (default: %(default)s).",
        )
        parser.add_argument(
            "--exclude-queues",
            default="",
            help="Queues to skip, comma-separated (only with --queues='*').",
        )
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1.0,
            help="Seconds to wait when no task is ready (default: %(default)s).",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks that are ready, then exit."
        )
        parser.add_argument(
            "--max-tasks",
            type=valid_max_tasks,
            default=None,
            help="Exit after running this many tasks.",
        )
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            dest="backend_name",
            help="Task backend alias (default: %(default)s).",
        )
        parser.add_argument(
            "--worker-id",
            type=validate_worker_id,
            default=None,
            help="Unique id of this worker in the pool (default: host-pid-random).",
        )
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="Do not wait a random fraction of a second before starting.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend_name: str = options["backend_name"]
        try:
            backend = task_backends[backend_name]
        except Exception as exc:
            raise CommandError(f"Unknown task backend {backend_name!r}") from exc
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(f"Task backend {backend_name!r} is not a database backend")
        queue_names = _split(options["queues"])
        excluded = _split(options["exclude_queues"])
        if not queue_names:
            raise CommandError("--queues must name at least one queue, or '*'")
        if excluded and queue_names != ["*"]:
            raise CommandError("--exclude-queues can only be used with --queues='*'")
        known = set(backend.queues)
        unknown = [name for name in [*queue_names, *excluded] if name != "*" and name not in known]
        if unknown:
            raise CommandError(
                f"Unknown queue(s) {', '.join(unknown)}; configured: {', '.join(sorted(known))}"
            )
        taskqueue_settings()  # fail now, not on the first task, if the settings are wrong
        self._configure_logging(options["verbosity"])
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=backend_name,
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or default_worker_id(),
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()

    def _configure_logging(self, verbosity: int) -> None:
        level = {0: logging.ERROR, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in ("zqt.taskqueue", "django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(level)
