"""The free text of programs and items has a most: an item's note (the patient's "From your
therapist", on their card and the handout) 500 characters like the patient's own set note, a
program's notes 1,000. Forms and the API refuse more with a message, the services too; notes
saved longer before the limit are kept as they were."""

import pytest
from django.core.exceptions import ValidationError

from apps.programs.edit_services import program_schedule_update, program_update
from apps.programs.item_services import ItemSpec, item_create, program_item_update
from apps.programs.models import Program, ProgramItem
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
HTMX = {"HTTP_HX_REQUEST": "true"}
DOSE = {"sets": "3", "reps": "12", "per_side": "on", "rest_seconds": "45"}
ITEM_MOST, PROGRAM_MOST = 500, 1000


def test_the_builder_refuses_an_item_note_over_500_characters(therapist_a, patient_a):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), notes="Slowly.")
    client = signed_in(therapist_a)
    url = f"/programs/{item.program.public_id}/items/{item.public_id}/"

    long = client.post(url, DOSE | {"notes": "x" * (ITEM_MOST + 1)}, **HTMX)
    most = client.post(url, DOSE | {"notes": "y" * ITEM_MOST}, **HTMX)

    assert long.status_code == 400
    assert "Keep the note to 500 characters or fewer (this one has 501)." in long.text
    assert most.status_code == 200
    current = ProgramItem.objects.filter(track=item.track).order_by("pk").last()
    assert current.notes == "y" * ITEM_MOST


def test_the_builder_refuses_program_notes_over_1000_characters(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, notes="Left THR, 6 weeks.")

    response = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/",
        {"save": "details", "name": program.name, "notes": "x" * (PROGRAM_MOST + 1)},
    )

    assert response.status_code == 400
    assert "Keep the notes to 1000 characters or fewer (these have 1001)." in response.text
    program.refresh_from_db()
    assert program.notes == "Left THR, 6 weeks."


def test_the_api_refuses_long_notes_on_items_and_programs(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, notes="Left THR.")
    item = ExerciseItemFactory(program=program, notes="Slowly.")
    base = f"/api/v1/programs/{program.public_id}"
    client = signed_in(therapist_a)
    long_item, long_program = "x" * (ITEM_MOST + 1), "x" * (PROGRAM_MOST + 1)
    exercise = str(ExerciseFactory().public_id)

    added = client.post(f"{base}/items/create/", {"exercise": exercise, "notes": long_item}, **JSON)
    changed = client.patch(f"{base}/items/{item.public_id}/update/", {"notes": long_item}, **JSON)
    renamed = client.patch(f"{base}/update/", {"notes": long_program}, **JSON)
    created = client.post(
        "/api/v1/programs/create/",
        {"name": "T", "notes": long_program, "items": [{"exercise": exercise, "notes": long_item}]},
        **JSON,
    )

    assert [r.status_code for r in (added, changed, renamed, created)] == [400] * 4
    assert "500 characters" in added.json()["errors"]["notes"][0]
    assert "500 characters" in changed.json()["errors"]["notes"][0]
    assert "1000 characters" in renamed.json()["errors"]["notes"][0]
    assert set(created.json()["errors"]) >= {"notes"}
    assert Program.objects.count() == ProgramItem.objects.count() == 1
    program.refresh_from_db()
    item.refresh_from_db()
    assert (program.notes, item.notes) == ("Left THR.", "Slowly.")


def test_the_services_refuse_long_notes_whoever_calls_them(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    item = ExerciseItemFactory(program=program)
    dose = {"sets": 2, "reps": 10, "hold_seconds": None, "per_side": True, "rest_seconds": 30}
    spec = ItemSpec(exercise=ExerciseFactory(), notes="x" * (ITEM_MOST + 1))

    with pytest.raises(ValidationError) as added:
        item_create(actor=therapist_a, program=program, spec=spec, position=1)
    with pytest.raises(ValidationError) as changed:
        program_item_update(actor=therapist_a, item=item, **dose, notes="x" * (ITEM_MOST + 1))
    with pytest.raises(ValidationError) as renamed:
        program_update(actor=therapist_a, program=program, name="P", notes="x" * (PROGRAM_MOST + 1))

    assert {"notes"} == set(added.value.message_dict) == set(changed.value.message_dict)
    assert set(renamed.value.message_dict) == {"notes"}


def test_a_note_ending_in_spaces_counts_without_them(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)

    program_update(actor=therapist_a, program=program, name="P", notes="x" * PROGRAM_MOST + "   \n")

    assert len(Program.objects.get(pk=program.pk).notes) == PROGRAM_MOST


def test_a_longer_note_saved_before_the_limit_is_kept_whole_when_its_program_changes(
    therapist_a, patient_a
):
    # No migration cuts old notes (a clinical note is never shortened behind the therapist's
    # back) and no database check refuses them: a program carrying one still changes, and
    # the rows its change copies keep the note as it was. Only a note typed anew is limited.
    program = ProgramFactory(patient=patient_a, created_by=therapist_a)
    item = ExerciseItemFactory(program=program)
    ProgramItem.objects.filter(pk=item.pk).update(notes="a" * 6000)

    program_schedule_update(
        actor=therapist_a, program=program, weekdays=[0, 2], start_date=program.start_date,
        end_date=None,
    )  # fmt: skip

    notes = ProgramItem.objects.filter(program=program, track=item.track)
    assert set(notes.values_list("notes", flat=True)) == {"a" * 6000}
