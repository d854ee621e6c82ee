"""Forms of the patient's today page. They only parse types: the rules live in
``apps.programs.logs`` so the page and the API give the same messages."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from apps.patients.forms import time_zone_groups
from apps.programs.logs import HOLD_SECONDS_MAX, REPS_MAX
from apps.programs.models import SetLog

PAIN_CHOICES = [(str(n), str(n)) for n in range(11)]
DIFFICULTY_CHOICES = [
    ("", "Not rated"),
    ("1", "1 · very easy"),
    ("2", "2 · easy"),
    ("3", "3 · moderate"),
    ("4", "4 · hard"),
    ("5", "5 · very hard"),
]


class SetLogForm(forms.Form):
    client_id = forms.UUIDField(
        error_messages={"invalid": "The form's id is not valid: reload the page and try again."}
    )
    item = forms.UUIDField()
    performed_on = forms.DateField()
    side = forms.CharField(required=False)
    reps = forms.IntegerField(required=False)
    hold_seconds = forms.IntegerField(required=False)
    pain = forms.IntegerField(required=False)
    difficulty = forms.IntegerField(required=False)
    note = forms.CharField(required=False, strip=True)


class SetLogCorrectForm(forms.Form):
    """Correct what was done in one set: reps (or hold seconds), pain, difficulty, note."""

    reps = forms.IntegerField(label="Reps", required=False, widget=forms.NumberInput())
    hold_seconds = forms.IntegerField(label="Seconds held", required=False)
    pain = forms.TypedChoiceField(
        label="Pain during the set (0 none, 10 worst)", choices=PAIN_CHOICES, coerce=int
    )
    difficulty = forms.TypedChoiceField(
        label="How hard was it? (optional)",
        choices=DIFFICULTY_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, log: SetLog, **kwargs: Any) -> None:
        initial = {
            "reps": log.reps,
            "hold_seconds": log.hold_seconds,
            "pain": log.pain,
            "difficulty": log.difficulty,
            "note": log.note,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        # Only the amount the exercise is measured in is offered, within Today's bounds.
        del self.fields["reps" if log.target_hold_seconds is not None else "hold_seconds"]
        for name, most in (("reps", REPS_MAX), ("hold_seconds", HOLD_SECONDS_MAX)):
            if name in self.fields:
                attrs = {"inputmode": "numeric", "min": "0", "max": str(most)}
                self.fields[name].widget.attrs.update(attrs)
        self.fields["note"].widget.attrs.update({"rows": "3", "maxlength": "500"})


class ReminderChoiceForm(forms.Form):
    """The patient's own reminder choice and time zone. Parses only:
    ``patient_reminders_change`` checks quiet hours, that the clinic has an address to send
    to, and the zone."""

    reminders_enabled = forms.BooleanField(required=False, label="Remind me on my exercise days")
    reminder_time = forms.TimeField(
        required=False,
        label="Remind me at (optional)",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Give the time as hours and minutes, for example 18:30."},
    )
    # Left out (a form from before the field existed): the zone is kept.
    time_zone = forms.ChoiceField(
        required=False,
        label="My time zone",
        error_messages={"invalid_choice": "Choose your time zone from the list."},
    )

    def __init__(
        self, *args: Any, usual_time: str, quiet_hours: str, time_zone: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        help_text = f"Leave it empty for {usual_time}."
        if quiet_hours:
            help_text += f" No reminder is sent between {quiet_hours}."
        self.fields["reminder_time"].help_text = help_text
        zones = cast(forms.ChoiceField, self.fields["time_zone"])
        zones.choices = _with_current(time_zone_groups(), time_zone)
        zones.help_text = (
            "Your day (which sets count for today) and your reminder time follow it: change it "
            "when you travel or move."
        )


def _with_current(groups: list[Any], current: str) -> list[Any]:
    """The zones to offer, with the patient's own first when it is not among them (a name
    the clinic chose that the list leaves out, such as US/Eastern): never changed unasked."""
    listed = {zone for _, places in groups[1:] for zone, _ in places} | {"UTC"}
    return groups if current in listed else [(current, current), *groups]
