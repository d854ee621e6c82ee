"""A patient's hip precautions in the staff API: list, set, change, end early.

Reading needs the patient to be visible to the caller (their clinic); changing needs
``editable_by`` (a therapist's own patients, any for a clinic admin). Any other patient or
precaution is a 404. Bad input (a lift day not after the start, custom precautions with no
movements) is a 400 naming the field, and nothing is saved.
"""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.audit.models import Action
from apps.clinics.access import get_for_staff
from apps.core.api_input import StrictInput
from apps.core.hip import HipMovement
from apps.core.once import client_id_input, created_status
from apps.patients import precautions as services
from apps.patients import selectors
from apps.patients.api.patients import StaffApi
from apps.patients.models import HipPrecaution, Patient, PrecautionKind
from apps.patients.selectors import precautions_of

LIFT_DAY = (
    "The day the precautions lift: the first day without them (they apply up to the day "
    "before). If the surgeon gave the last day with them, send the day after."
)


class PrecautionOut(serializers.ModelSerializer[HipPrecaution]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    in_force = serializers.SerializerMethodField()
    rules = serializers.CharField(source="rules_text", read_only=True)

    class Meta:
        model = HipPrecaution
        fields = (
            "id", "kind", "movements", "rules", "starts_on", "ends_on", "note", "ended_at",
            "in_force",
        )  # fmt: skip
        extra_kwargs = {"ends_on": {"help_text": LIFT_DAY}}

    def get_in_force(self, precaution: HipPrecaution) -> bool:
        return precaution.is_in_force(precaution.patient.local_today())


class PrecautionIn(StrictInput[object]):
    kind = serializers.ChoiceField(choices=PrecautionKind.choices)
    movements = serializers.ListField(
        child=serializers.ChoiceField(choices=HipMovement.choices),
        required=False,
        default=list,
        help_text="Custom precautions only: the movements to avoid.",
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text=LIFT_DAY)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class PrecautionCreateIn(PrecautionIn):
    client_id = client_id_input()


PRECAUTION_FIELDS = ("kind", "movements", "starts_on", "ends_on", "note")


class PrecautionApi(StaffApi):
    def patient(self, public_id: UUID, *, edit: bool) -> Patient:
        scope = selectors.patient_for_change if edit else selectors.patient_for_page
        return get_for_staff(self.user, scope(user=self.user), public_id)

    def precaution(self, patient: Patient, public_id: UUID) -> HipPrecaution:
        return get_for_staff(self.user, patient.precautions.all(), public_id)


@extend_schema_view(
    get=extend_schema(
        operation_id="patients_precautions_list",
        summary="A patient's hip precautions, newest first",
        responses=PrecautionOut(many=True),
    )
)
class PrecautionListApi(PrecautionApi):
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = self.patient(public_id, edit=False)
        self.audit(Action.VIEW, patient)
        rows = precautions_of(patient=patient)
        return Response(PrecautionOut(rows, many=True).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="patients_precautions_create",
        summary="Set hip precautions (posterior, anterior, or custom movements); 200 for a "
        "client_id sent before",
        request=PrecautionCreateIn,
        responses={201: PrecautionOut, 200: PrecautionOut},
    )
)
class PrecautionCreateApi(PrecautionApi):
    def post(self, request: Request, public_id: UUID) -> Response:
        patient = self.patient(public_id, edit=True)
        payload = PrecautionCreateIn(data=request.data)
        payload.is_valid(raise_exception=True)
        precaution = services.precaution_set(
            actor=self.user, patient=patient, request=request._request,
            **payload.validated_data,
        )  # fmt: skip
        return Response(PrecautionOut(precaution).data, status=created_status(precaution))


@extend_schema_view(
    patch=extend_schema(
        operation_id="patients_precautions_update",
        summary="Change hip precautions (fields left out stay as they are)",
        request=PrecautionIn,
        responses=PrecautionOut,
    )
)
class PrecautionUpdateApi(PrecautionApi):
    def patch(self, request: Request, public_id: UUID, precaution_id: UUID) -> Response:
        patient = self.patient(public_id, edit=True)
        precaution = self.precaution(patient, precaution_id)
        payload = PrecautionIn(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        current = {name: getattr(precaution, name) for name in PRECAUTION_FIELDS}
        services.precaution_update(
            actor=self.user, precaution=precaution, request=request._request,
            **(current | dict(payload.validated_data)),
        )  # fmt: skip
        return Response(PrecautionOut(precaution).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="patients_precautions_end",
        summary="End hip precautions now (the surgeon lifted them early)",
        request=None,
        responses=PrecautionOut,
    )
)
class PrecautionEndApi(PrecautionApi):
    def post(self, request: Request, public_id: UUID, precaution_id: UUID) -> Response:
        patient = self.patient(public_id, edit=True)
        precaution = self.precaution(patient, precaution_id)
        services.precaution_end(actor=self.user, precaution=precaution, request=request._request)
        return Response(PrecautionOut(precaution).data)
