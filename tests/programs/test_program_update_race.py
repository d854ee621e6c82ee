"""The program PATCH (PATCH /api/v1/programs/<id>/update/) changes only the fields it sends: a
change to the same program committed while the PATCH is under way (the schedule page, a
colleague's PATCH of another field) is kept, not written over with the program as the PATCH
first read it; the checks that span fields (start before end) are made with it.

The race tests use real threads, each with its own PostgreSQL connection
(tests/programs/races.py): writer A holds its change uncommitted until the PATCH, started
after A's change, is seen waiting. The others give the service a copy read before another
change, as a request that read the program first would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from apps.audit.models import AuditEntry
from apps.patients.services import patient_update_partial
from apps.programs import edit_services
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import ProgramFactory, StaffFactory, TemplateProgramFactory
from tests.programs.races import race


def patch(user, program, body, answers=None):
    def send() -> None:
        response = signed_in(user).patch(
            f"/api/v1/programs/{program.public_id}/update/", body, content_type="application/json"
        )
        if answers is None:
            assert response.status_code == 200, response.content
        else:
            answers.append(response)

    return send


@pytest.mark.django_db(transaction=True)
def test_a_schedule_change_meanwhile_is_kept(require_postgres, therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())

    def set_reminder_time() -> None:
        edit_services.program_schedule_update(
            actor=therapist_a, program=Program.objects.get(pk=program.pk),
            weekdays=range(7), start_date=program.start_date, reminder_time=dt.time(8, 30),
        )  # fmt: skip

    race(set_reminder_time, patch(therapist_a, program, {"name": "Renamed"}))

    saved = Program.objects.get(pk=program.pk)
    assert (saved.name, saved.reminder_time) == ("Renamed", dt.time(8, 30))


@pytest.mark.django_db(transaction=True)
def test_a_colleagues_patch_of_a_template_meanwhile_is_kept(require_postgres, therapist_a, admin_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic, notes="Old notes")

    race(
        patch(admin_a, template, {"notes": "Slowly."}),
        patch(therapist_a, template, {"weekdays": ["mon", "thu"]}),
    )

    saved = Program.objects.get(pk=template.pk)
    assert (saved.notes, saved.weekday_numbers) == ("Slowly.", [0, 3])


@pytest.mark.django_db(transaction=True)
def test_dates_are_checked_with_an_end_date_set_meanwhile(require_postgres, therapist_a, patient_a):
    """A start date after an end date committed while the PATCH waited is refused, as it would
    have been had the end date been there when the PATCH was sent."""
    today = patient_a.local_today()
    start, end = today + dt.timedelta(days=3), today + dt.timedelta(days=7)
    program = ProgramFactory(patient=patient_a, start_date=start)
    answers: list = []

    def set_end_date() -> None:
        edit_services.program_schedule_update(
            actor=therapist_a, program=Program.objects.get(pk=program.pk),
            weekdays=range(7), start_date=start, end_date=end,
        )  # fmt: skip

    later = (today + dt.timedelta(days=10)).isoformat()
    race(set_end_date, patch(therapist_a, program, {"start_date": later}, answers))

    assert answers[0].status_code == 400
    assert "end_date" in answers[0].json()["errors"]
    saved = Program.objects.get(pk=program.pk)
    assert (saved.start_date, saved.end_date) == (start, end)


@pytest.mark.django_db
def test_the_service_keeps_a_change_made_since_its_copy_was_read(therapist_a, admin_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    as_first_read = Program.objects.get(pk=program.pk)
    edit_services.program_edit(actor=admin_a, program=program, changes={"notes": "Slowly."})

    edit_services.program_edit(
        actor=therapist_a, program=as_first_read, changes={"reminder_time": dt.time(9, 0)}
    )

    saved = Program.objects.get(pk=program.pk)
    assert (saved.notes, saved.reminder_time) == ("Slowly.", dt.time(9, 0))
    assert (as_first_read.notes, as_first_read.reminder_time) == ("Slowly.", dt.time(9, 0))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{}, {"name": "Hip program", "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}],
)
def test_a_patch_that_changes_nothing_writes_and_records_nothing(therapist_a, patient_a, body):
    program = ProgramFactory(patient=patient_a)
    before = Program.objects.get(pk=program.pk)
    audited = AuditEntry.objects.count()

    response = signed_in(therapist_a).patch(
        f"/api/v1/programs/{program.public_id}/update/", body, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Hip program"
    assert Program.objects.get(pk=program.pk).updated_at == before.updated_at
    assert AuditEntry.objects.count() == audited


@pytest.mark.django_db
def test_a_program_whose_patient_was_moved_since_is_a_404_for_the_former_therapist(
    therapist_a, admin_a, patient_a
):
    program = ProgramFactory(patient=patient_a)
    as_first_read = Program.objects.get(pk=program.pk)  # passed the request's access check
    patient_update_partial(
        patient=patient_a, changes={"therapist": StaffFactory(clinic=therapist_a.clinic)},
        actor=admin_a,
    )  # fmt: skip

    with pytest.raises(Http404):
        edit_services.program_edit(
            actor=therapist_a, program=as_first_read, changes={"name": "Mine"}
        )

    assert Program.objects.get(pk=program.pk).name == "Hip program"
