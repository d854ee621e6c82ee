"""Input and output serializers of the staff patient API (one pair per operation)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from apps.core.api_input import StrictInput
from apps.core.once import client_id_input
from apps.core.time_zones import zone_to_store
from apps.patients.models import Patient, ReminderChannel


class TherapistOut(serializers.Serializer[object]):
    id = serializers.UUIDField(source="public_id")
    full_name = serializers.CharField()


class PatientOut(serializers.ModelSerializer[Patient]):
    id = serializers.UUIDField(source="public_id")
    therapist = TherapistOut()
    link_active = serializers.BooleanField()

    class Meta:
        model = Patient
        fields = (
            "id",
            "full_name",
            "email",
            "phone",
            "year_of_birth",
            "time_zone",
            "reminder_time",
            "reminder_channel",
            "reminders_enabled",
            "therapist",
            "link_active",
            "created_at",
            "archived_at",
        )


class PatientIn(StrictInput[object]):
    """Create a patient; on update every field is optional (unchanged when left out)."""

    full_name = serializers.CharField(max_length=200)
    # The column's length: a longer address would fail in PostgreSQL (a 500), not here.
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    year_of_birth = serializers.IntegerField(min_value=1900, max_value=2100)
    time_zone = serializers.CharField(
        max_length=64,
        default=lambda: settings.DEFAULT_PATIENT_TIME_ZONE,
        help_text="An IANA time zone (e.g. Asia/Tokyo). An old or duplicate name is stored under "
        "the current one it stands for (Asia/Calcutta: Asia/Kolkata); one that names no place "
        "(Etc/GMT+5) or an unknown one is a 400.",
    )
    reminder_time = serializers.TimeField(required=False, allow_null=True, default=None)
    reminder_channel = serializers.ChoiceField(
        choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    reminders_enabled = serializers.BooleanField(default=True)
    therapist = serializers.UUIDField(
        required=False, help_text="Clinic admins only: the staff member looking after them."
    )

    def validate_time_zone(self, value: str) -> str:
        return zone_to_store(value)


class PatientCreateIn(PatientIn):
    client_id = client_id_input()


class PatientRestoreIn(StrictInput[object]):
    """Restore an archived patient; the body may be left out."""

    therapist = serializers.UUIDField(
        required=False,
        help_text=(
            "Clinic admins only: an active therapist or admin of the clinic to look after the "
            "patient from now. Needed when their own therapist has been deactivated."
        ),
    )
