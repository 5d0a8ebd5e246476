"""Pages: public scan (no login, no personal data, colour verdicts), enterprise code page and
downloads, inspector and desk pages, published lists, login by code, statistics."""

from __future__ import annotations

import pytest

from tests.accounts.factories import county, login_verified, staff
from tests.ecode.factories import enterprise_with_code
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.ecode import selectors, services

pytestmark = pytest.mark.django_db


def test_public_scan_page_green_and_masked(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, code = enterprise_with_code(legal_rep_name="王小明", phone="13800001111")
    response = client.get(selectors.code_path(code.token))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-verdict="valid"' in html
    assert enterprise.name in html and "王**" in html
    assert enterprise.legal_rep_id_number not in html and "13800001111" not in html
    # Lower-cased by a scanner: still works.
    assert 'data-verdict="valid"' in client.get(f"/c/{code.token.lower()}").content.decode()


def test_public_scan_page_errors_in_chinese(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/C/NOT!B32").content.decode()
    assert 'data-verdict="invalid"' in html and "bad_encoding" in html and "编码错误" in html
    enterprise, code = enterprise_with_code(status="revoked")
    html = client.get(f"/C/{code.token}").content.decode()
    assert "吊销或注销" in html and enterprise.name not in html


def test_public_scan_page_suspended_is_amber(client) -> None:  # type: ignore[no-untyped-def]
    _e, code = enterprise_with_code(status="suspended")
    assert 'data-verdict="suspended"' in client.get(f"/C/{code.token}").content.decode()


def test_well_known_documents(client) -> None:  # type: ignore[no-untyped-def]
    enterprise_with_code()
    keyset = client.get("/.well-known/zqt-ecode/keys.json").json()
    assert {k["use"] for k in keyset["keys"]} == {"code", "lists"}
    trust = client.get("/.well-known/zqt-ecode/trust-list.json").json()
    status = client.get("/.well-known/zqt-ecode/status-list.json").json()
    assert trust["alg"] == "Ed25519" and status["sig"]


def test_enterprise_code_page_and_downloads(client) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory()
    client.force_login(enterprise_user(enterprise))
    assert "签发企业码" in client.get("/code/").content.decode()
    assert client.get("/code/static.png").status_code == 404
    client.post("/code/issue/")
    html = client.get("/code/").content.decode()
    assert "<svg" in html and "data-dynamic-code" in html and "vendor/qrcode-generator" in html
    assert client.get("/code/static.svg")["Content-Type"] == "image/svg+xml"
    assert client.get("/code/static.png").content.startswith(b"\x89PNG")
    pdf = client.get("/code/poster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_enterprise_grants_and_revokes_consent_on_page(client) -> None:  # type: ignore[no-untyped-def]
    enterprise = EnterpriseFactory()
    client.force_login(enterprise_user(enterprise))
    county()
    client.post(
        "/code/consents/",
        {"grantee": "330802", "purpose": "办事", "fields": ["name"], "days": "30"},
    )
    consent = selectors.consent_list(enterprise=enterprise)[0]
    assert selectors.consent_is_active(consent)
    client.post(f"/code/consents/{consent.pk}/revoke/")
    assert not selectors.consent_is_active(selectors.consent_list(enterprise=enterprise)[0])
    response = client.post(
        "/code/consents/", {"grantee": "330802", "purpose": "", "days": "x"}, follow=True
    )
    assert "请填写授权用途" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/code/", Role.FRONT_DESK),
        ("/code/inspect/", Role.FRONT_DESK),
        ("/code/desk/", Role.INSPECTOR),
        ("/code/stats/", Role.INSPECTOR),
    ],
)
def test_pages_refuse_other_roles(client, url: str, role: str) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(role))
    assert client.get(url).status_code == 403


def test_inspector_page(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, code = enterprise_with_code()
    login_verified(client, staff(Role.INSPECTOR))
    html = client.post("/code/inspect/", {"token": code.token}).content.decode()
    assert enterprise.legal_rep_id_number in html and 'data-testid="penalties"' in html
    assert (
        "bad_signature"
        in client.post("/code/inspect/", {"token": code.token[:-4] + "AAAA"}).content.decode()
    )


def test_desk_page_prefills_after_consent(client) -> None:  # type: ignore[no-untyped-def]
    enterprise, _code = enterprise_with_code()
    owner = enterprise_user(enterprise)
    county()
    services.prefill_consent_grant(
        user=owner, grantee_code="330802", purpose="办事", fields=["name", "address"], days=5
    )
    url = services.dynamic_code_issue(user=owner)["url"]
    login_verified(client, staff(Role.FRONT_DESK))
    html = client.post("/code/desk/", {"token": url, "purpose": "许可延续"}).content.decode()
    assert f'value="{enterprise.name}"' in html and 'data-testid="prefill-address"' in html
    assert 'data-testid="prefill-legal_rep_name"' not in html


def test_stats_page(client) -> None:  # type: ignore[no-untyped-def]
    _e, code = enterprise_with_code()
    services.code_verify(text=code.token)
    login_verified(client, staff(Role.OPERATIONS))
    assert "每日扫码" in client.get("/code/stats/").content.decode()


def test_login_by_code_pages(client) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    enterprise = EnterpriseFactory()
    owner = enterprise_user(enterprise)
    desktop = client
    html = desktop.get("/code/login/").content.decode()
    assert "data-login-code" in html
    key = desktop.session["ecode_login"]["key"]
    assert desktop.get("/code/login/poll/").json()["state"] == "waiting"
    phone = Client()
    phone.force_login(owner)
    assert "确认登录" in phone.get(f"/code/login/approve/{key}/").content.decode()
    assert "已确认" in phone.post(f"/code/login/approve/{key}/").content.decode()
    done = desktop.get("/code/login/poll/").json()
    assert done["state"] == "done"
    assert desktop.get("/space/").status_code == 200
