from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zqt.taskqueue.models import ScheduledRun, TaskLease


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Queue bookkeeping changes only through the worker, the reaper and the scheduler."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TaskLease)
class TaskLeaseAdmin(ReadOnlyAdmin):
    list_display = (
        "task_result",
        "worker_id",
        "claimed_at",
        "heartbeat_at",
        "lease_expires_at",
        "reclaim_count",
    )
    list_filter = ("reclaim_count",)
    search_fields = ("worker_id", "task_result__task_path")


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ("job_name", "period_start", "task_result", "created_at")
    list_filter = ("job_name",)
    date_hierarchy = "period_start"
