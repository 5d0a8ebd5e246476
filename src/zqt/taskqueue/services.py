"""Writes of the task queue: claim a task under a lease, renew the lease, record the outcome,
and reap tasks whose worker died.

Locking protocol (PostgreSQL; on SQLite every write transaction is serialised anyway):
- claim: the READY task row is locked with FOR UPDATE SKIP LOCKED, marked RUNNING and its lease
  row written in the same transaction, so a task is never RUNNING without a lease from us;
- every later change of a claimed task (finish, release, reclaim) first locks the LEASE row, then
  updates the task row with a condition on its status, and all of them clear the lease token:
  whoever comes second finds the token gone or the status changed and writes nothing;
- heartbeats are a single conditional UPDATE of the lease row (`token = mine`).
So a worker that was presumed dead cannot overwrite the result of the run that replaced it, and
two reapers never re-queue the same task twice.

Delivery is at-least-once: a task whose worker vanished is run again from the start. ZQT tasks
are idempotent by construction (keyed by the object they act on), so a re-run is harmless.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from dataclasses import dataclass, field
from traceback import format_exception
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import router, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from zqt.taskqueue.conf import taskqueue_settings
from zqt.taskqueue.exceptions import TaskLeaseExpiredError
from zqt.taskqueue.models import TaskLease
from zqt.taskqueue.selectors import expired_leases, unleased_running_tasks

logger = logging.getLogger("zqt.taskqueue")

LEASE_EXPIRED_ERROR_PATH = (
    f"{TaskLeaseExpiredError.__module__}.{TaskLeaseExpiredError.__qualname__}"
)


@dataclass(frozen=True)
class Claim:
    """A task this worker holds: only the holder of `token` may renew or finish it."""

    db_task_result: DBTaskResult
    token: uuid.UUID
    worker_id: str

    @property
    def task_result_id(self) -> str:
        return str(self.db_task_result.pk)


@dataclass(frozen=True)
class ReapOutcome:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _db() -> str:
    return router.db_for_write(DBTaskResult)


def task_claim_next(*, tasks: QuerySet[DBTaskResult], worker_id: str) -> Claim | None:
    """Claim the first task of `tasks` (see selectors.ready_tasks) for `worker_id`: mark it
    RUNNING and lease it, in one transaction. Returns None when there is nothing to claim.

    May raise OperationalError("database is locked") on SQLite; the caller just tries later.
    """
    lease = taskqueue_settings().lease
    with exclusive_transaction(tasks.db):
        db_task_result = tasks.select_for_update(skip_locked=True).first()
        if db_task_result is None:
            return None
        db_task_result.claim(worker_id)
        now = db_task_result.started_at or timezone.now()
        token = uuid.uuid4()
        TaskLease.objects.update_or_create(
            task_result=db_task_result,
            defaults={
                "worker_id": worker_id,
                "token": token,
                "claimed_at": now,
                "heartbeat_at": now,
                "lease_expires_at": now + lease,
            },
        )
    return Claim(db_task_result=db_task_result, token=token, worker_id=worker_id)


def lease_renew(*, claim: Claim, now: datetime.datetime | None = None) -> bool:
    """Heartbeat: push the lease of a claimed task forward. Returns False when the claim is no
    longer held (the reaper gave the task to someone else, or it was finished)."""
    now = now or timezone.now()
    updated = TaskLease.objects.filter(
        task_result_id=claim.db_task_result.pk, token=claim.token
    ).update(heartbeat_at=now, lease_expires_at=now + taskqueue_settings().lease)
    return updated == 1


def _hold_lease(claim: Claim) -> bool:
    """Lock the claim's lease row; True if the claim is still ours. Call inside a transaction."""
    held = (
        TaskLease.objects.select_for_update()
        .filter(task_result_id=claim.db_task_result.pk, token=claim.token)
        .values_list("pk", flat=True)
    )
    return bool(list(held))


def _failure_fields(error: BaseException, now: datetime.datetime) -> dict[str, Any]:
    return {
        "status": TaskResultStatus.FAILED,
        "finished_at": now,
        "return_value": None,
        "exception_class_path": f"{type(error).__module__}.{type(error).__qualname__}",
        "traceback": "".join(format_exception(error)),
    }


def task_finish(
    *, claim: Claim, return_value: Any = None, error: BaseException | None = None
) -> bool:
    """Record the outcome of a claimed task (SUCCESSFUL with `return_value`, or FAILED with
    `error`) and release its lease. Writes nothing and returns False if the claim was lost
    meanwhile: then the run that replaced this one owns the result.

    A return value that cannot be stored as JSON fails the task, as in django-tasks-db.
    """
    now = timezone.now()
    if error is None:
        try:
            json.dumps(return_value)
        except (TypeError, ValueError) as exc:
            error = exc
    if error is None:
        fields: dict[str, Any] = {
            "status": TaskResultStatus.SUCCESSFUL,
            "finished_at": now,
            "return_value": return_value,
            "exception_class_path": "",
            "traceback": "",
        }
    else:
        fields = _failure_fields(error, now)
    with transaction.atomic(using=_db()):
        if not _hold_lease(claim):
            logger.warning(
                "Task id=%s finished on worker %s after its lease was taken over; "
                "its outcome (%s) is discarded",
                claim.task_result_id,
                claim.worker_id,
                fields["status"],
            )
            return False
        DBTaskResult.objects.filter(
            pk=claim.db_task_result.pk, status=TaskResultStatus.RUNNING
        ).update(**fields)
        TaskLease.objects.filter(pk=claim.db_task_result.pk).update(
            token=None, lease_expires_at=None
        )
    for name, value in fields.items():
        setattr(claim.db_task_result, name, value)
    return True


