"""The periodic scheduler enqueues each job once per period, however many schedulers run."""

from __future__ import annotations

import datetime
import importlib.machinery
import sys
import threading
import types
from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tests.taskqueue.tasks_for_tests import Calls, echo
from zqt.taskqueue.models import ScheduledRun
from zqt.taskqueue.scheduling import (
    PeriodicJob,
    discover_jobs,
    job_run_once,
    period_start,
    scheduler_tick,
)
from zqt.taskqueue.testing import run_pending_tasks

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
T0 = datetime.datetime(2026, 11, 23, 10, 15, 30, tzinfo=UTC)
HOURLY = PeriodicJob(name="hourly-echo", task=echo, every=HOUR, kwargs={"value": "tick"})


def queued_echoes() -> int:
    return DBTaskResult.objects.filter(task_path="tests.taskqueue.tasks_for_tests.echo").count()


# period arithmetic (pure)


@pytest.mark.parametrize(
    ("now", "every", "expected"),
    [
        (T0, HOUR, datetime.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)),
        (T0, datetime.timedelta(minutes=5), datetime.datetime(2026, 11, 23, 10, 15, tzinfo=UTC)),
        (T0, datetime.timedelta(days=1), datetime.datetime(2026, 11, 23, tzinfo=UTC)),
        # exactly on a boundary: that period starts now
        (
            datetime.datetime(2026, 11, 23, 11, tzinfo=UTC),
            HOUR,
            datetime.datetime(2026, 11, 23, 11, tzinfo=UTC),
        ),
        # another time zone: the same instant, the same UTC-aligned period
        (
            datetime.datetime(2026, 11, 24, 0, 30, tzinfo=datetime.timezone(HOUR * 8)),
            datetime.timedelta(days=1),
            datetime.datetime(2026, 11, 23, tzinfo=UTC),
        ),
        # a period that does not divide a minute is aligned to the epoch, not to the minute
        (
            T0,
            datetime.timedelta(seconds=7),
            datetime.datetime(2026, 11, 23, 10, 15, 29, tzinfo=UTC),
        ),
    ],
)
def test_period_start_is_the_epoch_aligned_floor(
    now: datetime.datetime, every: datetime.timedelta, expected: datetime.datetime
) -> None:
    start = period_start(now, every)
    assert start == expected
    assert start <= now < start + every


