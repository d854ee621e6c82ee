"""The builder's item forms sent without JavaScript (htmx not loaded): a refusal is the
builder page, and it says why at the top ("Not saved: …", the words htmx puts in the status
line), also when no field of the page's forms shows the message (a move, a removal)."""

import uuid

import pytest

from apps.programs.models import ProgramItem
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(patient_a):
    program = ProgramFactory(patient=patient_a)
    for position in range(2):
        ExerciseItemFactory(program=program, position=position)
    ExerciseFactory(clinic=None, name="Side plank")
    LadderFactory(clinic=None)
    return program


def _items(program) -> list[tuple]:
    rows = ProgramItem.objects.filter(program=program)
    return list(rows.values_list("pk", "sets", "position", "active_until"))


# (words of the form, a refused body, what the page says at its top)
REFUSED = [
    ("Add Side plank", {"exercise": str(uuid.uuid4())}, "Choose an exercise from your clinic"),
    ("Add ladder", {"level": "99"}, "Starting level:"),
    ("Save dose", {"sets": "0"}, "Sets:"),
    ("Move up", {"direction": "sideways"}, "Direction:"),
]


@pytest.mark.parametrize(("words", "changed", "said"), REFUSED)
def test_a_refused_item_form_says_why_at_the_top_of_the_page(
    therapist_a, program, words, changed, said
):
    client = signed_in(therapist_a)
    before = _items(program)
    form = form_saying(client.get(f"/programs/{program.public_id}/").text, words)

    refused = client.post(form.action, form.values | changed)

    assert refused.status_code == 400
    messages = refused.text.split("<main", 1)[1].split("<h1>", 1)[0]
    assert "Not saved: " in messages
    assert said in messages.replace("&#x27;", "'")
    assert _items(program) == before
