"""The registry JSON API (/api/v1/enterprises/): behaviour and structured errors.
Who may call what is in test_permissions.py."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tests.accounts.factories import api_token, login_verified, staff
from tests.enterprises.factories import EnterpriseFactory, LicenceFactory
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.core.identifiers import USCC_CHARSET, make_id_number, make_uscc, mask_id_number
from zqt.core.timeutil import local_today
from zqt.enterprises.models import Enterprise, Licence

BASE = "/api/v1/enterprises/"
NEW_USCC = make_uscc(region_code="330802", serial=8_000_001)
NEW_ID = make_id_number(region_code="330802", birth_date=dt.date(1979, 9, 9), sequence=55)


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uscc": NEW_USCC,
        "name": "衢州接口登记有限公司",
        "entity_type": "limited",
        "legal_rep_name": "王五",
        "legal_rep_id_number": NEW_ID,
        "registered_capital": "300.5",
        "founded_on": "2021-06-01",
        "address": "浙江省衢州市柯城区接口路1号",
        "region_code": "330802",
        "industry_code": "65",
        "scale": "micro",
        "lifecycle_stage": "startup",
        "tags": ["科技型中小企业"],
    }
    data.update(overrides)
    return data


def send(client: Client, method: str, url: str, data: Any = None, **extra: Any) -> Any:
    return getattr(client, method)(
        url,
        data=json.dumps(data) if data is not None else None,
        content_type="application/json",
        **extra,
    )


@pytest.fixture
def api(reference_data):  # type: ignore[no-untyped-def]
    """A client authenticated with the bearer token of an api_client account in 柯城区."""
    token = api_token(staff(Role.API_CLIENT, username="gov-system"))
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def desk_client(client, reference_data):  # type: ignore[no-untyped-def]
    return login_verified(client, staff(Role.FRONT_DESK))


# --- reads -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_with_token(api) -> None:
    EnterpriseFactory(name="衢州接口测试甲有限公司")
    EnterpriseFactory(name="衢州接口测试乙有限公司")
    EnterpriseFactory(name="别的公司")
    response = api.get(BASE, {"query": "衢州接口", "page_size": 1})
    assert response.status_code == 200
    data = response.json()
    assert [i["name"] for i in data["items"]] == ["衢州接口测试乙有限公司"]
    assert data["has_next"] is True and data["total"] == 2 and data["total_display"] == "2"
    item = data["items"][0]
    assert item["region_name"] == "柯城区"
    assert item["legal_rep_name"] == "张*"  # api clients do not see identities


@pytest.mark.django_db
def test_search_bad_parameters_are_structured_errors(api) -> None:
    response = api.get(BASE, {"page_size": 500})
    assert response.status_code == 400
    assert response.json()["field"] == "page_size"
    response = api.get(BASE, {"page": "two"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


@pytest.mark.django_db
def test_detail_is_audited_with_purpose(api) -> None:
    enterprise = EnterpriseFactory()
    LicenceFactory(enterprise=enterprise, expires_on=local_today() + dt.timedelta(days=10))
    response = api.get(f"{BASE}{enterprise.uscc}", {"purpose": "不动产登记核验"})
    assert response.status_code == 200
    data = response.json()
    assert data["uscc"] == enterprise.uscc
    assert data["legal_rep_id_number"] == mask_id_number(enterprise.legal_rep_id_number)
    assert data["licences"][0]["state"] == "expiring"
    assert data["licences"][0]["colour"] == "yellow"
    event = AuditEvent.objects.get(action="enterprise.view")
    assert event.purpose == "不动产登记核验"
    assert event.actor_role == Role.API_CLIENT


@pytest.mark.django_db
def test_front_desk_session_sees_full_id_number(desk_client) -> None:
    enterprise = EnterpriseFactory()
    data = desk_client.get(f"{BASE}{enterprise.uscc}").json()
    assert data["legal_rep_id_number"] == enterprise.legal_rep_id_number
    assert data["sensitive_visible"] is True


@pytest.mark.django_db
def test_unknown_and_malformed_uscc_are_404(api) -> None:
    for uscc in [make_uscc(region_code="330802", serial=1), "123"]:
        response = api.get(f"{BASE}{uscc}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_anonymous_and_bad_token_are_401(reference_data) -> None:
    enterprise = EnterpriseFactory()
    for client in (Client(), Client(HTTP_AUTHORIZATION="Bearer nonsense")):
        response = client.get(f"{BASE}{enterprise.uscc}")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


@pytest.mark.django_db
def test_openapi_documents_every_endpoint(api) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {p for p in paths if p.startswith(BASE)} >= {
        BASE,
        f"{BASE}{{uscc}}",
        f"{BASE}{{uscc}}/licences",
        f"{BASE}licences/{{licence_id}}",
        f"{BASE}licences/{{licence_id}}/revoke",
    }


# --- create ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_returns_201_with_detail(api) -> None:
    response = send(api, "post", BASE, body())
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["uscc"] == NEW_USCC
    assert data["registered_capital"] == "300.50"
    assert data["tags"] == ["科技型中小企业"]
    assert data["industry_name"] == "软件和信息技术服务业"
    assert Enterprise.objects.filter(uscc=NEW_USCC).exists()
    assert AuditEvent.objects.filter(action="enterprise.create", object_id=NEW_USCC).exists()


def _wrong_check_digit(code: str) -> str:
    return code[:17] + next(c for c in USCC_CHARSET if c != code[17])


API_BAD_INPUTS = [
    pytest.param({"uscc": _wrong_check_digit(NEW_USCC)}, "uscc", "校验位错误", id="uscc-check"),
    *[
        pytest.param(
            {"uscc": NEW_USCC[:9] + letter + NEW_USCC[10:]},
            "uscc",
            f"不允许的字符“{letter}”",
            id=f"uscc-{letter}",
        )
        for letter in "IOZSV"
    ],
    pytest.param({"uscc": NEW_USCC[:-1]}, "uscc", "应为18位", id="uscc-short"),
    pytest.param({"uscc": NEW_USCC + "0"}, "uscc", "应为18位", id="uscc-long"),
    pytest.param(
        {"legal_rep_id_number": NEW_ID[:-1] + ("1" if NEW_ID[-1] != "1" else "2")},
        "legal_rep_id_number",
        "法定代表人公民身份号码校验位错误",
        id="id-number",
    ),
    pytest.param(
        {"registered_capital": "-100"},
        "registered_capital",
        "注册资本不能为负数",
        id="negative-capital",
    ),
    pytest.param(
        {"founded_on": "tomorrow"}, "founded_on", "成立日期不能晚于今天", id="future-founding"
    ),
    pytest.param(
        {"region_code": "339999"}, "region_code", "行政区划代码“339999”不存在", id="unknown-region"
    ),
    pytest.param(
        {"industry_code": "99"}, "industry_code", "行业代码“99”不存在", id="unknown-industry"
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field", "message"), API_BAD_INPUTS)
def test_create_bad_input_is_400_naming_the_field_and_writes_nothing(
    api, overrides: dict[str, Any], field: str, message: str
) -> None:
    if overrides.get("founded_on") == "tomorrow":
        overrides = {"founded_on": (local_today() + dt.timedelta(days=1)).isoformat()}
    audit_before = AuditEvent.objects.count()

    response = send(api, "post", BASE, body(**overrides))

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert data["field"] == field
    assert message in data["message"]
    assert data["errors"][0] == {"field": field, "message": data["message"]}
    assert Enterprise.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_create_duplicate_uscc_is_400_and_nothing_written(api) -> None:
    EnterpriseFactory(uscc=NEW_USCC)
    response = send(api, "post", BASE, body(name="重复登记有限公司"))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "uscc", "message": f"统一社会信用代码“{NEW_USCC}”已存在"}
    ]
    assert Enterprise.objects.count() == 1
    assert not Enterprise.objects.filter(name="重复登记有限公司").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"registered_capital": "abc"},
        {"founded_on": "2020-13-45"},
        {"employees": "many"},
        {"name": None},
    ],
)
def test_create_malformed_json_types_are_422_and_nothing_written(
    api, overrides: dict[str, Any]
) -> None:
    response = send(api, "post", BASE, body(**overrides))
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid_input"
    assert data["message"] == "请求数据格式不正确。"
    assert next(iter(overrides)) in json.dumps(data["errors"])
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_create_missing_fields_is_422(api) -> None:
    response = send(api, "post", BASE, {"uscc": NEW_USCC})
    assert response.status_code == 422
    assert Enterprise.objects.count() == 0


# --- update ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patch_changes_only_sent_fields_and_audits_the_diff(api) -> None:
    enterprise = EnterpriseFactory(employees=50)
    response = send(api, "patch", f"{BASE}{enterprise.uscc}", {"employees": 75, "phone": None})
    # phone null = no phone (it is optional and already empty): not a change
    assert response.status_code == 200, response.json()
    assert response.json()["employees"] == 75
    enterprise.refresh_from_db()
    assert enterprise.employees == 75
    event = AuditEvent.objects.get(action="enterprise.update")
    assert event.changes == {"employees": {"old": 50, "new": 75}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"registered_capital": "-1"}, "registered_capital"),
        ({"founded_on": "2999-01-01"}, "founded_on"),
        ({"region_code": "339999"}, "region_code"),
        ({"industry_code": "99"}, "industry_code"),
        ({"name": ""}, "name"),
    ],
)
def test_patch_bad_input_is_400_and_nothing_changes(api, patch: dict[str, Any], field: str) -> None:
    enterprise = EnterpriseFactory()
    before = Enterprise.objects.filter(pk=enterprise.pk).values().get()
    response = send(api, "patch", f"{BASE}{enterprise.uscc}", {"employees": 1, **patch})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Enterprise.objects.filter(pk=enterprise.pk).values().get() == before


@pytest.mark.django_db
def test_patch_cannot_send_uscc(api) -> None:
    enterprise = EnterpriseFactory()
    response = send(api, "patch", f"{BASE}{enterprise.uscc}", {"uscc": NEW_USCC})
    # not part of the update schema: ignored by the schema, nothing changes
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.uscc != NEW_USCC


# --- licences --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_licence_lifecycle_over_the_api(api) -> None:
    enterprise = EnterpriseFactory()
    today = local_today()
    response = send(
        api,
        "post",
        f"{BASE}{enterprise.uscc}/licences",
        {
            "licence_type": "道路运输经营许可证",
            "number": "浙交运管许可衢字330802000001号",
            "issuer": "衢州市柯城区交通运输局",
            "issued_on": "2024-01-01",
            "expires_on": (today + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    licence = response.json()
    assert (licence["state"], licence["colour"], licence["days_left"]) == ("expiring", "yellow", 30)

    listed = api.get(f"{BASE}{enterprise.uscc}/licences").json()
    assert [row["id"] for row in listed] == [licence["id"]]

    response = send(
        api,
        "patch",
        f"{BASE}licences/{licence['id']}",
        {"expires_on": (today + dt.timedelta(days=900)).isoformat()},
    )
    assert response.status_code == 200
    assert response.json()["state"] == "valid"

    response = send(api, "post", f"{BASE}licences/{licence['id']}/revoke", {"reason": "企业注销"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["colour"]) == ("expired", "grey")

    again = send(api, "post", f"{BASE}licences/{licence['id']}/revoke", {"reason": "再次"})
    assert again.status_code == 400
    assert again.json()["code"] == "conflict"
    assert [
        e.action
        for e in AuditEvent.objects.order_by("id")
        if e.action.startswith("licence.") and e.outcome == "allowed"
    ] == [
        "licence.create",
        "licence.view",
        "licence.update",
        "licence.revoke",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"expires_on": "2020-01-01"}, "expires_on"),  # before the issue date
        ({"licence_type": ""}, "licence_type"),
        ({"status": "revoked"}, "status"),  # revoking needs the revoke endpoint and a reason
    ],
)
def test_licence_patch_bad_input_is_400_and_nothing_changes(
    api, payload: dict[str, Any], field: str
) -> None:
    licence = LicenceFactory(issued_on=dt.date(2022, 1, 1))
    before = Licence.objects.filter(pk=licence.pk).values().get()
    response = send(api, "patch", f"{BASE}licences/{licence.pk}", payload)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Licence.objects.filter(pk=licence.pk).values().get() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"expires_on": "2023-12-31"}, "expires_on"),
        ({"issuer": " "}, "issuer"),
        ({"status": "lost"}, "status"),
    ],
)
def test_licence_create_bad_input_is_400_and_nothing_written(
    api, payload: dict[str, Any], field: str
) -> None:
    enterprise = EnterpriseFactory()
    data = {"licence_type": "X证", "number": "1", "issuer": "某局", "issued_on": "2024-01-01"}
    response = send(api, "post", f"{BASE}{enterprise.uscc}/licences", {**data, **payload})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Licence.objects.count() == 0


@pytest.mark.django_db
def test_licence_revoke_needs_reason(api) -> None:
    licence = LicenceFactory()
    response = send(api, "post", f"{BASE}licences/{licence.pk}/revoke", {"reason": ""})
    assert response.status_code == 400
    assert response.json()["field"] == "reason"
    licence.refresh_from_db()
    assert licence.status == "active"
