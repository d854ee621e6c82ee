"""Staff sign-ins go into the audit log.

A receiver, because the sign-in views belong to the clinics app and Django announces every
sign-in with ``user_logged_in``; the receiver only records, it decides nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.audit.models import Action
from apps.audit.services import audit_record


def record_staff_sign_in(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    # A sign-in without a real request (a shell, the test client's force_login) is not a
    # person signing in through the site.
    if request is None or not request.path:
        return
    if getattr(user, "is_clinic_staff", False) or getattr(user, "is_superuser", False):
        audit_record(actor=user, action=Action.SIGN_IN, target=user, request=request)
