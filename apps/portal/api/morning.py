"""The next-morning question through the patient's API: POST /api/v1/me/morning-check/ (the
Today page's form is ``apps/portal/views/morning.py``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from apps.clinics.access import PATIENT_HEADER_PARAMETER, PatientOnly, require_same_patient
from apps.portal.api.me import me
from apps.programs.models import Compared, MorningCheck
from apps.programs.morning import morning_check_record


class MorningCheckIn(serializers.Serializer[dict[str, Any]]):
    hip = serializers.CharField(help_text="better, same or worse")
    stiffness = serializers.CharField(help_text="better, same or worse")


class MorningCheckOut(serializers.ModelSerializer[MorningCheck]):
    id = serializers.UUIDField(source="public_id")
    hip = serializers.ChoiceField(choices=Compared.choices)
    stiffness = serializers.ChoiceField(choices=Compared.choices)

    class Meta:
        model = MorningCheck
        fields = ("id", "local_date", "exercise_day", "hip", "stiffness", "is_worse")


@extend_schema(
    request=MorningCheckIn,
    parameters=[PATIENT_HEADER_PARAMETER],
    responses={
        201: MorningCheckOut,
        200: MorningCheckOut,
        409: OpenApiResponse(description="Answered by another patient than the one signed in"),
    },
)
@api_view(["POST"])
@permission_classes([PatientOnly])
def morning_check_api(request: Request) -> Response:
    """Answer this morning's question (how the hip and its stiffness are compared with before
    yesterday's exercises). 201 when saved, 200 with the first answer when already given."""
    patient = me(request)
    require_same_patient(request, patient.public_id)
    given = MorningCheckIn(data=request.data)
    given.is_valid(raise_exception=True)
    # A refusal by the service (a ValidationError) is a 400 through apps.core.api.
    check, created = morning_check_record(patient=patient, **given.validated_data)
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(MorningCheckOut(check).data, status=code)
