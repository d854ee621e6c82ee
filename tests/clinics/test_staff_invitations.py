"""Invited colleagues show as invited, with resend and cancel (issue 20, item 2)."""

import re

import pytest
from django.core import mail

from apps.clinics.models import User
from tests.conftest import signed_in
from tests.factories import PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long new password 2026"


@pytest.fixture
def invited(admin_a):
    signed_in(admin_a).post(
        "/clinic/staff/",
        {"full_name": "Robin Hart", "email": "robin@a.example", "role": "therapist"},
    )
    return User.objects.get(email="robin@a.example")


def _link(message) -> str:
    found = re.search(r"http\S+(/account/set-password/\S+/)", message.body)
    assert found is not None
    return found.group(1)


def test_an_invited_colleague_shows_as_invited_on_the_day_not_active(admin_a, invited):
    body = signed_in(admin_a).get("/clinic/staff/").content.decode()

    row = body[body.index("Robin Hart") :]
    row = row[: row.index("</tr>")]
    assert f"Invited on {invited.date_joined.day} " in row
    assert "Active" not in row
    assert "Resend invitation" in row
    assert "Cancel invitation" in row


def test_resending_sends_a_new_link_and_the_old_one_stops_working(client, admin_a, invited):
    first = _link(mail.outbox[0])

    response = signed_in(admin_a).post(f"/clinic/staff/{invited.public_id}/resend/")

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second = _link(mail.outbox[1])
    assert second != first
    old = client.get(first, follow=True)
    assert b"has expired" in old.content
    new = client.get(second, follow=True)
    assert b"has expired" not in new.content
    assert b"new_password1" in new.content


def test_cancelling_an_invitation_removes_the_account(admin_a, invited):
    response = signed_in(admin_a).post(f"/clinic/staff/{invited.public_id}/cancel/")

    assert response.status_code == 302
    assert not User.objects.filter(pk=invited.pk).exists()


def test_an_invitation_with_patients_is_not_cancelled(admin_a, invited):
    PatientFactory(therapist=invited)

    response = signed_in(admin_a).post(f"/clinic/staff/{invited.public_id}/cancel/", follow=True)

    assert User.objects.filter(pk=invited.pk).exists()
    assert "Move Robin Hart&#x27;s patients to a colleague" in response.content.decode()


def test_someone_who_chose_a_password_cannot_be_cancelled_or_re_invited(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a, full_name="Sam Set")
    client = signed_in(admin_a)

    client.post(f"/clinic/staff/{colleague.public_id}/cancel/")
    client.post(f"/clinic/staff/{colleague.public_id}/resend/")

    assert User.objects.filter(pk=colleague.pk).exists()
    assert mail.outbox == []
    row = client.get("/clinic/staff/").content.decode()
    assert "Sam Set" in row


def test_another_clinics_invitation_is_a_404(admin_b, invited):
    client = signed_in(admin_b)

    assert client.post(f"/clinic/staff/{invited.public_id}/cancel/").status_code == 404
    assert client.post(f"/clinic/staff/{invited.public_id}/resend/").status_code == 404
    assert User.objects.filter(pk=invited.pk).exists()


def test_a_therapist_cannot_resend_or_cancel(therapist_a, invited):
    client = signed_in(therapist_a)

    assert client.post(f"/clinic/staff/{invited.public_id}/cancel/").status_code == 403
    assert User.objects.filter(pk=invited.pk).exists()


def test_the_invitation_says_how_long_the_link_works(settings, invited):
    assert "The link works once, for 3 days." in mail.outbox[0].body
    assert "ask your clinic admin to send a new one" in mail.outbox[0].body


def test_the_days_in_the_email_follow_the_setting(settings, admin_a):
    settings.PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600

    signed_in(admin_a).post(
        "/clinic/staff/", {"full_name": "Kim Lee", "email": "kim@a.example", "role": "therapist"}
    )

    assert "The link works once, for 7 days." in mail.outbox[0].body


def test_choosing_the_password_says_it_is_saved_and_how_to_sign_in(client, invited):
    link = _link(mail.outbox[0])
    form = client.get(link, follow=True)
    posted = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    done = client.post(form.redirect_chain[-1][0], posted, follow=True)

    assert done.redirect_chain[-1][0] == "/sign-in/"
    assert (
        "Your password is saved. Sign in with robin@a.example and your new password."
        in done.content.decode()
    )
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work" in again
