from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.models import DBTaskResult

from tests.taskqueue.tasks_for_tests import echo
from zqt.taskqueue.conf import taskqueue_settings
from zqt.taskqueue.selectors import ready_tasks
from zqt.taskqueue.services import Claim, task_claim_next


def claimed_task(value: str = "x", *, worker_id: str = "worker-a") -> Claim:
    """A task enqueued and claimed (RUNNING, leased) by `worker_id`, as a worker would."""
    result = echo.enqueue(value)
    claim = task_claim_next(
        tasks=ready_tasks(backend_name=DEFAULT_TASK_BACKEND_ALIAS).filter(pk=result.id),
        worker_id=worker_id,
    )
    assert claim is not None
    return claim


def after_lease_expiry(extra: float = 1.0) -> datetime.datetime:
    """A moment just past the lease of a task claimed now."""
    return timezone.now() + taskqueue_settings().lease + datetime.timedelta(seconds=extra)


def status_of(claim: Claim) -> str:
    return DBTaskResult.objects.get(pk=claim.db_task_result.pk).status
