"""The mail server down (nothing listens on port 1) while staff do what emails someone at
once: the page says the email did not go and what to do, never a 500."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.clinics.models import User
from tests.conftest import signed_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2


def _messages(client) -> str:
    return client.get("/clinic/staff/").content.decode()


def test_inviting_a_colleague_keeps_them_and_says_the_email_did_not_go(mail_down, admin_a):
    client = signed_in(admin_a)

    response = client.post(
        "/clinic/staff/",
        {"full_name": "Robin Hart", "email": "robin@a.example", "role": "therapist"},
    )

    assert response.status_code == 302
    assert User.objects.filter(email="robin@a.example").exists()
    page = _messages(client)
    assert "the invitation email could not be sent" in page
    assert "Resend invitation" in page


def test_resending_an_invitation_says_the_email_did_not_go(mail_down, admin_a):
    invited = StaffFactory(clinic=admin_a.clinic, email="robin@a.example", password=None)
    client = signed_in(admin_a)

    response = client.post(f"/clinic/staff/{invited.public_id}/resend/")

    assert response.status_code == 302
    assert "the invitation email could not be sent" in _messages(client)


def test_reactivating_a_colleague_says_the_email_did_not_go(mail_down, admin_a):
    colleague = StaffFactory(clinic=admin_a.clinic, is_active=False)
    client = signed_in(admin_a)

    response = client.post(
        "/clinic/staff/", {"colleague": colleague.public_id, "change": "reactivate"}
    )

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_active
    assert "the email with a link to choose a new password could not be sent" in _messages(client)


def test_emailing_the_personal_link_says_it_did_not_go_and_records_nothing(
    mail_down, therapist_a, patient_a
):
    response = signed_in(therapist_a).post(
        f"/patients/{patient_a.public_id}/", {"change": "email-link"}
    )

    assert response.status_code == 503
    assert "could not be sent: the mail server did not answer" in response.text
    assert not AuditEntry.objects.filter(action="export", patient=patient_a).exists()
