"""The builder's 'Save dose' form changes only what the therapist changed on it: a colleague's
change to the same item saved while the page was open (its notes, its dose) is kept, not
written over with the values the page showed. A form drawn by an earlier release (without the
values it showed) is saved as sent."""

from __future__ import annotations

import pytest

from apps.programs.item_services import program_item_update
from apps.programs.models import ProgramItem
from apps.programs.validation import ITEM_NOTES_MAX
from tests.conftest import signed_in
from tests.drawn_form import DrawnForm, form_saying
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(patient_a):
    # Starts today with nothing logged: changed in place.
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    return ExerciseItemFactory(program=program, sets=2, reps=10, notes="Slowly.")


def dose_form(client, item) -> DrawnForm:
    return form_saying(client.get(f"/programs/{item.program.public_id}/").text, "Save dose")


def test_a_colleagues_notes_saved_while_the_page_was_open_are_kept(therapist_a, admin_a, item):
    client = signed_in(therapist_a)
    form = dose_form(client, item)
    program_item_update(actor=admin_a, item=item, notes="Stop if the hip hurts.")

    # The notes box is sent back as drawn (the form reader reads inputs, not text areas).
    response = client.post(form.action, form.values | {"sets": "3", "notes": "Slowly."})

    assert response.status_code == 302
    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.sets, saved.reps, saved.notes) == (3, 10, "Stop if the hip hurts.")


def test_a_colleagues_dose_saved_while_the_page_was_open_is_kept(therapist_a, admin_a, item):
    client = signed_in(therapist_a)
    form = dose_form(client, item)
    program_item_update(actor=admin_a, item=item, sets=4, rest_seconds=90)

    response = client.post(form.action, form.values | {"notes": "Keep the knees apart."})

    assert response.status_code == 302
    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.sets, saved.rest_seconds, saved.notes) == (4, 90, "Keep the knees apart.")


def test_a_form_without_the_values_it_showed_is_saved_as_sent(therapist_a, admin_a, item):
    client = signed_in(therapist_a)
    form = dose_form(client, item)
    sent = {name: value for name, value in form.values.items() if not name.startswith("initial-")}
    program_item_update(actor=admin_a, item=item, notes="Stop if the hip hurts.")

    client.post(form.action, sent | {"sets": "3", "notes": "Slowly."})

    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.sets, saved.notes) == (3, "Slowly.")


def test_a_note_saved_longer_before_the_limit_does_not_stop_a_new_dose(therapist_a, item):
    """Notes saved before the limit existed may be longer: 'Save dose' sent them back and the
    form refused the whole save for them, though the therapist changed only the sets."""
    long_note = "Keep the pelvis still. " * 30
    assert len(long_note) > ITEM_NOTES_MAX
    ProgramItem.objects.filter(pk=item.pk).update(notes=long_note)
    client = signed_in(therapist_a)
    form = dose_form(client, item)

    response = client.post(form.action, form.values | {"sets": "3", "notes": long_note})

    assert response.status_code == 302
    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.sets, saved.notes) == (3, long_note)


def test_a_long_note_typed_anew_is_still_refused(therapist_a, item):
    ProgramItem.objects.filter(pk=item.pk).update(notes="x" * (ITEM_NOTES_MAX + 50))
    client = signed_in(therapist_a)
    form = dose_form(client, item)

    response = client.post(form.action, form.values | {"notes": "y" * (ITEM_NOTES_MAX + 10)})

    assert response.status_code != 302
    assert ProgramItem.objects.get(pk=item.pk).notes == "x" * (ITEM_NOTES_MAX + 50)
