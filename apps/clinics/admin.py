from contextvars import ContextVar
from copy import copy
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from apps.clinics.models import Clinic, Role, User
from apps.clinics.services import (
    CLINIC_SETTINGS_FIELDS,
    account_add,
    account_password_set,
    account_update,
    clinic_add,
    clinic_resume,
    clinic_settings_validate,
    clinic_suspend,
    clinic_suspend_refused,
    clinic_suspension_reason_set,
    clinic_update,
    staff_looks_after_patients,
    staff_set_active,
    staff_set_active_refused,
)
from apps.core.forms import add_service_errors
from apps.core.text import ONE_LINE_MESSAGE, is_one_line


def _one_line(text: str) -> str:
    # Names go into email subjects (staff invitations, the patient's link), where a line
    # break stops the email.
    if not is_one_line(text):
        raise forms.ValidationError(ONE_LINE_MESSAGE)
    return text


STAFF_ROLES = (Role.ADMIN, Role.THERAPIST)

PATIENT_ACTIVE_HELP = (
    "A patient's sign-in is ended and brought back by archiving and restoring the patient on "
    "the clinic's pages, not here."
)

# Django admin's time zone is a plain text box: there is no list to choose from, so the
# message says how to write one (the names are the IANA database's, capitals included).
ADMIN_TIME_ZONE_HINT = (
    "Write its IANA name, Region/City with capitals as shown, for example Europe/London or "
    "America/New_York."
)


