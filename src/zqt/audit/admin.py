from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zqt.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only."""

    list_display = (
        "at",
        "actor_label",
        "actor_role",
        "org_unit_code",
        "action",
        "object_id",
        "outcome",
    )
    list_filter = ("outcome", "actor_role")
    search_fields = ("actor_label", "action", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
