"""The staff pages that archive (discharge) and restore a patient, and the archived list."""

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.patients.archive_services import patient_archive
from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.factories import PatientFactory, ProgramFactory, StaffFactory

pytestmark = pytest.mark.django_db


def url(patient, action=""):
    return f"/patients/{patient.public_id}/{action}"


RESTORE = {"change": "restore"}  # posted to the patient page itself


def archived_at(patient):
    return Patient.objects.get(pk=patient.pk).archived_at


def test_the_patient_page_offers_to_archive_and_says_what_follows(therapist_a, patient_a):
    response = signed_in(therapist_a).get(url(patient_a))

    assert response.status_code == 200
    assert f'action="{url(patient_a, "archive/")}"' in response.text
    assert "Archive (discharge) patient" in response.text
    for consequence in (
        "can no longer sign in",
        "gets no reminders",
        "leaves the dashboard and the patient lists",
        "Nothing is deleted",
        "you can restore them",
    ):
        assert consequence in response.text
    assert "Restore patient" not in response.text


def test_a_therapist_archives_their_patient(therapist_a, patient_a):
    client = signed_in(therapist_a)

    response = client.post(url(patient_a, "archive/"))

    assert response.status_code == 302
    assert response["Location"] == url(patient_a)
    assert archived_at(patient_a) is not None
    page = client.get(url(patient_a))
    assert "archived: they are signed out" in page.text
    assert AuditEntry.objects.filter(
        patient=patient_a, action="change", detail="patient archived (discharged)"
    ).exists()


def test_archiving_twice_records_once_and_says_so(therapist_a, patient_a):
    client = signed_in(therapist_a)
    client.post(url(patient_a, "archive/"))

    again = client.post(url(patient_a, "archive/"), follow=True)

    assert "was already archived" in again.text
    assert (
        AuditEntry.objects.filter(patient=patient_a, detail__startswith="patient archived").count()
        == 1
    )


def test_an_archived_patients_page_still_opens_with_their_history_and_a_restore_action(
    therapist_a, patient_a
):
    ProgramFactory(patient=patient_a, name="Post-op hips")
    patient_archive(patient=patient_a, actor=therapist_a)
    day = timezone.localtime(archived_at(patient_a)).strftime("%-d %b %Y")

    response = signed_in(therapist_a).get(url(patient_a))

    assert response.status_code == 200
    assert f"Archived on {day}" in response.text
    assert "Post-op hips" in response.text
    assert '<input type="hidden" name="change" value="restore">' in response.text
    assert "Restore patient" in response.text
    # No link to hand out or email, and no archive action, while archived.
    assert url(patient_a, "handout.pdf") not in response.text
    assert 'value="email-link"' not in response.text
    assert url(patient_a, "archive/") not in response.text


def test_a_therapist_restores_their_archived_patient(therapist_a, patient_a):
    patient_archive(patient=patient_a, actor=therapist_a)
    client = signed_in(therapist_a)

    response = client.post(url(patient_a), RESTORE)

    assert response.status_code == 302
    assert archived_at(patient_a) is None
    assert patient_a.full_name in client.get("/patients/").text
    assert AuditEntry.objects.filter(patient=patient_a, detail="patient restored").count() == 1


def test_restoring_an_active_patient_changes_nothing(therapist_a, patient_a):
    response = signed_in(therapist_a).post(url(patient_a), RESTORE, follow=True)

    assert "was not archived" in response.text
    assert not AuditEntry.objects.filter(patient=patient_a, action="change").exists()


def test_restoring_with_a_deactivated_therapist_is_a_400_that_says_what_to_do(admin_a, patient_a):
    patient_archive(patient=patient_a, actor=admin_a)
    type(admin_a).objects.filter(pk=patient_a.therapist_id).update(is_active=False)

    response = signed_in(admin_a).post(url(patient_a), RESTORE)

    assert response.status_code == 400
    assert "their therapist has been deactivated" in response.text
    assert archived_at(patient_a) is not None


