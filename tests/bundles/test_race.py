"""Racing decisions on one task from two connections (PostgreSQL row locks; SQLite has a single
writer and is skipped)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from tests.bundles.conftest import submit_xieye
from zqt.bundles import services
from zqt.bundles.models import CaseEvent, CaseTask
from zqt.core.errors import ConflictError

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_racing_approvals_one_wins(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    task = CaseTask.objects.get(case=case, item_code="XY02")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(action: str) -> None:
        try:
            barrier.wait()
            services.task_decide(user=env["tax"], task_id=task.pk, action=action, reason="r")
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(a,)) for a in ("approve", "reject")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert CaseEvent.objects.filter(case=case, kind__in=["approved", "rejected"]).count() == 1
