"""Audit search page and its selector: who may search, and what each searcher sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory, county, login_verified, province, staff
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent, AuditOutcome
from zqt.audit.selectors import audit_event_search
from zqt.audit.services import audit_record
from zqt.core.errors import PermissionDeniedError, ValidationFailed

URL = "/audit/"


def _events() -> dict[str, AuditEvent]:
    kecheng = staff(Role.FRONT_DESK, county("330802", "柯城区"), username="kc_desk")
    qujiang = staff(Role.FRONT_DESK, county("330803", "衢江区"), username="qj_desk")
    hangzhou = staff(Role.FRONT_DESK, county("330102", "上城区", "330100"), username="hz_desk")
    ent = UserFactory(role=Role.ENTERPRISE, org_unit=None, username="ent_user")
    return {
        "kecheng": audit_record(
            actor=kecheng,
            action="enterprise.view",
            object_type="enterprise",
            object_id="91330802MA00000001",
            purpose="窗口查询",
        ),
        "qujiang": audit_record(
            actor=qujiang,
            action="enterprise.update",
            object_type="enterprise",
            object_id="91330803MA00000002",
        ),
        "hangzhou": audit_record(
            actor=hangzhou,
            action="enterprise.view",
            object_type="enterprise",
            object_id="91330102MA00000003",
            outcome=AuditOutcome.DENIED,
        ),
        "enterprise": audit_record(
            actor=ent, action="space.view", object_type="enterprise", object_id="x"
        ),
        "system": audit_record(actor=None, action="licence.reminder", object_id="7"),
    }


def test_url_name() -> None:
    assert reverse("audit:search") == URL


# --- selector ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_county_operations_see_their_county_only() -> None:
    events = _events()
    ops = staff(Role.OPERATIONS, county("330802", "柯城区"))
    page = audit_event_search(user=ops)
    assert {e.pk for e in page.items} == {events["kecheng"].pk}


@pytest.mark.django_db
def test_city_operations_see_their_counties() -> None:
    events = _events()
    ops = staff(Role.OPERATIONS, county().parent)
    page = audit_event_search(user=ops)
    assert {e.pk for e in page.items} == {events["kecheng"].pk, events["qujiang"].pk}


@pytest.mark.django_db
def test_provincial_operations_see_everything() -> None:
    events = _events()
    ops = staff(Role.OPERATIONS, province())
    page = audit_event_search(user=ops, page_size=100)
    assert {e.pk for e in events.values()} <= {e.pk for e in page.items}


@pytest.mark.django_db
def test_filters() -> None:
    events = _events()
    ops = staff(Role.OPERATIONS, province())
    assert [e.pk for e in audit_event_search(user=ops, actor_username="qj_desk").items] == [
        events["qujiang"].pk
    ]
    by_action = audit_event_search(user=ops, action="enterprise.").items
    assert {e.pk for e in by_action} == {
        events["kecheng"].pk,
        events["qujiang"].pk,
        events["hangzhou"].pk,
    }
    assert [e.pk for e in audit_event_search(user=ops, object_id="91330102MA00000003").items] == [
        events["hangzhou"].pk
    ]
    denied = audit_event_search(user=ops, outcome=AuditOutcome.DENIED).items
    assert [e.pk for e in denied] == [events["hangzhou"].pk]


@pytest.mark.django_db
def test_date_range_uses_local_days() -> None:
    _events()
    ops = staff(Role.OPERATIONS, province())
    today = timezone.localdate()
    assert len(audit_event_search(user=ops, date_from=today, date_to=today).items) >= 5
    yesterday = today - dt.timedelta(days=1)
    assert audit_event_search(user=ops, date_from=yesterday, date_to=yesterday).items == []


@pytest.mark.django_db
def test_pagination_without_count() -> None:
    ops = staff(Role.OPERATIONS, province())
    for n in range(5):
        audit_record(actor=ops, action="test.page", object_id=str(n))
    first = audit_event_search(user=ops, action="test.page", page_size=2)
    third = audit_event_search(user=ops, action="test.page", page=3, page_size=2)
    assert first.has_next and len(first.items) == 2
    assert [e.object_id for e in first.items] == ["4", "3"]
    assert not third.has_next and [e.object_id for e in third.items] == ["0"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        Role.FRONT_DESK,
        Role.BOARD_STAFF,
        Role.CHIEF_COMMISSIONER,
        Role.DEPARTMENT_REVIEWER,
        Role.INSPECTOR,
        Role.API_CLIENT,
    ],
)
def test_selector_refuses_other_staff_roles(role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        audit_event_search(user=staff(role))


@pytest.mark.django_db
def test_selector_refuses_enterprise_user() -> None:
    with pytest.raises(PermissionDeniedError):
        audit_event_search(user=UserFactory(role=Role.ENTERPRISE, org_unit=None))


@pytest.mark.django_db
def test_selector_rejects_bad_arguments() -> None:
    ops = staff(Role.OPERATIONS)
    with pytest.raises(ValidationFailed):
        audit_event_search(user=ops, page=0)
    with pytest.raises(ValidationFailed):
        audit_event_search(user=ops, page_size=1000)
    with pytest.raises(ValidationFailed):
        audit_event_search(user=ops, date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        audit_event_search(user=ops, outcome="maybe")


@pytest.mark.django_db
def test_operations_without_org_unit_see_nothing() -> None:
    _events()
    ops = UserFactory(role=Role.OPERATIONS, org_unit=None)
    assert audit_event_search(user=ops).items == []


# --- page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_lists_scoped_events(client) -> None:  # type: ignore[no-untyped-def]
    _events()
    login_verified(client, staff(Role.OPERATIONS, county("330802", "柯城区")))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "91330802MA00000001" in body
    assert "91330803MA00000002" not in body
    assert "91330102MA00000003" not in body


@pytest.mark.django_db
def test_page_filters_and_paginates(client) -> None:  # type: ignore[no-untyped-def]
    ops = staff(Role.OPERATIONS, province())
    for n in range(55):
        audit_record(actor=ops, action="test.many", object_id=f"obj{n:03d}")
    login_verified(client, ops)
    response = client.get(URL, {"action": "test.many"})
    assert response.status_code == 200
    assert len(response.context["result"].items) == 50
    assert response.context["next_query"]
    second = client.get(f"{URL}?{response.context['next_query']}")
    assert len(second.context["result"].items) == 5
    assert "obj000" in second.content.decode()


@pytest.mark.django_db
def test_page_shows_validation_message(client) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.OPERATIONS, province()))
    response = client.get(URL, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期" in response.content.decode()


@pytest.mark.django_db
def test_page_anonymous_redirects_to_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        Role.FRONT_DESK,
        Role.BOARD_STAFF,
        Role.CHIEF_COMMISSIONER,
        Role.DEPARTMENT_REVIEWER,
        Role.INSPECTOR,
    ],
)
def test_page_refuses_other_staff(client, role: str) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(role))
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.AGENT])
def test_page_refuses_enterprise_side(client, role: str) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, UserFactory(role=role, org_unit=None))
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_page_requires_second_factor(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff(Role.OPERATIONS, province()))
    assert client.get(URL).status_code == 302


@pytest.mark.django_db
def test_page_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    ops = staff(Role.OPERATIONS, province())
    for n in range(50):
        audit_record(actor=ops, action="test.count", object_id=str(n))
    login_verified(client, ops)
    client.get(URL)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"action": "test.count"})
    assert len(response.context["result"].items) == 50
