from __future__ import annotations

import pytest

from zqt.credit.models import CreditScore, IntermediaryAgent
from zqt.supervision.models import Draw, Inspection

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent() -> None:
    from zqt.core.demo import demo_load

    demo_load(enterprises=200)
    draws, inspections = Draw.objects.count(), Inspection.objects.count()
    assert draws == 2 and inspections >= 21
    assert CreditScore.objects.exists()
    agent = IntermediaryAgent.objects.get(user__username="demo_agent")
    assert agent.suspended_at is not None
    demo_load(enterprises=200)
    assert (Draw.objects.count(), Inspection.objects.count()) == (draws, inspections)
