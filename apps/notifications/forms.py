"""Parsing of the inbox actions; the rules live in ``apps.programs.progression``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from apps.programs.progression import DECLINE_REASON_MAX, REASON_MAX


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Note for the patient (optional)",
        required=False,
        max_length=REASON_MAX,
        help_text="Shown to the patient with the new level. Leave empty for a standard note.",
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why keep this level?",
        max_length=DECLINE_REASON_MAX,
        error_messages={"required": "Say why you are keeping the patient at this level."},
    )


class SnoozeForm(forms.Form):
    until = forms.DateField(
        label="Ask me again on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Choose the date to be asked again."},
    )


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's field errors on the form; errors about other things on top."""
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
