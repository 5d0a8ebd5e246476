"""Leases, heartbeats and the reaper: a task whose worker died is re-queued, a live one is not,
and a task that keeps killing its workers is eventually failed."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.taskqueue.factories import after_lease_expiry, claimed_task, status_of
from tests.taskqueue.tasks_for_tests import echo
from zqt.taskqueue.conf import taskqueue_settings
from zqt.taskqueue.exceptions import TaskLeaseExpiredError
from zqt.taskqueue.models import TaskLease
from zqt.taskqueue.selectors import ready_tasks
from zqt.taskqueue.services import (
    lease_renew,
    stalled_tasks_reap,
    task_claim_next,
    task_finish,
    task_release,
)

pytestmark = pytest.mark.django_db


def test_claim_marks_running_and_leases_the_task() -> None:
    claim = claimed_task(worker_id="worker-a")

    lease = TaskLease.objects.get(pk=claim.db_task_result.pk)
    assert status_of(claim) == TaskResultStatus.RUNNING
    assert lease.worker_id == "worker-a"
    assert lease.token == claim.token
    assert lease.lease_expires_at == lease.claimed_at + taskqueue_settings().lease
    assert lease.reclaim_count == 0


def test_reaper_requeues_a_running_task_whose_lease_expired() -> None:
    claim = claimed_task()

    outcome = stalled_tasks_reap(now=after_lease_expiry())

    assert outcome.requeued == [claim.task_result_id]
    assert outcome.failed == []
    assert status_of(claim) == TaskResultStatus.READY
    lease = TaskLease.objects.get(pk=claim.db_task_result.pk)
    assert lease.reclaim_count == 1
    assert lease.token is None
    assert lease.lease_expires_at is None


def test_reaper_leaves_a_task_with_a_fresh_lease_alone() -> None:
    claim = claimed_task()

    outcome = stalled_tasks_reap(now=timezone.now())

    assert outcome.requeued == outcome.failed == []
    assert status_of(claim) == TaskResultStatus.RUNNING


def test_heartbeat_keeps_a_long_task_from_being_reaped() -> None:
    claim = claimed_task()
    later = after_lease_expiry()

    assert lease_renew(claim=claim, now=later - datetime.timedelta(seconds=5))
    outcome = stalled_tasks_reap(now=later)

    assert outcome.requeued == []
    assert status_of(claim) == TaskResultStatus.RUNNING


def test_reaper_ignores_finished_tasks_and_reaping_twice_counts_once() -> None:
    done = claimed_task("done")
    assert task_finish(claim=done, return_value="done")
    stalled = claimed_task("stalled")
    now = after_lease_expiry()

    first = stalled_tasks_reap(now=now)
    second = stalled_tasks_reap(now=now)

    assert first.requeued == [stalled.task_result_id]
    assert second.requeued == []
    assert status_of(done) == TaskResultStatus.SUCCESSFUL
    assert TaskLease.objects.get(pk=stalled.db_task_result.pk).reclaim_count == 1


@override_settings(ZQT_TASK_MAX_RECLAIMS=2)
def test_reaper_gives_up_after_the_maximum_number_of_reclaims() -> None:
    claim = claimed_task()
    task_id = claim.db_task_result.pk

    for round_number in (1, 2):
        outcome = stalled_tasks_reap(now=after_lease_expiry())
        assert outcome.requeued == [str(task_id)], round_number
        # another worker claims it again and dies as well
        again = task_claim_next(
            tasks=ready_tasks(backend_name="default").filter(pk=task_id), worker_id="worker-b"
        )
        assert again is not None

    outcome = stalled_tasks_reap(now=after_lease_expiry())

    assert outcome.requeued == []
    assert outcome.failed == [str(task_id)]
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.FAILED
    assert row.finished_at is not None
    result = row.task_result
    assert result.errors[0].exception_class is TaskLeaseExpiredError
    assert "回收 2 次" in row.traceback
    assert "worker-b" in row.traceback
    assert row.worker_ids == ["worker-a", "worker-b", "worker-b"]
    # nothing is left to reap
    assert stalled_tasks_reap(now=after_lease_expiry(60)).failed == []


@override_settings(ZQT_TASK_MAX_RECLAIMS=0)
def test_with_no_reclaims_allowed_a_stalled_task_fails_at_once() -> None:
    claim = claimed_task()

    outcome = stalled_tasks_reap(now=after_lease_expiry())

    assert outcome.failed == [claim.task_result_id]
    assert status_of(claim) == TaskResultStatus.FAILED


def test_a_worker_presumed_dead_cannot_overwrite_the_new_run() -> None:
    first = claimed_task(worker_id="slow-worker")
    stalled_tasks_reap(now=after_lease_expiry())
    second = task_claim_next(
        tasks=ready_tasks(backend_name="default").filter(pk=first.db_task_result.pk),
        worker_id="fresh-worker",
    )
    assert second is not None

    assert lease_renew(claim=first) is False
    assert task_finish(claim=first, error=RuntimeError("late")) is False
    assert task_release(claim=first) is False
    assert status_of(second) == TaskResultStatus.RUNNING

    assert task_finish(claim=second, return_value="fresh") is True
    row = DBTaskResult.objects.get(pk=first.db_task_result.pk)
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, "fresh")


def test_finishing_releases_the_lease_so_the_reaper_never_touches_it() -> None:
    claim = claimed_task()

    assert task_finish(claim=claim, error=ValueError("boom")) is True

    lease = TaskLease.objects.get(pk=claim.db_task_result.pk)
    assert (lease.token, lease.lease_expires_at) == (None, None)
    assert stalled_tasks_reap(now=after_lease_expiry(3600)).requeued == []
    row = DBTaskResult.objects.get(pk=claim.db_task_result.pk)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "builtins.ValueError"
    assert "boom" in row.traceback


def test_release_puts_the_task_back_without_counting_a_reclaim() -> None:
    claim = claimed_task()

    assert task_release(claim=claim) is True

    assert status_of(claim) == TaskResultStatus.READY
    assert TaskLease.objects.get(pk=claim.db_task_result.pk).reclaim_count == 0


def test_reaper_requeues_an_old_running_task_that_has_no_lease() -> None:
    # claimed by django-tasks-db's own db_worker (no lease), which was then killed
    result = echo.enqueue("orphan")
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("db-worker")
    old = timezone.now() + taskqueue_settings().orphan_after + datetime.timedelta(seconds=1)

    assert stalled_tasks_reap(now=timezone.now()).requeued == []
    outcome = stalled_tasks_reap(now=old)

    assert outcome.requeued == [str(row.pk)]
    lease = TaskLease.objects.get(pk=row.pk)
    assert (lease.worker_id, lease.reclaim_count) == ("db-worker", 1)
    assert DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.READY


def test_reaper_handles_at_most_limit_tasks_per_call() -> None:
    claims = [claimed_task(str(i)) for i in range(3)]
    now = after_lease_expiry()

    first = stalled_tasks_reap(now=now, limit=2)
    second = stalled_tasks_reap(now=now, limit=2)

    assert len(first.requeued) == 2
    assert len(second.requeued) == 1
    assert {status_of(c) for c in claims} == {TaskResultStatus.READY}
