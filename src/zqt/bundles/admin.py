from django.contrib import admin

from zqt.bundles.models import Bundle, BundleDefinition, Case, CaseTask


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "topic", "is_provincial")
    search_fields = ("code", "name")


@admin.register(BundleDefinition)
class BundleDefinitionAdmin(admin.ModelAdmin):
    """Read-only here: edits go through the definition page (validated, versioned, audited)."""

    list_display = ("bundle", "version", "note", "created_at")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class CaseTaskInline(admin.TabularInline):
    model = CaseTask
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "bundle", "status", "created_at")
    list_filter = ("status",)
    inlines = [CaseTaskInline]
