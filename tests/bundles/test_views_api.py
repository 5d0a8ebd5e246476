"""Pages and API endpoints of 一类事, including the roles that must be refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.urls import reverse

from tests.accounts.factories import api_token, login_verified, staff
from tests.bundles.conftest import PDF, XIEYE_DATA, key, pdf, submit_xieye
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.bundles.models import Case, CaseTask

pytestmark = pytest.mark.django_db


def test_public_directory_and_detail(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    r = client.get(reverse("bundles:browse"))
    assert r.status_code == 200
    text = r.content.decode()
    assert "企业开办一类事" in text and "办理破产" in text and "可网上联办" in text
    r = client.get(reverse("bundles:browse"), {"q": "歇业"})
    assert "歇业一件事" in r.content.decode() and "纳税一类事" not in r.content.decode()
    r = client.get(reverse("bundles:detail", args=["B0301"]))
    assert "用能政策咨询和辅导" in r.content.decode() and "国网供电公司" in r.content.decode()
    assert client.get(reverse("bundles:detail", args=["NOPE"])).status_code == 404


def test_enterprise_applies_in_one_form(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, env["user"])
    url = reverse("bundles:apply", args=["LXIEYE"])
    r = client.get(url)
    assert r.status_code == 200
    page = r.content.decode()
    assert 'value="衢州歇业测试有限公司"' in page  # pre-filled from the registry
    r = client.get(url, {"items": ["XY01", "XY02", "XY03"]})
    k = key()
    data = {
        **XIEYE_DATA,
        "uscc": env["enterprise"].uscc,
        "items": ["XY01", "XY02", "XY03"],
        "idempotency_key": k,
        "material_application": pdf(),
        "material_info_sheet": pdf(),
        "material_debt_statement": pdf(),
    }
    r = client.post(url, data)
    assert r.status_code == 302
    case = Case.objects.get()
    assert r.url == reverse("bundles:case", args=[case.number])
    # the browser retries the same form: no second case
    data.update(
        {
            "material_application": pdf(),
            "material_info_sheet": pdf(),
            "material_debt_statement": pdf(),
        }
    )
    assert client.post(url, data).status_code == 302
    assert Case.objects.count() == 1
    r = client.get(reverse("bundles:case", args=[case.number]))
    assert "市场主体歇业备案" in r.content.decode() and "已提交" in r.content.decode()


def test_apply_form_shows_errors(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, env["user"])
    url = reverse("bundles:apply", args=["LXIEYE"])
    r = client.post(url, {"items": ["XY01"], "idempotency_key": key(), "enterprise_name": "x"})
    assert r.status_code == 400
    assert "请上传“市场主体歇业备案申请书”" in r.content.decode()
    assert not Case.objects.exists()


def test_reviewer_decides_on_case_page(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    case = submit_xieye(env)
    task = CaseTask.objects.get(case=case, item_code="XY01")
    login_verified(client, env["market"])
    r = client.get(reverse("bundles:case_list"))
    assert "市场主体歇业备案" in r.content.decode()
    r = client.post(reverse("bundles:task_action", args=[task.pk]), {"action": "approve"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == "approved"
    other = CaseTask.objects.get(case=case, item_code="XY02")
    r = client.post(reverse("bundles:task_action", args=[other.pk]), {"action": "approve"})
    assert r.status_code == 404


@pytest.mark.parametrize(
    "role", [Role.ENTERPRISE, Role.FRONT_DESK, Role.OPERATIONS, Role.INSPECTOR]
)
def test_roles_without_review_capability_cannot_decide(
    client, env: dict[str, Any], role: str
) -> None:  # type: ignore[no-untyped-def]
    case = submit_xieye(env)
    task = CaseTask.objects.get(case=case, item_code="XY01")
    user = env["user"] if role == Role.ENTERPRISE else staff(role)
    login_verified(client, user)
    r = client.post(reverse("bundles:task_action", args=[task.pk]), {"action": "approve"})
    assert r.status_code == 403
    task.refresh_from_db()
    assert task.status == "pending"


def test_other_enterprise_gets_404_on_case_page(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    case = submit_xieye(env)
    login_verified(client, enterprise_user(EnterpriseFactory(name="别家")))
    assert client.get(reverse("bundles:case", args=[case.number])).status_code == 404
    r = client.post(reverse("bundles:supplement", args=[case.number]), {"message": "x"})
    assert r.status_code == 404


def test_anonymous_is_sent_to_login(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    r = client.get(reverse("bundles:apply", args=["LXIEYE"]))
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_recommendations_page_shows_reasons(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, env["user"])
    r = client.get(reverse("bundles:recommend"))
    assert r.status_code == 200
    assert "推荐理由" in r.content.decode()
    login_verified(client, staff(Role.FRONT_DESK))
    assert client.get(reverse("bundles:recommend")).status_code == 403


def test_manage_definition_page(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.OPERATIONS))
    url = reverse("bundles:manage", args=["LXIEYE"])
    r = client.get(url)
    assert r.status_code == 200
    r = client.post(url, {"document": "{}", "note": "bad"})
    assert r.status_code == 400 and "fields" in r.content.decode()
    login_verified(client, env["tax"])
    assert client.get(url).status_code == 403


def test_overdue_page_for_chief(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from zqt.core.timeutil import local_today

    case = submit_xieye(env)
    CaseTask.objects.filter(case=case).update(due_on=local_today() - dt.timedelta(days=2))
    login_verified(client, staff(Role.CHIEF_COMMISSIONER))
    r = client.get(reverse("bundles:case_list"))
    assert 'data-testid="overdue"' in r.content.decode()


# --- API -------------------------------------------------------------------------------------


def test_api_directory_is_public(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/bundles/")
    assert r.status_code == 200 and len(r.json()) == 26
    assert client.get("/api/v1/bundles/directory/B1001").json()["basic_items"][0] == "注销公示"


def test_api_submit_idempotent_and_decide(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    token = api_token(staff(Role.API_CLIENT), "tok-bundles-0123456789")
    # api clients may view cases but not apply
    body = {
        "bundle_code": "LXIEYE",
        "uscc": env["enterprise"].uscc,
        "items": ["XY02"],
        "data": {**XIEYE_DATA, "uscc": env["enterprise"].uscc},
        "materials": {
            "info_sheet": {"filename": "a.pdf", "content_base64": base64.b64encode(PDF).decode()},
            "debt_statement": {
                "filename": "b.pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            },
        },
        "idempotency_key": key(),
    }
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.post("/api/v1/bundles/cases", body, content_type="application/json", **auth)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    desk = staff(Role.FRONT_DESK)
    client.force_login(desk)
    r = client.post("/api/v1/bundles/cases", body, content_type="application/json")
    assert r.status_code == 201, r.json()
    number = r.json()["number"]
    r2 = client.post("/api/v1/bundles/cases", body, content_type="application/json")
    assert r2.status_code == 200 and r2.json()["number"] == number
    bad = {**body, "idempotency_key": key(), "materials": {}}
    r = client.post("/api/v1/bundles/cases", bad, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"].startswith("material_")
    r = client.get(f"/api/v1/bundles/cases/{number}", **auth)
    assert r.status_code == 200 and r.json()["tasks"][0]["department_name"] == "税务局"
    task_id = r.json()["tasks"][0]["id"]
    client.force_login(env["tax"])
    r = client.post(
        f"/api/v1/bundles/tasks/{task_id}/decide",
        {"action": "approve"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "completed"
    r = client.post(
        f"/api/v1/bundles/tasks/{task_id}/decide",
        {"action": "approve"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "conflict"
    client.force_login(enterprise_user(EnterpriseFactory(name="别家")))
    assert client.get(f"/api/v1/bundles/cases/{number}").status_code == 404


def test_results_show_in_the_enterprise_space(client, env: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    from zqt.bundles import services

    case = submit_xieye(env)
    for who, item in (("market", "XY01"), ("tax", "XY02"), ("hr", "XY03")):
        task = CaseTask.objects.get(case=case, item_code=item)
        services.task_decide(user=env[who], task_id=task.pk, action="approve")
    login_verified(client, env["user"])
    page = client.get(reverse("space:home")).content.decode()
    assert 'data-testid="space-section-bundle-results"' in page
    assert "歇业备案通知书" in page and reverse("bundles:case", args=[case.number]) in page


def test_space_section_hidden_from_agents_without_the_delegated_scope(
    client, env: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    from tests.enterprises.factories import agent_for

    submit_xieye(env)
    agent = agent_for(env["enterprise"], scopes=["space.view"])
    login_verified(client, agent)
    page = client.get(reverse("space:home"), {"uscc": env["enterprise"].uscc}).content.decode()
    assert "space-section-bundle-results" in page  # the card is there, but empty
    assert "暂无办理结果" in page
