"""Input for the adherence report page, its downloads and the API (one set of rules)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from apps.clinics.models import User
from apps.core.forms import add_service_errors
from apps.core.once import client_id_field
from apps.reports.exports.filters import (
    FORMER_NOT_IN_PERIOD,
    ReportFilters,
    is_former_therapist,
    report_therapists,
    validate_range,
)
from apps.reports.models import ReportFormat, ReportKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TherapistChoiceField(forms.ModelChoiceField):
    # The clinic whose deactivated therapists are told apart from strangers (see to_python).
    clinic_id: int | None = None

    def label_from_instance(self, obj: Any) -> str:
        name = str(obj.full_name or obj.email)
        return name if obj.is_active else f"{name} (no longer active)"

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError as exc:
            # A therapist deactivated since, chosen for a period in which they looked after
            # nobody (the period changed after they were picked): say so, not "choose".
            if self.clinic_id is not None and is_former_therapist(self.clinic_id, value):
                raise ValidationError(FORMER_NOT_IN_PERIOD, "invalid_choice") from exc
            # A value that is not a UUID at all fails in the lookup with the model field's own
            # message ("… is not a valid UUID"): it is the same wrong choice as any other.
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
        # Another clinic's therapist, a deactivated one who never had its patients or a
        # garbled id alike.
        error_messages={"invalid_choice": "Choose a therapist from the list."},
    )

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic_id = clinic_id
        # The clinic's active therapists, and those deactivated since who looked after its
        # patients in the period asked for: their past care can be reported on its own.
        field = cast(TherapistChoiceField, self.fields["therapist"])
        field.queryset = report_therapists(clinic_id, *self._period())
        field.clinic_id = clinic_id

    def _period(self) -> tuple[date | None, date | None]:
        """The period the therapists are offered for: the one sent (or first shown); no
        period (any day) while it is not a valid one, whose own error is shown instead."""
        if not self.is_bound:
            start, end = self.initial.get("start"), self.initial.get("end")
        else:
            try:
                start = self.fields["start"].clean(self.data.get(self.add_prefix("start")))
                end = self.fields["end"].clean(self.data.get(self.add_prefix("end")))
            except ValidationError:
                return None, None
        if isinstance(start, date) and isinstance(end, date) and start <= end:
            return start, end
        return None, None

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
