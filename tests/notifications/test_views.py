from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.notifications.factories import licence_context, recipient
from zqt.notifications.models import Notification, NotificationPreference
from zqt.notifications.services import notification_send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("templates")]


def send(user: Any, key: str) -> list[Notification]:
    return notification_send(
        recipient=user, template_code="licence_expiring", context=licence_context(), event_key=key
    )


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_inbox_renders_own_messages_for_a_logged_in_user() -> None:
    user, other = recipient(), recipient()
    send(user, "mine")
    notification_send(
        recipient=other,
        template_code="generic",
        context={"title": "别人的消息", "body": "不应出现"},
        event_key="theirs",
    )

    response = logged_in(user).get(reverse("notifications:inbox"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "消息中心" in content
    assert "证照即将到期：食品经营许可证" in content
    assert "别人的消息" not in content
    assert "标为已读" in content


def test_inbox_query_count_does_not_grow_with_messages() -> None:
    user = recipient()
    client = logged_in(user)
    send(user, "k0")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:inbox"))
    for n in range(1, 15):
        send(user, f"k{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:inbox"))
    assert len(many) == len(few)


def test_inbox_escapes_message_text() -> None:
    user = recipient()
    notification_send(
        recipient=user,
        template_code="generic",
        context={"title": "<script>alert(1)</script>", "body": "b"},
        event_key="xss",
    )
    content = logged_in(user).get(reverse("notifications:inbox")).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content


@pytest.mark.parametrize("name", ["notifications:inbox", "notifications:preferences"])
def test_anonymous_is_redirected_to_login(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_mark_read_page_action() -> None:
    user = recipient()
    [inapp, _sms] = send(user, "a")

    response = logged_in(user).post(reverse("notifications:mark_read", args=[inapp.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:inbox")
    inapp.refresh_from_db()
    assert inapp.status == "read"


def test_mark_read_redirects_only_to_own_site() -> None:
    user = recipient()
    [inapp, _sms] = send(user, "a")
    response = logged_in(user).post(
        reverse("notifications:mark_read", args=[inapp.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications:inbox")


def test_mark_read_foreign_notification_is_404_and_get_is_405() -> None:
    owner, other = recipient(), recipient()
    [inapp, _sms] = send(owner, "a")
    client = logged_in(other)

    assert client.post(reverse("notifications:mark_read", args=[inapp.pk])).status_code == 404
    assert client.get(reverse("notifications:mark_read", args=[inapp.pk])).status_code == 405
    inapp.refresh_from_db()
    assert inapp.status == "sent"


def test_mark_all_read_page_action() -> None:
    user = recipient()
    send(user, "a")
    send(user, "b")
    client = logged_in(user)

    response = client.post(reverse("notifications:mark_all_read"), follow=True)

    assert "已将 2 条消息标为已读" in response.content.decode()
    assert not Notification.objects.filter(channel="inapp", status="sent").exists()


def test_preferences_page_shows_and_saves() -> None:
    user = recipient(phone="")
    client = logged_in(user)

    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert "您尚未登记手机号" in page.content.decode()

    response = client.post(reverse("notifications:preferences"), {"email": "on"}, follow=True)

    assert "消息接收偏好已保存" in response.content.decode()
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("channel", "enabled"))
    assert prefs == {"sms": False, "email": True}
