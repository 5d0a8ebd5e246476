"""Background tasks of the enterprise code: keep the signed trust and status lists fresh and
warn before either expires (scheduled in scheduled.py)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from zqt.ecode import services


@task(queue_name="sweeps")
def ecode_lists_refresh() -> dict[str, Any]:
    """Publish new lists (idempotent: a re-run only publishes fresher copies), then check
    expiry; the warnings go to the log, the audit trail and the operations users' inbox."""
    published = services.lists_publish()
    warnings = services.lists_check()
    return {"published": sorted(published), "warnings": warnings}


@task(queue_name="sweeps")
def ecode_housekeeping() -> dict[str, int]:
    """Purge redeemed nonces past any code's validity and expired login challenges."""
    return services.housekeeping_run()
