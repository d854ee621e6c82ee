"""Forms of the program builder. They parse input only; the services validate the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from apps.clinics.models import User
from apps.core.forms import BoundedIntegerField, LongTextField, show_values_drawn
from apps.core.once import client_id_field
from apps.patients.models import Patient
from apps.programs.models import Program, ProgramItem
from apps.programs.rows import DOSE_COPY
from apps.programs.starters import all_starters, starter_for_choice
from apps.programs.validation import (
    ITEM_NOTES_MAX,
    ITEM_NOTES_TOO_LONG,
    PROGRAM_NOTES_MAX,
    PROGRAM_NOTES_TOO_LONG,
    WEEKDAY_LABELS,
)

DOSE_FIELDS = tuple(name for name in DOSE_COPY if name != "notes")

WEEKDAY_CHOICES = [(str(number), label) for number, label in enumerate(WEEKDAY_LABELS)]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def override_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=300,
        label="Reason to override the hip precautions",
        help_text="Needed only when the exercise takes the hip where the patient's "
        "precautions rule out; recorded and audited.",
    )


def confirm_duplicate_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label="Run it in both places",
        help_text="Tick only if the patient should do it in each place. Needed only for a "
        "ladder already running for the patient, or for a ladder or exercise that shares an "
        "exercise with what runs; the builder says where.",
    )


# The patient lists leave archived patients out: one archived while the page was open is
# told why, where Django's "Select a valid choice" said nothing of it.
PATIENT_NOT_LISTED = (
    "Choose a patient from the list. An archived patient gets no new program: restore them "
    "to change their program."
)


class ProgramNewForm(forms.Form):
    """Name, what to start from (a clinic template or a starter program from the evidence)
    and for whom. ``cleaned_data`` has ``template`` (a Program or None) and ``starter``."""

    name = forms.CharField(max_length=200, label="Program name")
    template = forms.ChoiceField(
        required=False,
        label="Start from",
        help_text="Your clinic's templates, or a starter program built from the evidence.",
    )
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.none(),
        required=False,
        to_field_name="public_id",
        label="For patient",
        empty_label="No patient: build a clinic template",
        error_messages={"invalid_choice": PATIENT_NOT_LISTED},
        help_text="A patient's program stays a draft until you assign it.",
    )
    precaution_override = override_field()
    client_id = client_id_field()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {
            str(template.public_id): template
            for template in Program.objects.visible_to(user).templates().order_by("name")
        }
        clinic = [(key, template.name) for key, template in self.templates.items()]
        starters = [(starter.choice, starter.name) for starter in all_starters()]
        choices: list[Any] = [("", "Nothing: start from scratch")]
        if clinic:
            choices.append(("Your clinic's templates", clinic))
        choices.append(("Starter programs from the evidence", starters))
        cast(forms.ChoiceField, self.fields["template"]).choices = choices
        patients = Patient.objects.editable_by(user).filter(archived_at=None)
        cast(forms.ModelChoiceField, self.fields["patient"]).queryset = patients

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("template") or ""
        data["starter"] = starter_for_choice(chosen)
        data["template"] = self.templates.get(chosen)
        return data


class DoseForm(forms.Form):
    sets = BoundedIntegerField(min_value=1, max_value=20)
    reps = BoundedIntegerField(required=False, min_value=1, max_value=200, label="Reps")
    reps_up_to = BoundedIntegerField(
        required=False,
        min_value=1,
        max_value=200,
        label="up to (reps)",
        help_text="A range rising toward its top, e.g. 10 up to 20; with “to fatigue”, the most.",
    )
    hold_seconds = BoundedIntegerField(
        required=False, min_value=1, max_value=600, label="or hold (seconds)"
    )
    hold_up_to = BoundedIntegerField(
        required=False, min_value=1, max_value=600, label="up to (seconds)"
    )
    to_fatigue = forms.BooleanField(
        required=False,
        label="To fatigue: repeat until the muscle tires (leave reps and hold empty)",
    )
    rep_hold_seconds = BoundedIntegerField(
        required=False, min_value=1, max_value=60, label="Hold in each rep (seconds)"
    )
    per_side = forms.BooleanField(required=False, label="Each side")
    rest_seconds = BoundedIntegerField(min_value=0, max_value=600, label="Rest (seconds)")
    notes = LongTextField(most=ITEM_NOTES_MAX, too_long=ITEM_NOTES_TOO_LONG)
    auto_advance = forms.BooleanField(
        required=False, label="Advance automatically when the patient reaches the threshold"
    )
    precaution_override = override_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each field carries the value it showed, so a save changes only what this person
        # changed (``changed_values``), never a colleague's change made while the page was open.
        show_values_drawn(self)

    @classmethod
    def for_item(cls, item: ProgramItem, *, reason_covers: bool = True, **kwargs: Any) -> DoseForm:
        """The item's dose; its override reason too unless newer precautions need a new one
        (``reason_covers`` False), which the therapist then writes rather than resubmits."""
        initial = {name: getattr(item, name) for name in (*DOSE_FIELDS, "notes")}
        initial |= {"precaution_override": item.precaution_override if reason_covers else ""}
        return cls(initial=initial | {"auto_advance": item.auto_advance}, **kwargs)

    @classmethod
    def for_update(cls, item: ProgramItem, data: Any, **kwargs: Any) -> DoseForm:
        """The form sent to change ``item``: a note saved longer before the limit can come
        back unchanged with a new dose."""
        form = cls(data, **kwargs)
        cast(LongTextField, form.fields["notes"]).allow_stored(item.notes)
        return form

    def clean_precaution_override(self) -> str | None:
        """Empty keeps the item's reason (the field shows only where precautions apply)."""
        return self.cleaned_data["precaution_override"].strip() or None


