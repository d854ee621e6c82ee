"""An archived (discharged) patient's personal link is never renewed, emailed or printed:
each would hand out a sign-in nobody should hold, which restoring them would bring to life.
Revoking stays allowed: it only takes access away, and keeps the old link dead after a
restore."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.patients import auth
from apps.patients.archive_services import patient_archive, patient_restore
from apps.patients.models import Patient
from apps.patients.services import patient_link_email_send
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

REFUSED = "This patient is archived: restore them before"


def url(patient, action=""):
    return f"/patients/{patient.public_id}/{action}"


# Emailing and renewing the link are posted to the patient page itself.
RENEW, EMAIL = {"change": "renew-link"}, {"change": "email-link"}


def link_columns(patient):
    return (
        Patient.objects.filter(pk=patient.pk)
        .values_list("link_version", "link_issued_at", "link_revoked_at")
        .get()
    )


@pytest.fixture
def archived(therapist_a, patient_a):
    patient_archive(patient=patient_a, actor=therapist_a)
    return patient_a


def test_the_service_refuses_to_renew_an_archived_patients_link(therapist_a, archived):
    before = link_columns(archived)

    with pytest.raises(ValidationError, match=f"{REFUSED} renewing the link"):
        auth.personal_link_renew(patient=archived, actor=therapist_a)

    assert link_columns(archived) == before
    assert not AuditEntry.objects.filter(detail="personal link renewed").exists()


def test_renewing_refuses_a_stale_copy_of_a_patient_archived_meanwhile(therapist_a, patient_a):
    stale = Patient.objects.get(pk=patient_a.pk)  # opened in another tab before the archive
    patient_archive(patient=patient_a, actor=therapist_a)

    with pytest.raises(ValidationError, match="archived"):
        auth.personal_link_renew(patient=stale, actor=therapist_a)

    assert link_columns(patient_a)[0] == 1


def test_the_service_refuses_to_email_a_stale_copy_of_a_patient_archived_meanwhile(
    therapist_a, patient_a
):
    stale = Patient.objects.get(pk=patient_a.pk)
    patient_archive(patient=patient_a, actor=therapist_a)

    with pytest.raises(ValidationError, match=f"{REFUSED} sending the link"):
        patient_link_email_send(patient=stale, link_url="https://x.example/", actor=therapist_a)

    assert mail.outbox == []


def test_the_renew_page_is_a_400_that_says_why_and_changes_nothing(therapist_a, archived):
    before = link_columns(archived)

    response = signed_in(therapist_a).post(url(archived), RENEW)

    assert response.status_code == 400
    assert f"{REFUSED} renewing the link." in response.text
    assert link_columns(archived) == before


def test_the_email_page_is_a_400_that_says_why_and_sends_nothing(therapist_a, archived):
    response = signed_in(therapist_a).post(url(archived), EMAIL)

    assert response.status_code == 400
    assert f"{REFUSED} sending the link." in response.text
    assert mail.outbox == []


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_handout_with_the_link_is_not_printed_for_an_archived_patient(
    therapist_a, archived, paper
):
    response = signed_in(therapist_a).get(url(archived, f"handout.pdf?paper={paper}"))

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert f"{REFUSED} printing." in response.text
    assert not AuditEntry.objects.filter(action="export", patient=archived).exists()


def test_a_clinic_admin_is_refused_too(admin_a, archived):
    client = signed_in(admin_a)

    assert client.post(url(archived), RENEW).status_code == 400
    assert client.post(url(archived), EMAIL).status_code == 400
    assert client.get(url(archived, "handout.pdf")).status_code == 400


def test_the_archived_patients_page_offers_no_renew_email_or_print_and_says_why(
    therapist_a, archived
):
    response = signed_in(therapist_a).get(url(archived))

    assert response.status_code == 200
    assert url(archived, "handout.pdf") not in response.text
    for change in ("renew-link", "email-link"):
        assert f'value="{change}"' not in response.text
    assert "Renewing, emailing or printing the link waits until you restore them" in response.text
    assert f'action="{url(archived, "link/revoke/")}"' in response.text


def test_revoking_an_archived_patients_link_keeps_it_dead_after_restoring(
    client, therapist_a, archived
):
    path = auth.personal_link_path(archived)

    response = signed_in(therapist_a).post(url(archived, "link/revoke/"))
    patient_restore(patient=archived, actor=therapist_a)

    assert response.status_code == 302
    archived.refresh_from_db()
    assert archived.link_revoked_at is not None
    assert client.get(path).status_code == 404
    assert AuditEntry.objects.filter(patient=archived, detail="personal link revoked").exists()


def test_a_revoked_archived_patients_page_offers_no_second_revoke(therapist_a, archived):
    auth.personal_link_revoke(patient=archived, actor=therapist_a)

    response = signed_in(therapist_a).get(url(archived))

    assert url(archived, "link/revoke/") not in response.text


def test_after_restoring_the_link_is_renewed_as_before(therapist_a, archived):
    patient_restore(patient=archived, actor=therapist_a)

    response = signed_in(therapist_a).post(url(archived), RENEW)

    assert response.status_code == 302
    assert link_columns(archived)[0] == 2
