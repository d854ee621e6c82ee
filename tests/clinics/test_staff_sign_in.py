import base64
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import STAFF_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=STAFF_PASSWORD):
    return client.post("/sign-in/", {"username": email, "password": password})


def test_it_signs_a_therapist_in_with_email_and_password(client, therapist_a):
    response = sign_in(client, "THERAPIST@a.example")

    assert response.status_code == 302
    assert client.get("/patients/").status_code == 200


def test_it_refuses_a_wrong_password_with_a_clear_message(client, therapist_a):
    response = sign_in(client, "therapist@a.example", "wrong password")

    assert response.status_code == 400
    assert b"do not match" in response.content
    assert client.get("/patients/").status_code == 302


def test_it_refuses_patients_on_the_staff_form(client, patient_a):
    response = sign_in(client, patient_a.email, "")

    assert response.status_code == 400


def test_it_locks_the_account_after_five_failures(client, therapist_a):
    for _ in range(5):
        sign_in(client, "therapist@a.example", "wrong password")

    response = sign_in(client, "therapist@a.example")

    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert client.get("/patients/").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, therapist_a):
    for _ in range(5):
        sign_in(client, "therapist@a.example", "wrong password")

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sign_in(client, "therapist@a.example").status_code == 302


def test_the_staff_session_ends_after_30_minutes_idle(client, therapist_a):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, "therapist@a.example")
        traveller.shift(timedelta(minutes=29))
        assert client.get("/patients/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/patients/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/patients/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_the_staff_session_ends_after_12_hours_however_active(client, therapist_a):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, "therapist@a.example")
        for _ in range(25):
            traveller.shift(timedelta(minutes=29))
            last = client.get("/patients/")

    assert last.status_code == 302


def test_two_factor_asks_for_a_code_after_the_password(client, therapist_a):
    device = TOTPDevice.objects.create(user=therapist_a, name="phone", confirmed=True)

    response = sign_in(client, "therapist@a.example")
    assert response["Location"] == "/sign-in/verify/"
    assert client.get("/patients/").status_code == 302

    assert client.post("/sign-in/verify/", {"token": "000000"}).status_code == 400
    # django-otp throttles after a wrong code: come back a little later with the right one.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        response = client.post("/sign-in/verify/", {"token": code})

    assert response.status_code == 302
    assert client.get("/patients/").status_code == 200


def test_a_therapist_can_turn_on_two_factor(client, therapist_a):
    client.force_login(therapist_a)
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=therapist_a, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    client.post("/account/two-factor/", {"token": code})

    assert TOTPDevice.objects.filter(user=therapist_a, confirmed=True).count() == 1


def test_the_key_to_type_by_hand_is_base32_and_gives_the_devices_codes(client, therapist_a):
    # Authenticator apps take the key in base32 (RFC 4648); hex was refused by them.
    client.force_login(therapist_a)
    page = client.get("/account/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=therapist_a, confirmed=False)

    shown = re.search(r"by hand: <code>([^<]+)</code>", page).group(1)
    typed = shown.replace(" ", "")
    key = base64.b32decode(typed + "=" * (-len(typed) % 8))

    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})*", shown)
    assert key == device.bin_key
    assert totp(key, step=device.step, t0=device.t0, digits=device.digits) == totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits
    )


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_right_code_sent_too_soon_after_a_wrong_one_says_to_wait(client, therapist_a):
    device = TOTPDevice.objects.create(user=therapist_a, name="phone", confirmed=True)
    with time_machine.travel("2026-12-06 10:00:00Z", tick=False) as clock:
        sign_in(client, "therapist@a.example")
        # Each wrong code doubles the wait before the next try (1, 2, 4 seconds...).
        for wait in (1, 2, 0):
            client.post("/sign-in/verify/", {"token": "000000"})
            clock.shift(wait)
        clock.shift(1)
        refused = client.post("/sign-in/verify/", {"token": _code(device)})
        clock.shift(3)
        accepted = client.post("/sign-in/verify/", {"token": _code(device)})

    assert refused.status_code == 400
    assert refused.context["form"].errors["token"] == [
        "Too many wrong codes in a row. Wait 3 seconds, then enter the code your app shows."
    ]
    assert accepted.status_code == 302


def test_setting_up_two_factor_after_a_typo_says_to_wait_not_that_the_code_is_wrong(
    client, therapist_a
):
    client.force_login(therapist_a)
    with time_machine.travel("2026-12-06 10:00:00Z", tick=False):
        client.get("/account/two-factor/")
        client.post("/account/two-factor/", {"token": "000000"})
        device = TOTPDevice.objects.get(user=therapist_a, confirmed=False)
        refused = client.post("/account/two-factor/", {"token": _code(device)})

    assert refused.status_code == 400
    assert refused.context["form"].errors["token"] == [
        "Too many wrong codes in a row. Wait 1 second, then enter the code your app shows."
    ]
    assert not TOTPDevice.objects.filter(user=therapist_a, confirmed=True).exists()


def test_sign_out_needs_a_post(client, therapist_a):
    client.force_login(therapist_a)

    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/").status_code == 302
    assert client.get("/patients/").status_code == 302


def test_the_api_docs_page_ends_an_idle_session_as_a_page_does(client, therapist_a):
    """/api/docs/ is a page opened in a browser: an ended session is sent to sign in, not
    answered with the API's JSON 401 (which the API itself still gives)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, "therapist@a.example")
        traveller.shift(timedelta(minutes=31))
        docs = client.get("/api/docs/")
        sign_in(client, "therapist@a.example")
        traveller.shift(timedelta(minutes=31))
        api = client.get("/api/v1/patients/")

    assert docs.status_code == 302
    assert docs["Location"].startswith("/sign-in/")
    assert api.status_code == 401
    assert api.json()["message"] == "Your session has ended; sign in again."
