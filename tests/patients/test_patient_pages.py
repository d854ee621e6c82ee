import datetime as dt

import pytest
from django.core import mail

from apps.audit.models import AuditEntry
from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.factories import PatientFactory, ProgramFactory, StaffFactory

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "full_name": "Nia Okafor",
    "email": "Nia@Mail.example",
    "phone": "+44 7700 900123",
    "year_of_birth": "1970",
    "time_zone": "Europe/Madrid",
    "reminder_time": "08:30",
    "reminder_channel": "sms",
    "reminders_enabled": "on",
}


def test_the_therapist_list_shows_their_own_patients_by_default(therapist_a, patient_a):
    colleague_patient = PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    client = signed_in(therapist_a)

    mine = client.get("/patients/")
    everyone = client.get("/patients/?scope=all")

    assert patient_a.full_name in mine.text
    assert colleague_patient.full_name not in mine.text
    assert colleague_patient.full_name in everyone.text


def test_a_clinic_admin_sees_the_whole_clinic_but_never_another(admin_a, patient_a, patient_b):
    response = signed_in(admin_a).get("/patients/")

    assert patient_a.full_name in response.text
    assert patient_b.full_name not in response.text


def test_the_list_searches_by_name_and_email(therapist_a):
    PatientFactory(therapist=therapist_a, full_name="Ada Lovelace", email="ada@x.example")
    PatientFactory(therapist=therapist_a, full_name="Bob Stone", email="bob@y.example")
    client = signed_in(therapist_a)

    by_name = client.get("/patients/?q=lovel")
    by_email = client.get("/patients/?q=y.example")

    assert "Ada Lovelace" in by_name.text
    assert "Bob Stone" not in by_name.text
    assert "Bob Stone" in by_email.text
    assert "Ada Lovelace" not in by_email.text


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_runs_a_fixed_number_of_queries(therapist_a, django_assert_max_num_queries, count):
    for _ in range(count):
        ProgramFactory(patient=PatientFactory(therapist=therapist_a))
    client = signed_in(therapist_a)

    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(13):
        response = client.get("/patients/")

    assert response.status_code == 200
    assert response.text.count("/patients/") >= count


def test_a_therapist_creates_a_patient_of_their_own(therapist_a):
    response = signed_in(therapist_a).post("/patients/new/", NEW_PATIENT)

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.public_id}/"
    assert (patient.therapist, patient.clinic, patient.email) == (
        therapist_a,
        therapist_a.clinic,
        "nia@mail.example",
    )
    assert (patient.time_zone, patient.reminder_channel, str(patient.reminder_time)) == (
        "Europe/Madrid",
        "sms",
        "08:30:00",
    )
    assert patient.user.is_patient
    assert AuditEntry.objects.filter(action="create", patient=patient).exists()


def test_creating_a_patient_with_bad_input_is_a_400_that_names_the_problem(therapist_a):
    data = NEW_PATIENT | {"time_zone": "Mars/Olympus", "reminder_channel": "sms", "phone": ""}

    response = signed_in(therapist_a).post("/patients/new/", data)

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not Patient.objects.exists()


def test_text_reminders_need_a_phone_number(therapist_a):
    response = signed_in(therapist_a).post("/patients/new/", NEW_PATIENT | {"phone": ""})

    assert response.status_code == 400
    assert "Text-message reminders need a phone number." in response.text
    assert not Patient.objects.exists()


def test_creating_a_patient_for_a_template_returns_to_its_assign_form(therapist_a):
    template_id = "7d1f2f43-1a44-4d38-8a50-9f0d9b9a0c11"

    response = signed_in(therapist_a).post(f"/patients/new/?template={template_id}", NEW_PATIENT)

    patient = Patient.objects.get()
    assert response["Location"].startswith(
        f"/programs/{template_id}/?assign_to={patient.public_id}"
    )


def test_an_admin_assigns_the_new_patient_to_a_therapist(admin_a, therapist_a):
    signed_in(admin_a).post("/patients/new/", NEW_PATIENT | {"therapist": therapist_a.public_id})

    assert Patient.objects.get().therapist == therapist_a


def test_a_therapist_edits_their_patient_and_it_is_audited(therapist_a, patient_a):
    data = NEW_PATIENT | {"full_name": "Ann Changed", "reminders_enabled": ""}

    response = signed_in(therapist_a).post(f"/patients/{patient_a.public_id}/edit/", data)

    patient_a.refresh_from_db()
    assert response.status_code == 302
    assert (patient_a.full_name, patient_a.reminders_enabled) == ("Ann Changed", False)
    assert patient_a.user.full_name == "Ann Changed"
    assert AuditEntry.objects.filter(action="change", patient=patient_a).exists()


def test_a_therapist_cannot_edit_a_colleagues_patient_it_is_a_404(therapist_a):
    """Within a clinic we answer 404 (not 403), like for another clinic's patient."""
    colleague_patient = PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    client = signed_in(therapist_a)
    url = f"/patients/{colleague_patient.public_id}"

    assert client.get(f"{url}/").status_code == 200
    assert client.get(f"{url}/edit/").status_code == 404
    assert client.post(f"{url}/edit/", NEW_PATIENT).status_code == 404
    assert client.post(f"{url}/", {"change": "renew-link"}).status_code == 404
    assert client.get(f"{url}/handout.pdf").status_code == 404


def test_an_admin_edits_any_patient_of_the_clinic(admin_a, patient_a):
    response = signed_in(admin_a).post(
        f"/patients/{patient_a.public_id}/edit/",
        NEW_PATIENT | {"therapist": patient_a.therapist.public_id},
    )

    assert response.status_code == 302


