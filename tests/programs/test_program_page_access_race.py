"""The builder's Save schedule (``program_schedule_update``) asks again, under the program's
lock, whether the caller may still change the program: a patient handed over to a colleague
while the request waited is a 404 for the former therapist, and nothing is saved or
recorded (it took the lock but asked nothing under it before). Save name and notes
(``program_edit_changed``) already asked: kept so. Two PostgreSQL connections
(tests/programs/hand_over_races.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.programs.models import Program
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ProgramFactory, TemplateProgramFactory
from tests.programs.hand_over_races import audits_by, during_a_hand_over


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=patient_a.local_today())


def sent_from_the_builder(user, program, button: str, **changes: str):
    client, page = signed_in(user), f"/programs/{program.public_id}/"
    form = form_saying(client.get(page).text, button)
    return lambda: client.post(form.action or page, form.values | changes)


@pytest.mark.django_db(transaction=True)
def test_the_schedule_saved_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, program
):
    end = (program.start_date + timedelta(days=30)).isoformat()
    send = sent_from_the_builder(therapist_a, program, "Save schedule", end_date=end)
    audited = audits_by(therapist_a)  # the page's own read is in the log

    answer = during_a_hand_over(admin=admin_a, therapist=therapist_a, send=send)

    assert answer.status_code == 404
    assert Program.objects.get(pk=program.pk).end_date is None
    assert Program.objects.count() == 1
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_name_saved_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, program
):
    send = sent_from_the_builder(therapist_a, program, "Save name and notes", name="Mine")
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(admin=admin_a, therapist=therapist_a, send=send)

    assert answer.status_code == 404
    assert Program.objects.get(pk=program.pk).name == "Hip program"
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_admin_saves_the_schedule_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, program
):
    end = program.start_date + timedelta(days=30)
    send = sent_from_the_builder(admin_a, program, "Save schedule", end_date=end.isoformat())

    answer = during_a_hand_over(admin=admin_a, therapist=therapist_a, send=send)

    assert answer.status_code == 302
    assert Program.objects.get(pk=program.pk).end_date == end


@pytest.mark.django_db(transaction=True)
def test_a_templates_schedule_is_saved_during_a_hand_over(
    require_postgres, therapist_a, admin_a, patient_a
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic, reminder_time=None)
    send = sent_from_the_builder(therapist_a, template, "Save schedule", reminder_time="09:00")

    answer = during_a_hand_over(admin=admin_a, therapist=therapist_a, send=send)

    assert answer.status_code == 302
    assert Program.objects.get(pk=template.pk).reminder_time.isoformat() == "09:00:00"
