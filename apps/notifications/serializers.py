"""Input and output shapes of the notifications API (no logic: services decide)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api_input import StrictInput
from apps.notifications.models import PainAlert, Reminder
from apps.notifications.selectors import LevelInfo, PromptCard
from apps.programs.levels import REASON_MAX
from apps.programs.precautions import MAX_OVERRIDE_LENGTH
from apps.programs.prompt_decisions import DECLINE_REASON_MAX


class LevelSerializer(serializers.Serializer[LevelInfo]):
    level = serializers.IntegerField()
    exercise = serializers.CharField(source="name")
    mvic = serializers.DictField(
        source="mvic_values",
        child=serializers.DecimalField(max_digits=5, decimal_places=1),
        help_text="Primary-study %MVIC per muscle; a muscle not reported is absent, never 0.",
    )
    mvic_less_certain = serializers.DictField(
        child=serializers.CharField(),
        help_text="Per muscle whose %MVIC is less certain, why (single source, inferred, "
        "added by the clinic); compare such values with care.",
    )


class ConcernLogSerializer(serializers.Serializer[Any]):
    performed_on = serializers.DateField()
    exercise = serializers.CharField(source="exercise.name")
    pain = serializers.IntegerField()
    note = serializers.CharField()


class MorningAnswerSerializer(serializers.Serializer[Any]):
    local_date = serializers.DateField()
    hip = serializers.CharField()
    stiffness = serializers.CharField()


class ConcernsSerializer(serializers.Serializer[Any]):
    """Since the qualifying sets: what approving must weigh ("approve anyway" if needed)."""

    needs_override = serializers.BooleanField()
    painful_sets = ConcernLogSerializer(source="painful", many=True)
    notes = ConcernLogSerializer(many=True)
    morning_answers = MorningAnswerSerializer(source="mornings", many=True)


class PromptSerializer(serializers.Serializer[PromptCard]):
    id = serializers.UUIDField(source="prompt.public_id")
    patient = serializers.UUIDField(source="prompt.patient.public_id")
    patient_name = serializers.CharField(source="prompt.patient.full_name")
    ladder = serializers.CharField(source="prompt.item.ladder.name")
    level = serializers.IntegerField(source="prompt.level")
    next_level = serializers.IntegerField(source="prompt.next_level", allow_null=True)
    status = serializers.CharField(source="prompt.status")
    current = LevelSerializer(allow_null=True)
    next = LevelSerializer(allow_null=True)
    decision_reason = serializers.CharField(source="prompt.decision_reason")
    snoozed_until = serializers.DateField(source="prompt.snoozed_until", allow_null=True)
    created_at = serializers.DateTimeField(source="prompt.created_at")
    decided_at = serializers.DateTimeField(source="prompt.decided_at", allow_null=True)
    qualified_on = serializers.DateField(source="prompt.qualified_on", allow_null=True)
    counted_from = serializers.DateField(
        source="prompt.counted_from",
        allow_null=True,
        help_text="The first day the rule counted (a rule over N days): pain above the "
        "hold-back level from then to qualified_on holds the prompt back.",
    )
    rule_met = serializers.CharField(source="prompt.rule_met")
    held_back = serializers.BooleanField(source="prompt.is_held_back")
    held_back_pain = serializers.IntegerField(source="prompt.held_back_pain", allow_null=True)
    rule_lapsed = serializers.CharField(
        source="prompt.rule_lapsed",
        help_text="Why the goal is no longer met (its set corrected below it or deleted); empty "
        "when it is.",
    )
    override_reason = serializers.CharField(source="prompt.override_reason")
    concerns = ConcernsSerializer()


class ApproveInput(StrictInput[dict[str, Any]]):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=DECLINE_REASON_MAX,
        help_text="Approve anyway: needed when pain or a worse next-morning answer came since "
        "the qualifying sets (see the prompt's concerns).",
    )
    precaution_override = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_OVERRIDE_LENGTH,
        help_text="Needed when the next level's exercise conflicts with the patient's hip "
        "precautions; kept on the item and audited.",
    )
    confirm_duplicate_ladder = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True to approve a next level whose exercise another item running for the "
        "patient gives them from the same day (a single exercise, or another ladder at it); "
        "without it such an approval is a 400 naming both (confirm_duplicate_ladder), and "
        "nothing is changed. Recorded in the audit log.",
    )


class DeclineInput(StrictInput[dict[str, Any]]):
    reason = serializers.CharField(max_length=DECLINE_REASON_MAX)


class SnoozeInput(StrictInput[dict[str, Any]]):
    until = serializers.DateField()


class PainAlertSerializer(serializers.ModelSerializer[PainAlert]):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    patient_name = serializers.CharField(source="patient.full_name")
    pain = serializers.IntegerField(help_text="The pain the patient logged (as alerted).")
    corrected_pain = serializers.IntegerField(
        allow_null=True,
        read_only=True,
        help_text="The pain the patient has since corrected that set to (null: not corrected). "
        "The alert stays; its email was not taken back.",
    )
    corrected_at = serializers.DateTimeField(
        allow_null=True, read_only=True, help_text="When the patient corrected the pain."
    )
    exercise_name = serializers.CharField(
        read_only=True,
        help_text="The exercise of the painful set, kept when the patient deletes the set "
        "(empty for an alert older than this field whose set was already deleted).",
    )
    set_deleted_at = serializers.DateTimeField(
        allow_null=True,
        read_only=True,
        help_text="When the patient deleted the painful set (null: not deleted). The alert "
        "stays, with its day, pain and exercise.",
    )

    class Meta:
        model = PainAlert
        fields = (
            "id",
            "patient",
            "patient_name",
            "local_date",
            "pain",
            "exercise_name",
            "corrected_pain",
            "corrected_at",
            "set_deleted_at",
            "created_at",
            "acknowledged_at",
        )


class ReminderSerializer(serializers.ModelSerializer[Reminder]):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    patient_name = serializers.CharField(source="patient.full_name")
    reason = serializers.CharField(help_text="Why it was skipped or failed; empty when sent.")

    class Meta:
        model = Reminder
        fields = (
            "id",
            "patient",
            "patient_name",
            "local_date",
            "due_at",
            "channel",
            "status",
            "reason",
            "attempts",
            "sent_at",
            "created_at",
        )
