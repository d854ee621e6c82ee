"""The patient page's forms (personal link, restore, hip precautions) are posted to the page
itself: a refusal is the page with its message at an address that shows the page again when
it is reloaded, bookmarked or opened from the history, never an empty 405."""

from datetime import timedelta

import pytest
from django.core import mail

from apps.patients import precautions
from apps.patients.archive_services import patient_archive
from apps.patients.models import HipPrecaution, Patient
from tests.conftest import signed_in
from tests.drawn_form import DrawnForm, drawn_forms, form_saying
from tests.factories import PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _page(patient: Patient) -> str:
    return f"/patients/{patient.public_id}/"


def _refused_then_opened_again(client, form: DrawnForm, message: str, **changed: str) -> None:
    refused = client.post(form.action, form.values | changed)

    assert refused.status_code == 400, refused.content[:300]
    assert message in refused.text.replace("&#x27;", "'")
    again = client.get(form.action)
    assert again.status_code == 200
    assert '<h2 id="hip-precautions-heading">Hip precautions</h2>' in again.text


def _set_precautions(patient: Patient, actor) -> HipPrecaution:
    today = patient.local_today()
    return precautions.precaution_set(
        actor=actor, patient=patient, kind="posterior", starts_on=today,
        ends_on=today + timedelta(days=42),
    )  # fmt: skip


def test_every_form_that_can_be_refused_is_posted_to_the_page_itself(therapist_a, patient_a):
    _set_precautions(patient_a, therapist_a)

    page = signed_in(therapist_a).get(_page(patient_a)).text

    actions = {form.action for form in drawn_forms(page) if form.method == "post"}
    # Revoking the link and archiving always end in a redirect: they keep their addresses.
    # The progress report button is posted to the outcome measures page, its own.
    page_url = _page(patient_a)
    elsewhere = {f"{page_url}link/revoke/", f"{page_url}archive/", f"{page_url}outcomes/"}
    assert actions - elsewhere - {"/sign-out/"} == {page_url}


def test_a_refused_link_email_stays_at_the_patients_page(therapist_a, patient_a):
    client = signed_in(therapist_a)
    form = form_saying(client.get(_page(patient_a)).text, "Email the link to")
    Patient.objects.filter(pk=patient_a.pk).update(email="")  # a colleague removed it since

    _refused_then_opened_again(client, form, "no email address")
    assert not mail.outbox


def test_a_refused_link_renewal_stays_at_the_patients_page(therapist_a, patient_a):
    client = signed_in(therapist_a)
    form = form_saying(client.get(_page(patient_a)).text, "Renew link")
    patient_archive(patient=patient_a, actor=therapist_a)  # in another window

    _refused_then_opened_again(client, form, "archived")


def test_a_refused_restore_stays_at_the_patients_page(admin_a, therapist_a, patient_a):
    patient_archive(patient=patient_a, actor=admin_a)
    therapist_a.is_active = False
    therapist_a.save(update_fields=["is_active"])
    StaffFactory(clinic=admin_a.clinic)
    client = signed_in(admin_a)
    form = form_saying(client.get(_page(patient_a)).text, "Restore patient")

    _refused_then_opened_again(client, form, "Choose who looks after them", therapist="")
    patient_a.refresh_from_db()
    assert patient_a.archived_at is not None


def test_refused_precautions_stay_at_the_patients_page(therapist_a, patient_a):
    client = signed_in(therapist_a)
    form = form_saying(client.get(_page(patient_a)).text, "Save precautions")
    today = patient_a.local_today()
    body = {"precaution-kind": "posterior", "precaution-starts_on": str(today),
            "precaution-ends_on": str(today - timedelta(days=1))}  # fmt: skip

    _refused_then_opened_again(
        client, form, "The day they lift must be after the day they start.", **body
    )
    assert not HipPrecaution.objects.exists()


def test_ending_precautions_already_ended_stays_at_the_patients_page(therapist_a, patient_a):
    precaution = _set_precautions(patient_a, therapist_a)
    client = signed_in(therapist_a)
    form = form_saying(client.get(_page(patient_a)).text, "End now")
    precautions.precaution_end(actor=therapist_a, precaution=precaution)  # in another window

    _refused_then_opened_again(client, form, "already")


@pytest.mark.parametrize(
    "body",
    [
        {"change": "email-link"},
        {"change": "renew-link"},
        {"change": "restore"},
        {"change": "set-precautions", "precaution-kind": "posterior"},
        {"change": "end-precautions"},
    ],
)
def test_changes_posted_to_another_clinics_or_a_colleagues_patient_are_a_404(
    therapist_a, patient_b, body
):
    colleagues = PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    client = signed_in(therapist_a)

    for patient in (patient_b, colleagues):
        assert client.post(_page(patient), body).status_code == 404
    assert not mail.outbox
    assert not HipPrecaution.objects.exists()


def test_ending_another_patients_precautions_through_this_page_is_a_404(
    therapist_a, patient_a, patient_b
):
    theirs = _set_precautions(patient_b, patient_b.therapist)
    mine_too = PatientFactory(therapist=therapist_a)
    other = _set_precautions(mine_too, therapist_a)
    client = signed_in(therapist_a)

    for precaution in (theirs, other, "not-an-id"):
        public_id = getattr(precaution, "public_id", precaution)
        body = {"change": "end-precautions", "precaution": public_id}
        assert client.post(_page(patient_a), body).status_code == 404
    assert not HipPrecaution.objects.filter(ended_at__isnull=False).exists()


def test_a_patient_posting_to_the_staff_patient_page_gets_a_403(patient_a):
    client = signed_in(patient_a.user)

    for change in ("email-link", "renew-link", "restore", "set-precautions", "end-precautions"):
        assert client.post(_page(patient_a), {"change": change}).status_code == 403
    assert not mail.outbox


def test_an_unknown_change_is_a_400_that_changes_nothing(therapist_a, patient_a):
    client = signed_in(therapist_a)
    before = Patient.objects.filter(pk=patient_a.pk).values().get()

    for body in ({"change": "promote"}, {}):
        response = client.post(_page(patient_a), body)

        assert response.status_code == 400
        assert "The page could not tell what to change" in response.text
    assert Patient.objects.filter(pk=patient_a.pk).values().get() == before
