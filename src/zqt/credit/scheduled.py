"""Periodic jobs of credit, discovered by the task-queue scheduler."""

from __future__ import annotations

from datetime import timedelta

from zqt.credit.tasks import credit_nightly
from zqt.taskqueue.scheduling import PeriodicJob

JOBS = [
    PeriodicJob(name="credit.nightly", task=credit_nightly, every=timedelta(days=1)),
]
