"""A new program (page or API, from scratch, a template or a starter) is made once per
one-time key: a double click on Create, or a retried request, opens the same program."""

from __future__ import annotations

import uuid

import pytest

from apps.exercises.loading import library_load
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, TemplateProgramFactory
from tests.once import form_key

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}


@pytest.mark.parametrize("start_from", ["nothing", "template"])
def test_the_new_program_form_sent_twice_makes_one_draft(therapist_a, patient_a, start_from):
    template = TemplateProgramFactory(clinic=therapist_a.clinic, name="Starter")
    ExerciseItemFactory(program=template)
    client = signed_in(therapist_a)
    form = {
        "name": "Hips",
        "patient": patient_a.public_id,
        "template": template.public_id if start_from == "template" else "",
        "client_id": form_key(client.get("/programs/new/").content.decode()),
    }

    answers = [client.post("/programs/new/", form) for _ in range(2)]

    program = patient_a.programs.get()
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {f"/programs/{program.public_id}/"}


def test_a_draft_from_a_starter_sent_twice_is_made_once(therapist_a, patient_a):
    library_load()
    client = signed_in(therapist_a)
    form = {
        "name": "Pelvis",
        "template": "starter:pelvic-rotation",
        "patient": patient_a.public_id,
        "client_id": form_key(client.get("/programs/new/").content.decode()),
    }

    answers = [client.post("/programs/new/", form) for _ in range(2)]

    program = patient_a.programs.get()
    assert {a["Location"] for a in answers} == {f"/programs/{program.public_id}/"}
    assert program.items.count() == 2


def test_a_template_made_by_the_api_retried_with_its_client_id_is_a_200(therapist_a):
    body = {
        "name": "Starter",
        "items": [{"exercise": str(ExerciseFactory().public_id)}],
        "client_id": str(uuid.uuid4()),
    }
    client = signed_in(therapist_a)

    first = client.post("/api/v1/programs/create/", body, **JSON)
    again = client.post("/api/v1/programs/create/", body, **JSON)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Program.objects.filter(is_template=True).count() == 1
