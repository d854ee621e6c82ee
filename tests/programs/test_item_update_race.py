"""The item PATCH (PATCH /api/v1/programs/<id>/items/<item>/update/) changes only the fields it
sends: a change to the same item committed while the PATCH is under way (a colleague's PATCH
of its notes, the builder saving its dose) is kept, not written over with the item as the
PATCH first read it, and the dose is checked with it.

The race tests use real threads, each with its own PostgreSQL connection
(tests/programs/races.py): writer A holds its change uncommitted until the PATCH, started
after A's change, is seen waiting on the patient's lock. The others give the service a copy
read before another change, as a request that read the item first would."""

from __future__ import annotations

import pytest

from apps.programs.item_services import program_item_update
from apps.programs.models import ProgramItem
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory, TemplateProgramFactory
from tests.programs.races import race


def patch(user, item, body, answers=None):
    def send() -> None:
        response = signed_in(user).patch(
            f"/api/v1/programs/{item.program.public_id}/items/{item.public_id}/update/",
            body,
            content_type="application/json",
        )
        if answers is None:
            assert response.status_code == 200, response.content
        else:
            answers.append(response)

    return send


@pytest.fixture
def item(patient_a):
    # Starts today with nothing logged: changed in place, so both changes land on one row.
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    return ExerciseItemFactory(program=program, sets=2, reps=10, notes="")


@pytest.mark.django_db(transaction=True)
def test_a_colleagues_notes_patched_meanwhile_are_kept(
    require_postgres, therapist_a, admin_a, item
):
    race(
        patch(admin_a, item, {"notes": "Slowly, no pain."}),
        patch(therapist_a, item, {"sets": 3}),
    )

    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.notes, saved.sets, saved.reps) == ("Slowly, no pain.", 3, 10)


@pytest.mark.django_db(transaction=True)
def test_a_template_items_dose_saved_meanwhile_is_kept(require_postgres, therapist_a, admin_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    item = ExerciseItemFactory(program=template, sets=2, reps=10, notes="")

    def save_dose() -> None:
        program_item_update(
            actor=admin_a, item=ProgramItem.objects.get(pk=item.pk), sets=4, reps=12,
            hold_seconds=None, per_side=False, rest_seconds=30, notes="",
        )  # fmt: skip

    # A template has no patient's lock: the PATCH waits on the item's own row.
    race(save_dose, patch(therapist_a, item, {"notes": "Keep the knees apart."}))

    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.sets, saved.reps, saved.notes) == (4, 12, "Keep the knees apart.")


@pytest.mark.django_db(transaction=True)
def test_the_dose_is_checked_with_a_hold_set_meanwhile(
    require_postgres, therapist_a, admin_a, item
):
    """The top of a rep range sent to an item changed meanwhile from reps to a hold has no
    reps to rise from: refused, as it would have been had the hold been there first (checked
    with the reps first read, it went through and wrote the reps back over the hold)."""
    answers: list = []

    race(
        patch(admin_a, item, {"reps": None, "hold_seconds": 30}),
        patch(therapist_a, item, {"reps_up_to": 15}, answers),
    )

    assert answers[0].status_code == 400, answers[0].content
    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.reps, saved.hold_seconds, saved.reps_up_to) == (None, 30, None)


@pytest.mark.django_db
def test_the_service_keeps_a_change_made_since_its_copy_was_read(therapist_a, admin_a, item):
    as_first_read = ProgramItem.objects.get(pk=item.pk)
    program_item_update(actor=admin_a, item=item, notes="Slowly, no pain.")

    program_item_update(actor=therapist_a, item=as_first_read, sets=3)

    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.notes, saved.sets, saved.reps, saved.rest_seconds) == (
        "Slowly, no pain.", 3, 10, item.rest_seconds,
    )  # fmt: skip
