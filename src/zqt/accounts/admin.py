from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from zqt.accounts.models import (
    ApiToken,
    BoardMembership,
    BoardStaffing,
    Department,
    OrgUnit,
    ServiceBoard,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "org_unit", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("政企通", {"fields": ("role", "full_name", "phone", "org_unit", "departments")}),
    )


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "org_unit")
    search_fields = ("code", "name")


class BoardMembershipInline(admin.TabularInline):
    model = BoardMembership
    extra = 0


@admin.register(BoardStaffing)
class BoardStaffingAdmin(admin.ModelAdmin):
    list_display = ("org_unit", "board", "lead_department")
    inlines = [BoardMembershipInline]


admin.site.register(ServiceBoard)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("token_hash", "prefix", "last_used_at")