def test_period_start_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        period_start(datetime.datetime(2026, 11, 23, 10), HOUR)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "", "task": echo, "every": HOUR}, "name"),
        ({"name": "x" * 101, "task": echo, "every": HOUR}, "name"),
        ({"name": "j", "task": echo.func, "every": HOUR}, "@task"),
        ({"name": "j", "task": echo, "every": datetime.timedelta(0)}, "every"),
        ({"name": "j", "task": echo, "every": 60}, "every"),
    ],
)
def test_periodic_job_refuses_bad_definitions(kwargs: dict, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        PeriodicJob(**kwargs)


# scheduler_tick


@pytest.mark.django_db
def test_two_ticks_in_the_same_period_enqueue_the_job_once() -> None:
    assert scheduler_tick(T0, jobs=[HOURLY]) == ["hourly-echo"]
    # a second scheduler, same instant
    assert scheduler_tick(T0, jobs=[HOURLY]) == []
    # a third one, later in the same period
    assert scheduler_tick(T0 + datetime.timedelta(minutes=40), jobs=[HOURLY]) == []

    assert queued_echoes() == 1
    run = ScheduledRun.objects.get()
    assert run.job_name == "hourly-echo"
    assert run.period_start == datetime.datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert run.task_result is not None
    assert run.task_result.args_kwargs == {"args": [], "kwargs": {"value": "tick"}}


@pytest.mark.django_db
def test_the_next_period_enqueues_again() -> None:
    scheduler_tick(T0, jobs=[HOURLY])

    assert scheduler_tick(T0 + HOUR, jobs=[HOURLY]) == ["hourly-echo"]
    assert scheduler_tick(T0 + HOUR, jobs=[HOURLY]) == []

    assert queued_echoes() == 2
    assert ScheduledRun.objects.count() == 2


@pytest.mark.django_db
def test_a_losing_scheduler_enqueues_nothing() -> None:
    """Both schedulers passed the cheap existence check; the unique constraint decides, and the
    loser's enqueue is rolled back with its ScheduledRun insert."""
    start = period_start(T0, HOUR)

    assert job_run_once(job=HOURLY, start=start) is True
    assert job_run_once(job=HOURLY, start=start) is False

    assert queued_echoes() == 1
    assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db
def test_jobs_have_their_own_periods() -> None:
    daily = PeriodicJob(name="daily-echo", task=echo, every=datetime.timedelta(days=1))
    jobs = [HOURLY, daily]

    assert scheduler_tick(T0, jobs=jobs) == ["hourly-echo", "daily-echo"]
    assert scheduler_tick(T0 + HOUR, jobs=jobs) == ["hourly-echo"]
    assert scheduler_tick(T0 + datetime.timedelta(days=1), jobs=jobs) == [
        "hourly-echo",
        "daily-echo",
    ]


@pytest.mark.django_db
def test_scheduled_task_runs_through_the_worker_path() -> None:
    scheduler_tick(T0, jobs=[HOURLY])

    (result,) = run_pending_tasks()

    assert result.return_value == "tick"
    assert Calls.log == ["tick"]


@pytest.mark.django_db
@override_settings(ZQT_SCHEDULED_RUN_KEEP_DAYS=1)
def test_old_runs_are_pruned_but_the_previous_period_is_kept() -> None:
    weekly = PeriodicJob(name="weekly", task=echo, every=datetime.timedelta(days=7))
    for week in range(4):
        scheduler_tick(T0 + week * weekly.every, jobs=[weekly])
    for hour in range(30):
        scheduler_tick(T0 + hour * HOUR, jobs=[HOURLY])

    weeks = ScheduledRun.objects.filter(job_name="weekly").count()
    hours = ScheduledRun.objects.filter(job_name="hourly-echo").count()
    assert weeks == 2  # this period and the previous one, although older than a day
    assert 24 <= hours <= 26  # about a day of hourly runs


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_enqueue_each_period_once() -> None:
    barrier = threading.Barrier(4)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            results.append(scheduler_tick(T0, jobs=[HOURLY]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [[], [], [], ["hourly-echo"]]
    assert queued_echoes() == 1


# discovery from the apps' scheduled.py


@pytest.fixture
def fake_scheduled_module() -> Iterator[types.ModuleType]:
    """A `zqt.taskqueue.scheduled` module (the taskqueue app never has one of its own)."""
    name = "zqt.taskqueue.scheduled"
    assert name not in sys.modules
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    sys.modules[name] = module
    yield module
    del sys.modules[name]


def test_discover_jobs_collects_the_apps_jobs(fake_scheduled_module: types.ModuleType) -> None:
    fake_scheduled_module.JOBS = [HOURLY]  # type: ignore[attr-defined]

    jobs = discover_jobs()

    assert HOURLY in jobs
    assert len({job.name for job in jobs}) == len(jobs)


def test_discover_jobs_refuses_a_module_without_jobs(
    fake_scheduled_module: types.ModuleType,
) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"zqt\.taskqueue\.scheduled\.JOBS"):
        discover_jobs()

    fake_scheduled_module.JOBS = ["not a job"]  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured, match="list of PeriodicJob"):
        discover_jobs()


def test_discover_jobs_refuses_duplicate_names(fake_scheduled_module: types.ModuleType) -> None:
    fake_scheduled_module.JOBS = [HOURLY, HOURLY]  # type: ignore[attr-defined]

    with pytest.raises(ImproperlyConfigured, match="hourly-echo"):
        discover_jobs()


@pytest.mark.django_db
def test_scheduler_command_once_enqueues_the_discovered_jobs(
    fake_scheduled_module: types.ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_scheduled_module.JOBS = [HOURLY]  # type: ignore[attr-defined]

    call_command("scheduler", "--once")
    call_command("scheduler", "--once")

    assert ScheduledRun.objects.filter(job_name="hourly-echo").count() == 1
    assert queued_echoes() == 1
    assert "hourly-echo" in capsys.readouterr().out
