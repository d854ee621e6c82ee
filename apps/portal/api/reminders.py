"""The patient's reminder choice and time zone through their API: GET and PATCH
/api/v1/me/reminders/ (the page is ``apps/portal/views/reminders.py``)."""

from __future__ import annotations

from datetime import time
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from apps.clinics.access import PatientOnly
from apps.core.api_input import StrictInput
from apps.core.time_zones import zone_to_store
from apps.patients.models import Patient, ReminderChannel
from apps.patients.reminder_choice import patient_reminders_change
from apps.portal.api.me import me


class RemindersIn(StrictInput[dict[str, Any]]):
    """Any may be left out to keep it."""

    reminders_enabled = serializers.BooleanField(required=False)
    reminder_time = serializers.TimeField(
        required=False,
        allow_null=True,
        help_text="The patient's local time (HH:MM); null: their program's time on its days, "
        "else the clinic's default.",
    )

    time_zone = serializers.CharField(
        required=False,
        max_length=64,
        help_text="The patient's IANA time zone (e.g. Asia/Tokyo): their day and the reminder "
        "time follow it. An old or duplicate name is stored under the current one it stands "
        "for (Asia/Calcutta: Asia/Kolkata); one that names no place (Etc/GMT+5) or an unknown "
        "one is a 400.",
    )

    def validate_time_zone(self, value: str) -> str:
        return zone_to_store(value)

    def validate_reminder_time(self, value: time | None) -> time | None:
        # The beat runs once a minute: seconds would only show up as noise in the answer.
        return value.replace(second=0, microsecond=0) if value is not None else None


class RemindersOut(serializers.ModelSerializer[Patient]):
    reminder_time = serializers.TimeField(allow_null=True)
    reminder_channel = serializers.ChoiceField(choices=ReminderChannel.choices)

    class Meta:
        model = Patient
        fields = ("reminders_enabled", "reminder_time", "time_zone", "reminder_channel")


@extend_schema(methods=["GET"], responses=RemindersOut, summary="The patient's reminder choice")
@extend_schema(
    methods=["PATCH"],
    request=RemindersIn,
    responses=RemindersOut,
    summary="Turn reminders on or off, choose their time, or change the time zone",
)
@api_view(["GET", "PATCH"])
@permission_classes([PatientOnly])
def reminders(request: Request) -> Response:
    """Reminders on or off, the local time of day, and the patient's time zone. The patient's
    own time comes before their program's (and the clinic's default). A time inside the
    clinic's quiet hours, reminders turned on with no address to send to, or an unknown time
    zone, is a 400 that changes nothing."""
    patient = me(request)
    if request.method == "PATCH":
        given = RemindersIn(data=request.data)
        given.is_valid(raise_exception=True)
        # Only the fields sent: the others stay as they are at the save, not as read above.
        # A refusal by the service (a ValidationError) is a 400 through apps.core.api.
        patient_reminders_change(
            patient=patient, changes=dict(given.validated_data), request=request
        )
    return Response(RemindersOut(patient).data)
