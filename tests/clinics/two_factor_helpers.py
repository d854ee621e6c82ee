"""Staff with an authenticator app, and sessions that passed its code, for the tests of the
clinic's two-factor requirement."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import User
from apps.clinics.services import totp_device_start
from tests.conftest import signed_in


def paired(user: User) -> TOTPDevice:
    """``user`` with an authenticator app paired (confirmed)."""
    device = totp_device_start(user=user)
    device.confirmed = True
    device.save()
    return device


def verified(user: User, device: TOTPDevice | None = None) -> Client:
    """A session of ``user`` that passed the code of ``device`` (paired now if not given), as
    the verify page leaves it (django-otp's ``login``)."""
    device = device or paired(user)
    client = signed_in(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
