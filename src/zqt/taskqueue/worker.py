"""The `zqt worker` loop: django-tasks-db's worker with leases, heartbeats and a reaper.

django-tasks-db marks a task RUNNING when a worker claims it and nothing ever looks at it again,
so a worker killed mid-task leaves the task RUNNING forever (django-tasks-db issue #46). This
worker keeps django-tasks-db's table, claim order and signal handling, and adds:
- a lease per claimed task (services.task_claim_next), renewed by a heartbeat thread while the
  task runs (Heartbeat);
- the outcome is written only if this worker still holds the lease (services.task_finish);
- every ZQT_TASK_REAP_EVERY_SECONDS, services.stalled_tasks_reap re-queues tasks whose lease
  expired (their worker died) and fails those that stalled too often;
- a forced stop (second Ctrl-C) puts the running task back in the queue instead of failing it.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from typing import Any

from django.db import DatabaseError, OperationalError, connections
from django.db.models import QuerySet
from django.utils.crypto import get_random_string
from django_tasks import TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from zqt.taskqueue.conf import taskqueue_settings
from zqt.taskqueue.selectors import ready_tasks
from zqt.taskqueue.services import (
    Claim,
    lease_renew,
    stalled_tasks_reap,
    task_claim_next,
    task_finish,
    task_release,
)

logger = logging.getLogger("zqt.taskqueue")

FINISH_ATTEMPTS = 3


def default_worker_id() -> str:
    """Readable and unique across the pool: host, pid and a random suffix (at most 64 chars)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


def close_old_connections() -> None:
    """Django's close_old_connections, except that it never closes a connection in the middle
    of a transaction (django.db.close_old_connections would: e.g. when the worker loop runs
    inside a test's transaction)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class Heartbeat:
    """Renews a claim's lease every `interval` seconds from a daemon thread (with its own
    database connection) until stopped. `lost` becomes True when the lease was taken over."""

    def __init__(self, claim: Claim, interval: float) -> None:
        self.claim = claim
        self.interval = interval
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"heartbeat-{claim.task_result_id}", daemon=True
        )

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 30)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    held = lease_renew(claim=self.claim)
                except DatabaseError:
                    # Transient (SQLite busy, PostgreSQL failover): try again next beat; the lease
                    # outlives several missed beats.
                    logger.warning(
                        "Heartbeat for task id=%s failed", self.claim.task_result_id, exc_info=True
                    )
                    close_old_connections()
                    continue
                if not held:
                    self.lost = True
                    logger.warning(
                        "Task id=%s lost its lease on worker %s (presumed dead and reclaimed); "
                        "its outcome will be discarded",
                        self.claim.task_result_id,
                        self.claim.worker_id,
                    )
                    return
        finally:
            connections.close_all()  # this thread's connections only


class Worker(DatabaseWorker):
    """django-tasks-db's Worker (same arguments, signal handling and claim order) with leases.

    `heartbeat=False` and `reap=False` are for running tasks synchronously in tests.
    """

    def __init__(
        self,
        *,
        queue_names: list[str],
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        max_tasks: int | None,
        worker_id: str,
        excluded_queue_names: list[str],
        heartbeat: bool = True,
        reap: bool = True,
    ) -> None:
        super().__init__(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        self.heartbeat = heartbeat
        self.reap = reap
        self._next_reap = 0.0

    def tasks(self, now: Any = None) -> QuerySet[DBTaskResult]:
        return ready_tasks(
            backend_name=self.backend_name,
            queue_names=None if self.process_all_queues else self.queue_names,
            excluded_queue_names=self.excluded_queue_names,
            now=now,
        )

    def reap_if_due(self) -> None:
        if not self.reap or time.monotonic() < self._next_reap:
            return
        self._next_reap = time.monotonic() + taskqueue_settings().reap_interval
        try:
            stalled_tasks_reap()
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            self._next_reap = 0.0  # the database was busy: try again on the next iteration

    def claim_and_run(self, now: Any = None) -> bool | None:
        """Claim one ready task and run it. Returns True if a task ran, False if none was
        ready, None if the database was locked (SQLite) and nothing could be claimed."""
        try:
            claim = task_claim_next(tasks=self.tasks(now), worker_id=self.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise
        if claim is None:
            return False
        self.run_claimed(claim)
        return True

    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s queues=%s",
            self.worker_id,
            ",".join(self.queue_names),
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # avoid a thundering herd
        while self.running:
            close_old_connections()
            self.reap_if_due()
            ran = self.claim_and_run()
            if self.batch and ran is False:
                logger.info("No more tasks for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info(
                    "Ran the maximum of %d tasks on worker_id=%s - exiting.",
                    self._run_tasks,
                    self.worker_id,
                )
                return
            close_old_connections()
            if self.running and not ran:
                time.sleep(self.interval)

    def run_claimed(self, claim: Claim) -> None:
        """Run a claimed task under a heartbeat and record its outcome (see module docstring)."""
        db_task_result = claim.db_task_result
        heartbeat: Heartbeat | None = None
        self.running_task = True
        try:
            if self.heartbeat:
                heartbeat = Heartbeat(claim, taskqueue_settings().heartbeat_interval).start()
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                task_started.send(sender=type(task.get_backend()), task_result=task_result)
                if task.takes_context:
                    return_value = task.call(
                        TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    return_value = task.call(*task_result.args, **task_result.kwargs)
            except (KeyboardInterrupt, SystemExit):
                # Forced stop in the middle of the task: give it back rather than fail it.
                if heartbeat is not None:
                    heartbeat.stop()
                try:
                    task_release(claim=claim)
                except DatabaseError:  # the lease will expire and the reaper re-queues it
                    logger.exception("Could not give task id=%s back", claim.task_result_id)
                raise
            except Exception as exc:
                if heartbeat is not None:
                    heartbeat.stop()
                if self._finish(claim, error=exc):
                    self._send_finished(db_task_result)
            else:
                if heartbeat is not None:
                    heartbeat.stop()
                if self._finish(claim, return_value=return_value):
                    self._send_finished(db_task_result)
        finally:
            if heartbeat is not None:
                heartbeat.stop()
            self.running_task = False
            self._run_tasks += 1

    def _finish(self, claim: Claim, **outcome: Any) -> bool:
        """task_finish with a few retries; if the database stays unreachable the lease simply
        expires and the reaper re-queues the task (at-least-once)."""
        for attempt in range(1, FINISH_ATTEMPTS + 1):
            try:
                return task_finish(claim=claim, **outcome)
            except DatabaseError:
                if attempt == FINISH_ATTEMPTS:
                    logger.exception(
                        "Could not record the outcome of task id=%s; it will be re-run after "
                        "its lease expires",
                        claim.task_result_id,
                    )
                    return False
                close_old_connections()
                time.sleep(0.5 * attempt)
        return False

    def _send_finished(self, db_task_result: DBTaskResult) -> None:
        try:
            task_result = db_task_result.task_result
            sender = type(db_task_result.task.get_backend())
        except Exception:
            logger.exception("Task id=%s failed unexpectedly", db_task_result.pk)
            return
        task_finished.send(sender=sender, task_result=task_result)
