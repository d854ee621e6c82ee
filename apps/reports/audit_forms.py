"""The audit log's filter form (GET parameters)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from apps.audit.models import Action
from apps.audit.selectors import AuditFilter, audit_people_for
from apps.clinics.models import User
from apps.patients.models import Patient


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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
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
