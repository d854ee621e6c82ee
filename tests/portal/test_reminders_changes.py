"""The patient's own reminder settings (PATCH /api/v1/me/reminders/ and the /reminders/ page)
change only what the patient sent (the API) or changed from what the page showed them (the
form): a change to the same settings committed meanwhile (reminders stopped with the emailed
link, the clinic moving their time zone) is kept, not written over with the values first read,
and the checks across fields (an address to send to) are made with it.

The race test uses real threads, each with its own PostgreSQL connection
(tests/programs/races.py): writer A holds its change uncommitted until the PATCH, started
after A's change, is seen waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.notifications.services import patient_reminders_opt_out
from apps.patients.models import Patient
from apps.patients.reminder_choice import patient_reminders_change, patient_reminders_choose
from apps.patients.services import patient_update_partial
from tests.conftest import signed_in
from tests.drawn_form import drawn_form
from tests.programs.races import race

API = "/api/v1/me/reminders/"
PAGE = "/reminders/"


def patch(patient, body, answers):
    def send() -> None:
        answers.append(signed_in(patient.user).patch(API, body, content_type="application/json"))

    return send


def settings_of(patient):
    row = Patient.objects.get(pk=patient.pk)
    return row.reminders_enabled, row.reminder_time, row.time_zone


@pytest.mark.django_db(transaction=True)
def test_reminders_stopped_meanwhile_stay_stopped(require_postgres, patient_a):
    answers: list = []

    def stop_with_the_emailed_link() -> None:
        patient_reminders_opt_out(patient=Patient.objects.get(pk=patient_a.pk))

    race(stop_with_the_emailed_link, patch(patient_a, {"reminder_time": "08:30"}, answers))

    assert answers[0].status_code == 200, answers[0].content
    assert answers[0].json()["reminders_enabled"] is False
    assert settings_of(patient_a)[:2] == (False, dt.time(8, 30))


@pytest.mark.django_db
def test_turning_reminders_on_is_checked_with_the_address_as_it_is_now(therapist_a, patient_a):
    """The clinic removed the email address after the patient's request read them: reminders
    by email cannot be turned on, whatever the request's first read said."""
    Patient.objects.filter(pk=patient_a.pk).update(reminders_enabled=False)
    as_first_read = Patient.objects.get(pk=patient_a.pk)
    patient_update_partial(patient=patient_a, changes={"email": ""}, actor=therapist_a)

    with pytest.raises(ValidationError) as refused:
        patient_reminders_choose(patient=as_first_read, reminders_enabled=True, reminder_time=None)

    assert list(refused.value.message_dict) == ["reminders_enabled"]
    assert settings_of(patient_a)[0] is False


@pytest.mark.django_db
def test_the_service_keeps_a_change_made_since_its_copy_was_read(therapist_a, patient_a):
    as_first_read = Patient.objects.get(pk=patient_a.pk)
    patient_update_partial(
        patient=patient_a, changes={"time_zone": "Asia/Tokyo"}, actor=therapist_a
    )
    patient_reminders_opt_out(patient=patient_a)

    changed = patient_reminders_change(
        patient=as_first_read, changes={"reminder_time": dt.time(9, 45)}
    )

    assert changed
    assert settings_of(patient_a) == (False, dt.time(9, 45), "Asia/Tokyo")
    assert (as_first_read.reminders_enabled, as_first_read.time_zone) == (False, "Asia/Tokyo")


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"reminders_enabled": True, "reminder_time": None}])
def test_a_patch_that_changes_nothing_writes_and_records_nothing(patient_a, body):
    audited = AuditEntry.objects.count()

    response = signed_in(patient_a.user).patch(API, body, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["reminders_enabled"] is True
    assert AuditEntry.objects.count() == audited


@pytest.mark.django_db
def test_the_page_saves_only_what_the_patient_changed(therapist_a, patient_a):
    client = signed_in(patient_a.user)
    form = drawn_form(client.get(PAGE).text, with_field="reminder_time")
    patient_reminders_opt_out(patient=patient_a)
    patient_update_partial(
        patient=patient_a, changes={"time_zone": "Asia/Tokyo"}, actor=therapist_a
    )

    response = client.post(PAGE, form | {"reminder_time": "09:45"})

    assert response.status_code == 302
    assert settings_of(patient_a) == (False, dt.time(9, 45), "Asia/Tokyo")


@pytest.mark.django_db
def test_the_page_sent_back_unchanged_changes_nothing_and_says_so(therapist_a, patient_a):
    client = signed_in(patient_a.user)
    form = drawn_form(client.get(PAGE).text, with_field="reminder_time")
    patient_reminders_opt_out(patient=patient_a)
    audited = AuditEntry.objects.count()

    response = client.post(PAGE, form, follow=True)

    assert settings_of(patient_a)[0] is False
    assert AuditEntry.objects.count() == audited
    assert "Nothing to save: you changed nothing." in response.text
