"""Forms that parse library input. They only parse; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from apps.core.forms import BoundedIntegerField
from apps.core.hip import HipMovement
from apps.core.once import client_id_field
from apps.exercises.bands import Band
from apps.exercises.ladder_services import LevelRule
from apps.exercises.models import AdvanceRule, Confidence, Equipment, Muscle, Position, Study
from apps.exercises.selectors import NO_EQUIPMENT, ORDERINGS, LibraryFilters
from apps.exercises.services import ExerciseContent


def _invalid(name: str, allowed: list[str]) -> dict[str, str]:
    return {
        "invalid_choice": f"“%(value)s” is not a valid {name}; use one of: {', '.join(allowed)}."
    }


def _choice(name: str, choices: list[tuple[str, str]], label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", "Any"), *choices],
        error_messages=_invalid(name, [value for value, _ in choices]),
    )


class LibraryFilterForm(forms.Form):
    """The library's query parameters, shared by the page and the API so both accept and
    reject exactly the same values (a bad value is a 400 naming the parameter)."""

    q = forms.CharField(label="Search by name or alias", required=False, max_length=100)
    muscle = _choice("muscle", Muscle.choices, "Target muscle")
    position = _choice("position", Position.choices, "Position")
    equipment = _choice(
        "equipment", [*Equipment.choices, (NO_EQUIPMENT, "No equipment")], "Equipment"
    )
    band = forms.ChoiceField(
        label="Activation band",
        required=False,
        help_text="Exercises with a reported value in this band, for the target muscle if one "
        "is chosen, else for either gluteal muscle.",
    )
    ordering = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=list(ORDERINGS.items()),
        # CLINICAL.md: values from different studies are not directly comparable, so the sort
        # reads one study's values and says so wherever it is offered (library and builder).
        help_text="%MVIC sorts use the Boren 2011 values; exercises without one come last. "
        "Values from different studies are not directly comparable.",
        error_messages=_invalid("ordering", list(ORDERINGS)),
    )

    def __init__(self, data: Any, *, bands: tuple[Band, ...]) -> None:
        super().__init__(data)
        self.bands = {band.key: band for band in bands}
        field = self.fields["band"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any")] + [
            (band.key, f"{band.label} ({band.range_label})") for band in bands
        ]
        field.error_messages.update(_invalid("band", list(self.bands)))
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def filters(self) -> LibraryFilters:
        """The validated filters; call only after ``is_valid()``."""
        data = self.cleaned_data
        return LibraryFilters(
            q=data["q"].strip(),
            muscle=data["muscle"],
            position=data["position"],
            equipment=data["equipment"],
            band=self.bands.get(data["band"]),
            ordering=data["ordering"] or "name",
        )


class EvidenceFilterForm(forms.Form):
    """Query parameters of the evidence list in the API."""

    exercise = forms.UUIDField(required=False, error_messages={"invalid": "Give an exercise id."})
    study = forms.SlugField(required=False, max_length=64)
    muscle = _choice("muscle", Muscle.choices, "Muscle")
    confidence = _choice("confidence", Confidence.choices, "Confidence")

    def __init__(self, data: Any, *, study_keys: set[str]) -> None:
        super().__init__(data)
        self.study_keys = study_keys

    def clean_study(self) -> str:
        key: str = self.cleaned_data["study"]
        if key and key not in self.study_keys:
            raise forms.ValidationError(f"“{key}” is not a known study.")
        return key


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _textarea(label: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


ONE_PER_LINE = "One per line."

# The hip movements box that records "none of these", as distinct from none ticked.
NO_MOVEMENT = "none"

EACH_SIDE, TOGETHER = "each_side", "together"
SIDES = {
    EACH_SIDE: "Each side: every set on one side, then on the other",
    TOGETHER: "Both sides together (or no side)",
}


class ExerciseForm(forms.Form):
    """A clinic's own exercise. Lists are typed one item per line."""

    name = forms.CharField(max_length=200)
    aliases = _textarea("Other names", "One per line; search finds these too.", rows=2)
    # No default: a form that guessed (side-lying) saved a wrong position for anyone who
    # skipped the field; the empty choice is refused, naming it.
    position = forms.ChoiceField(
        choices=[("", "Choose…"), *Position.choices],
        error_messages={"required": "Choose the position the exercise is done in."},
    )
    equipment = forms.MultipleChoiceField(
        choices=Equipment.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    movement = forms.CharField(max_length=200, help_text="The movement in a short phrase.")
    target_muscles = forms.MultipleChoiceField(
        choices=Muscle.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = _textarea("Summary", rows=2)
    steps = _textarea("Steps", ONE_PER_LINE, rows=5)
    cues = _textarea("Cues", ONE_PER_LINE)
    common_mistakes = _textarea("Common mistakes", ONE_PER_LINE)
    cautions = _textarea("Cautions", rows=2)
    default_sets = BoundedIntegerField(min_value=1, max_value=20, initial=2)
    default_reps = BoundedIntegerField(min_value=1, max_value=200, required=False, initial=10)
    default_hold_seconds = BoundedIntegerField(
        label="Default hold (seconds)", min_value=1, max_value=600, required=False
    )
    default_reps_up_to = BoundedIntegerField(
        label="Rising to (reps)", min_value=1, max_value=200, required=False,
        help_text="The top of a range, e.g. 20 for 10 to 20; with “to fatigue”, the most reps.",
    )  # fmt: skip
    default_hold_up_to = BoundedIntegerField(
        label="Rising to (seconds held)", min_value=1, max_value=600, required=False
    )
    default_to_fatigue = forms.BooleanField(
        label="To fatigue: repeat until the muscle tires", required=False
    )
    default_rep_hold_seconds = BoundedIntegerField(
        label="Hold in each rep (seconds)", min_value=1, max_value=60, required=False
    )
    # A choice with neither ticked, not a checkbox: a box ticked for you saved "each side"
    # for anyone who skipped it, and one left empty would save "together" just the same.
    per_side = forms.TypedChoiceField(
        label="Sides",
        choices=list(SIDES.items()),
        coerce=lambda value: value == EACH_SIDE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether it is done on each side or with both sides together."
        },
    )
    default_rest_seconds = BoundedIntegerField(
        label="Rest between sets (seconds)", min_value=0, max_value=600, initial=60
    )
    dose_note = forms.CharField(label="Dose note", max_length=300, required=False)
    hip_movements = forms.MultipleChoiceField(
        label="Hip movements",
        choices=[*HipMovement.choices, (NO_MOVEMENT, "None of these movements")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every movement the steps take the hip into, or “None of these movements”: "
        "the builder checks them against a patient's hip precautions. Left empty, they are "
        "not recorded, and the exercise needs your override reason for a patient with hip "
        "precautions.",
    )
    hip_movements_note = _textarea(
        "How the movements were read", "Which step takes the hip where.", rows=2
    )
    video_url = forms.URLField(label="Video link", required=False, assume_scheme="https")
    client_id = client_id_field()  # adding only: a double click adds the exercise once

    LIST_FIELDS = ("aliases", "steps", "cues", "common_mistakes")

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["client_id"]

    @classmethod
    def initial_for(cls, exercise: Any) -> dict[str, Any]:
        initial = {name: getattr(exercise, name) for name in cls.base_fields if name != "client_id"}
        for name in cls.LIST_FIELDS:
            initial[name] = "\n".join(getattr(exercise, name))
        initial["per_side"] = EACH_SIDE if exercise.per_side else TOGETHER
        if exercise.hip_movements_none:
            initial["hip_movements"] = [*exercise.hip_movements, NO_MOVEMENT]
        return initial

    def content(self) -> ExerciseContent:
        """The parsed content for ``exercise_create`` / ``exercise_update``."""
        data = dict(self.cleaned_data)
        data.pop("client_id", None)
        for name in self.LIST_FIELDS:
            data[name] = _lines(data[name])
        data["video_url"] = data["video_url"] or ""
        movements = data["hip_movements"]
        data["hip_movements_none"] = NO_MOVEMENT in movements
        data["hip_movements"] = [value for value in movements if value != NO_MOVEMENT]
        return ExerciseContent(**data)


class StudyForm(forms.Form):
    short_name = forms.CharField(
        label="Short name", max_length=100, help_text="How it is shown, e.g. “Selkowitz 2013”."
    )
    citation = _textarea("Citation or source", "The full reference, or how you measured it.")
    year = BoundedIntegerField(
        min_value=1900,
        max_value=2100,
        required=False,
        # The service refuses a year after this one in the same words.
        error_messages=dict.fromkeys(
            ("min_value", "max_value", "invalid"), "Give a year between 1900 and this year."
        ),
    )
    summary = _textarea("Summary", rows=2)
    client_id = client_id_field()  # a double click adds the source once


class EvidenceForm(forms.Form):
    """A clinic's %MVIC value. ``studies`` are the ones the user may cite."""

    study: forms.ModelChoiceField[Study] = forms.ModelChoiceField(
        queryset=Study.objects.none(), empty_label=None, to_field_name="public_id"
    )
    muscle = forms.ChoiceField(choices=Muscle.choices)
    mvic_percent = forms.DecimalField(
        label="%MVIC", max_digits=5, decimal_places=1, min_value=0, max_value=300
    )
    source = _textarea(
        "Source", "Required: where this value comes from (paper, table, your own testing).", 2
    )
    note = _textarea("Note", "Anything a colleague should know when reading it.", rows=2)

    def __init__(self, data: Any = None, *, studies: Any, initial: Any = None) -> None:
        super().__init__(data, initial=initial)
        field = self.fields["study"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = studies


LADDER_LEVEL_FIELDS = 8


class LadderForm(forms.Form):
    """A clinic's ladder: up to eight levels chosen from the exercises the user can see."""

    name = forms.CharField(max_length=200)
    description = _textarea("Description", rows=2)
    advance_at_reps = BoundedIntegerField(
        label="Advance at (reps in one set)", min_value=1, max_value=100, initial=20
    )
    client_id = client_id_field()  # building only: a double click builds the ladder once

    def __init__(
        self, data: Any = None, *, exercises: Any, initial: Any = None, editing: bool = False
    ) -> None:
        super().__init__(data, initial=initial)
        if editing:
            del self.fields["client_id"]
        self.by_id = {str(e.public_id): e for e in exercises}
        choices = [("", "—"), *((key, e.name) for key, e in self.by_id.items())]
        for number in range(1, LADDER_LEVEL_FIELDS + 1):
            self.fields[f"level_{number}"] = forms.ChoiceField(
                label=f"Level {number}", choices=choices, required=number == 1
            )
            self.fields[f"rule_{number}"] = forms.ChoiceField(
                label="Passed on", choices=AdvanceRule.choices, initial=AdvanceRule.REPS,
                required=False,
            )  # fmt: skip
            # No min_value: the service names a 0 or negative target per level.
            self.fields[f"target_{number}"] = forms.IntegerField(
                label="Reps or seconds in one set", required=False,
                help_text="Empty for reps: the ladder's threshold above.",
            )  # fmt: skip
            self.fields[f"days_{number}"] = forms.IntegerField(
                label="On separate days", initial=1, required=False
            )

    @property
    def level_rows(self) -> list[list[forms.BoundField]]:
        """Each level's exercise, rule, target and days, for the template."""
        names = ("level", "rule", "target", "days")
        return [[self[f"{name}_{n}"] for name in names] for n in range(1, LADDER_LEVEL_FIELDS + 1)]

    def _chosen(self) -> list[int]:
        return [n for n in range(1, LADDER_LEVEL_FIELDS + 1) if self.cleaned_data[f"level_{n}"]]

    def exercises(self) -> list[Any]:
        """The chosen exercises, lowest level first, skipping empty levels."""
        return [self.by_id[self.cleaned_data[f"level_{n}"]] for n in self._chosen()]

    def rules(self) -> list[LevelRule]:
        """Each chosen level's advance rule, in the order of ``exercises()``."""
        data = self.cleaned_data
        return [
            LevelRule(
                rule=data[f"rule_{n}"] or AdvanceRule.REPS,
                target=data[f"target_{n}"],
                days=1 if data[f"days_{n}"] is None else data[f"days_{n}"],
            )
            for n in self._chosen()
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's errors on the fields: it numbers levels 1, 2, ... as the ladder
        will, the form by slot (an empty slot is skipped)."""
        slots = dict(enumerate(self._chosen(), start=1))
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            field, _, number = name.rpartition("_")
            if field in ("rule", "target", "days") and number.isdigit():
                name = f"{field}_{slots.get(int(number), number)}"
            self.add_error(name if name in self.fields else None, messages)
