"""The audit log's filter form (GET parameters)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import Q

from apps.audit.models import Action
from apps.audit.selectors import AuditFilter, audit_people_for
from apps.clinics.models import User
from apps.patients.models import Patient

# The log starts long after the first year and ends long before the last: a date outside is a
# typing slip, and the last day there is (9999-12-31) has no next day to end the range on.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
OUT_OF_RANGE = "Give a date from 2000 to 2999."
# A search matching more patients than this lists the first ones and asks for more letters.
PATIENT_CHOICES_SHOWN = 10


def _in_range(day: date | None) -> date | None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(OUT_OF_RANGE)
    return day


class AuditFilterForm(forms.Form):
    """The patient is found by a search (name or email), not a list: a list of every patient
    made the page grow with the clinic (10,000 options at scale). Links from a patient's page
    and the choices after an ambiguous search carry the patient's reference instead."""

    patient = forms.UUIDField(required=False, widget=forms.HiddenInput)
    patient_search = forms.CharField(
        required=False,
        max_length=100,
        label="Patient",
        help_text="Part of a name or email address.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
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
        self.patients = Patient.objects.visible_to(admin).only("public_id", "full_name", "email")
        # Set by clean(): the patient the entries are filtered by, or the patients an
        # ambiguous search matched (for the page to offer as links).
        self.chosen_patient: Patient | None = None
        self.patient_matches: list[Patient] = []
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
        search = (data.get("patient_search") or "").strip()
        if search:
            self._find_patient(search)
        elif data.get("patient"):
            self._take_patient(data["patient"])
        return data

    def _take_patient(self, public_id: uuid.UUID) -> None:
        self.chosen_patient = self.patients.filter(public_id=public_id).first()
        if self.chosen_patient is None:
            self.add_error("patient_search", "No patient of your clinic has this reference.")

    def _find_patient(self, search: str) -> None:
        matching = self.patients.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
        found = list(matching.order_by("full_name", "pk")[: PATIENT_CHOICES_SHOWN + 1])
        if len(found) == 1:
            self.chosen_patient = found[0]
        elif not found:
            self.add_error("patient_search", f"No patient of your clinic matches “{search}”.")
        else:
            self.patient_matches = found[:PATIENT_CHOICES_SHOWN]
            many = "More than 10" if len(found) > PATIENT_CHOICES_SHOWN else str(len(found))
            self.add_error(
                "patient_search",
                f"{many} patients match “{search}”: choose one below or type more of the name.",
            )

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        patient, actor = self.chosen_patient, data.get("actor")
        return AuditFilter(
            patient_ref=str(patient.public_id) if patient else "",
            actor_id=actor.pk if actor else None,
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
