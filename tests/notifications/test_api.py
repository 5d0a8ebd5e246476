from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.accounts.factories import api_token
from tests.notifications.factories import licence_context, recipient
from zqt.notifications.models import Notification, NotificationPreference
from zqt.notifications.services import notification_send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("templates")]

BASE = "/api/v1/notifications"


def send(user: Any, key: str) -> list[Notification]:
    return notification_send(
        recipient=user, template_code="licence_expiring", context=licence_context(), event_key=key
    )


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_inbox_lists_only_own_inapp_messages_paginated() -> None:
    user, other = recipient(), recipient()
    for n in range(3):
        send(user, f"k{n}")
    send(other, "k0")

    response = logged_in(user).get(f"{BASE}/", {"limit": 2})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert len(data["items"]) == 2
    own_ids = set(
        Notification.objects.filter(recipient=user, channel="inapp").values_list("id", flat=True)
    )
    assert {item["id"] for item in data["items"]} <= own_ids
    assert data["items"][0]["unread"] is True
    assert "食品经营许可证" in data["items"][0]["title"]


def test_inbox_unread_only_and_unread_count() -> None:
    user = recipient()
    [first, _sms] = send(user, "a")
    send(user, "b")
    client = logged_in(user)
    assert client.post(f"{BASE}/{first.pk}/read").status_code == 200

    data = client.get(f"{BASE}/", {"unread_only": True}).json()
    assert data["count"] == 1
    assert client.get(f"{BASE}/unread-count").json() == {"unread": 1}


def test_mark_read_own_notification() -> None:
    user = recipient()
    [inapp, _sms] = send(user, "a")

    response = logged_in(user).post(f"{BASE}/{inapp.pk}/read")

    assert response.status_code == 200
    assert response.json()["status"] == "read"
    assert response.json()["unread"] is False


def test_mark_read_foreign_or_unknown_id_is_404() -> None:
    owner, other = recipient(), recipient()
    [inapp, sms] = send(owner, "a")
    client = logged_in(other)

    for notification_id in (inapp.pk, sms.pk, 999_999):
        response = client.post(f"{BASE}/{notification_id}/read")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    inapp.refresh_from_db()
    assert inapp.status == "sent"


def test_read_all() -> None:
    user = recipient()
    send(user, "a")
    send(user, "b")
    client = logged_in(user)
    assert client.post(f"{BASE}/read-all").json() == {"unread": 0}
    assert client.get(f"{BASE}/unread-count").json() == {"unread": 0}


def test_preferences_get_and_put() -> None:
    user = recipient()
    client = logged_in(user)
    assert client.get(f"{BASE}/preferences").json() == {"inapp": True, "sms": True, "email": True}

    response = client.put(f"{BASE}/preferences", {"sms": False}, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {"inapp": True, "sms": False, "email": True}
    assert NotificationPreference.objects.get(user=user, channel="sms").enabled is False


def test_preferences_put_rejects_bad_input() -> None:
    client = logged_in(recipient())
    response = client.put(f"{BASE}/preferences", {"sms": "maybe"}, content_type="application/json")
    assert response.status_code == 422
    assert not NotificationPreference.objects.exists()


def test_bearer_token_sees_its_service_users_inbox() -> None:
    service_user = recipient(role="api_client")
    send(service_user, "a")
    token = api_token(service_user)

    response = Client().get(f"{BASE}/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/unread-count"),
        ("post", "/1/read"),
        ("post", "/read-all"),
        ("get", "/preferences"),
        ("put", "/preferences"),
    ],
)
def test_unauthenticated_is_401(method: str, path: str) -> None:
    response = getattr(Client(), method)(f"{BASE}{path}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_session_post_needs_csrf_token() -> None:
    user = recipient()
    [inapp, _sms] = send(user, "a")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post(f"{BASE}/{inapp.pk}/read").status_code == 403
    inapp.refresh_from_db()
    assert inapp.status == "sent"