def test_a_clinic_admin_archives_and_restores_any_patient_of_the_clinic(admin_a, patient_a):
    client = signed_in(admin_a)

    client.post(url(patient_a, "archive/"))
    assert archived_at(patient_a) is not None
    client.post(url(patient_a), RESTORE)
    assert archived_at(patient_a) is None


def test_a_colleagues_patient_is_a_404_for_a_therapist(therapist_a):
    colleague_patient = PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    client = signed_in(therapist_a)

    assert client.post(url(colleague_patient, "archive/")).status_code == 404
    patient_archive(patient=colleague_patient, actor=colleague_patient.therapist)
    assert client.post(url(colleague_patient), RESTORE).status_code == 404
    assert archived_at(colleague_patient) is not None
    # Read-only, as for an active colleague's patient: the page opens, without actions.
    page = client.get(url(colleague_patient))
    assert page.status_code == 200
    assert "Restore patient" not in page.text


def test_another_clinics_patient_is_a_404(therapist_a, admin_a, patient_b):
    for user in (therapist_a, admin_a):
        client = signed_in(user)
        assert client.post(url(patient_b, "archive/")).status_code == 404
        assert client.post(url(patient_b), RESTORE).status_code == 404
    assert archived_at(patient_b) is None


def test_a_patient_gets_a_403(patient_a):
    client = signed_in(patient_a.user)

    assert client.post(url(patient_a, "archive/")).status_code == 403
    assert client.post(url(patient_a), RESTORE).status_code == 403
    assert archived_at(patient_a) is None


def test_archive_takes_post_only(therapist_a, patient_a):
    client = signed_in(therapist_a)

    assert client.get(url(patient_a, "archive/")).status_code == 405
    assert archived_at(patient_a) is None


def test_the_list_leaves_archived_patients_out_and_shows_them_on_request(therapist_a, patient_a):
    gone = PatientFactory(therapist=therapist_a, full_name="Gail Gone")
    patient_archive(patient=gone, actor=therapist_a)
    client = signed_in(therapist_a)

    active = client.get("/patients/")
    archived = client.get("/patients/?status=archived")

    assert patient_a.full_name in active.text
    assert "Gail Gone" not in active.text
    assert "/patients/?status=archived" in active.text
    assert "Gail Gone" in archived.text
    assert url(gone) in archived.text
    assert patient_a.full_name not in archived.text
    assert "Archived on" in archived.text


def test_the_archived_list_keeps_the_therapists_scope_and_the_search(therapist_a):
    mine = PatientFactory(therapist=therapist_a, full_name="Mia Mine")
    theirs = PatientFactory(
        therapist=StaffFactory(clinic=therapist_a.clinic), full_name="Tom Theirs"
    )
    for patient in (mine, theirs):
        patient_archive(patient=patient, actor=patient.therapist)
    client = signed_in(therapist_a)

    own = client.get("/patients/?status=archived")
    everyone = client.get("/patients/?status=archived&scope=all&q=tom")

    assert "Mia Mine" in own.text
    assert "Tom Theirs" not in own.text
    assert "Tom Theirs" in everyone.text
    assert "Mia Mine" not in everyone.text


def test_the_archived_list_never_shows_another_clinics_patients(admin_a, patient_b):
    patient_archive(patient=patient_b, actor=patient_b.therapist)

    response = signed_in(admin_a).get("/patients/?status=archived")

    assert patient_b.full_name not in response.text
    assert "No archived patient" in response.text


def test_the_archived_list_is_audited_as_such(therapist_a):
    signed_in(therapist_a).get("/patients/?status=archived")

    assert AuditEntry.objects.filter(actor=therapist_a, detail="archived patient list").exists()


@pytest.mark.parametrize("count", [1, 12])
def test_the_archived_list_runs_a_fixed_number_of_queries(
    therapist_a, django_assert_max_num_queries, count
):
    for _ in range(count):
        patient = PatientFactory(therapist=therapist_a)
        ProgramFactory(patient=patient)
        patient_archive(patient=patient, actor=therapist_a)
    client = signed_in(therapist_a)

    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(13):
        response = client.get("/patients/?status=archived")

    assert response.status_code == 200
    assert response.text.count("/patients/") >= count
