from __future__ import annotations

from functools import cache
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from apps.clinics.models import Role, User
from apps.core.forms import (
    BoundedIntegerField,
    PublicIdChoiceField,
    changed_values,
    show_values_drawn,
)
from apps.core.hip import HipMovement
from apps.core.once import client_id_field
from apps.core.time_zones import offered_name, offered_zones
from apps.patients.models import HipPrecaution, Patient, PrecautionKind, ReminderChannel

# The service refuses a year after this one in the same words.
YEAR_MESSAGES = dict.fromkeys(
    ("min_value", "max_value", "invalid"), "Give a year between 1900 and this year."
)


class YearOfBirthForm(forms.Form):
    year_of_birth = BoundedIntegerField(
        label="Your year of birth",
        min_value=1900,
        max_value=2100,
        error_messages=YEAR_MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year_of_birth"].widget.attrs["max"] = str(timezone.now().year)

    def say_tries_left(self, text: str) -> None:
        """Show ``text`` as the field's help (after the answer was weighed, so on the field
        already bound too)."""
        self.fields["year_of_birth"].help_text = text
        self["year_of_birth"].help_text = text

    def clean_year_of_birth(self) -> int:
        # A year no patient can have is a typo, refused before it is weighed: it must not use
        # up one of the link's tries. No stored year is after this one (the service refuses
        # it), so no right answer is refused here.
        year = cast(int, self.cleaned_data["year_of_birth"])
        if year > timezone.now().year:
            raise forms.ValidationError(YEAR_MESSAGES["max_value"], code="max_value")
        return year


class OneTimeLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="The email address your clinic has for you",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def time_zone_choices() -> list[tuple[str, str]]:
    """UTC, then each place's zone once, under its current name (``offered_zones``: not
    Asia/Calcutta beside Asia/Kolkata, nor US/Eastern or Etc/GMT+5)."""
    zones = sorted(offered_zones() - {"UTC"})
    return [("UTC", "UTC")] + [(zone, zone.replace("_", " ")) for zone in zones]


@cache
def time_zone_groups() -> list[tuple[str, list[tuple[str, str]]] | tuple[str, str]]:
    """``time_zone_choices`` for a select a patient can find their zone in: UTC, then one
    group per region ("Asia") of its places by name ("Tokyo"; "Buenos Aires (Argentina)"),
    so a phone's picker lists them under headings and typing a city's first letters on a
    keyboard reaches it. Read once per process (the zone files do not change under it)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for zone, _ in time_zone_choices()[1:]:
        region, _, place = zone.partition("/")
        *within, city = place.replace("_", " ").split("/")
        label = f"{city} ({', '.join(within)})" if within else city
        groups.setdefault(region, []).append((zone, label))
    grouped = [(region, sorted(places, key=lambda p: p[1])) for region, places in groups.items()]
    return [("UTC", "UTC"), *sorted(grouped)]


class PatientForm(forms.Form):
    """Create or edit a patient (the service checks the rules that join several fields).

    When editing, each field carries the value the form showed (``show_hidden_initial``), so
    ``changes`` is what the staff member changed, not every value the page sent back."""

    full_name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField(
        required=False, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        max_length=32, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    year_of_birth = BoundedIntegerField(
        min_value=1900,
        max_value=2100,
        error_messages=YEAR_MESSAGES,
        label="Year of birth",
        help_text="The patient types it when they first open their personal link.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    time_zone = forms.ChoiceField(choices=time_zone_choices, label="Time zone")
    reminder_time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=(
            "The patient's own time comes before a program's; the patient can change it on their"
            " phone. Empty: a program's time on its days, else the clinic's default."
        ),
    )
    reminder_channel = forms.ChoiceField(choices=ReminderChannel.choices, label="Remind by")
    reminders_enabled = forms.BooleanField(required=False, label="Send reminders")
    therapist = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Therapist", to_field_name="public_id"
    )
    client_id = client_id_field()  # adding only: a double click adds them once

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["client_id"]
            show_values_drawn(self)
        if user.is_clinic_admin:
            cast(forms.ModelChoiceField, self.fields["therapist"]).queryset = _active_staff(user)
        else:
            # A therapist's patients are their own: no choice to make.
            del self.fields["therapist"]
        self._keep_zone_choosable(editing)

    def _keep_zone_choosable(self, editing: bool) -> None:
        """The zone the form starts from stays chosen when the list leaves it out: a
        patient's stored old name (saving another detail must not change it unasked), or the
        clinic's for a new patient, under its current name when it has one."""
        zone = self.initial.get("time_zone") or ""
        if not editing:
            zone = self.initial["time_zone"] = offered_name(zone) or zone
        if zone and zone not in offered_zones():
            field = cast(forms.ChoiceField, self.fields["time_zone"])
            field.choices = [(zone, zone), *time_zone_choices()]

    @classmethod
    def initial_for(cls, patient: Patient) -> dict[str, Any]:
        names = ("full_name", "email", "phone", "year_of_birth", "time_zone", "reminder_time")
        initial = {name: getattr(patient, name) for name in names}
        return initial | {
            "reminder_channel": patient.reminder_channel,
            "reminders_enabled": patient.reminders_enabled,
            "therapist": patient.therapist,
        }

    def changes(self) -> dict[str, Any]:
        """An edit's cleaned values of the fields the staff member changed from what the form
        showed them, for ``patient_update_partial``: a value sent back as shown keeps the
        patient's value as it is at the save (the patient turning reminders off on their
        phone meanwhile, a colleague's edit). A field whose shown value did not come back
        (a page of an earlier release) is taken as changed: saved as sent."""
        return changed_values(self)


def _active_staff(user: User) -> QuerySet[User]:
    """Who may look after the user's clinic's patients: its active therapists and admins."""
    return User.objects.filter(
        clinic=user.clinic, role__in=[Role.ADMIN, Role.THERAPIST], is_active=True
    ).order_by("full_name")


class RestoreForm(forms.Form):
    """Restore an archived patient. While their therapist is deactivated, a clinic admin (the
    only one who may change them then) chooses who looks after them: the field is there only
    then, so every other restore is the one button it was."""

    therapist = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Who looks after them from now",
        to_field_name="public_id",
        empty_label="Choose a colleague",
        error_messages={
            "required": "Choose who looks after them: their therapist has been deactivated.",
            "invalid_choice": "Choose an active colleague from the list.",
        },
    )

    def __init__(self, *args: Any, user: User, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_clinic_admin and not patient.therapist.is_active:
            cast(forms.ModelChoiceField, self.fields["therapist"]).queryset = _active_staff(user)
        else:
            del self.fields["therapist"]


class HandOverForm(forms.Form):
    """Who takes all of ``source``'s active patients: an active colleague of the clinic."""

    to = PublicIdChoiceField(
        queryset=User.objects.none(),
        label="Who looks after them from now",
        empty_label="Choose a colleague",
    )

    def __init__(self, *args: Any, user: User, source: User, refusal: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["to"])
        field.queryset = _active_staff(user).exclude(pk=source.pk)
        field.error_messages |= {
            "required": "Choose who looks after them from now.",
            "invalid_choice": refusal,
        }


class PatientSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search by name or email", max_length=100)
    scope = forms.ChoiceField(
        required=False,
        choices=[("mine", "My patients"), ("all", "Everyone in the clinic")],
        label="Show",
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("active", "Active patients"), ("archived", "Archived (discharged) patients")],
        label="Status",
    )


