"""Staff sign-ins, clinic changes (its settings; its addition and name too, by operators),
staff account changes (an operator's in Django admin too) and API token changes go into the
audit log.

Receivers, because the sign-in views and these services belong to the clinics app, which
sits below the audit log: Django announces every sign-in with ``user_logged_in``, and the
services send ``clinic_changed``, ``staff_changed``, ``account_changed`` and
``api_token_changed``
inside their transactions. A receiver only records, it decides nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import dateformat, timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.models import Role


def record_staff_sign_in(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    # A sign-in without a real request (a shell, the test client's force_login) is not a
    # person signing in through the site.
    if request is None or not request.path:
        return
    if getattr(user, "is_clinic_staff", False) or getattr(user, "is_superuser", False):
        audit_record(actor=user, action=Action.SIGN_IN, target=user, request=request)


# Detail is capped at 200 characters; a clinic's fields are not health data, so values may
# be shown. A new clinic's entry lists what differs from a new clinic's defaults.
def record_clinic_change(
    sender: Any,
    clinic: Any,
    actor: Any,
    changes: dict[str, tuple[Any, Any]],
    created: bool = False,
    **kwargs: Any,
) -> None:
    names = {field.name: str(field.verbose_name) for field in clinic._meta.fields}
    detail = "; ".join(
        f"{names[field]} {_setting(old)} → {_setting(new)}" for field, (old, new) in changes.items()
    )
    action = Action.CREATE if created else Action.CHANGE
    audit_record(actor=actor, action=action, target=clinic, detail=detail, clinic=clinic)


def _setting(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if value not in ("", None) else "(none)"


# Staff names and emails are not health data; the detail keeps them because a cancelled
# invitation deletes the account the entry points at.
STAFF_ACTIONS = {
    "invited": Action.CREATE,
    "invitation renewed": Action.CHANGE,
    "invitation cancelled": Action.DELETE,
    "deactivated": Action.CHANGE,
    "reactivated": Action.CHANGE,
    "two-factor sign-in reset": Action.CHANGE,
    "turned two-factor sign-in on": Action.CHANGE,
    "accepted the invitation and chose a password": Action.CHANGE,
    "chose a new password from the emailed link": Action.CHANGE,
}


def record_staff_change(
    sender: Any,
    staff: Any,
    actor: Any,
    change: str,
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    who = _who(staff)
    role = f" as {staff.get_role_display().lower()}" if change == "invited" else ""
    detail = f"{who} {change}{role}"
    action = STAFF_ACTIONS[change]
    audit_record(actor=actor, action=action, target=staff, detail=detail, request=request)


def _who(staff: Any) -> str:
    return f"{staff.full_name} ({staff.email})" if staff.full_name else str(staff.email)


# The words for the account fields whose own names read badly in a sentence.
ACCOUNT_WORDS = {"is_active": "active", "is_staff": "access to Django admin"}
# A patient's name and email belong to their record, which the log names only by reference:
# an entry about a patient's account says that they changed, not what they became.
PATIENTS_OWN = ("email", "full_name")
# Said to have changed, never shown: a password (an operator's in Django admin).
SECRET_FIELDS = ("password",)


def record_account_change(
    sender: Any,
    account: Any,
    actor: Any,
    changes: dict[str, tuple[Any, Any]],
    created: bool = False,
    **kwargs: Any,
) -> None:
    """An operator's change of an account, in the log of its clinic (of both, for a move from
    one to another; of none, for an operator's own kind of account)."""
    detail = _account_detail(account, changes)
    action = Action.CREATE if created else Action.CHANGE
    clinics = changes.get("clinic", (account.clinic,))
    for clinic in dict.fromkeys(clinic for clinic in clinics if clinic is not None) or (None,):
        audit_record(actor=actor, action=action, target=account, detail=detail, clinic=clinic)


def _account_detail(account: Any, changes: dict[str, tuple[Any, Any]]) -> str:
    patient = Role.PATIENT in (account.role, changes.get("role", ("", ""))[0])
    names = {field.name: str(field.verbose_name) for field in account._meta.fields}
    parts = []
    for field, (old, new) in changes.items():
        word = ACCOUNT_WORDS.get(field, names[field])
        if field in SECRET_FIELDS or (patient and field in PATIENTS_OWN):
            parts.append(f"{word} changed")
        else:
            parts.append(f"{word} {_account_value(field, old)} → {_account_value(field, new)}")
    who = "a patient's account" if patient else _who(account)
    return f"{who}: " + "; ".join(parts)


def _account_value(field: str, value: Any) -> str:
    return str(Role(value).label) if field == "role" and value else _setting(value)


def record_api_token_change(
    sender: Any, token: Any, actor: Any, change: str, **kwargs: Any
) -> None:
    action = Action.CREATE if change == "created" else Action.CHANGE
    acting_as = token.user.email or token.user.full_name
    terms = f" ({_token_terms(token)})" if action == Action.CREATE else ""
    # The terms before the person: a detail is cut at 200 characters, and a long name and
    # address must not cut what the token may do.
    detail = f"API token “{token.name}”{terms} acting as {acting_as} {change}"
    audit_record(actor=actor, action=action, target=token, detail=detail)


def _token_terms(token: Any) -> str:
    """What a token may do and until when, fixed at its creation: the moment in the clinic's
    time, as the audit log shows entries (the detail is text: it cannot follow a zone)."""
    expires = timezone.localtime(token.expires_at, ZoneInfo(token.clinic.time_zone))
    return f"{token.get_scope_display().lower()}, expires {dateformat.format(expires, 'j M Y H:i')}"
