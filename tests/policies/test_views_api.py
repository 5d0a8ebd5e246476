"""Pages and API of 惠企政策: who may see and do what (refusals 403/404, audited), structured
errors, the Excel export and the enterprise-space card."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.accounts.factories import county, login_verified, staff
from tests.policies.conftest import RD_EXAMPLES, RD_RULE, active_policy, policy_data
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.taskqueue.testing import run_pending_tasks

pytestmark = pytest.mark.django_db


def test_pages_by_role(client: Any, env: dict[str, Any]) -> None:
    policy = active_policy(env)
    run_pending_tasks()
    assert client.get("/policies/").status_code == 302  # anonymous: login
    login_verified(client, env["good_user"])
    assert client.get("/policies/").status_code == 403
    assert client.get(f"/policies/{policy.pk}/").status_code == 403
    page = client.get("/policies/mine/")
    assert page.status_code == 200 and policy.title in page.content.decode()
    detail = client.get(f"/policies/mine/{policy.pk}/").content.decode()
    assert "研发投入占比 5%，要求 ≥ 3%" in detail
    assert "150,000.00" in detail
    client.logout()
    login_verified(client, env["weak_user"])
    assert client.get(f"/policies/mine/{policy.pk}/").status_code == 404
    client.logout()
    login_verified(client, env["ops"])
    assert client.get("/policies/?q=研发").status_code == 200
    assert client.get(f"/policies/{policy.pk}/").status_code == 200
    assert client.get(f"/policies/{policy.pk}/near-miss/").status_code == 200
    assert client.get("/policies/mine/").status_code == 403
    xlsx = client.get("/policies/evaluation/?format=xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb["按政策"]["B2"].value == policy.title
    client.logout()
    other = staff(Role.OPERATIONS, org_unit=county("330803", "衢江区"))
    login_verified(client, other)
    assert client.get(f"/policies/{policy.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="policy.view", outcome="denied").exists()


def test_space_card(env: dict[str, Any]) -> None:
    from zqt.policies.selectors import space_section

    policy = active_policy(env)
    run_pending_tasks()
    section = space_section(user=env["good_user"], enterprise=env["good"])
    assert section is not None and section.rows[0].title == policy.title
    assert "150,000.00" in section.rows[0].meta
    assert space_section(user=env["ops"], enterprise=env["good"]) is None


def test_api_flow_and_errors(client: Any, env: dict[str, Any]) -> None:
    login_verified(client, env["ops"])
    bad = client.post(
        "/api/v1/policies/",
        data=json.dumps(policy_data(effective_until="2020-01-01")),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "effective_until"
    created = client.post(
        "/api/v1/policies/", data=json.dumps(policy_data()), content_type="application/json"
    )
    assert created.status_code == 201
    pid = created.json()["id"]
    wrong = client.post(
        f"/api/v1/policies/{pid}/rules",
        data=json.dumps({"document": {"condition": {"op": "cmp", "field": "revenue", "cmp": ">",
                                                    "value": "abc", "ref": "一"}},
                         "examples": RD_EXAMPLES}),
        content_type="application/json",
    )  # fmt: skip
    assert wrong.status_code == 400 and "不是有效的数字" in wrong.json()["message"]
    rule = client.post(
        f"/api/v1/policies/{pid}/rules",
        data=json.dumps({"document": RD_RULE, "examples": RD_EXAMPLES}),
        content_type="application/json",
    )
    assert rule.status_code == 201
    self_approve = client.post(
        f"/api/v1/policies/rules/{rule.json()['id']}/decide",
        data=json.dumps({"approve": True}),
        content_type="application/json",
    )
    assert self_approve.status_code == 400
    client.logout()
    login_verified(client, env["chief"])
    ok = client.post(
        f"/api/v1/policies/rules/{rule.json()['id']}/decide",
        data=json.dumps({"approve": True}),
        content_type="application/json",
    )
    assert ok.json()["status"] == "published"
    client.logout()
    login_verified(client, env["good_user"])
    assert client.get("/api/v1/policies/").status_code == 403
    assert client.get("/api/v1/policies/catalog").status_code == 200
