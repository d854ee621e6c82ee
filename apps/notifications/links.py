"""Links in messages: today's page, signing in by email, and the one-click reminder opt-out.

The opt-out link carries the patient's public id signed under SECRET_KEY (Django's
``Signer`` with its own salt), so it works without signing in, cannot be forged for another
patient, and stores nothing. It only ever turns reminders *off*.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.patients.models import Patient

_SIGNER = signing.Signer(salt="clamshell.reminder-opt-out")


def opt_out_token(patient: Patient) -> str:
    return _SIGNER.sign(str(patient.public_id))


def opt_out_url(patient: Patient) -> str:
    return settings.SITE_URL + reverse(
        "notifications:opt-out", kwargs={"token": opt_out_token(patient)}
    )


def patient_for_opt_out(token: str) -> Patient | None:
    """The patient a genuine opt-out token names, or None for a forged or broken one."""
    try:
        public_id = UUID(_SIGNER.unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Patient.objects.filter(public_id=public_id).first()


def today_url() -> str:
    return settings.SITE_URL + reverse("patients:today")


def sign_in_by_email_url() -> str:
    """The page where a patient asks for a one-time sign-in link by email."""
    return settings.SITE_URL + reverse("patients:one-time-request")


def inbox_url() -> str:
    return settings.SITE_URL + reverse("notifications:inbox")
