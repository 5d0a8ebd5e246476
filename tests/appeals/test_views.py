from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.factories import login_verified
from tests.appeals.test_services import routed
from zqt.appeals.models import Appeal

pytestmark = pytest.mark.django_db


def test_enterprise_pages(c) -> None:  # type: ignore[no-untyped-def]
    client = login_verified(Client(), c.company)
    assert client.get("/appeals/new/").status_code == 200
    r = client.post(
        "/appeals/new/",
        {
            "title": "贷款",
            "content": "流动资金紧张需要银行贷款",
            "appeal_type": "help",
            "idempotency_key": "abc",
        },
    )
    assert r.status_code == 302
    appeal = Appeal.objects.get()
    page = client.get("/appeals/mine/").content.decode()
    assert appeal.reference in page and "综合受理窗口" in page
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 200
    assert client.get("/appeals/workbench/").status_code == 403


def test_staff_workbench_detail_report(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    handler = login_verified(Client(), c.handler)
    page = handler.get("/appeals/workbench/").content.decode()
    assert appeal.reference in page
    assert handler.get(f"/appeals/{appeal.pk}/").status_code == 200
    r = handler.post(
        f"/appeals/{appeal.pk}/act/answer/", {"resolution_type": "solved", "text": "已办结"}
    )
    assert r.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "answered"
    chief = login_verified(Client(), c.chief)
    assert "诉求趋势周报" in chief.get("/appeals/report/").content.decode()
    xlsx = chief.get("/appeals/report/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert handler.get("/appeals/report/").status_code == 403
