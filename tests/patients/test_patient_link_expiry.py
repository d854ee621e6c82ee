"""The staff patient page shows when the personal link expires, and an expired link is
neither emailed nor extended: it is renewed."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from apps.patients import auth
from apps.patients.models import Patient
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def issued_days_ago(patient, days):
    patient.link_issued_at = patient.link_issued_at - timedelta(days=days)
    patient.save(update_fields=["link_issued_at"])


def test_the_patient_page_says_until_when_the_link_works(therapist_a, patient_a):
    with time_machine.travel(datetime(2027, 1, 10, 12, 0, tzinfo=UTC), tick=False):
        auth.personal_link_renew(patient=patient_a)
        response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/")

    assert "Active" in response.text
    assert "It works until 9 Jul 2027." in response.text


def test_an_expired_link_is_shown_as_expired_without_email_or_print(therapist_a, patient_a):
    issued_days_ago(patient_a, 181)

    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/")

    assert "Expired" in response.text
    assert "stopped working on" in response.text
    assert 'value="email-link"' not in response.text
    assert "handout.pdf" not in response.text
    assert 'value="renew-link"' in response.text


def test_emailing_an_expired_link_is_refused_and_does_not_extend_it(therapist_a, patient_a):
    issued_days_ago(patient_a, 181)
    issued_at = Patient.objects.get(pk=patient_a.pk).link_issued_at

    response = signed_in(therapist_a).post(
        f"/patients/{patient_a.public_id}/", {"change": "email-link"}
    )

    assert response.status_code == 400
    assert "expired: renew it first" in response.text
    assert mail.outbox == []
    assert Patient.objects.get(pk=patient_a.pk).link_issued_at == issued_at


def test_renewing_from_the_page_starts_the_period_again(therapist_a, patient_a):
    issued_days_ago(patient_a, 181)

    signed_in(therapist_a).post(f"/patients/{patient_a.public_id}/", {"change": "renew-link"})

    patient_a.refresh_from_db()
    assert not patient_a.link_expired
    assert auth.patient_for_link(
        public_id=patient_a.public_id, token=auth.personal_link_token(patient_a)
    )
