"""An end date chosen on Assign, under Schedule or through the API is at most five years after
the start (a later one is taken for a mistyped year); an end date left as it was is never
checked again."""

import datetime as dt

import pytest

from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.factories import TemplateProgramFactory as Template

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
TOO_LATE = "more than five years after the start"
EVERY_DAY = [str(day) for day in range(7)]


def _five_years_after(day: dt.date) -> dt.date:
    return day.replace(year=day.year + 5)  # the tests' days are never 29 February


def test_assign_refuses_an_end_more_than_five_years_after_the_start(therapist_a, patient_a):
    template = Template(clinic=therapist_a.clinic)
    ExerciseItemFactory(program=template)
    client = signed_in(therapist_a)
    url = f"/programs/{template.public_id}/"
    start = patient_a.local_today()
    latest = _five_years_after(start)
    chosen = {
        "save": "assign",
        "patient": str(patient_a.public_id),
        "start_date": start.isoformat(),
    }

    typo = client.post(url, chosen | {"end_date": "9999-12-31"})
    day_after = client.post(url, chosen | {"end_date": (latest + dt.timedelta(days=1)).isoformat()})

    assert typo.status_code == day_after.status_code == 400
    assert TOO_LATE in typo.text
    assert not Program.objects.filter(patient=patient_a).exists()
    assert client.post(url, chosen | {"end_date": latest.isoformat()}).status_code == 302
    assert Program.objects.get(patient=patient_a).end_date == latest


def test_the_schedule_refuses_a_far_end_and_keeps_the_program(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)  # started 30 days ago, every day
    schedule = {
        "save": "schedule",
        "weekdays": EVERY_DAY,
        "start_date": program.start_date.isoformat(),
        "end_date": "9999-12-31",
    }

    response = signed_in(therapist_a).post(f"/programs/{program.public_id}/", schedule)

    assert response.status_code == 400
    assert TOO_LATE in response.text
    program.refresh_from_db()
    assert program.end_date is None


def test_the_api_refuses_a_far_end_when_creating_assigning_or_changing(therapist_a, patient_a):
    client = signed_in(therapist_a)
    template = Template(clinic=therapist_a.clinic)
    running = ProgramFactory(patient=patient_a)
    patient, far = str(patient_a.public_id), "9999-12-31"

    created = client.post(
        "/api/v1/programs/create/",
        {"name": "Far", "patient": patient, "end_date": far},
        **JSON,
    )
    assigned = client.post(
        f"/api/v1/programs/{template.public_id}/assign/",
        {"patient": patient, "end_date": far},
        **JSON,
    )
    changed = client.patch(
        f"/api/v1/programs/{running.public_id}/update/", {"end_date": far}, **JSON
    )

    assert created.status_code == assigned.status_code == changed.status_code == 400
    for response in (created, assigned, changed):
        assert TOO_LATE in response.json()["errors"]["end_date"][0]
    assert list(Program.objects.filter(patient=patient_a)) == [running]
    running.refresh_from_db()
    assert running.end_date is None


def test_an_end_left_as_it_was_is_not_checked_again(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    far = dt.date(9999, 12, 31)
    Program.objects.filter(pk=program.pk).update(end_date=far)  # saved before the rule

    response = signed_in(therapist_a).patch(
        f"/api/v1/programs/{program.public_id}/update/", {"reminder_time": "09:00"}, **JSON
    )

    assert response.status_code == 200
    program.refresh_from_db()
    assert program.end_date == far
