"""``own_item``, the one-tap log's lookup (compiled once), finds exactly what the
``visible_to`` read it replaced found: an item of the signed-in patient's own programs."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.patients.models import Patient
from apps.programs.models import ProgramItem
from apps.programs.selectors import own_item
from tests.factories import (
    ExerciseItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db


def _visible_to(user, public_id):
    """The read ``own_item`` replaced."""
    patients = Patient.objects.visible_to(user).filter(archived_at__isnull=True)
    items = ProgramItem.objects.filter(program__patient__in=patients, program__is_template=False)
    return items.filter(public_id=public_id).first()


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_patients_own_item_comes_with_program_patient_and_exercise_in_one_query():
    item = ExerciseItemFactory()
    user = item.program.patient.user

    with CaptureQueriesContext(connection) as queries:
        found = own_item(user=user, public_id=item.public_id)
        assert found.program.patient.pk == item.program.patient_id
        assert found.exercise.name == item.exercise.name
    assert len(queries) == 1
    assert _values(found) == _values(_visible_to(user, item.public_id))
    assert _values(found.program) == _values(item.program)


def test_an_item_of_an_ended_or_inactive_program_is_still_found():
    item = ExerciseItemFactory(program=ProgramFactory(is_active=False))
    assert own_item(user=item.program.patient.user, public_id=str(item.public_id)).pk == item.pk


def test_anything_not_the_patients_own_is_none_as_before():
    item = ExerciseItemFactory()
    user = item.program.patient.user
    other = ExerciseItemFactory(program=ProgramFactory(patient=PatientFactory()))
    same_clinic = ExerciseItemFactory(
        program=ProgramFactory(patient=PatientFactory(therapist=item.program.patient.therapist))
    )
    template_item = ExerciseItemFactory(program=TemplateProgramFactory())
    staff = StaffFactory(clinic=item.program.clinic)

    cases = [
        (user, other.public_id),
        (user, same_clinic.public_id),
        (user, template_item.public_id),
        (user, uuid.uuid4()),
    ]
    for who, public_id in cases:
        assert own_item(user=who, public_id=public_id) is None, public_id
        assert _visible_to(who, public_id) is None
    assert own_item(user=user, public_id="not-a-uuid") is None
    # Staff have no "own" items (the endpoint refuses them before it looks).
    assert own_item(user=staff, public_id=item.public_id) is None


def test_an_archived_patient_or_an_account_of_no_clinic_finds_nothing():
    item = ExerciseItemFactory()
    user = item.program.patient.user
    user.clinic_id = None
    assert own_item(user=user, public_id=item.public_id) is None

    user.refresh_from_db()
    Patient.objects.filter(pk=item.program.patient_id).update(archived_at=timezone.now())
    assert own_item(user=user, public_id=item.public_id) is None
    assert _visible_to(user, item.public_id) is None
