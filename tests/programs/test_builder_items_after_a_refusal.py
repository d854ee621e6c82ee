"""The builder's item forms (add an exercise or a ladder, change a dose, move, remove) are
posted by htmx, and the address bar keeps the builder's address. Without JavaScript they post
to their endpoints, which answer a refusal with the builder page at the endpoint's address:
opened again with a GET (reloaded, from the history, a bookmark) that address leads back to
the builder at its items, never to an empty 405. Anyone else's program is still a 404."""

import uuid

import pytest

from apps.programs.models import Program, ProgramItem
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def _builder(program: Program) -> str:
    return f"/programs/{program.public_id}/"


@pytest.fixture
def program(patient_a):
    program = ProgramFactory(patient=patient_a)
    for position in range(2):
        ExerciseItemFactory(program=program, position=position)
    ExerciseFactory(clinic=None, name="Side plank")
    LadderFactory(clinic=None)
    return program


def _items(program: Program) -> list[tuple]:
    return list(
        ProgramItem.objects.filter(program=program).values_list(
            "pk", "sets", "position", "active_until"
        )
    )


# (words of the form, a refused body without htmx, the status of the refusal)
REFUSED = [
    ("Add Side plank", {"exercise": str(uuid.uuid4())}, 400),
    ("Add ladder", {"level": "99"}, 400),
    ("Save dose", {"sets": "0"}, 400),
    ("Move up", {"direction": "sideways"}, 400),
]


@pytest.mark.parametrize(("words", "changed", "status"), REFUSED)
def test_a_refused_item_form_opened_again_leads_to_the_builder(
    therapist_a, program, words, changed, status
):
    client = signed_in(therapist_a)
    before = _items(program)
    forms = client.get(_builder(program)).text
    form = form_saying(forms, words)
    assert form.hx_post == form.action  # htmx posts it to the same endpoint

    refused = client.post(form.action, form.values | changed)
    again = client.get(form.action)

    assert refused.status_code == status, refused.content[:300]
    assert "Not saved" in refused.text
    assert again.status_code == 302
    assert again["Location"] == f"{_builder(program)}#items"
    assert client.get(again["Location"]).status_code == 200
    assert _items(program) == before


def test_an_item_removed_elsewhere_opened_again_leads_to_the_builder(therapist_a, program):
    client = signed_in(therapist_a)
    form = form_saying(client.get(_builder(program)).text, "Remove")
    client.post(form.action, form.values)  # in another window

    gone = client.post(form.action, form.values)
    again = client.get(form.action)

    assert gone.status_code == 409
    assert again.status_code == 302
    assert again["Location"] == f"{_builder(program)}#items"


@pytest.mark.parametrize("endpoint", ["add-exercise", "add-ladder", "", "move", "remove"])
def test_opening_an_item_endpoint_of_anyone_elses_program_is_a_404(
    therapist_a, patient_b, endpoint
):
    colleagues = ProgramFactory(
        patient=PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    )
    client = signed_in(therapist_a)

    for other in (ProgramFactory(patient=patient_b), colleagues):
        item = ExerciseItemFactory(program=other)
        path = f"items/{endpoint}/" if endpoint.startswith("add") else f"items/{item.public_id}/"
        if endpoint in ("move", "remove"):
            path += f"{endpoint}/"
        assert client.get(f"{_builder(other)}{path}").status_code == 404


def test_opening_an_item_endpoint_is_a_403_for_a_patient(patient_a, program):
    item = program.items.first()
    client = signed_in(patient_a.user)

    for path in ("items/add-exercise/", "items/add-ladder/", f"items/{item.public_id}/"):
        assert client.get(f"{_builder(program)}{path}").status_code == 403
