"""The audit log's filter form (GET parameters)."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms

from apps.audit.models import Action
from apps.audit.selectors import AuditFilter, audit_people_for
from apps.clinics.models import User
from apps.patients.models import Patient

# The log starts long after the first year and ends long before the last: a date outside is a
# typing slip, and the last day there is (9999-12-31) has no next day to end the range on.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
OUT_OF_RANGE = "Give a date from 2000 to 2999."


def _in_range(day: date | None) -> date | None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(OUT_OF_RANGE)
    return day


class AuditFilterForm(forms.Form):
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.none(), required=False, to_field_name="public_id"
    )
    actor = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, to_field_name="public_id", label="Who"
    )
    action = forms.ChoiceField(choices=[("", "Any action"), *Action.choices], required=False)
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, admin: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        patients = cast(forms.ModelChoiceField[Patient], self.fields["patient"])
        patients.queryset = Patient.objects.visible_to(admin).only("public_id", "full_name")
        patients.empty_label = "Any patient"
        actors = cast(forms.ModelChoiceField[User], self.fields["actor"])
        actors.queryset = audit_people_for(user=admin)
        actors.empty_label = "Anyone"

    def clean_date_from(self) -> date | None:
        return _in_range(self.cleaned_data.get("date_from"))

    def clean_date_to(self) -> date | None:
        return _in_range(self.cleaned_data.get("date_to"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        patient, actor = data.get("patient"), data.get("actor")
        return AuditFilter(
            patient_ref=str(patient.public_id) if patient else "",
            actor_id=actor.pk if actor else None,
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
