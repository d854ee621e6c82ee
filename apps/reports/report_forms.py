"""Input for the adherence report page, its downloads and the API (one set of rules)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from apps.clinics.models import User
from apps.core.forms import add_service_errors
from apps.core.once import client_id_field
from apps.reports.exports.filters import ReportFilters, clinic_therapists, validate_range
from apps.reports.models import ReportFormat, ReportKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)

    def to_python(self, value: Any) -> Any:
        # A value that is not a UUID at all fails in the lookup with the model field's own
        # message ("… is not a valid UUID"): it is the same wrong choice as any other.
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if exc.code == "invalid_choice":
                raise
            raise ValidationError(self.error_messages["invalid_choice"], "invalid_choice") from exc


class ReportFilterForm(forms.Form):
    start = forms.DateField(label="From", widget=DateInput())
    end = forms.DateField(label="To (inclusive)", widget=DateInput())
    therapist = TherapistChoiceField(
        label="Therapist",
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="All therapists",
        # Another clinic's therapist, a deactivated one or a garbled id alike.
        error_messages={"invalid_choice": "Choose a therapist from the list."},
    )

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic_id = clinic_id
        self.fields["therapist"].queryset = clinic_therapists(clinic_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if isinstance(start, date) and isinstance(end, date):
            try:
                validate_range(start, end)
            except ValidationError as exc:
                add_service_errors(self, exc)
        return cleaned

    def to_filters(self) -> ReportFilters:
        """The validated filters; call only after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return ReportFilters(
            clinic_id=self.clinic_id,
            start=data["start"],
            end=data["end"],
            therapist=data.get("therapist"),
        )


class ReportExportForm(ReportFilterForm):
    format = forms.ChoiceField(
        label="Format", choices=ReportFormat.choices,
        error_messages={"invalid_choice": "Choose CSV, Excel or PDF."},
    )  # fmt: skip
    kind = forms.ChoiceField(
        label="Contents", choices=ReportKind.choices, required=False, initial=ReportKind.SUMMARY
    )
    # A report sent to the background is queued once per drawing of the page and button.
    client_id = client_id_field()

    def clean_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or ReportKind.SUMMARY)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == ReportKind.DETAIL and cleaned.get("format") not in (
            None,
            ReportFormat.CSV,
        ):
            self.add_error("format", "The export of every logged set is available as CSV only.")
        return cleaned


def default_range(today: date) -> dict[str, date]:
    """The last 30 days up to today: what the page shows before anything is chosen."""
    return {"start": today - timedelta(days=29), "end": today}
