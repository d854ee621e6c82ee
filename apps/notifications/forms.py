"""Parsing of the inbox actions; the rules live in ``apps.programs.prompt_decisions``."""

from __future__ import annotations

from django import forms

from apps.programs.forms import confirm_duplicate_field, override_field
from apps.programs.levels import REASON_MAX
from apps.programs.prompt_decisions import DECLINE_REASON_MAX


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Note for the patient (optional)",
        required=False,
        max_length=REASON_MAX,
        help_text="Shown to the patient with the new level. Leave empty for a standard note.",
    )
    override_reason = forms.CharField(
        label="Approve anyway: your reason",
        required=False,
        max_length=DECLINE_REASON_MAX,
        help_text="Needed when pain or a worse next-morning answer came since these sets.",
    )
    precaution_override = override_field()
    # Drawn once approving was refused because another running item gives the patient the
    # next level's exercise too (``duplicates.check_level_doubled``).
    confirm_duplicate_ladder = confirm_duplicate_field()


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why keep this level?",
        max_length=DECLINE_REASON_MAX,
        error_messages={"required": "Say why you are keeping the patient at this level."},
    )


class SnoozeForm(forms.Form):
    until = forms.DateField(
        label="Ask me again on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Choose the date to be asked again."},
    )
