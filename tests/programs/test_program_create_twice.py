"""A new program (page or API, from scratch, a template or a starter) is made once per
one-time key: a double click on Create, or a retried request, opens the same program."""

from __future__ import annotations

import uuid

import pytest

from apps.exercises.loading import library_load
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, TemplateProgramFactory
from tests.once import assert_reused, form_key

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


def test_a_client_id_sent_again_with_another_program_is_a_409_naming_what_differs(therapist_a):
    exercise, other = ExerciseFactory(), ExerciseFactory()
    body = {
        "name": "Starter",
        "items": [{"exercise": str(exercise.public_id), "sets": 3}],
        "client_id": str(uuid.uuid4()),
    }
    client = signed_in(therapist_a)
    client.post("/api/v1/programs/create/", body, **JSON)

    again = client.post(
        "/api/v1/programs/create/",
        body | {"name": "Later", "items": [{"exercise": str(other.public_id), "sets": 3}]},
        **JSON,
    )

    assert_reused(again, "name", "items")
    template = Program.objects.get(is_template=True)
    assert template.name == "Starter"
    assert [item.exercise_id for item in template.items.all()] == [exercise.pk]


def test_a_retry_after_the_program_was_renamed_is_still_the_same_request(therapist_a):
    body = {"name": "Starter", "client_id": str(uuid.uuid4())}
    client = signed_in(therapist_a)
    first = client.post("/api/v1/programs/create/", body, **JSON)
    program = first.json()["id"]
    client.patch(f"/api/v1/programs/{program}/update/", {"name": "Hips"}, **JSON)

    again = client.post("/api/v1/programs/create/", body, **JSON)

    assert (again.status_code, again.json()["name"]) == (200, "Hips")
    assert Program.objects.count() == 1
