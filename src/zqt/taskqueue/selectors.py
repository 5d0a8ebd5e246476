"""Reads of the task queue (what a worker may claim, what the reaper must look at)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from zqt.taskqueue.models import TaskLease


def ready_tasks(
    *,
    backend_name: str,
    queue_names: Iterable[str] | None = None,
    excluded_queue_names: Iterable[str] = (),
    now: datetime.datetime | None = None,
) -> QuerySet[DBTaskResult]:
    """READY tasks of a backend whose run_after has come, in the backend's order (priority,
    run_after, enqueue time). `queue_names=None` means every queue."""
    now = now or timezone.now()
    tasks = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, backend_name=backend_name
    ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=now))
    if queue_names is not None:
        tasks = tasks.filter(queue_name__in=list(queue_names))
    excluded = list(excluded_queue_names)
    if excluded:
        tasks = tasks.exclude(queue_name__in=excluded)
    return tasks


def expired_leases(*, now: datetime.datetime) -> QuerySet[TaskLease]:
    """Leases of RUNNING tasks that nobody renewed in time (oldest expiry first)."""
    return TaskLease.objects.filter(
        task_result__status=TaskResultStatus.RUNNING, lease_expires_at__lt=now
    ).order_by("lease_expires_at")


def unleased_running_tasks(*, started_before: datetime.datetime) -> QuerySet[DBTaskResult]:
    """RUNNING tasks that no `zqt worker` holds a lease on (claimed by a plain db_worker, or
    left over from before leases existed), started before the given time."""
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=started_before)
        .filter(Q(zqt_lease__isnull=True) | Q(zqt_lease__lease_expires_at__isnull=True))
        .order_by("started_at")
    )
