"""The staff patient API under /api/v1/patients/: list, detail, create, update, archive and
restore.

Clinic staff only (a patient gets 403). Reads are scoped to the caller's clinic; changes to
patients the caller may edit (a therapist's own, any for a clinic admin). Any other patient is
a 404.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import StaffOnly, find_in_scope, get_for_staff
from apps.clinics.models import User
from apps.clinics.selectors import clinic_staff
from apps.core.once import created_status
from apps.patients import archive_services, selectors, services
from apps.patients.models import Patient
from apps.patients.serializers import PatientCreateIn, PatientIn, PatientOut, PatientRestoreIn


class StaffApi(APIView):
    permission_classes = (StaffOnly,)

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def audit(self, action: Action, patient: Patient | None, target: Any = None) -> None:
        audit_record(
            actor=self.user, action=action, patient=patient, target=target or patient,
            request=self.request._request,
        )  # fmt: skip


@extend_schema_view(
    get=extend_schema(
        operation_id="patients_list",
        summary="Patients: your own, or the whole clinic with scope=all (admins: always)",
        parameters=[
            OpenApiParameter("q", str, description="Search in names and emails."),
            OpenApiParameter("scope", str, description="mine (default) or all."),
            OpenApiParameter(
                "status",
                str,
                description="active (default) or archived: the archived (discharged) only.",
            ),
        ],
    )
)
class PatientListApi(StaffApi, generics.ListAPIView[Patient]):
    serializer_class = PatientOut
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Patient]:
        params = self.request.query_params
        query, scope = params.get("q", "")[:100], params.get("scope", "mine")
        if scope not in ("mine", "all"):
            raise ValidationError({"scope": ["Use mine or all."]})
        status_ = params.get("status", "active")
        if status_ not in ("active", "archived"):
            raise ValidationError({"status": ["Use active or archived."]})
        # PostgreSQL refuses a NUL in a query's text (a 500); the page's form refuses it too.
        if "\x00" in query:
            raise ValidationError({"q": ["Null characters are not allowed."]})
        return selectors.patient_rows(
            self.user, query=query, everyone=scope == "all", archived=status_ == "archived"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.audit(Action.VIEW, None)
        return super().list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        operation_id="patients_retrieve", summary="One patient of your clinic", responses=PatientOut
    )
)
class PatientDetailApi(StaffApi):
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = get_for_staff(self.user, selectors.patient_for_page(user=self.user), public_id)
        self.audit(Action.VIEW, patient)
        return Response(PatientOut(patient).data)


def _therapist(user: User, public_id: UUID | None, default: User) -> User:
    """Admins may name a member of staff; anyone else looks after the patient themselves."""
    return default if public_id is None else _named_staff(user, public_id)


def _named_staff(user: User, public_id: UUID) -> User:
    """The member of the admin's clinic's staff the body names. Another clinic's is "unknown",
    in the same words as an id that names nobody: the answer tells no one it exists."""
    if not user.is_clinic_admin:
        raise ValidationError({"therapist": ["Only a clinic admin chooses the therapist."]})
    staff = find_in_scope(clinic_staff(clinic=user.clinic), public_id)
    if staff is None:
        raise ValidationError({"therapist": ["Unknown member of staff."]})
    return staff


@extend_schema_view(
    post=extend_schema(
        operation_id="patients_create",
        summary="Add a patient; 200 for a client_id sent before",
        request=PatientCreateIn,
        responses={201: PatientOut, 200: PatientOut},
    )
)
class PatientCreateApi(StaffApi):
    def post(self, request: Request) -> Response:
        payload = PatientCreateIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["therapist"] = _therapist(self.user, data.pop("therapist", None), self.user)
        patient = services.patient_create(**data, actor=self.user, request=request._request)
        return Response(PatientOut(patient).data, status=created_status(patient))


@extend_schema_view(
    patch=extend_schema(
        operation_id="patients_update",
        summary="Change a patient (fields left out stay as they are)",
        request=PatientIn,
        responses=PatientOut,
    )
)
class PatientUpdateApi(StaffApi):
    def patch(self, request: Request, public_id: UUID) -> Response:
        patient = get_for_staff(self.user, selectors.patient_for_change(user=self.user), public_id)
        payload = PatientIn(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)  # only the fields sent (partial: no defaults)
        if "therapist" in changes:
            changes["therapist"] = _named_staff(self.user, changes["therapist"])
        services.patient_update_partial(
            patient=patient, changes=changes, actor=self.user, request=request._request
        )
        return Response(PatientOut(patient).data)


class PatientChangeApi(StaffApi):
    """A patient the caller may change (a therapist's own, any of the clinic for an admin)."""

    def patient(self, public_id: UUID) -> Patient:
        return get_for_staff(self.user, selectors.patient_for_change(user=self.user), public_id)


@extend_schema_view(
    post=extend_schema(
        operation_id="patients_archive",
        summary="Archive (discharge) a patient",
        description=(
            "The patient is signed out on every phone, can no longer sign in and gets no "
            "reminders; they leave the dashboard and the patient list (see `status=archived`); "
            "their open progression prompts are closed (`withdrawn`; restoring does not reopen "
            "them). Nothing is deleted. Archiving an archived patient changes nothing. No body."
        ),
        request=None,
        responses=PatientOut,
    )
)
class PatientArchiveApi(PatientChangeApi):
    def post(self, request: Request, public_id: UUID) -> Response:
        patient = self.patient(public_id)
        archive_services.patient_archive(patient=patient, actor=self.user, request=request._request)
        return Response(PatientOut(patient).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="patients_restore",
        summary="Restore an archived patient",
        description=(
            "The patient is back as they were: programs and reminders run again, and their "
            "personal link works again unless it was revoked or has expired. Restoring an "
            "active patient changes nothing. While their therapist is deactivated, name an "
            "active therapist or admin of the clinic in `therapist` (clinic admins): the move "
            "and the restore are made together; without one it is a 400. The body may be "
            "left out."
        ),
        request=PatientRestoreIn,
        responses=PatientOut,
    )
)
class PatientRestoreApi(PatientChangeApi):
    def post(self, request: Request, public_id: UUID) -> Response:
        patient = self.patient(public_id)
        payload = PatientRestoreIn(data=request.data)
        payload.is_valid(raise_exception=True)
        chosen = payload.validated_data.get("therapist")
        therapist = _named_staff(self.user, chosen) if chosen is not None else None
        archive_services.patient_restore(
            patient=patient, actor=self.user, therapist=therapist, request=request._request
        )
        return Response(PatientOut(patient).data)
