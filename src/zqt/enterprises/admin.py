from django.contrib import admin

from zqt.enterprises.models import (
    AgentAuthorisation,
    Enterprise,
    Industry,
    Licence,
    PermitRequirement,
    Tag,
)


class LicenceInline(admin.TabularInline):
    model = Licence
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """For system administrators; staff work through the registry pages and services (audited)."""

    list_display = ("uscc", "name", "status", "region_code", "industry_code", "scale")
    list_filter = ("status", "scale", "lifecycle_stage")
    search_fields = ("uscc", "name")
    inlines = [LicenceInline]
    show_full_result_count = False


admin.site.register(Industry)
admin.site.register(Tag)
admin.site.register(PermitRequirement)
admin.site.register(AgentAuthorisation)
