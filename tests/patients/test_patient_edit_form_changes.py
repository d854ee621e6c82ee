"""The staff's form that edits a patient saves only what the staff member changed from what it
showed them (each field carries the value it showed, ``show_hidden_initial``), through
``patient_update_partial``. A change committed while the form was open (the patient turning
reminders off or moving time zone on their phone, a colleague's edit of another field) is
kept; the form used to write every value it had shown back over it."""

import datetime as dt

import pytest

from apps.audit.models import AuditEntry
from apps.patients.models import Patient
from apps.patients.reminder_choice import patient_reminders_choose
from apps.patients.services import patient_update_partial
from tests.conftest import signed_in
from tests.drawn_form import drawn_form

pytestmark = pytest.mark.django_db


def _url(patient):
    return f"/patients/{patient.public_id}/edit/"


def _drawn(client, patient):
    """The edit form as the page draws it, as the browser would send it back unchanged."""
    return drawn_form(client.get(_url(patient)).text, with_field="full_name")


def test_an_edit_keeps_what_others_changed_while_the_form_was_open(therapist_a, admin_a, patient_a):
    client = signed_in(therapist_a)
    form = _drawn(client, patient_a)
    patient_reminders_choose(
        patient=patient_a, reminders_enabled=False, reminder_time=None, time_zone="Asia/Tokyo"
    )
    colleague = signed_in(admin_a)
    colleague.post(_url(patient_a), _drawn(colleague, patient_a) | {"email": "ann@new.example"})

    response = client.post(_url(patient_a), form | {"phone": "+44 7700 900123"})

    assert response.status_code == 302
    saved = Patient.objects.get(pk=patient_a.pk)
    assert (saved.phone, saved.email) == ("+44 7700 900123", "ann@new.example")
    assert (saved.reminders_enabled, saved.time_zone) == (False, "Asia/Tokyo")
    assert saved.full_name == "Ann A"


def test_a_form_sent_back_unchanged_changes_nothing(therapist_a, admin_a, patient_a):
    client = signed_in(therapist_a)
    form = _drawn(client, patient_a)
    patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=dt.time(19, 15),
        time_zone="Asia/Tokyo",
    )  # fmt: skip
    patient_update_partial(patient=patient_a, changes={"full_name": "Ann Lee"}, actor=admin_a)

    response = client.post(_url(patient_a), form, follow=True)

    saved = Patient.objects.get(pk=patient_a.pk)
    assert (saved.full_name, saved.reminder_time, saved.time_zone) == (
        "Ann Lee",
        dt.time(19, 15),
        "Asia/Tokyo",
    )
    assert "Nothing to save: no detail was changed." in response.text
    assert not AuditEntry.objects.filter(actor=therapist_a, action="change").exists()


def test_the_staff_members_own_change_of_the_reminders_wins(therapist_a, patient_a):
    client = signed_in(therapist_a)
    form = _drawn(client, patient_a)
    del form["reminders_enabled"]  # the box unticked
    patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=dt.time(19, 15)
    )

    client.post(_url(patient_a), form | {"reminder_time": "09:45"})

    saved = Patient.objects.get(pk=patient_a.pk)
    assert (saved.reminders_enabled, saved.reminder_time) == (False, dt.time(9, 45))


def test_the_staff_members_own_change_of_the_zone_wins(therapist_a, patient_a):
    client = signed_in(therapist_a)
    form = _drawn(client, patient_a)
    patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=None, time_zone="Asia/Tokyo"
    )

    client.post(_url(patient_a), form | {"time_zone": "America/Chicago"})

    assert Patient.objects.get(pk=patient_a.pk).time_zone == "America/Chicago"


def test_a_form_shown_again_after_a_refusal_still_compares_with_what_was_first_shown(
    therapist_a, admin_a, patient_a
):
    """The colleague's new email lands before the first (refused) post: the form drawn again
    with the error must not take it as what it showed, or the second post writes it over."""
    client = signed_in(therapist_a)
    form = _drawn(client, patient_a)
    patient_update_partial(patient=patient_a, changes={"email": "ann@new.example"}, actor=admin_a)

    refused = client.post(_url(patient_a), form | {"phone": "call me"})
    again = drawn_form(refused.text, with_field="full_name")
    response = client.post(_url(patient_a), again | {"phone": "+44 7700 900123"})

    assert (refused.status_code, response.status_code) == (400, 302)
    saved = Patient.objects.get(pk=patient_a.pk)
    assert (saved.phone, saved.email) == ("+44 7700 900123", "ann@new.example")


def test_a_form_without_the_values_it_showed_saves_every_field_as_sent(therapist_a, patient_a):
    """A page drawn by an earlier release (or any client that sends no ``initial-`` values):
    an unticked box there is the staff member turning reminders off, not "left as shown"."""
    client = signed_in(therapist_a)
    form = _drawn(client, patient_a)
    sent = {name: value for name, value in form.items() if not name.startswith("initial-")}
    del sent["reminders_enabled"]

    response = client.post(_url(patient_a), sent)

    assert response.status_code == 302
    assert not Patient.objects.get(pk=patient_a.pk).reminders_enabled


def test_an_admin_moves_the_patient_with_the_form(admin_a, therapist_a, patient_a):
    colleague = signed_in(admin_a)
    form = _drawn(colleague, patient_a)

    colleague.post(_url(patient_a), form | {"therapist": str(admin_a.public_id)})

    assert Patient.objects.get(pk=patient_a.pk).therapist == admin_a


def test_a_change_a_colleague_already_saved_says_nothing_was_saved(therapist_a, admin_a, patient_a):
    """The same new value saved by a colleague while the form was open: this save writes
    nothing, so it must not say it saved the details."""
    client = signed_in(therapist_a)
    form = _drawn(client, patient_a)
    patient_update_partial(patient=patient_a, changes={"phone": "+44 7700 900123"}, actor=admin_a)

    response = client.post(_url(patient_a), form | {"phone": "+44 7700 900123"}, follow=True)

    assert response.status_code == 200
    assert "Nothing to save: these details were already saved." in response.text
    assert "Patient details saved." not in response.text
    assert not AuditEntry.objects.filter(actor=therapist_a, action="change").exists()


def test_a_change_saved_beside_a_colleagues_same_change_says_saved(therapist_a, admin_a, patient_a):
    client = signed_in(therapist_a)
    form = _drawn(client, patient_a)
    patient_update_partial(patient=patient_a, changes={"phone": "+44 7700 900123"}, actor=admin_a)

    response = client.post(
        _url(patient_a), form | {"phone": "+44 7700 900123", "full_name": "Ann Lee"}, follow=True
    )

    assert "Patient details saved." in response.text
    assert Patient.objects.get(pk=patient_a.pk).full_name == "Ann Lee"
