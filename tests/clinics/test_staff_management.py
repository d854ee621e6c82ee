import re

import pytest
from django.core import mail

from apps.clinics.models import User
from tests.conftest import signed_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long new password 2026"


def invite(client, **fields):
    data = {"full_name": "Robin Hart", "email": "robin@a.example", "role": "therapist"} | fields
    return client.post("/clinic/staff/", data)


def test_an_admin_invites_a_therapist_who_sets_a_password_and_signs_in(client, admin_a):
    response = invite(signed_in(admin_a))

    assert response.status_code == 302
    robin = User.objects.get(email="robin@a.example")
    assert (robin.clinic_id, robin.role, robin.has_usable_password()) == (
        admin_a.clinic_id,
        "therapist",
        False,
    )
    link = re.search(r"http\S+(/account/set-password/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert b"Choose your password" in form_page.content
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    signed = client.post("/sign-in/", {"username": "robin@a.example", "password": NEW_PASSWORD})
    assert signed.status_code == 302


def test_a_duplicate_email_gets_a_400_with_a_message(admin_a, therapist_a):
    response = invite(signed_in(admin_a), email=therapist_a.email.upper())

    assert response.status_code == 400
    assert b"is already on your staff." in response.content


def test_an_email_longer_than_the_column_is_a_400_not_a_500(admin_a):
    response = invite(signed_in(admin_a), email="r" * 250 + "@a.example")

    assert response.status_code == 400
    assert "at most 254 characters" in response.content.decode()
    assert not User.objects.filter(full_name="Robin Hart").exists()


def test_deactivating_a_therapist_with_patients_is_refused(admin_a, therapist_a, patient_a):
    client = signed_in(admin_a)

    client.post("/clinic/staff/", {"colleague": therapist_a.public_id, "change": "deactivate"})

    therapist_a.refresh_from_db()
    assert therapist_a.is_active


def test_a_deactivated_therapist_is_signed_out_and_cannot_sign_in(client, admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a)
    colleague_client = signed_in(colleague)

    signed_in(admin_a).post(
        "/clinic/staff/", {"colleague": colleague.public_id, "change": "deactivate"}
    )

    assert colleague_client.get("/patients/").status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active


def test_another_clinic_staff_member_is_a_404(admin_b, therapist_a):
    response = signed_in(admin_b).post(
        "/clinic/staff/", {"colleague": therapist_a.public_id, "change": "deactivate"}
    )

    assert response.status_code == 404


def test_therapists_cannot_manage_staff(therapist_a):
    assert signed_in(therapist_a).get("/clinic/staff/").status_code == 403


def test_a_therapist_cannot_post_a_change_to_the_staff_page(therapist_a, admin_a):
    change = {"colleague": admin_a.public_id, "change": "deactivate"}

    assert signed_in(therapist_a).post("/clinic/staff/", change).status_code == 403
    admin_a.refresh_from_db()
    assert admin_a.is_active


@pytest.mark.parametrize(
    ("colleague", "change", "status"),
    [("not-an-id", "deactivate", 404), ("", "deactivate", 404), ("therapist", "promote", 400)],
)
def test_a_change_naming_no_colleague_or_no_known_change_changes_nothing(
    admin_a, therapist_a, colleague, change, status
):
    named = therapist_a.public_id if colleague == "therapist" else colleague

    response = signed_in(admin_a).post("/clinic/staff/", {"colleague": named, "change": change})

    assert response.status_code == status
    therapist_a.refresh_from_db()
    assert therapist_a.is_active
