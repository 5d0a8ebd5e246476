"""The worker loop (claim, run under a lease, record the outcome) and run_pending_tasks."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.taskqueue.factories import after_lease_expiry, claimed_task
from tests.taskqueue.tasks_for_tests import (
    Calls,
    echo,
    echo_notification,
    enqueue_echo,
    fail_always,
    interrupt_worker,
    report_attempt,
    return_unserialisable,
)
from zqt.taskqueue.models import TaskLease
from zqt.taskqueue.services import stalled_tasks_reap
from zqt.taskqueue.testing import run_pending_tasks
from zqt.taskqueue.worker import Heartbeat, Worker, default_worker_id

pytestmark = pytest.mark.django_db


def make_worker(**overrides: object) -> Worker:
    options: dict = {
        "queue_names": ["*"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
        "excluded_queue_names": [],
        "heartbeat": False,
    }
    options.update(overrides)
    return Worker(**options)  # type: ignore[arg-type]


def test_worker_batch_runs_ready_tasks_and_records_results() -> None:
    first = echo.enqueue("a")
    second = echo.enqueue({"b": 1})

    make_worker().run()

    assert Calls.log == ["a", {"b": 1}]
    for result, value in ((first, "a"), (second, {"b": 1})):
        row = DBTaskResult.objects.get(pk=result.id)
        assert row.status == TaskResultStatus.SUCCESSFUL
        assert row.return_value == value
        assert row.worker_ids == ["test-worker"]
        lease = TaskLease.objects.get(pk=row.pk)
        assert (lease.worker_id, lease.token, lease.lease_expires_at) == ("test-worker", None, None)


def test_worker_reaps_stalled_tasks_and_reruns_them() -> None:
    stalled = claimed_task("again", worker_id="killed-worker")

    with mock.patch("zqt.taskqueue.worker.stalled_tasks_reap") as reap:
        reap.side_effect = lambda: stalled_tasks_reap(now=after_lease_expiry())
        make_worker().run()

    reap.assert_called_once()
    row = DBTaskResult.objects.get(pk=stalled.db_task_result.pk)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["killed-worker", "test-worker"]
    assert Calls.log == ["again"]


def test_worker_runs_only_its_queues() -> None:
    echo.enqueue("default")
    echo_notification.enqueue("n")

    make_worker(queue_names=["notifications"]).run()
    assert Calls.log == [("notification", "n")]

    make_worker(queue_names=["*"], excluded_queue_names=["default"]).run()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_worker_stops_after_max_tasks() -> None:
    for value in "abc":
        echo.enqueue(value)

    make_worker(batch=False, max_tasks=2).run()

    assert Calls.log == ["a", "b"]


def test_a_failing_task_is_recorded_as_failed_with_its_traceback() -> None:
    result = fail_always.enqueue("坏了")

    make_worker().run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "builtins.ValueError"
    assert "坏了" in row.traceback


def test_a_return_value_that_is_not_json_fails_the_task() -> None:
    result = return_unserialisable.enqueue()

    make_worker().run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "builtins.TypeError"


def test_a_task_whose_code_is_gone_fails_cleanly() -> None:
    result = echo.enqueue("x")
    DBTaskResult.objects.filter(pk=result.id).update(task_path="tests.taskqueue.nowhere.echo")

    make_worker().run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert "ModuleNotFoundError" in row.exception_class_path


def test_a_forced_stop_during_a_task_gives_the_task_back() -> None:
    result = interrupt_worker.enqueue()

    with pytest.raises(KeyboardInterrupt):
        make_worker().run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY
    assert TaskLease.objects.get(pk=row.pk).reclaim_count == 0


def test_heartbeat_thread_stops_when_the_task_ends() -> None:
    claim = claimed_task()
    heartbeat = Heartbeat(claim, interval=3600).start()

    heartbeat.stop()

    assert not heartbeat._thread.is_alive()
    assert heartbeat.lost is False


def test_default_worker_ids_are_unique_and_short() -> None:
    ids = {default_worker_id() for _ in range(20)}
    assert len(ids) == 20
    assert all(len(worker_id) <= 64 for worker_id in ids)


# run_pending_tasks (the helper other apps' tests use)


def test_run_pending_tasks_runs_tasks_and_the_tasks_they_enqueue() -> None:
    enqueue_echo.enqueue("child")

    results = run_pending_tasks()

    assert [r.task.name for r in results] == ["enqueue_echo", "echo"]
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in results)
    assert results[1].return_value == "child"
    assert Calls.log == ["child"]


def test_run_pending_tasks_filters_by_queue_and_limit() -> None:
    echo.enqueue("a")
    echo.enqueue("b")
    echo_notification.enqueue("n")

    assert [r.return_value for r in run_pending_tasks(queue="notifications")] == ["n"]
    assert [r.return_value for r in run_pending_tasks(limit=1)] == ["a"]
    assert [r.return_value for r in run_pending_tasks()] == ["b"]
    assert run_pending_tasks() == []


def test_run_pending_tasks_passes_the_context() -> None:
    result = report_attempt.enqueue("ctx")

    (ran,) = run_pending_tasks()

    assert ran.return_value == {"label": "ctx", "id": result.id}


def test_run_pending_tasks_waits_for_run_after_unless_now_is_later() -> None:
    later = timezone.now() + datetime.timedelta(hours=1)
    echo.using(run_after=later).enqueue("later")

    assert run_pending_tasks() == []
    assert [r.return_value for r in run_pending_tasks(now=later)] == ["later"]


def test_run_pending_tasks_reports_failures() -> None:
    fail_always.enqueue("oops")

    with pytest.raises(AssertionError, match="oops"):
        run_pending_tasks()


def test_run_pending_tasks_can_return_failures_instead() -> None:
    fail_always.enqueue("oops")

    (result,) = run_pending_tasks(raise_on_failure=False)

    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class is ValueError


# the `zqt worker` command


def test_worker_command_batch_runs_tasks(restore_signals: None) -> None:
    echo.enqueue("cmd")
    echo_notification.enqueue("not mine")

    call_command("worker", "--batch", "--queues", "default", "--no-startup-delay", verbosity=0)

    assert Calls.log == ["cmd"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--queues", "nosuchqueue"], "Unknown queue"),
        (["--queues", "default", "--exclude-queues", "sweeps"], "only be used with"),
        (["--queues", ","], "at least one queue"),
        (["--backend", "nosuchbackend"], "Unknown task backend"),
    ],
)
def test_worker_command_refuses_bad_options(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("worker", "--batch", *args)


def test_worker_command_refuses_bad_numbers() -> None:
    with pytest.raises(CommandError):
        call_command("worker", "--interval", "-1")
    with pytest.raises(CommandError):
        call_command("worker", "--max-tasks", "0")
