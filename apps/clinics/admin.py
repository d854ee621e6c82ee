from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.clinics.models import Clinic, User
from apps.core.text import ONE_LINE_MESSAGE, is_one_line


class ClinicAdminForm(forms.ModelForm[Clinic]):
    """The operators' clinic form (the only place a clinic's name is typed); the admin
    gives it the model and every editable field."""

    def clean_name(self) -> str:
        # The name goes into email subjects (staff invitations, the patient's link), where a
        # line break stops the email.
        name: str = self.cleaned_data["name"]
        if not is_one_line(name):
            raise forms.ValidationError(ONE_LINE_MESSAGE)
        return name


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin[Clinic]):
    form = ClinicAdminForm
    list_display = ("name", "time_zone", "pain_alert_level", "pain_progression_limit")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "clinic", "role", "is_active")
    list_filter = ("role", "clinic", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "clinic", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2", "clinic", "role")}),)