class ClinicAdminForm(forms.ModelForm[Clinic]):
    """The operators' clinic form (the only place a clinic's name is typed); the admin
    gives it the model and every editable field. The settings are checked by the rules of
    the clinic settings page, so an operator cannot save what a clinic admin could not.

    **Suspended** suspends (with its reason) or resumes the whole clinic in one save, through
    ``clinic_suspend`` and ``clinic_resume``."""

    suspend = forms.BooleanField(
        label="Suspended",
        required=False,
        help_text=(
            "Refuses every page, API request and sign-in of the clinic's staff and patients, "
            "and sends none of its reminders or emails, until unticked. Nothing is deleted."
        ),
    )
    reason = forms.CharField(
        label="Reason for suspension",
        required=False,
        max_length=150,
        help_text=(
            "Needed to suspend (a new one, saved while suspended, replaces it). In the clinic's"
            " audit log, which its admins read."
        ),
    )

    # Who saves the form (set by ``ClinicAdmin.get_form``): an operator may not suspend the
    # clinic they work at.
    operator: User | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["suspend"].initial = self.instance.is_suspended
            self.fields["reason"].initial = self.instance.suspension_reason

    def clean_name(self) -> str:
        return _one_line(self.cleaned_data["name"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        # A field already refused (not a number, say) is not checked again with the others.
        if not any(name in self.errors for name in CLINIC_SETTINGS_FIELDS):
            self._check_settings(self.cleaned_data)
        # A suspension, or a new reason for one (the reason saved is the one checked).
        if self.cleaned_data.get("suspend") and (
            not self.instance.is_suspended or "reason" in self.changed_data
        ):
            assert self.operator is not None  # ClinicAdmin.get_form sets it
            reason = self.cleaned_data.get("reason") or ""
            refused = clinic_suspend_refused(
                clinic=self.instance, actor=self.operator, reason=reason
            )
            for field, message in refused.items():
                self.add_error(field, message)
        return self.cleaned_data

    def _check_settings(self, cleaned: dict[str, Any]) -> None:
        # A copy: the form's instance must keep its values until the admin saves it.
        clinic = copy(self.instance)
        for name in CLINIC_SETTINGS_FIELDS:
            if name in cleaned:
                setattr(clinic, name, cleaned[name])
        try:
            clinic_settings_validate(clinic, time_zone_hint=ADMIN_TIME_ZONE_HINT)
        except ValidationError as error:
            add_service_errors(self, error)


class StaffAdminForm(UserChangeForm[User]):
    """The operators' form for a person's account: their name is one line, as when a clinic
    admin invites them (``staff_invite``); a member of staff is deactivated only when the
    clinic's staff page would allow it (nobody's patients left without them)."""

    # Who saves the form (set by ``UserAdmin.get_form``): an operator who is also clinic
    # staff may not deactivate their own account, as on the staff page.
    operator: User | None = None

    def clean_full_name(self) -> str:
        return _one_line(self.cleaned_data["full_name"])

    def clean_is_active(self) -> bool:
        """The reason ``staff_set_active`` would refuse, on the box, instead of a server error
        at the save. Asked with the person's row locked (Django admin saves in the same
        transaction), so a patient given to them meanwhile cannot pass the check unseen."""
        active = bool(self.cleaned_data["is_active"])
        staff = self.instance
        if staff.pk is None or not staff.is_clinic_staff or active == staff.is_active:
            return active
        assert self.operator is not None  # UserAdmin.get_form sets it
        if refused := staff_set_active_refused(admin=self.operator, staff=staff, active=active):
            raise forms.ValidationError(refused)
        return active

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        staff = self.instance
        if staff.pk is None or not staff.is_clinic_staff:
            return cleaned
        # Their patients would be left with someone outside their clinic (or no therapist at
        # all): prompt and pain-alert emails naming them would still go to that person, and
        # nobody of their own clinic could change them.
        moved = "clinic" in self.changed_data and cleaned.get("clinic") != staff.clinic
        not_staff = "role" in self.changed_data and cleaned.get("role") not in STAFF_ROLES
        if (moved or not_staff) and staff_looks_after_patients(staff):
            field = "clinic" if moved else "role"
            self.add_error(field, "Move this person's patients to a colleague first.")
        return cleaned


class SuspendedFilter(admin.SimpleListFilter):
    title = "suspended"
    parameter_name = "suspended"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Suspended"), ("no", "Open")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() in ("yes", "no"):
            return queryset.filter(suspended_at__isnull=self.value() == "no")
        return queryset


SUSPENSION_FORM_FIELDS = ("suspend", "reason")


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin[Clinic]):
    form = ClinicAdminForm
    list_display = (
        "name",
        "time_zone",
        "pain_alert_level",
        "pain_progression_limit",
        "suspended_at",
    )
    list_filter = (SuspendedFilter,)
    readonly_fields = ("suspended_at",)

    def get_fields(self, request: HttpRequest, obj: Clinic | None = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if obj is None:  # a new clinic starts open: it is suspended once it exists
            return [f for f in fields if f not in (*SUSPENSION_FORM_FIELDS, "suspended_at")]
        return fields

    def get_form(
        self, request: HttpRequest, obj: Clinic | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Clinic]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        # A class made for this request (modelform_factory), so the attribute is this one's.
        form.operator = cast(User, request.user)  # type: ignore[attr-defined]
        return form

    def save_model(
        self, request: HttpRequest, obj: Clinic, form: forms.ModelForm[Clinic], change: bool
    ) -> None:
        """Saved through the clinics services, checked as on the clinic settings page: a new
        clinic, and any change of one (its name as well as its settings), is in the clinic's
        audit log under the operator's name, in the admin's transaction. A suspension,
        resumption or new reason is saved (and audited) by its own service, after the other
        changes."""
        actor = cast(User, request.user)
        if not change:
            clinic_add(clinic=obj, actor=actor)
            return
        changed = [name for name in form.changed_data if name not in SUSPENSION_FORM_FIELDS]
        values = {name: getattr(obj, name) for name in changed}
        # The row as it is, not the form's instance, which already holds the new values: the
        # service records each field's old value from the clinic it is given.
        clinic = Clinic.objects.get(pk=obj.pk)
        clinic_update(clinic=clinic, actor=actor, **values)
        if "suspend" not in form.changed_data:
            if form.cleaned_data["suspend"] and "reason" in form.changed_data:
                reason = form.cleaned_data["reason"]
                clinic_suspension_reason_set(clinic=clinic, actor=actor, reason=reason)
            return
        if form.cleaned_data["suspend"]:
            clinic_suspend(clinic=clinic, actor=actor, reason=form.cleaned_data["reason"])
        else:
            clinic_resume(clinic=clinic, actor=actor)


# The operator whose request sets a password: Django's password view builds its form from
# the class alone (``change_password_form``), so the form cannot be handed who saves it.
_OPERATOR: ContextVar[User | None] = ContextVar("clamshell_admin_operator", default=None)


class OperatorPasswordForm(AdminPasswordChangeForm):
    """Django admin's password form, saved through ``account_password_set`` so that the new
    password (or password sign-in turned off) is in the audit log of the person's clinic."""

    def save(self, commit: bool = True) -> Any:
        operator = _OPERATOR.get()
        assert operator is not None  # UserAdmin.user_change_password sets it
        usable = self.cleaned_data["set_usable_password"]
        password = self.cleaned_data["password1"] if usable else None
        return account_password_set(account=self.user, actor=operator, password=password)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffAdminForm
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
    change_password_form = OperatorPasswordForm

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # One transaction: the password is saved with its audit entry or not at all.
        token = _OPERATOR.set(cast(User, request.user))
        try:
            with transaction.atomic():
                return super().user_change_password(request, id, form_url)
        finally:
            _OPERATOR.reset(token)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """A patient's Active box is shown, not offered: unticked here it left the patient
        unarchived (on every list, reminders still due) with their sessions only paused, and
        ticked again it brought those back. Archiving and restoring the patient on the
        clinic's pages end and bring back their sign-in, audited."""
        readonly = tuple(super().get_readonly_fields(request, obj))
        return (*readonly, "is_active") if obj is not None and obj.is_patient else readonly

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[User]]:
        if obj is not None and obj.is_patient:
            kwargs["help_texts"] = {"is_active": PATIENT_ACTIVE_HELP}
        form = super().get_form(request, obj, change=change, **kwargs)
        # A class made for this request (modelform_factory), so the attribute is this one's.
        form.operator = cast(User, request.user)  # type: ignore[attr-defined]
        return form

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm[User], change: bool
    ) -> None:
        """Saved through the clinics services, so a new account, or a change of one (its
        role, clinic, name, whether it may sign in), is in the audit log of the clinic
        concerned under the operator's name, in the admin's transaction. Deactivating or
        reactivating a member of staff goes through ``staff_set_active``, as on the clinic's
        staff page: deactivation ends their sessions, API tokens and authenticator app for
        good (``is_active`` flipped alone only paused them, and a reactivation brought them
        back), and it writes its own audit entry."""
        actor = cast(User, request.user)
        if not change:
            account_add(account=obj, actor=actor)
            return
        values = {name: getattr(obj, name) for name in form.changed_data}
        active = values.pop("is_active", None) if obj.is_clinic_staff else None
        # The row as it is, not the form's instance, which already holds the new values.
        account = account_update(account=User.objects.get(pk=obj.pk), actor=actor, **values)
        if active is not None and active != account.is_active:
            staff_set_active(admin=actor, staff=account, active=active)
