"""Staff sign-ins and clinic settings changes go into the audit log.

Receivers, because the sign-in views and the settings service belong to the clinics app,
which sits below the audit log: Django announces every sign-in with ``user_logged_in`` and
the settings service sends ``clinic_settings_changed`` inside its transaction. A receiver
only records, it decides nothing."""

from __future__ import annotations

from datetime import time
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


# Detail is capped at 200 characters; settings are not health data, so values may be shown.
def record_clinic_settings_change(
    sender: Any, clinic: Any, actor: Any, changes: dict[str, tuple[Any, Any]], **kwargs: Any
) -> None:
    names = {field.name: str(field.verbose_name) for field in clinic._meta.fields}
    detail = "; ".join(
        f"{names[field]} {_setting(old)} → {_setting(new)}" for field, (old, new) in changes.items()
    )
    audit_record(actor=actor, action=Action.CHANGE, target=clinic, detail=detail)


def _setting(value: Any) -> str:
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return str(value) if value != "" else "(none)"
