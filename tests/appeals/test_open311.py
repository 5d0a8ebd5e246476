from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from tests.accounts.factories import api_token, login_verified
from tests.appeals.test_services import routed
from tests.enterprises.factories import EnterpriseFactory
from zqt.appeals import open311, services
from zqt.appeals.models import Appeal
from zqt.core.errors import PermissionDeniedError, ValidationFailed

pytestmark = pytest.mark.django_db
URL = "/api/v1/appeals/open311/requests.json"


def _client(c) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(c.api)}")


def _req(c, sid: str = "QZ-0001", **kw) -> dict:  # type: ignore[no-untyped-def]
    return {
        "service_request_id": sid,
        "service_code": "finance",
        "service_name": "融资需求",
        "description": "流动资金紧张，需要银行贷款支持",
        "account_id": c.enterprise.uscc,
        "requested_datetime": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "last_name": "王",
        "first_name": "五",
        "phone": "13800000000",
        **kw,
    }


def test_export_lists_scoped_requests_in_georeport_shape(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    client = _client(c)
    data = client.get(URL).json()
    assert len(data) == 1
    item = data[0]
    assert item["service_request_id"] == appeal.reference
    assert item["status"] == "open" and item["service_code"] == "project"
    assert item["description"].startswith(appeal.title)
    assert item["requested_datetime"].endswith("+08:00")
    assert item["expected_datetime"] and item["updated_datetime"]
    assert item["address"] == c.enterprise.address and "lat" not in item
    assert client.get(URL, {"status": "closed"}).json() == []
    assert client.get(URL, {"service_code": "finance"}).json() == []
    assert len(client.get(URL, {"service_request_id": f"x,{appeal.reference}"}).json()) == 1
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert client.get(URL, {"start_date": future}).json() == []
    services.appeal_answer(
        user=c.handler, appeal_id=appeal.pk, resolution_type="solved", text="已办"
    )
    assert client.get(URL, {"status": "closed"}).json()[0]["status"] == "closed"


def test_export_bad_filters_and_refusals(c) -> None:  # type: ignore[no-untyped-def]
    client = _client(c)
    r = client.get(URL, {"status": "pending"})
    assert r.status_code == 400 and r.json()["field"] == "status"
    r = client.get(URL, {"start_date": "yesterday"})
    assert r.status_code == 400 and r.json()["field"] == "start_date"
    assert Client().get(URL).status_code == 401
    # Another enterprise's user sees only its own appeals.
    routed(c)
    other = EnterpriseFactory()
    from tests.enterprises.factories import enterprise_user

    assert login_verified(Client(), enterprise_user(other)).get(URL).json() == []


def test_import_creates_appeals_idempotently(c) -> None:  # type: ignore[no-untyped-def]
    client = _client(c)
    body = [_req(c, "QZ-0001"), _req(c, "QZ-0002", service_name=None)]
    r = client.post(URL, json.dumps(body), content_type="application/json")
    assert r.status_code == 200, r.content
    results = r.json()
    assert [x["created"] for x in results] == [True, True]
    first = Appeal.objects.get(external_id="QZ-0001")
    assert first.channel == "open311" and first.title == "融资需求"
    assert first.contact_name == "王 五" and first.reference == results[0]["service_request_id"]
    assert Appeal.objects.get(external_id="QZ-0002").title.startswith("流动资金紧张")
    again = client.post(URL, json.dumps(body), content_type="application/json").json()
    assert [x["created"] for x in again] == [False, False]
    assert [x["service_request_id"] for x in again] == [x["service_request_id"] for x in results]
    assert Appeal.objects.count() == 2
    # Round trip: what we export, another ZQT can import (with the enterprise attribute).
    exported = client.get(URL, {"service_request_id": first.reference}).json()[0]
    exported["attributes"] = {"uscc": c.enterprise.uscc}
    back = services.open311_import(user=c.api, requests=[exported])
    assert back[0]["created"] and Appeal.objects.count() == 3


def test_import_per_item_rule_errors_write_nothing_for_that_item(c) -> None:  # type: ignore[no-untyped-def]
    client = _client(c)
    body = [
        _req(c, "A1"),
        _req(c, "A2", account_id="91330802MA0000000X"),
        _req(c, "A3", description="长" * 5001),
    ]
    results = client.post(URL, json.dumps(body), content_type="application/json").json()
    assert results[0]["created"] is True
    assert results[1]["code"] == "not_found" and results[1]["service_request_id"] is None
    assert results[2]["field"] == "content"
    assert list(Appeal.objects.values_list("external_id", flat=True)) == ["A1"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "requests"),
        ({"service_request_id": "x"}, "requests"),
        ([], "requests"),
        (["text"], "request"),
        ([{"description": "无编号"}], "service_request_id"),
        ([{"service_request_id": "x" * 57, "description": "d"}], "service_request_id"),
        ([{"service_request_id": "x", "description": "d"}], "account_id"),
        ([{"service_request_id": "x", "account_id": "u", "description": ""}], "description"),
        (
            [{"service_request_id": "x", "account_id": "u", "description": "d", "attributes": []}],
            "attributes",
        ),
        (
            [
                {
                    "service_request_id": "x",
                    "account_id": "u",
                    "description": "d",
                    "requested_datetime": "2026-01-01T08:00:00",
                }
            ],
            "requested_datetime",
        ),
        (
            [
                {
                    "service_request_id": "x",
                    "account_id": "u",
                    "description": "d",
                    "requested_datetime": "2999-01-01T08:00:00+08:00",
                }
            ],
            "requested_datetime",
        ),
        ([{"service_request_id": "x", "account_id": "u", "description": {"a": 1}}], "description"),
    ],
)
def test_import_malformed_batch_is_refused_whole(c, body, field) -> None:  # type: ignore[no-untyped-def]
    client = _client(c)
    good = _req(c, "GOOD")
    payload = (
        body
        if isinstance(body, str)
        else ([good, *body] if isinstance(body, list) and body else body)
    )
    data = payload if isinstance(payload, str) else json.dumps(payload)
    r = client.post(URL, data, content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["field"] == field
    assert not Appeal.objects.exists()


def test_import_too_many_and_wrong_roles(c) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed):
        services.open311_import(
            user=c.api, requests=[_req(c, f"N{i}") for i in range(open311.MAX_IMPORT + 1)]
        )
    for user in (c.desk, c.company):
        with pytest.raises(PermissionDeniedError):
            services.open311_import(user=user, requests=[_req(c)])
    with pytest.raises(PermissionDeniedError):
        services.open311_import(user=c.handler, requests=[_req(c)])
    assert not Appeal.objects.exists()
    r = login_verified(Client(), c.handler).get(URL)
    assert r.status_code == 200  # board staff may read (appeal.view), within scope
