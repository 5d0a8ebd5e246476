"""Periodic jobs of the enterprise code, discovered by the task-queue scheduler."""

from __future__ import annotations

from datetime import timedelta

from zqt.ecode.tasks import ecode_housekeeping, ecode_lists_refresh
from zqt.taskqueue.scheduling import PeriodicJob

JOBS = [
    # Hourly against a 24 h time-to-live: offline verifiers that sync at least daily always hold
    # a valid list, a status change (吊销/注销) reaches them within an hour of their next sync,
    # and a failed run leaves many hours before anything expires (the check warns at 6 h).
    PeriodicJob(name="ecode.lists_refresh", task=ecode_lists_refresh, every=timedelta(hours=1)),
    # Redeemed nonces are needed for ttl + 2 × skew (~80 s) only; every 10 minutes keeps the
    # table to a few minutes of redemptions.
    PeriodicJob(name="ecode.housekeeping", task=ecode_housekeeping, every=timedelta(minutes=10)),
]
