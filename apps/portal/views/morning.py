"""The next-morning question on the patient's Today page, and its API twin under /me/."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import service_error
from apps.portal.api.me import me
from apps.portal.views.today import patient_for, render_today
from apps.programs.models import Compared, MorningCheck
from apps.programs.morning import morning_check_record


@login_required
@require_POST
def morning_check(request: HttpRequest) -> HttpResponse:
    """Record this morning's answer from the Today page (works without JavaScript)."""
    patient = patient_for(request)
    try:
        morning_check_record(
            patient=patient, hip=request.POST.get("hip"), stiffness=request.POST.get("stiffness")
        )
    except DjangoValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
        return render_today(request, patient, status=400)
    return redirect(reverse("patients:today"))


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


@extend_schema(request=MorningCheckIn, responses={201: MorningCheckOut, 200: MorningCheckOut})
@api_view(["POST"])
def morning_check_api(request: Request) -> Response:
    """Answer this morning's question (how the hip and its stiffness are compared with before
    yesterday's exercises). 201 when saved, 200 with the first answer when already given."""
    patient = me(request)
    given = MorningCheckIn(data=request.data)
    given.is_valid(raise_exception=True)
    try:
        check, created = morning_check_record(patient=patient, **given.validated_data)
    except DjangoValidationError as exc:
        raise service_error(exc) from exc
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(MorningCheckOut(check).data, status=code)
