from django.contrib import admin

from zqt.catalog.models import CatalogChange, CatalogItem, CatalogVersion, ServiceCategory


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "board_code")


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    """Read mostly: staff edit through the catalog page (四统一 checks, history, audit)."""

    list_display = ("code", "name", "category", "org_unit", "status")
    list_filter = ("status", "category")
    search_fields = ("code", "name")


@admin.register(CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):
    list_display = ("org_unit", "number", "item_count", "created_at")


@admin.register(CatalogChange)
class CatalogChangeAdmin(admin.ModelAdmin):
    list_display = ("item_code", "action", "actor", "version", "created_at")
