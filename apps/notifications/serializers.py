"""Input and output shapes of the notifications API (no logic: services decide)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.notifications.models import PainAlert, Reminder
from apps.notifications.selectors import LevelInfo, PromptCard
from apps.programs.progression import DECLINE_REASON_MAX, REASON_MAX


class LevelSerializer(serializers.Serializer[LevelInfo]):
    level = serializers.IntegerField()
    exercise = serializers.CharField(source="name")
    mvic = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=1),
        help_text="Primary-study %MVIC per muscle; a muscle not reported is absent, never 0.",
    )


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


class ApproveInput(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX
    )


class DeclineInput(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=DECLINE_REASON_MAX)


class SnoozeInput(serializers.Serializer[dict[str, Any]]):
    until = serializers.DateField()


class PainAlertSerializer(serializers.ModelSerializer[PainAlert]):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    patient_name = serializers.CharField(source="patient.full_name")

    class Meta:
        model = PainAlert
        fields = (
            "id",
            "patient",
            "patient_name",
            "local_date",
            "pain",
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
