from __future__ import annotations

from typing import Any, ClassVar, cast

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.accounts.factories import UserFactory
from zqt.accounts.enums import Role
from zqt.accounts.models import User
from zqt.notifications.backends import DeliveryError, NotificationBackend


def recipient(*, phone: str = "13800000000", email: str = "qiye@example.com", **kw: Any) -> User:
    """An enterprise user with a phone number and an e-mail address on file."""
    kw.setdefault("role", Role.ENTERPRISE)
    return cast(User, UserFactory(phone=phone, email=email, **kw))


def licence_context(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "enterprise_name": "衢州市柯城区示例贸易有限公司",
        "licence_type": "食品经营许可证",
        "number": "JY13308020000001",
        "expires_on": "2026-12-31",
        "days_left": 30,
    }
    context.update(overrides)
    return context


class FailingSmsBackend(NotificationBackend):
    """Fails `failures_left` times (then succeeds); `permanent` makes the failure final."""

    channel = "sms"
    failures_left: ClassVar[int] = 0
    permanent: ClassVar[bool] = False
    attempts: ClassVar[list[str]] = []
    delivered: ClassVar[list[str]] = []

    @classmethod
    def reset(cls, *, failures: int, permanent: bool = False) -> None:
        cls.failures_left = failures
        cls.permanent = permanent
        cls.attempts = []
        cls.delivered = []

    def send(self, *, to: str, subject: str, body: str) -> None:
        cls = type(self)
        cls.attempts.append(to)
        if cls.failures_left > 0:
            cls.failures_left -= 1
            raise DeliveryError("短信网关不可用", permanent=cls.permanent)
        cls.delivered.append(to)


def queued_notification_tasks() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(queue_name="notifications", status="READY").order_by(
            "enqueued_at"
        )
    )


def run_notification_tasks(*, include_future: bool = False) -> list[Any]:
    """Run the queued notification tasks synchronously, as a worker would, and return their
    results. Without include_future, tasks whose run_after is still ahead (backoff) wait —
    with it, the test "lets the clock run" to the next attempt."""
    results = []
    now = timezone.now()
    for row in queued_notification_tasks():
        task = row.task
        if not include_future and task.run_after is not None and task.run_after > now:
            continue
        row.claim("test-worker")
        value = task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.set_successful(value)
        results.append(value)
    return results