class PrecautionForm(forms.Form):
    """Hip precautions from the surgeon's instruction. Parses only: the service checks the
    dates and that custom precautions name their movements."""

    kind = forms.ChoiceField(
        label="Precautions", choices=PrecautionKind.choices, widget=forms.RadioSelect
    )
    movements = forms.MultipleChoiceField(
        label="Movements to avoid (custom precautions)",
        choices=HipMovement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(
        label="Precautions start on",
        help_text="The first day with them.",
        error_messages={"required": "Give the day the precautions start."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Not "Until": that reads as the last day with them, one day later than the app lifts
    # them (``HipPrecaution.ends_on`` is the first day without them).
    ends_on = forms.DateField(
        label="Precautions lift on",
        help_text="The first day without them: they apply up to the day before and lift on "
        "this day by themselves. If the surgeon gave the last day with them, enter the day after.",
        error_messages={
            "required": "Give the day the precautions lift (the first day without them, from "
            "the surgeon's instruction)."
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label="Note", required=False, max_length=300, help_text="e.g. the surgeon's instruction."
    )

    @classmethod
    def initial_for(cls, precaution: HipPrecaution) -> dict[str, Any]:
        return {name: getattr(precaution, name) for name in cls.base_fields}


class PrecautionAddForm(PrecautionForm):
    """Setting new precautions: a double click sets them once."""

    client_id = client_id_field()
