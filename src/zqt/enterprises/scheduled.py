"""Periodic jobs of the enterprise registry, discovered by the task-queue scheduler."""

from __future__ import annotations

from datetime import timedelta

from zqt.enterprises.tasks import licence_reminders_sweep
from zqt.taskqueue.scheduling import PeriodicJob

JOBS = [
    # Hourly, so a licence entering a reminder window is reminded the same day; each run only
    # does what an earlier run has not (see tasks.licence_reminders_run).
    PeriodicJob(
        name="enterprises.licence_reminders",
        task=licence_reminders_sweep,
        every=timedelta(hours=1),
    ),
]