class AddExerciseForm(forms.Form):
    exercise = forms.UUIDField(widget=forms.HiddenInput)
    precaution_override = override_field()
    confirm_duplicate_ladder = confirm_duplicate_field()
    # The Add forms are not redrawn by htmx: builder.js gives each a new key once its Add
    # has been answered, so a double click adds once and a second Add adds again.
    client_id = client_id_field()


class AddLadderForm(forms.Form):
    ladder = forms.UUIDField(label="Ladder")
    level = BoundedIntegerField(min_value=1, max_value=50, initial=1, label="Starting level")
    precaution_override = override_field()
    confirm_duplicate_ladder = confirm_duplicate_field()
    client_id = client_id_field()


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class ScheduleForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    start_date = forms.DateField(required=False, widget=DATE_INPUT)
    end_date = forms.DateField(required=False, widget=DATE_INPUT, label="End date (optional)")
    reminder_time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        label="Reminder time (optional)",
        help_text=(
            "The patient's local time, for a patient with no time of their own (they can choose"
            " one on their phone). Empty: the clinic's default."
        ),
    )

    # Drawn only once new dates were refused for bringing the program beside another that
    # shares a ladder or an exercise with it (the builder's Schedule card).
    confirm_duplicate_ladder = confirm_duplicate_field()

    def weekday_numbers(self) -> list[int]:
        return [int(day) for day in self.cleaned_data["weekdays"]]


class ProgramDetailsForm(forms.Form):
    name = forms.CharField(max_length=200, label="Program name")
    notes = LongTextField(most=PROGRAM_NOTES_MAX, too_long=PROGRAM_NOTES_TOO_LONG)

    @classmethod
    def for_program(cls, program: Program, data: Any = None) -> ProgramDetailsForm:
        """The builder's details form for ``program``; each field carries the value it
        showed, so a save changes only what this person changed (``changed_values``), never
        a colleague's change made while the page was open. A note saved longer before the
        limit can come back unchanged (the service limits only a note typed anew)."""
        form = cls(data, initial={"name": program.name, "notes": program.notes})
        show_values_drawn(form)
        cast(LongTextField, form.fields["notes"]).allow_stored(program.notes)
        return form


class SaveAsTemplateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Template name")
    client_id = client_id_field()


class StartForm(forms.Form):
    """Start the patient's own draft (drawn with the dates its schedule saved)."""

    start_date = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        help_text="Empty: the start saved under Schedule, or today once that has passed.",
    )
    end_date = forms.DateField(required=False, widget=DATE_INPUT, label="End date (optional)")
    precaution_override = override_field()
    confirm_duplicate_ladder = confirm_duplicate_field()
    client_id = client_id_field()  # a double click on Start answers as the first (core.once)


class AssignForm(forms.Form):
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.none(),
        to_field_name="public_id",
        label="Patient",
        error_messages={"invalid_choice": PATIENT_NOT_LISTED},
    )
    start_date = forms.DateField(required=False, widget=DATE_INPUT, help_text="Empty: today.")
    end_date = forms.DateField(required=False, widget=DATE_INPUT, label="End date (optional)")
    precaution_override = override_field()
    confirm_duplicate_ladder = confirm_duplicate_field()
    client_id = client_id_field()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        patients = Patient.objects.editable_by(user).filter(archived_at=None)
        cast(forms.ModelChoiceField, self.fields["patient"]).queryset = patients
