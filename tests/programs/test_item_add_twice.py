"""Adding an item twice with the same one-time key (a double click on Add, a retried API call)
adds it once: the second request answers with the item the first added. A second Add of the
same exercise with a new key adds it again (a deliberate choice). The double click in the
builder, where the Add forms are not redrawn, is in tests/browser/test_builder_add_twice.py."""

from __future__ import annotations

import uuid

import pytest

from apps.audit.models import AuditEntry
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.models import ProgramItem
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, LadderFactory, PatientFactory, ProgramFactory
from tests.once import assert_reused, form_key
from tests.programs.races import race

JSON = {"content_type": "application/json"}


@pytest.fixture
def program(therapist_a):
    return ProgramFactory(patient=PatientFactory(therapist=therapist_a), name="Hip strength")


def _changes(program) -> int:
    return AuditEntry.objects.filter(action="change", target_ref=str(program.public_id)).count()


@pytest.mark.django_db
def test_an_add_form_sent_twice_adds_the_exercise_once(therapist_a, program):
    exercise = ExerciseFactory(name="Side-lying abduction")
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/items/add-exercise/"
    key = form_key(client.get(f"/programs/{program.public_id}/").content.decode(), url)
    form = {"exercise": exercise.public_id, "client_id": key}

    answers = [client.post(url, form, HTTP_HX_REQUEST="true") for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert "Added Side-lying abduction" in answers[1].content.decode()
    assert (program.items.count(), _changes(program)) == (1, 1)


@pytest.mark.django_db
def test_the_same_exercise_added_again_with_a_new_key_is_added_again(therapist_a, program):
    exercise = ExerciseFactory()
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/items/add-exercise/"

    for _ in range(2):
        client.post(url, {"exercise": exercise.public_id, "client_id": str(uuid.uuid4())})

    assert program.items.filter(exercise=exercise).count() == 2


@pytest.mark.django_db
def test_the_ladder_form_sent_twice_adds_the_ladder_once(therapist_a, program):
    ladder = LadderFactory(clinic=therapist_a.clinic)
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/items/add-ladder/"
    key = form_key(client.get(f"/programs/{program.public_id}/").content.decode(), url)

    for _ in range(2):  # without JavaScript: each answer is the builder page again
        answer = client.post(url, {"ladder": ladder.public_id, "level": 1, "client_id": key})
        assert answer.status_code == 302

    assert program.items.filter(ladder=ladder).count() == 1


@pytest.mark.django_db
def test_the_api_retried_with_its_client_id_answers_200_and_adds_once(therapist_a, program):
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{program.public_id}/items/create/"
    body = {"exercise": str(ExerciseFactory().public_id), "client_id": str(uuid.uuid4())}

    first = client.post(url, body, **JSON)
    again = client.post(url, body, **JSON)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert program.items.count() == 1


@pytest.mark.django_db
def test_a_key_used_in_another_program_is_refused_and_adds_nothing(therapist_a, program):
    other = ProgramFactory(patient=PatientFactory(therapist=therapist_a), name="Other")
    client = signed_in(therapist_a)
    body = {"exercise": str(ExerciseFactory().public_id), "client_id": str(uuid.uuid4())}
    client.post(f"/api/v1/programs/{program.public_id}/items/create/", body, **JSON)

    again = client.post(f"/api/v1/programs/{other.public_id}/items/create/", body, **JSON)

    assert again.status_code == 400
    assert "client_id" in again.json()["errors"]
    assert not other.items.exists()


@pytest.mark.django_db(transaction=True)
def test_two_adds_with_one_key_at_the_same_moment_add_one_item(
    require_postgres, therapist_a, program
):
    """Writer A adds the item and holds its transaction open; writer B, the double click,
    waits on the unique key; A commits. B answers with A's item and adds nothing."""
    spec = ItemSpec(exercise=ExerciseFactory())
    key = uuid.uuid4()
    made: list[ProgramItem] = []

    def add() -> None:
        made.append(program_item_add(actor=therapist_a, program=program, spec=spec, client_id=key))

    race(add, add)

    assert program.items.count() == 1
    assert made[0].pk == made[1].pk


@pytest.mark.django_db
def test_a_client_id_sent_again_with_another_item_is_a_409_naming_what_differs(
    therapist_a, program
):
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{program.public_id}/items/create/"
    exercise = ExerciseFactory()
    body = {"exercise": str(exercise.public_id), "sets": 2, "client_id": str(uuid.uuid4())}
    client.post(url, body, **JSON)

    again = client.post(
        url, body | {"exercise": str(ExerciseFactory().public_id), "sets": 4}, **JSON
    )

    assert_reused(again, "exercise", "sets")
    item = program.items.get()
    assert (item.exercise_id, item.sets) == (exercise.pk, 2)
    assert _changes(program) == 1


@pytest.mark.django_db
def test_a_retry_that_now_confirms_the_ladder_is_the_same_add(therapist_a, program):
    # The confirmation answers a question about the add; it is not part of what is added.
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{program.public_id}/items/create/"
    body = {"exercise": str(ExerciseFactory().public_id), "client_id": str(uuid.uuid4())}
    first = client.post(url, body, **JSON)

    again = client.post(url, body | {"confirm_duplicate_ladder": True}, **JSON)

    assert (again.status_code, again.json()) == (200, first.json())
