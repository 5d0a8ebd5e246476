"""API of the enterprise code, per audience and role (public never sees personal data)."""

from __future__ import annotations

import pytest

from tests.accounts.factories import api_token, county, login_verified, staff
from tests.ecode.factories import enterprise_with_code
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.ecode import selectors, services
from zqt.ecode.models import ScanRecord

pytestmark = pytest.mark.django_db

BASE = "/api/v1/ecode"


def _dynamic(client, enterprise) -> str:  # type: ignore[no-untyped-def]
    owner = enterprise_user(enterprise)
    client.force_login(owner)
    response = client.get(f"{BASE}/dynamic")
    assert response.status_code == 200
    client.logout()
    return str(response.json()["url"])


def test_public_verify_returns_public_facts_only(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, code = enterprise_with_code(legal_rep_name="王小明", phone="13800001111")
    response = client.post(
        f"{BASE}/verify", {"token": selectors.code_url(code)}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["authentic"] and body["code_kind"] == "static" and body["code_status"] == "valid"
    assert body["enterprise"]["legal_rep_name"] == "王**"
    text = response.content.decode()
    assert enterprise.legal_rep_id_number not in text and "13800001111" not in text
    assert body["enterprise"]["licences"][0]["state"] in {"valid", "expiring", "expired", "pending"}
    assert body["facts"] is None
    assert ScanRecord.objects.get().channel == "api"
    full = client.post(
        f"{BASE}/verify?detail=true", {"token": code.token}, content_type="application/json"
    )
    facts = full.json()["facts"]
    assert facts["legal_rep_name"] == "王**" and "honours" in facts and "credit_records" in facts
    assert enterprise.legal_rep_id_number not in full.content.decode()


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("garbage/with/slashes/and/more", "malformed"),
        ("HTTPS://QZ.ZQT.GOV.CN/C/NOT!B32", "bad_encoding"),
    ],
)
def test_public_verify_structured_errors(client, token: str, code: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"{BASE}/verify", {"token": token}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and body["message"] and "enterprise" not in body


def test_revoked_enterprise_gets_error_and_no_data(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, code = enterprise_with_code(status="deregistered")
    response = client.post(f"{BASE}/verify", {"token": code.token}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "revoked"
    assert enterprise.name not in response.content.decode()


def test_dynamic_requires_enterprise_role(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"{BASE}/dynamic").status_code == 401
    login_verified(client, staff(Role.FRONT_DESK))
    response = client.get(f"{BASE}/dynamic")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_dynamic_code_is_fresh_each_time(client) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory()
    client.force_login(enterprise_user(enterprise))
    assert client.get(f"{BASE}/dynamic").status_code == 404  # no code issued yet
    enterprise_with_code_for(enterprise)
    a = client.get(f"{BASE}/dynamic").json()
    b = client.get(f"{BASE}/dynamic").json()
    assert a["token"] != b["token"] and a["ttl"] == 60 and a["url"].upper() == a["url"]


def test_prefill_by_api_client_token_with_consent(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, _code = enterprise_with_code()
    url = _dynamic(client, enterprise)
    owner = enterprise.members.first().user
    county()
    client.force_login(owner)
    granted = client.post(
        f"{BASE}/consents",
        {
            "grantee_code": "330802",
            "purpose": "许可延续",
            "fields": ["name", "address"],
            "days": 10,
        },
        content_type="application/json",
    )
    assert granted.status_code == 201, granted.content
    client.logout()
    token = api_token(staff(Role.API_CLIENT))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post(
        f"{BASE}/prefill",
        {"token": url, "purpose": "许可延续"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    assert set(response.json()["values"]) == {"name", "address"}
    again = client.post(
        f"{BASE}/prefill",
        {"token": url, "purpose": "许可延续"},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 400 and again.json()["code"] == "replayed"


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.OPERATIONS, Role.DEPARTMENT_REVIEWER])
def test_prefill_refused_for_other_roles(client, role: str) -> None:  # type: ignore[no-untyped-def]
    enterprise, _code = enterprise_with_code()
    url = _dynamic(client, enterprise)
    login_verified(client, staff(role))
    response = client.post(
        f"{BASE}/prefill", {"token": url, "purpose": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_prefill_without_consent_is_403_no_consent(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, _code = enterprise_with_code()
    url = _dynamic(client, enterprise)
    login_verified(client, staff(Role.FRONT_DESK))
    response = client.post(
        f"{BASE}/prefill", {"token": url, "purpose": "x"}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "no_consent"
    assert enterprise.name not in response.content.decode()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ENTERPRISE, Role.OPERATIONS])
def test_inspect_only_for_inspectors(client, role: str) -> None:  # type: ignore[no-untyped-def]
    _enterprise, code = enterprise_with_code()
    user = enterprise_user(EnterpriseFactory()) if role == Role.ENTERPRISE else staff(role)
    login_verified(client, user)
    response = client.post(
        f"{BASE}/inspect", {"token": code.token}, content_type="application/json"
    )
    assert response.status_code == 403


def test_inspect_returns_penalties_and_risk_flags(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, code = enterprise_with_code()
    login_verified(client, staff(Role.INSPECTOR))
    response = client.post(
        f"{BASE}/inspect", {"token": code.token}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["detail"]["uscc"] == enterprise.uscc and "penalties" in body["detail"]


def test_scans_and_consents_of_own_enterprise(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, code = enterprise_with_code()
    client.post(f"{BASE}/verify", {"token": code.token}, content_type="application/json")
    client.force_login(enterprise_user(enterprise))
    scans = client.get(f"{BASE}/scans").json()
    assert scans[0]["audience"] == "public" and scans[0]["scanner"] == ""
    assert client.get(f"{BASE}/consents").json() == []
    bad = client.post(
        f"{BASE}/consents",
        {"grantee_code": "330802", "purpose": "", "fields": ["name"], "days": 5},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] in {"grantee", "purpose"}


def test_consent_revoke_other_enterprise_is_404(client) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory()
    owner = enterprise_user(enterprise)
    county()
    client.force_login(owner)
    consent = client.post(
        f"{BASE}/consents",
        {"grantee_code": "330802", "purpose": "办事", "fields": ["name"], "days": 5},
        content_type="application/json",
    ).json()
    client.force_login(enterprise_user(EnterpriseFactory()))
    assert client.post(f"{BASE}/consents/{consent['id']}/revoke").status_code == 404
    client.force_login(owner)
    revoked = client.post(f"{BASE}/consents/{consent['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["active"] is False


def test_stats_for_operations_only(client) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.OPERATIONS))
    assert client.get(f"{BASE}/stats").status_code == 200
    login_verified(client, staff(Role.FRONT_DESK))
    assert client.get(f"{BASE}/stats").status_code == 403


def enterprise_with_code_for(enterprise) -> None:  # type: ignore[no-untyped-def]
    services.ecode_ensure(enterprise=enterprise)
