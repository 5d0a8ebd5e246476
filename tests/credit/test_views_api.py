"""Pages and API of credit, with the roles refused."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from tests.accounts.factories import UserFactory, api_token, login_verified, staff
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.core.timeutil import local_today
from zqt.credit import services
from zqt.enterprises.models import Penalty

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise(reference_data: None) -> Any:
    e = EnterpriseFactory(name="衢州信用测试有限公司")
    Penalty.objects.create(
        enterprise=e,
        decision_number="柯市监罚〔2026〕1号",
        department="柯城区市场监督管理局",
        reason="未公示年度报告",
        amount=Decimal("3000"),
        decided_on=local_today() - dt.timedelta(days=120),
    )
    services.credit_recompute_all()
    return e


def test_enterprise_sees_its_colour_and_applies_for_repair(client: Any, enterprise: Any) -> None:
    login_verified(client, enterprise_user(enterprise))
    page = client.get("/credit/mine/").content.decode()
    assert 'data-colour="green"' in page and "未公示年度报告" in page
    penalty = Penalty.objects.get(enterprise=enterprise)
    r = client.post(
        "/credit/mine/",
        {"record_kind": "penalty", "record_id": penalty.pk, "reason": "已补报年度报告并完成整改。"},
    )
    assert r.status_code == 302
    r = client.post(
        "/credit/mine/",
        {"record_kind": "penalty", "record_id": penalty.pk, "reason": "已补报年度报告并完成整改。"},
    )
    assert r.status_code == 400
    reviewer = staff(Role.DEPARTMENT_REVIEWER)
    login_verified(client, reviewer)
    assert "未公示年度报告" in client.get("/credit/repairs/").content.decode()


def test_space_card(client: Any, enterprise: Any) -> None:
    from zqt.credit.selectors import space_section

    section = space_section(user=enterprise_user(enterprise), enterprise=enterprise)
    assert section is not None and "绿码" in section.rows[0].title
    assert space_section(user=staff(Role.FRONT_DESK), enterprise=enterprise) is None


def test_staff_lookup_and_out_of_scope(client: Any, enterprise: Any) -> None:
    login_verified(client, staff(Role.INSPECTOR))
    assert client.get(f"/credit/e/{enterprise.uscc}/").status_code == 200
    other = EnterpriseFactory(region_code="330803")
    assert client.get(f"/credit/e/{other.uscc}/").status_code == 404


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.AGENT])
def test_non_staff_refused_on_lookup(client: Any, enterprise: Any, role: str) -> None:
    user = UserFactory(role=role, org_unit=None)
    login_verified(client, user)
    assert client.get(f"/credit/e/{enterprise.uscc}/").status_code == 403


def test_api_credit_and_refusals(client: Any, enterprise: Any) -> None:
    token = api_token(staff(Role.API_CLIENT))
    headers = {"Authorization": f"Bearer {token}"}
    data = client.get(f"/api/v1/credit/enterprises/{enterprise.uscc}", headers=headers).json()
    assert data["grade"] == "C" and data["score"] == 70 and data["colour"] == "green"
    r = client.post("/api/v1/credit/recompute", headers=headers)
    assert r.status_code == 403
    r = client.post(
        "/api/v1/credit/events",
        data=json.dumps(
            {
                "uscc": enterprise.uscc,
                "factor": "complaint_upheld",
                "title": "投诉查实",
                "source_department": "12345热线",
                "occurred_on": local_today().isoformat(),
                "source_key": "12345:1",
            }
        ),
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 201
    data = client.get(f"/api/v1/credit/enterprises/{enterprise.uscc}", headers=headers).json()
    assert data["score"] == 65
    r = client.post(
        "/api/v1/credit/events",
        data=json.dumps(
            {
                "uscc": enterprise.uscc,
                "factor": "nonsense",
                "title": "x",
                "source_department": "x",
                "occurred_on": local_today().isoformat(),
                "source_key": "k",
            }
        ),
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["field"] == "factor"


def test_operations_recompute_page(client: Any, enterprise: Any) -> None:
    login_verified(client, staff(Role.OPERATIONS))
    assert client.post("/credit/recompute/").status_code == 302
    login_verified(client, staff(Role.FRONT_DESK))
    assert client.post("/credit/recompute/").status_code == 403


def test_intermediary_pages(client: Any, reference_data: None) -> None:
    from zqt.core.identifiers import make_uscc

    desk = staff(Role.FRONT_DESK)
    agency = services.agency_create(
        user=desk,
        uscc=make_uscc(region_code="330802", serial=7),
        name="代办公司",
        region_code="330802",
    )
    account = UserFactory(role=Role.AGENT, org_unit=None)
    agent = services.intermediary_agent_create(
        user=desk, agency=agency, name="钱多", id_number="330802198001010013", account=account
    )
    login_verified(client, desk)
    r = client.post(
        "/credit/intermediaries/",
        {
            "agent_id": agent.pk,
            "reference": "DJ9",
            "enterprise_name": "x",
            "outcome": "false_material",
        },
    )
    assert r.status_code == 302
    r = client.post(
        "/credit/intermediaries/",
        {
            "agent_id": agent.pk,
            "reference": "DJ10",
            "enterprise_name": "x",
            "outcome": "false_material",
        },
    )
    page = client.get("/credit/intermediaries/").content.decode()
    assert "暂停受理" in page
    login_verified(client, account)
    assert "线上培训考试" in client.get("/credit/agent/").content.decode()
    answers = {q["id"]: q["answer"] for q in services.EXAM_QUESTIONS}
    assert client.post("/credit/agent/", answers).status_code == 302
    agent.refresh_from_db()
    assert agent.suspended_at is None and agent.points == 70
