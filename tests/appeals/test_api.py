from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.factories import api_token, login_verified, staff
from zqt.accounts.enums import Role
from zqt.appeals.models import Appeal

pytestmark = pytest.mark.django_db

BODY = {"title": "贷款", "content": "流动资金紧张需要银行贷款"}


def test_12345_system_submits_idempotently(c) -> None:  # type: ignore[no-untyped-def]
    token = api_token(c.api)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {**BODY, "uscc": c.enterprise.uscc, "external_id": "12345-0001"}
    first = client.post(
        "/api/v1/appeals/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="12345-0001"
    )
    assert first.status_code == 201, first.content
    assert first.json()["suggested_board"] == "finance"
    again = client.post(
        "/api/v1/appeals/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="12345-0001"
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Appeal.objects.count() == 1
    assert Appeal.objects.get().channel == "api_12345"


def test_bad_input_is_structured(c) -> None:  # type: ignore[no-untyped-def]
    client = login_verified(Client(), c.company)
    response = client.post(
        "/api/v1/appeals/", {"title": "", "content": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "title"


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.AGENT])
def test_roles_without_capability_are_refused(c, role) -> None:  # type: ignore[no-untyped-def]
    user = staff(role, c.unit) if role != Role.AGENT else staff(role, None)
    client = login_verified(Client(), user)
    response = client.post(
        "/api/v1/appeals/", {**BODY, "uscc": c.enterprise.uscc}, content_type="application/json"
    )
    assert response.status_code in (403, 404)


def test_staff_of_another_county_gets_404(c) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.factories import county
    from zqt.appeals import services

    appeal, _ = services.appeal_submit(user=c.company, **BODY)
    outsider = staff(Role.FRONT_DESK, county("330803", "衢江区"))
    client = login_verified(Client(), outsider)
    assert client.get(f"/api/v1/appeals/{appeal.pk}").status_code == 404
    mine = login_verified(Client(), c.desk)
    assert mine.get(f"/api/v1/appeals/{appeal.pk}").status_code == 200


def test_route_answer_rate_over_api(c) -> None:  # type: ignore[no-untyped-def]
    from zqt.appeals import services

    appeal, _ = services.appeal_submit(user=c.company, **BODY)
    desk = login_verified(Client(), c.desk)
    r = desk.post(
        f"/api/v1/appeals/{appeal.pk}/route",
        {"board_code": "finance"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["board"] == "finance"
    handler = login_verified(Client(), c.other_handler)
    r = handler.post(
        f"/api/v1/appeals/{appeal.pk}/answer",
        {"resolution_type": "solved", "text": "已对接银行"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    company = login_verified(Client(), c.company)
    r = company.post(
        f"/api/v1/appeals/{appeal.pk}/rate", {"score": "good"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = company.post(
        f"/api/v1/appeals/{appeal.pk}/rate", {"score": "good"}, content_type="application/json"
    )
    assert r.status_code == 400
