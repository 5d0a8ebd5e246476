"""Pages and API of supervision: the draw desk, the public record (no login), the inspector's
mobile page (by USCC and by scanned code), and the roles refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.accounts.factories import api_token, login_verified, staff
from tests.enterprises.factories import enterprise_user
from zqt.accounts.enums import Role
from zqt.supervision import services
from zqt.supervision.models import Inspection

pytestmark = pytest.mark.django_db


def _drawn(env: dict[str, Any]) -> Any:
    draw = services.inspection_draw_commit(
        user=env["reviewer"], title="抽查", department_code="330802-market_regulation", k=3, m=1
    )
    return services.draw_execute(user=env["reviewer"], number=draw.number)


def test_desk_commits_and_executes_a_draw(client: Any, env: dict[str, Any]) -> None:
    login_verified(client, env["reviewer"])
    r = client.post(
        "/supervision/draws/new/",
        {
            "title": "第一批",
            "department_code": "330802-market_regulation",
            "k": "3",
            "m": "2",
            "region_conflict": "on",
            "recent_days": "365",
        },
    )
    assert r.status_code == 302
    number = r.url.rstrip("/").rsplit("/", 1)[-1]
    page = client.get(r.url)
    assert "抽取后公开" in page.content.decode()
    r = client.post(f"/supervision/draws/{number}/execute/")
    assert r.status_code == 302
    public = client.get(f"/supervision/public/{number}/").content.decode()
    assert "复核一致" in public


def test_bad_draw_form_shows_the_error(client: Any, env: dict[str, Any]) -> None:
    login_verified(client, env["reviewer"])
    r = client.post(
        "/supervision/draws/new/",
        {
            "title": "第一批",
            "department_code": "330802-market_regulation",
            "k": "99",
            "m": "2",
        },
    )
    assert r.status_code == 400 and "大于抽查对象名录" in r.content.decode()


def test_public_pages_need_no_login(client: Any, env: dict[str, Any]) -> None:
    draw = _drawn(env)
    assert client.get("/supervision/public/").status_code == 200
    assert client.get(f"/supervision/public/{draw.number}/").status_code == 200
    body = client.get(f"/supervision/public/{draw.number}/population.txt").content.decode()
    assert len(body.splitlines()) == draw.population_size
    data = client.get(f"/api/v1/supervision/draws/{draw.number}").json()
    assert data["seed"] == draw.seed_hex and data["result"] == draw.result
    assert client.get(f"/api/v1/supervision/draws/{draw.number}/verify").json()["ok"] is True


def test_seed_hidden_before_the_draw(client: Any, env: dict[str, Any]) -> None:
    draw = services.inspection_draw_commit(
        user=env["reviewer"], title="抽查", department_code="330802-market_regulation", k=3, m=1
    )
    data = client.get(f"/api/v1/supervision/draws/{draw.number}").json()
    assert data["seed"] == "" and draw.seed_hex not in json.dumps(data)
    assert draw.seed_hex not in client.get(f"/supervision/public/{draw.number}/").content.decode()


def test_inspector_records_on_the_mobile_page(client: Any, env: dict[str, Any]) -> None:
    draw = _drawn(env)
    insp = Inspection.objects.filter(draw=draw).first()
    assert insp is not None
    inspector = insp.inspectors.first()
    login_verified(client, inspector)
    r = client.post("/supervision/inspect/", {"q": insp.enterprise.uscc})
    assert r.status_code == 302
    page = client.get(r.url)
    assert insp.item_list.items.first().title in page.content.decode()
    data = {f"o_{insp.pk}_{i.pk}": "pass" for i in insp.item_list.items.all()}
    first = insp.item_list.items.get(code="SC-R01")
    data[f"o_{insp.pk}_{first.pk}"] = "fail"
    # A failed item without a note is refused and nothing is written.
    r = client.post(r.url, data)
    assert r.status_code == 400
    data[f"n_{insp.pk}_{first.pk}"] = "许可证已过期"
    r = client.post(f"/supervision/inspect/{insp.enterprise.uscc}/", data)
    assert r.status_code == 302
    insp.refresh_from_db()
    assert insp.status == "recorded" and "发现问题1项" in insp.conclusion


def test_inspector_finds_enterprise_by_scanned_code(
    client: Any, env: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    from zqt.ecode.services import ecode_ensure

    enterprise = env["enterprises"][1]
    code = ecode_ensure(enterprise=enterprise)
    from zqt.ecode.selectors import code_url

    login_verified(client, env["inspectors"][1])
    r = client.post("/supervision/inspect/", {"q": code_url(code)})
    assert r.status_code == 302 and enterprise.uscc in r.url
    r = client.post("/supervision/inspect/", {"q": "HTTPS://EXAMPLE.COM/C/NOTACODE"})
    assert r.status_code == 200 and "error" in r.content.decode()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.BOARD_STAFF, Role.OPERATIONS])
def test_only_inspectors_use_the_inspect_page(client: Any, env: dict[str, Any], role: str) -> None:
    login_verified(client, staff(role))
    assert client.get("/supervision/inspect/").status_code == 403


def test_enterprise_user_cannot_use_staff_pages(client: Any, env: dict[str, Any]) -> None:
    login_verified(client, enterprise_user(env["enterprises"][0]))
    assert client.get("/supervision/").status_code == 403


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.FRONT_DESK, Role.API_CLIENT])
def test_api_draw_refused_roles(client: Any, env: dict[str, Any], role: str) -> None:
    token = api_token(staff(role))
    r = client.post(
        "/api/v1/supervision/draws",
        data=json.dumps({"title": "x", "department_code": "330802-market_regulation", "k": 1}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_api_results_and_duplicates(client: Any, env: dict[str, Any]) -> None:
    draw = _drawn(env)
    insp = Inspection.objects.filter(draw=draw).first()
    assert insp is not None
    token = api_token(insp.inspectors.first())
    payload = [
        {
            "uscc": insp.enterprise.uscc,
            "inspection_id": insp.pk,
            "findings": [{"item_id": i.pk, "outcome": "pass"} for i in insp.item_list.items.all()],
        }
    ]
    headers = {"Authorization": f"Bearer {token}"}
    r = client.post(
        "/api/v1/supervision/inspections/results",
        data=json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 200 and r.json()[0]["conclusion"] == "未发现问题"
    r = client.post(
        "/api/v1/supervision/inspections/results",
        data=json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["code"] == "duplicate_result"


def test_item_list_and_joint_pages(client: Any, env: dict[str, Any]) -> None:
    login_verified(client, env["reviewer"])
    assert "红码" in client.get("/supervision/items/").content.decode()
    assert client.get("/supervision/joint/").status_code == 200
    r = client.post(
        "/supervision/joint/", {"period_start": "2026-01-01", "period_end": "2026-12-31"}
    )
    assert r.status_code == 302
