"""Save as template and Copy into your templates make one template per one-time key: a
double click leaves the clinic one copy, not two of the same name."""

from __future__ import annotations

import pytest

from apps.exercises.loading import library_load
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.once import form_key

pytestmark = pytest.mark.django_db


def test_save_as_template_sent_twice_makes_one_template(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    ExerciseItemFactory(program=program)
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/"  # the form is posted to the builder itself
    key = form_key(client.get(url).content.decode(), marked='value="template"')
    body = {"save": "template", "name": "Hip starter", "client_id": key}

    answers = [client.post(url, body) for _ in range(2)]

    template = Program.objects.get(is_template=True)
    assert {a["Location"] for a in answers} == {f"/programs/{template.public_id}/"}
    assert template.items.count() == 1


def test_copying_a_starter_twice_with_one_key_makes_one_template(therapist_a):
    library_load()
    client = signed_in(therapist_a)
    key = form_key(client.get("/programs/").content.decode())

    answers = [
        client.post("/programs/starters/pelvic-rotation/copy/", {"client_id": key})
        for _ in range(2)
    ]

    template = Program.objects.get(is_template=True, clinic=therapist_a.clinic)
    assert {a["Location"] for a in answers} == {f"/programs/{template.public_id}/"}


def test_save_as_template_sent_back_with_another_name_makes_nothing_more(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/"  # the form is posted to the builder itself
    key = form_key(client.get(url).content.decode(), marked='value="template"')
    client.post(url, {"save": "template", "name": "Hip starter", "client_id": key})

    again = client.post(url, {"save": "template", "name": "Knee starter", "client_id": key})

    assert again.status_code == 400
    assert "already used for a different program" in again.content.decode()
    assert list(Program.objects.filter(is_template=True).values_list("name", flat=True)) == [
        "Hip starter"
    ]
