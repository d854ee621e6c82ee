"""A start date a therapist chooses or changes (Assign, Schedule, the API) runs from the
patient's today, in their own time zone, to a year ahead; a start left as it was is never
checked again, so a running program keeps its start."""

import datetime as dt

import pytest
import time_machine

from apps.programs.models import Program
from apps.programs.services import program_create
from tests.conftest import signed_in
from tests.drawn_form import drawn_form
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.factories import TemplateProgramFactory as Template

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
PAST = "before the patient&#x27;s today"
AHEAD = "more than a year ahead"
# 20:00 in London is already the next morning on Kiritimati (UTC+14).
EVENING = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)


def _draft(therapist, patient) -> Program:
    return program_create(actor=therapist, name="Ann's plan", patient=patient)


def test_assign_refuses_a_start_before_the_patients_today_and_leaves_the_draft(
    therapist_a, patient_a
):
    draft = _draft(therapist_a, patient_a)

    response = signed_in(therapist_a).post(
        f"/programs/{draft.public_id}/", {"save": "assign", "start_date": "2020-01-01"}
    )

    assert response.status_code == 400
    assert PAST in response.text
    draft.refresh_from_db()
    assert not draft.is_active


def test_assigning_a_template_from_a_year_back_or_far_ahead_copies_nothing(therapist_a, patient_a):
    template = Template(clinic=therapist_a.clinic)
    ExerciseItemFactory(program=template)
    client = signed_in(therapist_a)
    url = f"/programs/{template.public_id}/"
    assign = {"save": "assign", "patient": str(patient_a.public_id)}

    past = client.post(url, assign | {"start_date": "2020-01-01"})
    ahead = client.post(url, assign | {"start_date": "9999-12-31"})

    assert past.status_code == ahead.status_code == 400
    assert PAST in past.text
    assert AHEAD in ahead.text
    assert not Program.objects.filter(patient=patient_a).exists()


def test_the_start_is_the_patients_today_in_their_own_time_zone(therapist_a):
    islander = PatientFactory(therapist=therapist_a, time_zone="Pacific/Kiritimati")
    draft = _draft(therapist_a, islander)
    client = signed_in(therapist_a)
    url = f"/programs/{draft.public_id}/"

    with time_machine.travel(EVENING, tick=False):
        london_today = client.post(url, {"save": "assign", "start_date": "2026-03-10"})
        their_today = client.post(url, {"save": "assign", "start_date": "2026-03-11"})

    assert london_today.status_code == 400
    assert "11 Mar 2026" in london_today.text
    assert their_today.status_code == 302
    draft.refresh_from_db()
    assert (draft.is_active, draft.start_date) == (True, dt.date(2026, 3, 11))


def test_a_start_a_year_ahead_is_taken_and_a_day_later_refused(therapist_a, patient_a):
    draft = _draft(therapist_a, patient_a)
    client = signed_in(therapist_a)
    url = f"/programs/{draft.public_id}/"
    year = patient_a.local_today().replace(year=patient_a.local_today().year + 1)
    week = {"save": "schedule", "weekdays": ["0", "3"]}

    too_far = client.post(url, week | {"start_date": (year + dt.timedelta(days=1)).isoformat()})
    furthest = client.post(url, week | {"start_date": year.isoformat()})

    assert too_far.status_code == 400
    assert AHEAD in too_far.text
    assert furthest.status_code == 302
    draft.refresh_from_db()
    assert draft.start_date == year


def test_the_schedule_refuses_moving_a_start_into_the_past(therapist_a, patient_a):
    today = patient_a.local_today()
    program = ProgramFactory(patient=patient_a, start_date=today + dt.timedelta(days=3))

    response = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/",
        {
            "save": "schedule",
            "weekdays": ["0"],
            "start_date": (today - dt.timedelta(days=1)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert PAST in response.text
    program.refresh_from_db()
    assert program.start_date == today + dt.timedelta(days=3)


def test_a_running_program_keeps_its_start_when_its_end_is_saved(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)  # started 30 days ago, every day
    end = patient_a.local_today() + dt.timedelta(days=14)
    schedule = {
        "save": "schedule",
        "weekdays": [str(day) for day in range(7)],
        "start_date": program.start_date.isoformat(),
        "end_date": end.isoformat(),
    }

    response = signed_in(therapist_a).post(f"/programs/{program.public_id}/", schedule)

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.end_date == end


def test_a_draft_whose_saved_start_has_passed_is_drawn_and_assigned_from_today(
    therapist_a, patient_a
):
    draft = _draft(therapist_a, patient_a)
    Program.objects.filter(pk=draft.pk).update(
        start_date=patient_a.local_today() - dt.timedelta(days=9)
    )
    client = signed_in(therapist_a)
    assign = drawn_form(
        client.get(f"/programs/{draft.public_id}/").text, with_field="precaution_override"
    )

    response = client.post(f"/programs/{draft.public_id}/", assign)

    assert assign["start_date"] == patient_a.local_today().isoformat()
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.is_active, draft.start_date) == (True, patient_a.local_today())


def test_the_api_refuses_a_past_start_when_creating_assigning_or_moving(therapist_a, patient_a):
    client = signed_in(therapist_a)
    template = Template(clinic=therapist_a.clinic)
    upcoming = ProgramFactory(
        patient=patient_a, start_date=patient_a.local_today() + dt.timedelta(days=5)
    )
    patient, past = str(patient_a.public_id), "2020-01-01"

    created = client.post(
        "/api/v1/programs/create/",
        {"name": "Back-dated", "patient": patient, "start_date": past},
        **JSON,
    )
    assigned = client.post(
        f"/api/v1/programs/{template.public_id}/assign/",
        {"patient": patient, "start_date": "9999-12-31"},
        **JSON,
    )
    moved = client.patch(
        f"/api/v1/programs/{upcoming.public_id}/update/", {"start_date": past}, **JSON
    )

    assert created.status_code == assigned.status_code == moved.status_code == 400
    assert "start_date" in created.json()["errors"]
    assert AHEAD in assigned.json()["errors"]["start_date"][0]
    assert "before the patient's today" in moved.json()["errors"]["start_date"][0]
    assert list(Program.objects.filter(patient=patient_a)) == [upcoming]


def test_the_api_changes_a_running_programs_end_without_rechecking_its_start(
    therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a)  # started 30 days ago
    end = patient_a.local_today() + dt.timedelta(days=14)

    response = signed_in(therapist_a).patch(
        f"/api/v1/programs/{program.public_id}/update/", {"end_date": end.isoformat()}, **JSON
    )

    assert response.status_code == 200
    program.refresh_from_db()
    assert program.end_date == end


def test_code_writing_past_history_may_still_back_date_a_program(therapist_a, patient_a):
    week_ago = patient_a.local_today() - dt.timedelta(days=7)

    program = program_create(
        actor=therapist_a, name="Seeded", patient=patient_a, start_date=week_ago,
        activate=True, backdated=True,
    )  # fmt: skip

    assert program.start_date == week_ago
