from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.notifications.factories import licence_context, recipient
from zqt.core.errors import NotFoundError
from zqt.notifications.models import MessageTemplate
from zqt.notifications.selectors import (
    inbox_for_user,
    notification_get_for_user,
    preferences_for_user,
    unread_count,
)
from zqt.notifications.services import (
    notification_mark_read,
    notification_preference_set,
    notification_send,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("templates")]


def test_inbox_newest_first_inapp_only_and_unread_filter() -> None:
    user = recipient()
    ids = []
    for key in ("a", "b", "c"):
        rows = notification_send(
            recipient=user,
            template_code="licence_expiring",
            context=licence_context(),
            event_key=key,
        )
        ids.append(next(n.pk for n in rows if n.channel == "inapp"))
    notification_mark_read(user=user, notification_id=ids[0])

    assert list(inbox_for_user(user=user).values_list("id", flat=True)) == ids[::-1]
    assert list(inbox_for_user(user=user, unread_only=True).values_list("id", flat=True)) == [
        ids[2],
        ids[1],
    ]
    assert unread_count(user=user) == 2
    assert unread_count(user=recipient()) == 0


def test_unread_count_is_one_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    user = recipient()
    with django_assert_num_queries(1):
        unread_count(user=user)


def test_notification_get_for_user_hides_other_users_rows() -> None:
    owner = recipient()
    [inapp, _sms] = notification_send(
        recipient=owner, template_code="licence_expiring", context=licence_context(), event_key="a"
    )
    assert notification_get_for_user(user=owner, notification_id=inapp.pk) == inapp
    with pytest.raises(NotFoundError) as info:
        notification_get_for_user(user=recipient(), notification_id=inapp.pk)
    assert info.value.message == "消息不存在。"


def test_preferences_default_to_enabled() -> None:
    user = recipient()
    assert preferences_for_user(user=user) == {"sms": True, "email": True}
    notification_preference_set(user=user, channel="sms", enabled=False)
    assert preferences_for_user(user=user) == {"sms": False, "email": True}


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"title_template": "{user.password}"}, "title_template"),
        ({"body_template": "{0}"}, "body_template"),
        ({"default_channels": ["fax"]}, "default_channels"),
        ({"default_channels": []}, "default_channels"),
        ({"default_channels": ["sms", "sms"]}, "default_channels"),
        ({"default_channels": "sms"}, "default_channels"),
        ({"optional_channels": ["inapp"]}, "optional_channels"),
        ({"code": "Bad-Code"}, "code"),
    ],
)
def test_message_template_validation(fields: dict[str, object], bad_field: str) -> None:
    data: dict[str, object] = {
        "code": "ok_code",
        "name": "测试",
        "title_template": "{title}",
        "body_template": "{body}",
        "default_channels": ["inapp"],
        "optional_channels": ["sms"],
        **fields,
    }
    template = MessageTemplate(**data)
    with pytest.raises(ValidationError) as info:
        template.full_clean()
    assert bad_field in info.value.message_dict
