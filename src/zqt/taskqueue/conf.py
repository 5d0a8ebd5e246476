"""Tunables of the task queue, read from Django settings with safe defaults.

ZQT_TASK_LEASE_SECONDS        how long a claimed task stays leased without a heartbeat (60)
ZQT_TASK_HEARTBEAT_SECONDS    how often a worker renews the lease of its running task (15)
ZQT_TASK_MAX_RECLAIMS         how many times a stalled task is re-queued before it fails (3)
ZQT_TASK_REAP_EVERY_SECONDS   how often a worker / the scheduler looks for stalled tasks (30)
ZQT_TASK_ORPHAN_SECONDS       a RUNNING task with no lease at all (claimed by a plain
                              `db_worker`, or before leases existed) counts as stalled after
                              this long (3600)
ZQT_SCHEDULER_TICK_SECONDS    how often `zqt scheduler` looks at the periodic jobs (10)
ZQT_SCHEDULED_RUN_KEEP_DAYS   how long the once-per-period bookkeeping rows are kept (30)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class TaskQueueSettings:
    lease: datetime.timedelta
    heartbeat_interval: float
    max_reclaims: int
    reap_interval: float
    orphan_after: datetime.timedelta
    scheduler_tick: float
    scheduled_run_keep: datetime.timedelta


def _number(name: str, default: float) -> float:
    value = getattr(settings, name, default)
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc
    if number <= 0:
        raise ImproperlyConfigured(f"{name} must be greater than zero, got {value!r}")
    return number


def taskqueue_settings() -> TaskQueueSettings:
    """The current settings (read on every call, so `override_settings` works in tests)."""
    lease = _number("ZQT_TASK_LEASE_SECONDS", 60)
    heartbeat = _number("ZQT_TASK_HEARTBEAT_SECONDS", 15)
    if heartbeat >= lease:
        raise ImproperlyConfigured(
            "ZQT_TASK_HEARTBEAT_SECONDS must be shorter than ZQT_TASK_LEASE_SECONDS "
            f"({heartbeat} >= {lease}): a running task would lose its lease between beats."
        )
    max_reclaims = getattr(settings, "ZQT_TASK_MAX_RECLAIMS", 3)
    if not isinstance(max_reclaims, int) or max_reclaims < 0:
        raise ImproperlyConfigured(
            f"ZQT_TASK_MAX_RECLAIMS must be an integer >= 0, got {max_reclaims!r}"
        )
    return TaskQueueSettings(
        lease=datetime.timedelta(seconds=lease),
        heartbeat_interval=heartbeat,
        max_reclaims=max_reclaims,
        reap_interval=_number("ZQT_TASK_REAP_EVERY_SECONDS", 30),
        orphan_after=datetime.timedelta(seconds=_number("ZQT_TASK_ORPHAN_SECONDS", 3600)),
        scheduler_tick=_number("ZQT_SCHEDULER_TICK_SECONDS", 10),
        scheduled_run_keep=datetime.timedelta(days=_number("ZQT_SCHEDULED_RUN_KEEP_DAYS", 30)),
    )
