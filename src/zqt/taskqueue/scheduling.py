"""Periodic jobs, run once per period however many scheduler processes run.

Each installed `zqt.*` app may have a `scheduled.py` exposing `JOBS: list[PeriodicJob]`:

    JOBS = [PeriodicJob(name="licence-reminders", task=licence_reminders_task,
                        every=datetime.timedelta(hours=1))]

Periods are aligned to the Unix epoch (UTC): a daily job's period starts at 00:00 UTC
(08:00 Asia/Shanghai), an hourly one on the hour. On each tick the scheduler inserts a
ScheduledRun row (job_name, period_start) and enqueues the job's task in the SAME transaction;
the unique constraint lets exactly one scheduler win, the others get an IntegrityError and skip.
A job missed while no scheduler ran is run once, at the first tick of the next period it sees;
runs of past periods are not made up. The task itself must be idempotent (ZQT tasks are keyed
by what they act on), because a task can still run twice if its worker dies (see services).
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from zqt.taskqueue import outbox
from zqt.taskqueue.conf import taskqueue_settings
from zqt.taskqueue.models import ScheduledRun

logger = logging.getLogger("zqt.taskqueue")

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
JOB_NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class PeriodicJob:
    """Run `task(**kwargs)` once per `every`. `name` identifies the job across deployments:
    renaming it makes the scheduler treat it as a new job (it runs again this period)."""

    name: str
    task: Task[Any, Any]
    every: datetime.timedelta
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > JOB_NAME_MAX_LENGTH:
            raise ImproperlyConfigured(
                f"PeriodicJob name must be 1..{JOB_NAME_MAX_LENGTH} characters: {self.name!r}"
            )
        if not isinstance(self.task, Task):
            raise ImproperlyConfigured(
                f"PeriodicJob {self.name!r}: task must be a @task, got {self.task!r}"
            )
        if not isinstance(self.every, datetime.timedelta) or self.every < datetime.timedelta(
            seconds=1
        ):
            raise ImproperlyConfigured(
                f"PeriodicJob {self.name!r}: every must be a timedelta of at least 1 second"
            )


def period_start(now: datetime.datetime, every: datetime.timedelta) -> datetime.datetime:
    """The start of the period of length `every` that contains `now`: the epoch-aligned floor
    (exact, in whole microseconds). `now` must be timezone-aware; the result is in UTC."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("period_start needs an aware datetime")
    return EPOCH + ((now - EPOCH) // every) * every


def discover_jobs() -> list[PeriodicJob]:
    """The JOBS of every installed zqt.* app's `scheduled` module, in app order.

    Raises ImproperlyConfigured for a scheduled module without a JOBS list of PeriodicJob, or
    for two jobs with the same name.
    """
    jobs: list[PeriodicJob] = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("zqt."):
            continue
        module_name = f"{app_config.name}.scheduled"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        app_jobs = getattr(module, "JOBS", None)
        if not isinstance(app_jobs, list | tuple) or not all(
            isinstance(job, PeriodicJob) for job in app_jobs
        ):
            raise ImproperlyConfigured(f"{module_name}.JOBS must be a list of PeriodicJob")
        jobs.extend(app_jobs)
    duplicates = sorted(name for name, count in Counter(j.name for j in jobs).items() if count > 1)
    if duplicates:
        raise ImproperlyConfigured(f"Duplicate periodic job names: {', '.join(duplicates)}")
    return jobs


def job_run_once(*, job: PeriodicJob, start: datetime.datetime) -> bool:
    """Record the job's run for the period starting at `start` and enqueue its task, in one
    transaction. Returns False (and enqueues nothing) if a run for that period exists."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job_name=job.name, period_start=start)
            result = outbox.enqueue(job.task, **job.kwargs)
            run.task_result_id = result.id
            run.save(update_fields=["task_result", "updated_at"])
    except IntegrityError:
        return False  # another scheduler enqueued this period's run first
    return True


def scheduler_tick(
    now: datetime.datetime | None = None, *, jobs: Sequence[PeriodicJob] | None = None
) -> list[str]:
    """Enqueue every job (default: discover_jobs()) not yet run in its current period.
    Returns the names of the jobs enqueued by this call."""
    now = now or timezone.now()
    keep = taskqueue_settings().scheduled_run_keep
    enqueued: list[str] = []
    for job in discover_jobs() if jobs is None else jobs:
        start = period_start(now, job.every)
        # Cheap check first, so that the common "already done" case does not make the database
        # log a unique violation on every tick; the constraint still decides races.
        if ScheduledRun.objects.filter(job_name=job.name, period_start=start).exists():
            continue
        if not job_run_once(job=job, start=start):
            continue
        enqueued.append(job.name)
        logger.info("Periodic job %s enqueued for period %s", job.name, start.isoformat())
        # Keep at least the previous period (so its row still blocks a late duplicate) and at
        # least ZQT_SCHEDULED_RUN_KEEP_DAYS of history.
        ScheduledRun.objects.filter(
            job_name=job.name, period_start__lt=min(start - job.every, now - keep)
        ).delete()
    return enqueued
