"""Periodic jobs of 惠企政策, discovered by the task-queue scheduler."""

from __future__ import annotations

from datetime import timedelta

from zqt.policies.tasks import automatic_payouts, policy_recheck_due, policy_sweep_nightly
from zqt.taskqueue.scheduling import PeriodicJob

JOBS = [
    PeriodicJob(name="policies.sweep_nightly", task=policy_sweep_nightly, every=timedelta(days=1)),
    PeriodicJob(name="policies.recheck_due", task=policy_recheck_due, every=timedelta(hours=6)),
    PeriodicJob(
        name="policies.automatic_payouts", task=automatic_payouts, every=timedelta(hours=1)
    ),
]
