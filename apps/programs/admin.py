"""Operators see programs read-only: prescriptions change through the services (history)."""

from django.contrib import admin
from django.http import HttpRequest

from apps.programs.models import Program, ProgramItem


class ReadOnlyAdmin(admin.ModelAdmin[Program]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ProgramItemInline(admin.TabularInline[ProgramItem, Program]):
    model = ProgramItem
    fields = ("position", "exercise", "ladder", "current_level", "sets", "reps", "hold_seconds",
              "per_side", "active_from", "active_until", "track")  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ("name", "clinic", "is_template", "is_active", "start_date", "end_date")
    list_filter = ("is_template", "is_active", "clinic")
    list_select_related = ("clinic",)
    readonly_fields = ("public_id", "clinic", "patient", "created_by", "name", "notes",
                       "is_template", "weekdays", "start_date", "end_date", "reminder_time",
                       "is_active", "created_at", "updated_at")  # fmt: skip
    inlines = (ProgramItemInline,)
