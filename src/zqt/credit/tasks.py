"""Background tasks of credit: the nightly set-based recompute (publicity periods and windows
run out with time, so scores change without any new fact) and the risk-warning sweep after it.
Both are idempotent (the recompute writes only changed rows; warnings are unique per fact)."""

from __future__ import annotations

from django_tasks import task

from zqt.credit import services


@task(queue_name="sweeps")
def credit_nightly() -> dict[str, int]:
    run = services.credit_recompute_all()
    created = services.risk_sweep()
    return {"changed": run.changed, "warnings": sum(created.values())}
