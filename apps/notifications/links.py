"""Links in messages: today's page, signing in by email, and the one-click reminder opt-out.

The opt-out link carries the patient's public id signed under SECRET_KEY (Django's
``Signer`` with its own salt), so it works without signing in, cannot be forged for another
patient, and stores nothing. It only ever turns reminders *off*.
"""

from __future__ import annotations

import re
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.patients.models import Patient

_SIGNER = signing.Signer(salt="clamshell.reminder-opt-out")


def opt_out_token(patient: Patient) -> str:
    return _SIGNER.sign(str(patient.public_id))


def opt_out_url(patient: Patient) -> str:
    return _opt_out_url(opt_out_token(patient))


def _opt_out_url(token: str) -> str:
    return settings.SITE_URL + reverse("notifications:opt-out", kwargs={"token": token})


# What reverse() leaves unquoted and the pattern accepts: a signed token is a UUID, a colon
# and URL-safe base64, so this always holds; anything else takes the slow road.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_.~:-]+")
_STAND_IN = "0stand0in0"


class ReminderLinks:
    """The links of a batch of reminders, reversed once (``today``, ``sign_in``) or once with
    a stand-in that each patient's own token replaces (``opt_out``, ``personal``): the same
    URLs as ``opt_out_url`` and ``personal_link_url``."""

    def __init__(self) -> None:
        from apps.patients.auth import personal_link_urls

        self.today = today_url()
        self.reminders = reminder_settings_url()
        self.sign_in = sign_in_by_email_url()
        self._opt_out_start, self._opt_out_end = _opt_out_url(_STAND_IN).split(_STAND_IN)
        self.personal = personal_link_urls()

    def opt_out(self, patient: Patient) -> str:
        token = opt_out_token(patient)
        if not _PLAIN_TOKEN.fullmatch(token):
            return _opt_out_url(token)
        return f"{self._opt_out_start}{token}{self._opt_out_end}"


def patient_for_opt_out(token: str) -> Patient | None:
    """The patient a genuine opt-out token names, or None for a forged or broken one."""
    try:
        public_id = UUID(_SIGNER.unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Patient.objects.filter(public_id=public_id).first()


def today_url() -> str:
    return settings.SITE_URL + reverse("patients:today")


def reminder_settings_url() -> str:
    """The patient's page for choosing their reminder time (or turning reminders off)."""
    return settings.SITE_URL + reverse("patients:reminders")


def sign_in_by_email_url() -> str:
    """The page where a patient asks for a one-time sign-in link by email."""
    return settings.SITE_URL + reverse("patients:one-time-request")


def inbox_url() -> str:
    return settings.SITE_URL + reverse("notifications:inbox")


def api_tokens_url() -> str:
    """The clinic admin's API tokens page."""
    return settings.SITE_URL + reverse("clinics:api-tokens")


def inbox_item_url(kind: str, public_id: UUID) -> str:
    """The inbox, scrolled to one prompt or alert (``kind``: its card's id, ``prompt-<id>`` or
    ``alert-<id>``). The page shows a card while it is open; once answered or seen it may
    not, and the link opens the inbox at its top."""
    return f"{inbox_url()}#{kind}-{public_id}"
