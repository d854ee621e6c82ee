"""POST /api/v1/programs/<id>/save-as-template/: the builder's Save as template through the
same service (``program_save_as_template``), with the program API's access rules: clinic
staff who may change the program, another clinic's program (or a colleague's patient's) a
404, a patient 403, bad input 400, and one template per ``client_id``."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from apps.audit.models import Action, AuditEntry
from apps.clinics.tokens import api_token_create
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import (
    ExerciseItemFactory,
    ProgramFactory,
    StaffFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}


def _url(program: Program) -> str:
    return f"/api/v1/programs/{program.public_id}/save-as-template/"


@pytest.fixture
def program(patient_a):
    program = ProgramFactory(patient=patient_a, notes="Slowly, left side first.")
    ExerciseItemFactory(program=program, sets=3, reps=12)
    return program


def _templates() -> list[Program]:
    return list(Program.objects.filter(is_template=True))


def test_it_copies_the_program_into_a_new_clinic_template(therapist_a, program):
    response = signed_in(therapist_a).post(_url(program), {"name": " Hip basics "}, **JSON)

    (template,) = _templates()
    data = response.json()
    assert response.status_code == 201
    assert (data["id"], data["name"], data["is_template"], data["patient"]) == (
        str(template.public_id),
        "Hip basics",
        True,
        None,
    )
    assert [(i["sets"], i["reps"]) for i in data["items"]] == [(3, 12)]
    assert (template.clinic_id, template.created_by_id) == (program.clinic_id, therapist_a.pk)
    assert template.notes == "Slowly, left side first."
    assert Program.objects.get(pk=program.pk).name == program.name, "the program is unchanged"


def test_it_writes_the_patients_audit_entry(therapist_a, patient_a, program):
    signed_in(therapist_a).post(_url(program), {"name": "Hip basics"}, **JSON)

    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert (entry.actor, entry.patient, entry.target_ref) == (
        therapist_a,
        patient_a,
        str(program.public_id),
    )
    assert entry.detail == "saved as the clinic template “Hip basics”"


def test_a_retry_with_the_same_client_id_answers_200_with_the_same_template(therapist_a, program):
    client = signed_in(therapist_a)
    body = {"name": "Hip basics", "client_id": str(uuid.uuid4())}

    first = client.post(_url(program), body, **JSON)
    again = client.post(_url(program), body, **JSON)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert len(_templates()) == 1
    assert AuditEntry.objects.filter(action=Action.EXPORT).count() == 1


def test_the_same_client_id_with_another_name_is_a_409_and_makes_nothing(therapist_a, program):
    client = signed_in(therapist_a)
    key = str(uuid.uuid4())
    client.post(_url(program), {"name": "Hip basics", "client_id": key}, **JSON)

    response = client.post(_url(program), {"name": "Knee basics", "client_id": key}, **JSON)

    assert response.status_code == 409
    assert [t.name for t in _templates()] == ["Hip basics"]


def test_a_template_saved_as_another_template(therapist_a):
    source = TemplateProgramFactory(clinic=therapist_a.clinic, created_by=therapist_a)
    ExerciseItemFactory(program=source)

    response = signed_in(therapist_a).post(_url(source), {"name": "Copy"}, **JSON)

    assert response.status_code == 201
    assert len(_templates()) == 2
    # Templates hold no patient data: no write of one is in the audit log.
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_another_clinics_program_is_a_404(therapist_b, admin_b, program):
    for user in (therapist_b, admin_b):
        response = signed_in(user).post(_url(program), {"name": "Mine now"}, **JSON)

        assert response.status_code == 404
    assert _templates() == []


def test_a_colleagues_patients_program_is_a_404_to_another_therapist(therapist_a, program):
    colleague = StaffFactory(clinic=therapist_a.clinic)

    response = signed_in(colleague).post(_url(program), {"name": "Mine now"}, **JSON)

    assert response.status_code == 404
    assert _templates() == []


def test_a_clinic_admin_may_save_any_patients_program(admin_a, program):
    response = signed_in(admin_a).post(_url(program), {"name": "From the clinic"}, **JSON)

    assert response.status_code == 201


def test_a_patient_is_refused(patient_a, program):
    response = signed_in(patient_a.user).post(_url(program), {"name": "Mine"}, **JSON)

    assert response.status_code == 403
    assert _templates() == []


def test_a_read_only_token_is_refused(admin_a, therapist_a, program):
    _, secret = api_token_create(admin=admin_a, user=therapist_a, name="EHR")  # read-only
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = client.post(_url(program), {"name": "Hip basics"}, **JSON)

    assert response.status_code == 403
    assert _templates() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Two\nlines"}, "name"),
        ({"name": "Hip basics", "client_id": "not-a-uuid"}, "client_id"),
        ({"name": "Hip basics", "patient": str(uuid.uuid4())}, "patient"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_makes_nothing(therapist_a, program, body, field):
    response = signed_in(therapist_a).post(_url(program), body, **JSON)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert _templates() == []
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_an_unknown_program_is_a_404(therapist_a):
    url = f"/api/v1/programs/{uuid.uuid4()}/save-as-template/"

    assert signed_in(therapist_a).post(url, {"name": "x"}, **JSON).status_code == 404
