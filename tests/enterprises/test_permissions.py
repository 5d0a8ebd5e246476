"""Permission matrix: every role × every registry API endpoint → expected status, with the
refusals audited (outcome denied) and nothing changed by a refused write.

Two counties: 柯城区 330802 (衢州市) holds the target enterprise; staff of 上城区 330102 (杭州市)
are "out of region". Enterprise users own the target or another enterprise; agents hold a
valid, no, an expired or a revoked authorisation for the target.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.accounts.factories import UserFactory, api_token, county, login_verified, staff
from tests.enterprises.factories import EnterpriseFactory, LicenceFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent, AuditOutcome
from zqt.core.identifiers import make_id_number, make_uscc
from zqt.enterprises.models import AgentAuthorisation, Enterprise, Industry, Licence

BASE = "/api/v1/enterprises/"

STAFF = [
    Role.FRONT_DESK,
    Role.BOARD_STAFF,
    Role.CHIEF_COMMISSIONER,
    Role.DEPARTMENT_REVIEWER,
    Role.INSPECTOR,
    Role.OPERATIONS,
]
REGION_SCOPED = [*STAFF, Role.API_CLIENT]
ACTORS = [
    "anonymous",
    "enterprise_own",
    "enterprise_foreign",
    "agent_authorised",
    "agent_unauthorised",
    "agent_expired",
    "agent_revoked",
    *[f"{role}_{where}" for role in REGION_SCOPED for where in ("in", "out")],
]
ENDPOINTS = [
    "search",
    "detail",
    "create",
    "update",
    "licences",
    "licence_create",
    "licence_update",
    "licence_revoke",
]
CREATE = {Role.FRONT_DESK, Role.OPERATIONS, Role.API_CLIENT}  # enterprise.create / .update
MANAGE_LICENCES = {Role.FRONT_DESK, Role.DEPARTMENT_REVIEWER, Role.OPERATIONS, Role.API_CLIENT}
SUCCESS = {"create": 201, "licence_create": 201}


def expected_status(actor: str, endpoint: str) -> int:
    """The matrix, written out from the rules (accounts/permissions.py + object scope)."""
    ok = SUCCESS.get(endpoint, 200)
    if actor == "anonymous":
        return 401
    if actor.startswith(("enterprise_", "agent_")):
        if endpoint in ("detail", "licences"):
            return ok if actor in ("enterprise_own", "agent_authorised") else 404
        return 403  # search and every write: not an enterprise's or an agent's capability
    role, where = actor.rsplit("_", 1)
    inside = where == "in"
    if endpoint == "search":
        return ok  # scoped: out-of-region staff get a page without the target
    if endpoint in ("detail", "licences"):
        return ok if inside else 404
    if endpoint == "create":
        if role not in CREATE:
            return 403
        return ok if inside else 403  # registering outside one's region is refused
    if endpoint == "update":
        if role not in CREATE:
            return 403
        return ok if inside else 404
    # licence writes
    if role not in MANAGE_LICENCES:
        return 403
    return ok if inside else 404


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """Just the reference rows the matrix needs (fast; the full set is tested elsewhere)."""
    kecheng = county("330802", "柯城区", "330800")
    shangcheng = county("330102", "上城区", "330100")
    Industry.objects.create(code="C", name="制造业", level="section")
    Industry.objects.create(
        code="39", name="计算机、通信和其他电子设备制造业", level="division", parent_code="C"
    )
    target = EnterpriseFactory(name="衢州矩阵目标有限公司")
    foreign = EnterpriseFactory(name="衢州矩阵他人有限公司")
    licence = LicenceFactory(enterprise=target)
    now = timezone.now()

    def agent(enterprise: Enterprise, **window: Any) -> Any:
        user = UserFactory(role=Role.AGENT, org_unit=None)
        AgentAuthorisation.objects.create(
            enterprise=enterprise,
            agent=user,
            scopes=["enterprise.view", "licence.view", "space.view"],
            valid_from=window.get("valid_from", now - dt.timedelta(days=1)),
            expires_at=window.get("expires_at", now + dt.timedelta(days=30)),
            revoked_at=window.get("revoked_at"),
        )
        return user

    users: dict[str, Any] = {
        "anonymous": None,
        "enterprise_own": enterprise_user(target),
        "enterprise_foreign": enterprise_user(foreign),
        "agent_authorised": agent(target),
        "agent_unauthorised": agent(foreign),
        "agent_expired": agent(
            target, valid_from=now - dt.timedelta(days=10), expires_at=now - dt.timedelta(days=1)
        ),
        "agent_revoked": agent(target, revoked_at=now - dt.timedelta(hours=1)),
    }
    for role in REGION_SCOPED:
        users[f"{role}_in"] = staff(role, org_unit=kecheng)
        users[f"{role}_out"] = staff(role, org_unit=shangcheng)
    return {"users": users, "target": target, "licence": licence}


def _client(actor: str, user: Any) -> Client:
    if user is None:
        return Client()
    if user.role == Role.API_CLIENT:
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(user, token=f'tok-{actor}-0123456')}")
    return login_verified(Client(), user)


def _call(client: Client, endpoint: str, world: dict[str, Any]) -> Any:
    uscc = world["target"].uscc
    licence_id = world["licence"].pk

    def send(method: str, url: str, data: dict[str, Any]) -> Any:
        return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")

    if endpoint == "search":
        return client.get(BASE, {"query": "衢州矩阵"})
    if endpoint == "detail":
        return client.get(f"{BASE}{uscc}")
    if endpoint == "create":
        return send(
            "post",
            BASE,
            {
                "uscc": make_uscc(region_code="330802", serial=4_444_444),
                "name": "衢州矩阵新设有限公司",
                "entity_type": "limited",
                "legal_rep_name": "赵六",
                "legal_rep_id_number": make_id_number(
                    region_code="330802", birth_date=dt.date(1990, 2, 3), sequence=11
                ),
                "registered_capital": "100",
                "founded_on": "2022-02-02",
                "address": "衢州市柯城区矩阵路1号",
                "region_code": "330802",
                "industry_code": "39",
                "scale": "micro",
                "lifecycle_stage": "startup",
            },
        )
    if endpoint == "update":
        return send("patch", f"{BASE}{uscc}", {"employees": 4242})
    if endpoint == "licences":
        return client.get(f"{BASE}{uscc}/licences")
    if endpoint == "licence_create":
        return send(
            "post",
            f"{BASE}{uscc}/licences",
            {
                "licence_type": "排污许可证",
                "number": "PW-MATRIX-1",
                "issuer": "生态环境局",
                "issued_on": "2024-01-01",
            },
        )
    if endpoint == "licence_update":
        return send("patch", f"{BASE}licences/{licence_id}", {"issuer": "矩阵发证机关"})
    if endpoint == "licence_revoke":
        return send("post", f"{BASE}licences/{licence_id}/revoke", {"reason": "矩阵测试"})
    raise AssertionError(endpoint)


def _state(world: dict[str, Any]) -> tuple[Any, ...]:
    target = Enterprise.objects.get(pk=world["target"].pk)
    licence = Licence.objects.get(pk=world["licence"].pk)
    return (
        Enterprise.objects.count(),
        target.employees,
        Licence.objects.count(),
        licence.issuer,
        licence.status,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(world, actor: str, endpoint: str) -> None:
    user = world["users"][actor]
    client = _client(actor, user)
    denied_before = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count()
    state_before = _state(world)

    response = _call(client, endpoint, world)

    expected = expected_status(actor, endpoint)
    assert response.status_code == expected, (actor, endpoint, response.content)
    denied = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED)
    if expected in (403, 404):
        # refused, structured, audited, and nothing changed
        assert set(response.json()) >= {"code", "message"}
        event = denied.order_by("-id").first()
        assert denied.count() == denied_before + 1
        assert event is not None and event.actor == user
        assert _state(world) == state_before
    else:
        assert denied.count() == denied_before
        if expected == 401:
            assert _state(world) == state_before
    if expected in (200, 201) and endpoint in ("detail", "licences"):
        action = "enterprise.view" if endpoint == "detail" else "licence.view"
        audited = AuditEvent.objects.filter(
            action=action, object_id=world["target"].uscc, outcome=AuditOutcome.ALLOWED
        ).exists()
        # every access to an enterprise's data by someone other than the enterprise is recorded
        assert audited is (actor != "enterprise_own")
    if endpoint == "search" and expected == 200:
        names = [item["name"] for item in response.json()["items"]]
        assert ("衢州矩阵目标有限公司" in names) is actor.endswith("_in")


def test_matrix_covers_every_role() -> None:
    roles_in_matrix = {a.rsplit("_", 1)[0] for a in ACTORS if a.endswith(("_in", "_out"))}
    assert roles_in_matrix | {Role.ENTERPRISE, Role.AGENT} == set(Role.values)
