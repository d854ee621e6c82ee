"""The clinic's photos and videos, served to a patient: only those of the exercises in their
own active programs (a single item's exercise, or any level of a ladder in it). Any other
file is a 404; staff get a 403 (they have their own route, ``media:file``)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from apps.clinics.access import get_for_patient
from apps.media.models import ExerciseMedia
from apps.media.serving import file_response
from apps.patients.auth import patient_login_required
from apps.portal.views.today import patient_for
from apps.programs.selectors import program_exercise_ids


@patient_login_required
@require_GET
def media_file(request: HttpRequest, public_id: UUID, name: str) -> HttpResponseBase:
    patient = patient_for(request)
    exercises = program_exercise_ids(patient=patient, on=patient.local_today())
    mine = ExerciseMedia.objects.of_clinic(patient.clinic_id).filter(exercise_id__in=exercises)
    media = get_for_patient(request.user, mine, public_id)
    found = media.file_named(name)
    if found is None:
        raise Http404
    return file_response(request, *found)
