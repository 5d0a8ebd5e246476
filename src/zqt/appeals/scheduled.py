"""Periodic jobs of 企业诉求, discovered by the task-queue scheduler."""

from __future__ import annotations

from datetime import timedelta

from zqt.appeals.tasks import orphan_reconciler, supervision_sweep, webhook_retry
from zqt.taskqueue.scheduling import PeriodicJob

JOBS = [
    # Every 15 minutes: a "不过夜" case warns 2 hours before the cut-off, so this is fine-grained
    # enough; each run does only what earlier runs have not.
    PeriodicJob(name="appeals.supervision", task=supervision_sweep, every=timedelta(minutes=15)),
    PeriodicJob(name="appeals.orphans", task=orphan_reconciler, every=timedelta(hours=1)),
    PeriodicJob(name="appeals.webhooks", task=webhook_retry, every=timedelta(minutes=5)),
]
