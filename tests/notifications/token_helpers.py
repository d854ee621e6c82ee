"""API tokens at a chosen distance from their expiry, for the expiry warning tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail
from django.test import TestCase

from apps.clinics.models import ApiToken, TokenScope, User
from apps.clinics.tokens import api_token_create
from apps.notifications.token_expiry import token_expiry_warnings_raise

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def token_expiring(
    admin: User,
    *,
    days_left: float,
    lifetime: float = 90,
    name: str = "EHR sync",
    user: User | None = None,
    scope: str = TokenScope.READ,
) -> tuple[ApiToken, str]:
    """A token made by ``admin`` through the service, ``lifetime`` days long, with
    ``days_left`` of them left at ``NOW``; with its secret."""
    token, secret = api_token_create(
        admin=admin, user=user or admin, name=name, expires_in_days=90, scope=scope
    )
    expires = NOW + timedelta(days=days_left)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=expires - timedelta(days=lifetime), expires_at=expires
    )
    token.refresh_from_db()
    return token, secret


def warn(now: datetime = NOW) -> list[int]:
    """The daily run at ``now`` (the clock too), its emails' task run on commit (with
    ``eager``)."""
    with time_machine.travel(now, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return token_expiry_warnings_raise(now=now)


def emails_to(user: User) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [user.email]]
