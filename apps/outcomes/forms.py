"""Forms of the outcomes pages: parsing only; the rules live in the services."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms

from apps.core.forms import BoundedIntegerField
from apps.core.once import client_id_field
from apps.outcomes.instruments import INSTRUMENTS, Code
from apps.outcomes.models import MAX_MINUTES

MEASURE_CHOICES = [(spec.code.value, f"{spec.short}: {spec.name}") for spec in INSTRUMENTS.values()]


class MeasureBoxes(forms.CheckboxSelectMultiple):
    """Check boxes of which some cannot be ticked yet (``unavailable``): shown disabled and
    described by the note that says why (``note_id``), not refused only once saved."""

    unavailable: frozenset[str] = frozenset()
    note_id = ""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        if option["value"] in self.unavailable:
            option["attrs"] |= {"disabled": True, "aria-describedby": self.note_id}
        return option


class MeasuresForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        choices=MEASURE_CHOICES, widget=MeasureBoxes, required=False, label="Measures",
    )  # fmt: skip
    interval_days = BoundedIntegerField(
        min_value=7, max_value=91, initial=14, label="Repeat every (days)"
    )
    at_start = forms.BooleanField(required=False, initial=True, label="At the start")
    at_end = forms.BooleanField(required=False, initial=True, label="At the end")

    unavailable: Sequence[str] = ()  # the short names of the measures not to be ticked yet
    unavailable_note_id = ""

    def hold_back(self, codes: Sequence[str]) -> None:
        """Offer the measures ``codes`` disabled: they cannot be scheduled yet (a licensed one
        whose wording the clinic has not loaded). The service refuses them all the same."""
        widget = self.fields["instruments"].widget
        assert isinstance(widget, MeasureBoxes)
        widget.unavailable = frozenset(codes)
        widget.note_id = self.unavailable_note_id = f"{self.prefix or 'measures'}-not-loaded"
        self.unavailable = [INSTRUMENTS[Code(code)].short for code in codes]


class ReportForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=4000, label="Note for the referrer",
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    # A double click freezes one report (the patient page's lone button sends the same key
    # through {% one_time_key %}).
    client_id = client_id_field()


class TimeEntryForm(forms.Form):
    # Given when the form is drawn: a double click or a resent form logs the minutes once.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    minutes = BoundedIntegerField(min_value=1, max_value=MAX_MINUTES)
    activity = forms.CharField(max_length=300, label="What was done")
    live_interaction = forms.BooleanField(
        required=False, label="Included a live conversation with the patient or caregiver"
    )


class WordingForm(forms.Form):
    """Either the pasted ``key,text`` lines or an uploaded CSV file with them."""

    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 12}),
        label="Item wording, one line per item: key,text",
    )  # fmt: skip
    file = forms.FileField(required=False, label="Or upload a CSV file (key,text)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and not data.get("file"):
            raise forms.ValidationError("Paste the wording or upload a file.")
        upload = data.get("file")
        if upload is not None and upload.size > 200_000:
            raise forms.ValidationError("The file is too large (200 kB at most).")
        return data


class MonitoringForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Use the remote-monitoring summary")


# The summary counts logged data, which no clinic has from before this year.
FIRST_MONTH = date(2000, 1, 1)


class MonthForm(forms.Form):
    month = forms.DateField(
        input_formats=["%Y-%m"], label="Month", widget=forms.DateInput(attrs={"type": "month"})
    )
    format = forms.ChoiceField(
        choices=[("", "Page"), ("csv", "CSV"), ("xlsx", "Excel")], required=False,
        widget=forms.HiddenInput,
    )  # fmt: skip

    def __init__(self, *args: Any, latest: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.latest = latest.replace(day=1)

    def clean_month(self) -> date:
        # A month to come has no data to summarise or bill, and one far off (9999-12) has no
        # end the calendar can count: both are refused with the reason, never exported.
        month: date = self.cleaned_data["month"]
        if month > self.latest:
            raise forms.ValidationError(f"Choose {self.latest:%Y-%m} or an earlier month.")
        if month < FIRST_MONTH:
            raise forms.ValidationError(f"Choose {FIRST_MONTH:%Y-%m} or a later month.")
        return month
