"""Two processes raising the same event at the same moment still send it once (PostgreSQL:
real concurrent transactions; SQLite serialises writers, so the race cannot happen there)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from tests.notifications.factories import licence_context, recipient
from zqt.notifications.models import Notification
from zqt.notifications.services import notification_send, notification_templates_load


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_the_same_event_create_one_set_of_rows() -> None:
    notification_templates_load()
    user = recipient()
    barrier = threading.Barrier(4)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            rows = notification_send(
                recipient=user,
                template_code="licence_expiring",
                context=licence_context(),
                event_key="licence_expiring:race",
            )
            results.append(sorted(n.pk for n in rows))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Notification.objects.count() == 2
    assert DBTaskResult.objects.filter(queue_name="notifications").count() == 1
    assert all(pks == results[0] for pks in results)
