from django.contrib import admin

from apps.reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin[ReportJob]):
    """Read-only: operators can see what was exported and when, never change it."""

    list_display = ("public_id", "clinic", "requested_by", "kind", "format", "status", "created_at")
    list_filter = ("status", "format", "kind")
    readonly_fields = tuple(field.name for field in ReportJob._meta.fields)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
