"""The program API under /api/v1/programs/: list, detail, create, update, assign, save as a
template, items.

Clinic staff only. Reads cover the caller's clinic; changes need ``editable_by`` (the
clinic's templates and the programs of patients the caller may edit). Another clinic's
program, or a colleague's patient's program when changing it, is a 404. Bad input is a 400
with a message per field, and nothing of the request is saved.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.audit.models import Action
from apps.clinics.access import find_in_scope, get_for_staff
from apps.core.once import created_status
from apps.exercises.models import Exercise, Ladder
from apps.patients.api.patients import StaffApi
from apps.patients.models import Patient
from apps.programs import (
    assign_services,
    edit_services,
    item_order,
    item_services,
    services,
    staff_selectors,
)
from apps.programs.builder import builder_rows
from apps.programs.models import Program, ProgramItem
from apps.programs.rows import patient_today
from apps.programs.serializers import (
    ItemAddIn,
    ItemUpdateIn,
    ProgramAssignIn,
    ProgramCreateIn,
    ProgramDetailOut,
    ProgramOut,
    ProgramSaveAsTemplateIn,
    ProgramUpdateIn,
    ReorderIn,
)


class ProgramApi(StaffApi):
    def editable(self, public_id: UUID) -> Program:
        return get_for_staff(
            self.user, staff_selectors.programs_for_change(user=self.user), public_id
        )

    def detail(self, program: Program, status_code: int = status.HTTP_200_OK) -> Response:
        rows = builder_rows(program=program, today=patient_today(program))
        data = ProgramDetailOut(program, context={"rows": rows}).data
        return Response(data, status=status_code)

    def patient(self, public_id: UUID | None) -> Patient | None:
        if public_id is None:
            return None
        patient = find_in_scope(Patient.objects.editable_by(self.user), public_id)
        if patient is None:
            raise ValidationError({"patient": ["Unknown patient, or not one you may change."]})
        return patient


@extend_schema_view(
    get=extend_schema(
        operation_id="programs_list",
        summary="Programs and templates of your clinic (newest first)",
        parameters=[
            OpenApiParameter("patient", UUID, description="Only this patient's programs."),
            OpenApiParameter("kind", str, description="template or assigned."),
        ],
    )
)
class ProgramListApi(StaffApi, generics.ListAPIView[Program]):
    serializer_class = ProgramOut
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Program]:
        programs = staff_selectors.programs_for_reading(user=self.user)
        params = self.request.query_params
        kind = params.get("kind")
        if kind not in (None, "template", "assigned"):
            raise ValidationError({"kind": ["Use template or assigned."]})
        if kind:
            programs = programs.filter(is_template=kind == "template")
        if params.get("patient"):
            patient = self._patient_filter(params["patient"])
            programs = programs.filter(patient=patient) if patient else programs.none()
        return programs.order_by("-created_at", "pk")

    def _patient_filter(self, value: str) -> Patient | None:
        """The patient named by ``?patient=`` (None, so no programs, when not one of the
        clinic's); a value that is not an id is a 400."""
        try:
            public_id = UUID(value)
        except ValueError as error:
            raise ValidationError({"patient": ["Give a valid id."]}) from error
        return find_in_scope(Patient.objects.visible_to(self.user), public_id)


@extend_schema_view(
    get=extend_schema(
        operation_id="programs_retrieve",
        summary="A program with its current items and their %MVIC",
        responses=ProgramDetailOut,
    )
)
class ProgramDetailApi(ProgramApi):
    def get(self, request: Request, public_id: UUID) -> Response:
        program = get_for_staff(
            self.user, staff_selectors.programs_for_reading(user=self.user), public_id
        )
        if program.patient is not None:
            self.audit(Action.VIEW, program.patient, program)
        return self.detail(program)


def _item_spec(user: Any, data: dict[str, Any], index: int | None = None) -> item_services.ItemSpec:
    """Resolve library ids (in the caller's library) into an ItemSpec."""
    prefix = f"items.{index}." if index is not None else ""
    values = {key: value for key, value in data.items() if key not in ("exercise", "ladder")}
    if data.get("exercise") is not None:
        exercise = find_in_scope(Exercise.objects.visible_to(user), data["exercise"])
        if exercise is None:
            raise ValidationError({f"{prefix}exercise": ["Unknown exercise."]})
        values["exercise"] = exercise
    if data.get("ladder") is not None:
        ladder = find_in_scope(Ladder.objects.visible_to(user), data["ladder"])
        if ladder is None:
            raise ValidationError({f"{prefix}ladder": ["Unknown ladder."]})
        values["ladder"] = ladder
    return item_services.ItemSpec(**values)


@extend_schema_view(
    post=extend_schema(
        operation_id="programs_create",
        summary="Create a template (no patient) or an assigned program with its items; 200 "
        "for a client_id sent before",
        request=ProgramCreateIn,
        responses={201: ProgramDetailOut, 200: ProgramDetailOut},
    )
)
class ProgramCreateApi(ProgramApi):
    def post(self, request: Request) -> Response:
        payload = ProgramCreateIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        patient = self.patient(data.pop("patient", None))
        template = self._template(data.pop("template", None))
        items = [
            _item_spec(self.user, dict(item), n) for n, item in enumerate(data.pop("items", []))
        ]
        program = services.program_create(
            actor=self.user, patient=patient, template=template, items=items,
            activate=True, **data, request=request._request,
        )  # fmt: skip
        return self.detail(program, created_status(program))

    def _template(self, public_id: UUID | None) -> Program | None:
        if public_id is None:
            return None
        template = find_in_scope(Program.objects.visible_to(self.user).templates(), public_id)
        if template is None:
            raise ValidationError({"template": ["Unknown template."]})
        return template


@extend_schema_view(
    patch=extend_schema(
        operation_id="programs_update",
        summary="Change a program's name, notes and schedule (fields left out stay)",
        description=(
            "New weekdays for a program that has started end it yesterday and continue it "
            "from today as a new program (its id is in the response), so past days keep "
            "their schedule."
        ),
        request=ProgramUpdateIn,
        responses=ProgramDetailOut,
    )
)
class ProgramUpdateApi(ProgramApi):
    def patch(self, request: Request, public_id: UUID) -> Response:
        program = self.editable(public_id)
        payload = ProgramUpdateIn(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        # Only the fields sent (partial: no defaults); the others stay as they are at the save.
        changes = dict(payload.validated_data)
        program = edit_services.program_edit(
            actor=self.user,
            program=program,
            confirm_duplicate_ladder=changes.pop("confirm_duplicate_ladder", False),
            changes=changes,
            request=request._request,
        )
        return self.detail(program)


@extend_schema_view(
    post=extend_schema(
        operation_id="programs_assign",
        summary="Assign to a patient: a template is copied into the patient's own program; "
        "200 for a client_id sent before",
        request=ProgramAssignIn,
        responses={201: ProgramDetailOut, 200: ProgramDetailOut},
    )
)
class ProgramAssignApi(ProgramApi):
    def post(self, request: Request, public_id: UUID) -> Response:
        program = self.editable(public_id)
        payload = ProgramAssignIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        patient = self.patient(data.pop("patient"))
        if patient is None:  # the serializer requires it
            raise ValidationError({"patient": ["Choose a patient."]})
        if program.patient_id == patient.pk:
            # The patient's own draft keeps the end date its schedule saved unless the body
            # gives one (null: no end), as the builder's Assign form shows it.
            data.setdefault("end_date", program.end_date)
        assigned = assign_services.program_assign(
            actor=self.user, program=program, patient=patient, **data, request=request._request
        )
        return self.detail(assigned, created_status(assigned))


@extend_schema_view(
    post=extend_schema(
        operation_id="programs_save_as_template",
        summary="Save as a clinic template: its current items, weekdays and reminder time are "
        "copied into a new template; 200 for a client_id sent before",
        description=(
            "The builder's Save as template. A patient's program copied is in the audit log "
            "on the patient (exported, naming the new template). The response is the new "
            "template."
        ),
        request=ProgramSaveAsTemplateIn,
        responses={201: ProgramDetailOut, 200: ProgramDetailOut},
    )
)
class ProgramSaveAsTemplateApi(ProgramApi):
    def post(self, request: Request, public_id: UUID) -> Response:
        program = self.editable(public_id)
        payload = ProgramSaveAsTemplateIn(data=request.data)
        payload.is_valid(raise_exception=True)
        template = services.program_save_as_template(
            actor=self.user, program=program, **payload.validated_data, request=request._request
        )
        return self.detail(template, created_status(template))


@extend_schema_view(
    post=extend_schema(
        operation_id="programs_items_create",
        summary="Add an item; 200 for a client_id sent before",
        request=ItemAddIn,
        responses={201: ProgramDetailOut, 200: ProgramDetailOut},
    )
)
class ProgramItemAddApi(ProgramApi):
    def post(self, request: Request, public_id: UUID) -> Response:
        program = self.editable(public_id)
        payload = ItemAddIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        key = data.pop("client_id", None)
        spec = _item_spec(self.user, data)
        item = item_services.program_item_add(
            actor=self.user, program=program, spec=spec, client_id=key, request=request._request
        )
        return self.detail(program, created_status(item))


class ProgramItemApi(ProgramApi):
    def item(self, program: Program, item_id: UUID) -> ProgramItem:
        current = staff_selectors.program_current_items(program=program)
        return get_for_staff(self.user, current, item_id)


@extend_schema_view(
    patch=extend_schema(
        operation_id="programs_items_update",
        summary="Change an item's dose (history kept)",
        request=ItemUpdateIn,
        responses=ProgramDetailOut,
    )
)
class ProgramItemUpdateApi(ProgramItemApi):
    def patch(self, request: Request, public_id: UUID, item_id: UUID) -> Response:
        program = self.editable(public_id)
        item = self.item(program, item_id)
        payload = ItemUpdateIn(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        # Only the fields sent (partial: no defaults); the others stay as they are at the save.
        item_services.program_item_update(
            actor=self.user, item=item, request=request._request, **payload.validated_data
        )
        return self.detail(program)


@extend_schema_view(
    post=extend_schema(
        operation_id="programs_items_remove",
        summary="Remove an item (history kept)",
        request=None,
        responses=ProgramDetailOut,
    )
)
class ProgramItemRemoveApi(ProgramItemApi):
    def post(self, request: Request, public_id: UUID, item_id: UUID) -> Response:
        program = self.editable(public_id)
        item = self.item(program, item_id)
        item_services.program_item_remove(actor=self.user, item=item, request=request._request)
        return self.detail(program)


@extend_schema_view(
    post=extend_schema(
        operation_id="programs_items_reorder",
        summary="Reorder the items",
        request=ReorderIn,
        responses=ProgramDetailOut,
    )
)
class ProgramItemsReorderApi(ProgramApi):
    def post(self, request: Request, public_id: UUID) -> Response:
        program = self.editable(public_id)
        payload = ReorderIn(data=request.data)
        payload.is_valid(raise_exception=True)
        current = staff_selectors.program_current_items(program=program)
        ids = dict(current.values_list("public_id", "pk"))
        order = [ids.get(public) for public in payload.validated_data["items"]]
        item_order.program_items_reorder(
            actor=self.user,
            program=program,
            item_ids=[pk or 0 for pk in order],
            request=request._request,
        )
        return self.detail(program)
