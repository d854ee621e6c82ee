"""Assigning a patient's draft starts it on the schedule saved under *Schedule*: the dates,
weekdays and reminder time stay unless the Assign form (or the API body) changes them."""

import datetime as dt

import pytest

from apps.programs.edit_services import program_schedule_update
from apps.programs.models import Program
from apps.programs.services import program_create
from tests.conftest import signed_in
from tests.drawn_form import drawn_form

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}


def _scheduled_draft(therapist, patient) -> Program:
    """A draft whose schedule was saved as the builder's Schedule section saves it."""
    draft = program_create(actor=therapist, name="Ann's plan", patient=patient)
    today = patient.local_today()
    return program_schedule_update(
        actor=therapist, program=draft, weekdays=[0, 2], start_date=today + dt.timedelta(days=2),
        end_date=today + dt.timedelta(days=60), reminder_time=dt.time(18, 0),
    )  # fmt: skip


def _schedule(program: Program) -> tuple:
    return (
        program.start_date,
        program.end_date,
        program.weekday_numbers,
        program.reminder_time,
    )


def test_assign_as_the_builder_draws_it_keeps_the_saved_end_date(therapist_a, patient_a):
    draft = _scheduled_draft(therapist_a, patient_a)
    saved = _schedule(draft)
    client = signed_in(therapist_a)
    page = client.get(f"/programs/{draft.public_id}/")
    assign = drawn_form(page.text, with_field="precaution_override")

    response = client.post(f"/programs/{draft.public_id}/", assign)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_active
    assert _schedule(draft) == saved


def test_assign_form_can_still_clear_or_move_the_end_date(therapist_a, patient_a):
    draft = _scheduled_draft(therapist_a, patient_a)
    client = signed_in(therapist_a)
    assign = drawn_form(
        client.get(f"/programs/{draft.public_id}/").text, with_field="precaution_override"
    )

    client.post(f"/programs/{draft.public_id}/", assign | {"end_date": ""})

    draft.refresh_from_db()
    assert (draft.is_active, draft.end_date) == (True, None)


def test_api_assign_of_a_draft_keeps_the_saved_schedule_for_fields_left_out(therapist_a, patient_a):
    draft = _scheduled_draft(therapist_a, patient_a)
    saved = _schedule(draft)

    response = signed_in(therapist_a).post(
        f"/api/v1/programs/{draft.public_id}/assign/", {"patient": str(patient_a.public_id)}, **JSON
    )

    assert response.status_code == 201
    draft.refresh_from_db()
    assert draft.is_active
    assert _schedule(draft) == saved
    assert response.json()["end_date"] == saved[1].isoformat()


def test_api_assign_with_a_null_end_date_clears_it(therapist_a, patient_a):
    draft = _scheduled_draft(therapist_a, patient_a)
    body = {"patient": str(patient_a.public_id), "end_date": None}

    signed_in(therapist_a).post(f"/api/v1/programs/{draft.public_id}/assign/", body, **JSON)

    draft.refresh_from_db()
    assert (draft.is_active, draft.end_date) == (True, None)
