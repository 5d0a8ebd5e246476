from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zqt.notifications.models import MessageTemplate, Notification, NotificationPreference


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin[MessageTemplate]):
    list_display = ("code", "name", "title_template", "default_channels", "optional_channels")
    search_fields = ("code", "name")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Delivery records and preferences change only through services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "channel", "title", "status", "attempts", "created_at")
    list_filter = ("channel", "status")
    search_fields = ("event_key", "recipient__username", "title")
    raw_id_fields = ("recipient",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "channel", "enabled", "updated_at")
    list_filter = ("channel", "enabled")
    raw_id_fields = ("user",)