def test_another_clinics_patient_is_a_404_on_every_staff_page(therapist_a, admin_a, patient_b):
    url = f"/patients/{patient_b.public_id}"
    for user in (therapist_a, admin_a):
        client = signed_in(user)
        assert client.get(f"{url}/").status_code == 404
        assert client.get(f"{url}/edit/").status_code == 404
        assert client.post(f"{url}/", {"change": "email-link"}).status_code == 404
        assert client.post(f"{url}/link/revoke/").status_code == 404
        assert client.get(f"{url}/handout.pdf").status_code == 404


def test_a_patient_cannot_reach_the_staff_pages(patient_a):
    client = signed_in(patient_a.user)
    url = f"/patients/{patient_a.public_id}"

    for path in ("/patients/", "/patients/new/", f"{url}/edit/", f"{url}/handout.pdf"):
        assert client.get(path).status_code == 403
    assert client.post(f"{url}/", {"change": "renew-link"}).status_code == 403


def test_the_detail_page_is_audited_and_shows_programs_and_link_actions(therapist_a, patient_a):
    ProgramFactory(patient=patient_a, name="Knee-friendly hips")

    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/")

    assert "Knee-friendly hips" in response.text
    assert f"/patients/{patient_a.public_id}/handout.pdf" in response.text
    assert AuditEntry.objects.filter(action="view", patient=patient_a).count() == 1


def test_the_detail_page_says_when_a_program_sets_its_own_reminder_time(therapist_a, patient_a):
    client = signed_in(therapist_a)
    program = ProgramFactory(patient=patient_a, name="Mornings")
    before = client.get(f"/patients/{patient_a.public_id}/").text
    program.reminder_time = dt.time(9, 30)
    program.save(update_fields=["reminder_time"])

    after = client.get(f"/patients/{patient_a.public_id}/").text

    assert "a program's own time" not in before
    assert "Reminder at 09:30" not in before
    assert "or a program's own time on its days (below)" in after
    assert "Reminder at 09:30" in after


def test_the_detail_page_says_the_patients_own_time_comes_before_a_programs(therapist_a, patient_a):
    patient_a.reminder_time = dt.time(8, 30)
    patient_a.save(update_fields=["reminder_time"])
    client = signed_in(therapist_a)
    alone = client.get(f"/patients/{patient_a.public_id}/").text
    ProgramFactory(patient=patient_a, reminder_time=dt.time(9, 30))

    page = client.get(f"/patients/{patient_a.public_id}/").text

    assert "Email at 08:30 (the patient's own time)</dd>" in alone
    assert "Email at 08:30 (the patient's own time, which comes before a program's)" in page
    assert "a program's own time on its days" not in page


def test_the_detail_page_says_when_quiet_hours_widened_later_cover_a_reminder_time(
    therapist_a, patient_a
):
    """Times are refused inside quiet hours when set; a clinic that widens its quiet hours
    afterwards leaves them there, and the page says that no reminder goes out."""
    patient_a.reminder_time = dt.time(20, 30)
    patient_a.save(update_fields=["reminder_time"])
    ProgramFactory(patient=patient_a, reminder_time=dt.time(7, 45))
    client = signed_in(therapist_a)
    before = client.get(f"/patients/{patient_a.public_id}/").text
    clinic = patient_a.clinic
    clinic.quiet_hours_start = dt.time(20, 0)
    clinic.save(update_fields=["quiet_hours_start"])

    after = client.get(f"/patients/{patient_a.public_id}/").text

    assert "Not sent" not in before
    assert "20:30 is inside the clinic&#x27;s quiet hours (20:00 to 08:00)" in after
    assert 'Reminder at 07:45 <span class="badge warn">inside quiet hours: not sent' in after


def test_an_ended_programs_reminder_time_is_not_said_to_apply(therapist_a, patient_a):
    today = patient_a.local_today()
    ProgramFactory(
        patient=patient_a,
        start_date=today - dt.timedelta(days=20),
        end_date=today - dt.timedelta(days=1),
        reminder_time=dt.time(9, 30),
    )

    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/").text

    assert "Reminder at 09:30" in page
    assert "a program's own time" not in page


def test_emailing_the_link_sends_it_and_never_the_year_of_birth(therapist_a, patient_a):
    from apps.patients.auth import personal_link_url

    response = signed_in(therapist_a).post(
        f"/patients/{patient_a.public_id}/", {"change": "email-link"}
    )

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [patient_a.email]
    assert personal_link_url(patient_a) in message.body
    assert str(patient_a.year_of_birth) not in message.body
    assert AuditEntry.objects.filter(action="export", patient=patient_a).exists()


def test_emailing_the_link_without_an_address_is_a_400(therapist_a):
    patient = PatientFactory(therapist=therapist_a, email="")

    response = signed_in(therapist_a).post(
        f"/patients/{patient.public_id}/", {"change": "email-link"}
    )

    assert response.status_code == 400
    assert "no email address" in response.text
    assert not mail.outbox


def test_renew_and_revoke_change_the_link(therapist_a, patient_a):
    client = signed_in(therapist_a)
    url = f"/patients/{patient_a.public_id}/link"

    client.post(f"{url}/revoke/")
    patient_a.refresh_from_db()
    assert patient_a.link_revoked_at is not None

    client.post(f"/patients/{patient_a.public_id}/", {"change": "renew-link"})
    patient_a.refresh_from_db()
    assert (patient_a.link_revoked_at, patient_a.link_version) == (None, 2)
