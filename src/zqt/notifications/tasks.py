"""Background tasks of the notifications app (queue "notifications")."""

from __future__ import annotations

from django_tasks import task

from zqt.notifications import services


@task(queue_name="notifications")
def notification_deliver_task(notification_id: int) -> str:
    """Deliver one SMS/e-mail notification. Idempotent: keyed by the notification, a no-op
    unless it is still pending (see services.notification_deliver)."""
    return services.notification_deliver(notification_id=notification_id)


@task(queue_name="sweeps")
def notification_requeue_overdue_task() -> int:
    """Periodic safety net: re-enqueue SMS/e-mail deliveries whose attempt is long overdue."""
    return services.notification_requeue_overdue()
