"""A clinic admin resets a colleague's two-factor sign-in (a lost or stolen phone) without
deactivating them: the authenticator app is unpaired, every session of theirs ends, their
password still works, and the reset is in the audit log."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import Action, AuditEntry
from apps.clinics.models import User
from apps.clinics.services import totp_device_start
from tests.conftest import signed_in
from tests.factories import STAFF_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def paired(user: User) -> TOTPDevice:
    device = totp_device_start(user=user)
    device.confirmed = True
    device.save()
    return device


def reset(client: Client, person: User):
    return client.post(
        "/clinic/staff/", {"colleague": person.public_id, "change": "reset-two-factor"}
    )


@pytest.fixture
def colleague(clinic_a) -> User:
    person: User = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    paired(person)
    return person


def test_a_reset_unpairs_the_app_and_ends_their_sessions_but_keeps_the_password(admin_a, colleague):
    thief = signed_in(colleague)
    assert thief.get("/patients/").status_code == 200
    admin = signed_in(admin_a)

    response = reset(admin, colleague)

    assert response.status_code == 302
    done = admin.get(response.url).content.decode()
    assert "Two-factor sign-in for Dana Hill was reset: they are signed out everywhere" in done
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert thief.get("/patients/").status_code == 302  # signed out
    assert admin.get("/patients/").status_code == 200  # the admin's own session stays
    # Their password still signs them in, now without a code: they pair a new phone.
    again = Client().post("/sign-in/", {"username": colleague.email, "password": STAFF_PASSWORD})
    assert again.status_code == 302
    assert again.url != "/sign-in/verify/"


def test_a_reset_is_audited_under_the_admin(admin_a, colleague):
    reset(signed_in(admin_a), colleague)

    entry = AuditEntry.objects.filter(target_ref=str(colleague.public_id)).get()
    assert (entry.action, entry.actor_id, entry.clinic_id) == (
        Action.CHANGE,
        admin_a.pk,
        admin_a.clinic_id,
    )
    assert entry.detail == f"Dana Hill ({colleague.email}) two-factor sign-in reset"


def test_other_staff_keep_their_apps_and_sessions(admin_a, colleague, therapist_a):
    theirs = paired(therapist_a)
    other = signed_in(therapist_a)

    reset(signed_in(admin_a), colleague)

    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()
    assert other.get("/patients/").status_code == 200


def test_the_staff_page_offers_the_reset_behind_a_question(admin_a, colleague):
    page = signed_in(admin_a).get("/clinic/staff/").content.decode()

    row = page[page.index("Dana Hill") :]
    row = row[: row.index("</tr>")]
    assert 'action="/clinic/staff/"' in row
    assert f'<input type="hidden" name="colleague" value="{colleague.public_id}">' in row
    assert '<input type="hidden" name="change" value="reset-two-factor">' in row
    assert '<summary class="button danger">Reset two-factor' in row
    assert "Yes, reset two-factor</button>" in row
    assert 'name="csrfmiddlewaretoken"' in row


def test_the_page_offers_no_reset_to_someone_without_an_app_nor_to_yourself(admin_a, therapist_a):
    paired(admin_a)

    page = signed_in(admin_a).get("/clinic/staff/").content.decode()

    assert "reset-two-factor" not in page


def test_resetting_your_own_is_refused_with_a_400(admin_a):
    device = paired(admin_a)

    response = reset(signed_in(admin_a), admin_a)

    assert response.status_code == 400
    assert "Your own two-factor sign-in is changed on your Two-factor page" in response.text
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEntry.objects.filter(target_ref=str(admin_a.public_id)).exists()


def test_someone_without_an_app_is_a_400_that_changes_nothing(admin_a, therapist_a):
    before = User.objects.get(pk=therapist_a.pk).get_session_auth_hash()

    response = reset(signed_in(admin_a), therapist_a)

    assert response.status_code == 400
    assert "has no authenticator app paired: nothing to reset" in response.text
    assert User.objects.get(pk=therapist_a.pk).get_session_auth_hash() == before
    assert not AuditEntry.objects.filter(target_ref=str(therapist_a.public_id)).exists()


def test_a_second_reset_sent_twice_changes_nothing_more(admin_a, colleague):
    admin = signed_in(admin_a)
    reset(admin, colleague)

    again = reset(admin, colleague)

    assert again.status_code == 400
    assert AuditEntry.objects.filter(target_ref=str(colleague.public_id)).count() == 1


def test_another_clinics_staff_member_is_a_404(admin_b, colleague):
    assert reset(signed_in(admin_b), colleague).status_code == 404
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_a_therapist_gets_a_403(therapist_a, colleague):
    assert reset(signed_in(therapist_a), colleague).status_code == 403
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_it_needs_a_post_with_the_csrf_token(admin_a, colleague):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)

    asked = {"colleague": colleague.public_id, "change": "reset-two-factor"}
    assert client.get("/clinic/staff/", asked).status_code == 200
    assert reset(client, colleague).status_code == 403
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_sessions_of_people_never_reset_survive_the_upgrade(therapist_a):
    # Ending sessions is a number mixed into the session hash only once it is not 0: every
    # session signed in before this change keeps working.
    from django.contrib.auth.base_user import AbstractBaseUser

    assert therapist_a.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(
        therapist_a
    )
