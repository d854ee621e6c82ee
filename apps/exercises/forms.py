"""Forms that parse library input. They only parse; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.exercises.bands import Band
from apps.exercises.models import Confidence, Equipment, Muscle, Position
from apps.exercises.selectors import NO_EQUIPMENT, ORDERINGS, LibraryFilters


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
        # A short search box is a filter, not free text: keep it on one line.
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
