"""The patient's questionnaires under ``/api/v1/me/questionnaires/``: list what is due,
read one, save answers as they go (resumable), submit once (idempotent by
``submission_id``, so the phone's offline queue can retry safely). Another patient's
questionnaire is a 404; staff asking get a 403 (the security matrix holds both)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.clinics.access import PATIENT_HEADER_PARAMETER
from apps.outcomes import access, selectors, services
from apps.outcomes.api.serializers import (
    AnswersIn,
    QuestionnaireDetailOut,
    QuestionnaireOut,
    SubmitIn,
)
from apps.outcomes.api.staff import _valid, questionnaire_detail


@extend_schema(
    operation_id="me_questionnaires_list",
    responses=inline_serializer("DueQuestionnaires", {"results": QuestionnaireOut(many=True)}),
    summary="My questionnaires due today",
)
@api_view(["GET"])
def due(request: Request) -> Response:
    patient = access.me(request.user)
    rows = selectors.due_questionnaires(patient=patient)
    return Response({"results": QuestionnaireOut(rows, many=True).data})


@extend_schema(
    operation_id="me_questionnaires_retrieve", responses=QuestionnaireDetailOut,
    summary="One of my questionnaires with the answers saved so far",
)  # fmt: skip
@api_view(["GET"])
def detail(request: Request, public_id: UUID) -> Response:
    _, found = access.my_questionnaire(request.user, public_id)
    return Response(questionnaire_detail(found))


OTHER_PATIENT = OpenApiResponse(description="Kept for another patient than the one signed in")
RESUBMITTED = OpenApiResponse(
    description="Kept for another patient than the one signed in; or this submission_id was "
    "sent before with other answers (errors name submission_id and each that differs; the "
    "answers sent first are kept)"
)


@extend_schema(
    operation_id="me_questionnaires_answers", request=AnswersIn,
    parameters=[PATIENT_HEADER_PARAMETER],
    responses={200: QuestionnaireDetailOut, 409: OTHER_PATIENT},
    summary="Save some answers (resume later)",
)  # fmt: skip
@api_view(["PATCH"])
def answers(request: Request, public_id: UUID) -> Response:
    patient, found = access.my_questionnaire(request.user, public_id, sent=request)
    values = _valid(AnswersIn(data=request.data))
    saved = services.questionnaire_answer(
        patient=patient, questionnaire=found, answers=values["answers"],
        activities=values.get("activities"),
    )  # fmt: skip
    return Response(questionnaire_detail(saved))


@extend_schema(
    operation_id="me_questionnaires_submit", request=SubmitIn,
    parameters=[PATIENT_HEADER_PARAMETER],
    responses={200: QuestionnaireDetailOut, 409: RESUBMITTED},
    summary="Submit once (a retry with the same submission_id answers as before; with "
    "other answers, a 409 naming them)",
)  # fmt: skip
@api_view(["POST"])
def submit(request: Request, public_id: UUID) -> Response:
    patient, found = access.my_questionnaire(request.user, public_id, sent=request)
    values = _valid(SubmitIn(data=request.data))
    saved = services.questionnaire_submit(
        patient=patient, questionnaire=found, submission_id=values["submission_id"],
        answers=values["answers"], activities=values.get("activities"),
    )  # fmt: skip
    return Response(questionnaire_detail(saved))
