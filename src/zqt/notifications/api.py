"""/api/v1/notifications/: the signed-in user's inbox and preferences. Authentication is
configured on the API (token or session); every endpoint acts on request.auth's own data."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zqt.accounts.models import User
from zqt.notifications import selectors, services
from zqt.notifications.enums import Channel
from zqt.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    status: str
    unread: bool = Field(..., alias="is_unread")
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadCountOut(Schema):
    unread: int


class PreferencesOut(Schema):
    inapp: bool = True
    sms: bool
    email: bool


class PreferencesIn(Schema):
    sms: bool | None = None
    email: bool | None = None


def _user(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


@router.get("/", response=list[NotificationOut], summary="我的站内消息（分页）")
@paginate
def inbox(request: HttpRequest, unread_only: bool = False) -> QuerySet[Notification]:
    return selectors.inbox_for_user(user=_user(request), unread_only=unread_only)


@router.get("/unread-count", response=UnreadCountOut, summary="未读消息数")
def unread(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(user=_user(request))}


@router.post("/read-all", response=UnreadCountOut, summary="全部标为已读")
def read_all(request: HttpRequest) -> dict[str, int]:
    services.notification_mark_all_read(user=_user(request))
    return {"unread": 0}


@router.get("/preferences", response=PreferencesOut, summary="消息接收偏好")
def preferences_get(request: HttpRequest) -> dict[str, Any]:
    return {Channel.INAPP.value: True, **selectors.preferences_for_user(user=_user(request))}


@router.put("/preferences", response=PreferencesOut, summary="修改消息接收偏好")
def preferences_put(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    prefs = services.notification_preferences_set(
        user=_user(request), preferences=payload.model_dump(exclude_none=True)
    )
    return {Channel.INAPP.value: True, **prefs}


@router.post("/{notification_id}/read", response=NotificationOut, summary="标为已读")
def mark_read(request: HttpRequest, notification_id: int) -> Notification:
    return services.notification_mark_read(user=_user(request), notification_id=notification_id)
