from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.accounts.factories import staff
from tests.appeals.factories import staff_board
from zqt.accounts.enums import Role
from zqt.appeals import demo
from zqt.appeals.models import Appeal

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_has_an_overdue_case(c) -> None:  # type: ignore[no-untyped-def]
    from tests.enterprises.factories import enterprise_user

    enterprise_user(c.enterprise, username="demo_enterprise")
    staff(Role.FRONT_DESK, c.unit, username="demo_front_desk")
    board = staff(Role.BOARD_STAFF, c.unit, username="demo_board")
    for code in ("project", "finance", "talent", "policy"):
        staff_board(c.unit, code, x=board)
    demo.demo_load(enterprise=c.enterprise)
    count = Appeal.objects.count()
    demo.demo_load(enterprise=c.enterprise)
    assert Appeal.objects.count() == count == 5
    statuses = set(Appeal.objects.values_list("status", flat=True))
    assert {"closed", "answered", "assigned", "escalated", "submitted"} <= statuses
    assert Appeal.objects.filter(due_state="overdue").count() == 1


def test_retrain_reports_held_out_accuracy(settings, tmp_path, db) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("appeals_retrain", stdout=out)
    report = json.loads(out.getvalue())
    assert report["samples"] >= 2200 and 0.3 < report["accuracy"] <= 1.0
    assert (tmp_path / "appeals" / "router.pkl").exists()
