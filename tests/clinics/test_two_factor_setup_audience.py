"""The two-factor setup page (/account/two-factor/) is for those who sign in with a password:
clinic staff and the installation's operators. A patient signs in with their personal link and
is refused (403, as on every staff page) before the page starts or restarts a pairing."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import User
from apps.clinics.services import totp_device_start
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

SET_UP = "/account/two-factor/"


def test_a_patient_is_refused_and_no_pairing_is_started(patient_a):
    response = signed_in(patient_a.user).get(SET_UP)

    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=patient_a.user).exists()


def test_a_patients_post_pairs_nothing_and_leaves_a_pairing_as_it_was(patient_a):
    # A pairing begun before patients were refused keeps its key: the page no longer resets it.
    device = totp_device_start(user=patient_a.user)

    response = signed_in(patient_a.user).post(SET_UP, {"token": "123456"})

    assert response.status_code == 403
    kept = TOTPDevice.objects.get(user=patient_a.user)
    assert (kept.pk, kept.key, kept.confirmed) == (device.pk, device.key, False)


def test_an_operator_without_a_clinic_can_still_pair_an_app():
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")

    response = signed_in(operator).get(SET_UP)

    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=operator, confirmed=False).count() == 1


def test_staff_can_still_pair_an_app(therapist_a):
    assert signed_in(therapist_a).get(SET_UP).status_code == 200