def task_release(*, claim: Claim) -> bool:
    """Give a claimed task back to the queue without counting a reclaim (the worker was told to
    stop hard while running it). Returns False if the claim was no longer held."""
    with transaction.atomic(using=_db()):
        if not _hold_lease(claim):
            return False
        DBTaskResult.objects.filter(
            pk=claim.db_task_result.pk, status=TaskResultStatus.RUNNING
        ).update(status=TaskResultStatus.READY)
        TaskLease.objects.filter(pk=claim.db_task_result.pk).update(
            token=None, lease_expires_at=None
        )
    claim.db_task_result.status = TaskResultStatus.READY
    return True


def _give_up_message(*, reclaims: int, worker_id: str) -> str:
    return (
        f"{LEASE_EXPIRED_ERROR_PATH}: 任务执行进程失联，任务已被回收 {reclaims} 次，"
        f"超过上限，不再重试（最后的执行进程：{worker_id or '未知'}）。"
        f"The task's worker stopped sending heartbeats; the task was reclaimed {reclaims} "
        f"time(s), the maximum, so it is marked failed (last worker: {worker_id or 'unknown'}).\n"
    )


def _reclaim_or_fail(*, lease: TaskLease, now: datetime.datetime, max_reclaims: int) -> str | None:
    """Re-queue the lease's RUNNING task, or fail it once it has been reclaimed max_reclaims
    times. Returns "requeued", "failed" or None (the task was no longer RUNNING). Call inside
    a transaction holding the lease row lock."""
    task_id = lease.task_result_id
    if lease.reclaim_count >= max_reclaims:
        updated = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=LEASE_EXPIRED_ERROR_PATH,
            traceback=_give_up_message(reclaims=lease.reclaim_count, worker_id=lease.worker_id),
        )
        outcome = "failed"
        lease_changes: dict[str, Any] = {}
    else:
        updated = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
        outcome = "requeued"
        lease_changes = {"reclaim_count": F("reclaim_count") + 1, "last_reclaimed_at": now}
    if not updated:
        return None
    TaskLease.objects.filter(pk=task_id).update(token=None, lease_expires_at=None, **lease_changes)
    return outcome


def stalled_tasks_reap(*, now: datetime.datetime | None = None, limit: int = 100) -> ReapOutcome:
    """Re-queue RUNNING tasks whose worker stopped renewing its lease (killed, frozen, cut off),
    and fail those already reclaimed ZQT_TASK_MAX_RECLAIMS times. Also treats as stalled a
    RUNNING task with no live lease that started more than ZQT_TASK_ORPHAN_SECONDS ago.

    Safe to run from any number of workers and schedulers at once: lease rows are taken with
    FOR UPDATE SKIP LOCKED (another reaper skips them) and every task update is conditional
    on the task still being RUNNING. Handles at most `limit` tasks of each kind per call.
    """
    conf = taskqueue_settings()
    now = now or timezone.now()
    outcome = ReapOutcome()
    with exclusive_transaction(_db()):
        leases = list(
            expired_leases(now=now).select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        orphans = list(
            unleased_running_tasks(started_before=now - conf.orphan_after).select_for_update(
                skip_locked=True, of=("self",)
            )[:limit]
        )
        for orphan in orphans:
            last_worker = orphan.worker_ids[-1] if orphan.worker_ids else ""
            started = orphan.started_at or now
            lease, _ = TaskLease.objects.select_for_update().get_or_create(
                task_result=orphan,
                defaults={"worker_id": last_worker, "claimed_at": started, "heartbeat_at": started},
            )
            leases.append(lease)
        for lease in leases:
            result = _reclaim_or_fail(lease=lease, now=now, max_reclaims=conf.max_reclaims)
            if result == "requeued":
                outcome.requeued.append(str(lease.task_result_id))
            elif result == "failed":
                outcome.failed.append(str(lease.task_result_id))
    for task_id in outcome.requeued:
        logger.warning("Task id=%s stalled (lease expired); re-queued", task_id)
    for task_id in outcome.failed:
        logger.error("Task id=%s stalled too often; marked failed", task_id)
        _send_finished(task_id)
    return outcome


def _send_finished(task_id: str) -> None:
    try:
        task_result = DBTaskResult.objects.get(pk=task_id).task_result
    except (DBTaskResult.DoesNotExist, ImportError, SuspiciousOperation):
        return
    task_finished.send(sender=DatabaseBackend, task_result=task_result)
