"""Background work of 惠企政策 (idempotent: matches are unique per (policy, enterprise),
notifications per event key, payouts per (policy, enterprise, period))."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="sweeps")
def policy_sweep(policy_ids: list[int] | None = None) -> dict[str, int]:
    """Full vectorised sweep of the active policies (or `policy_ids`) over the registry."""
    from zqt.policies.services import match_sweep_run

    return match_sweep_run(policy_ids=policy_ids)


@task(queue_name="sweeps")
def policy_sweep_nightly() -> dict[str, int]:
    """Nightly safety net for everything incremental matching may have missed."""
    from zqt.policies.services import match_sweep_run

    return match_sweep_run()


@task()
def enterprise_rematch(enterprise_id: int, fields: list[str] | None = None) -> dict[str, int]:
    from zqt.policies.services import enterprise_rematch as run

    return run(enterprise_id=enterprise_id, fields=fields)


@task(queue_name="notifications")
def policy_notify(policy_id: int) -> int:
    from zqt.policies.services import matches_notify

    return matches_notify(policy_id=policy_id)


@task(queue_name="sweeps")
def policy_recheck_due() -> int:
    """Daily: verdicts that flip with time alone (founded within N years, penalty windows)."""
    from zqt.policies.services import recheck_due

    return recheck_due()


@task(queue_name="sweeps")
def automatic_payouts() -> int:
    """Hourly: payouts of confirmed 免申即享 matches that are still missing (retry-safe)."""
    from zqt.policies import enums as en
    from zqt.policies.models import Policy
    from zqt.policies.services import automatic_payouts_run

    return sum(
        automatic_payouts_run(policy_id=pk)
        for pk in Policy.objects.filter(
            mode=en.Mode.AUTOMATIC, status=en.PolicyStatus.ACTIVE
        ).values_list("pk", flat=True)
    )
