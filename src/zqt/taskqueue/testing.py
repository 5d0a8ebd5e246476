"""Helpers for tests of apps that enqueue tasks."""

from __future__ import annotations

import datetime
from typing import Any

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks.base import TaskResult

from zqt.taskqueue.services import task_claim_next
from zqt.taskqueue.worker import Worker

RUN_PENDING_SAFETY_LIMIT = 10_000


def run_pending_tasks(
    queue: str | None = None,
    limit: int | None = None,
    *,
    now: datetime.datetime | None = None,
    raise_on_failure: bool = True,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
) -> list[TaskResult[Any]]:
    """Run READY tasks synchronously, through the worker's own claim/run/finish code, until
    none is left (tasks enqueued by the tasks run too) or `limit` tasks ran.

    queue: only this queue (default: all). now: treat tasks whose run_after is at or before
    `now` as due (default: the current time), e.g. to run a retry scheduled for later.
    Returns the results in run order. With raise_on_failure (default), raises AssertionError
    listing the failed tasks and their tracebacks after running them.
    """
    worker = Worker(
        queue_names=[queue] if queue else ["*"],
        interval=0,
        batch=True,
        backend_name=backend,
        startup_delay=False,
        max_tasks=None,
        worker_id="run_pending_tasks",
        excluded_queue_names=[],
        heartbeat=False,
        reap=False,
    )
    results: list[TaskResult[Any]] = []
    while limit is None or len(results) < limit:
        if len(results) >= RUN_PENDING_SAFETY_LIMIT:
            raise AssertionError(
                f"run_pending_tasks ran {len(results)} tasks and the queue is still not empty; "
                "does a task keep enqueueing itself?"
            )
        claim = task_claim_next(tasks=worker.tasks(now), worker_id=worker.worker_id)
        if claim is None:
            break
        worker.run_claimed(claim)
        results.append(claim.db_task_result.task_result)
    failed = [result for result in results if result.status == TaskResultStatus.FAILED]
    if raise_on_failure and failed:
        details = "\n".join(
            f"- {result.task.module_path} (id {result.id}):\n{result.errors[0].traceback}"
            for result in failed
        )
        raise AssertionError(f"{len(failed)} task(s) failed:\n{details}")
    return results
