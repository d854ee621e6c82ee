"""Two-factor sign-in beyond each person's own page: a clinic admin's reset of a colleague's
(for a lost or stolen phone, without deactivating the colleague, which would also end their
password and API tokens), and the clinic's requirement of it for all its staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django_otp import devices_for_user

from apps.clinics.models import User
from apps.clinics.signals import StaffChange, staff_changed

OWN_FIRST = (
    "Turn on two-factor sign-in for your own account first (on your Two-factor page), then "
    "require it for all staff."
)
OWN_RESET = (
    "Your own two-factor sign-in is changed on your Two-factor page, not here: another clinic "
    "admin can reset it for you."
)


def staff_two_factor_reset_refused(*, admin: User, staff: User) -> str | None:
    """Why ``admin`` may not reset ``staff``'s two-factor sign-in now, or None."""
    if not admin.is_clinic_admin or admin.clinic_id is None or staff.clinic_id != admin.clinic_id:
        return "Only a clinic admin of the same clinic can do this."
    if staff.pk == admin.pk:
        return OWN_RESET
    if not any(devices_for_user(staff)):  # confirmed ones: a half-done set-up opens nothing
        name = staff.full_name or staff.email
        return f"{name} has no authenticator app paired: nothing to reset."
    return None


@transaction.atomic
def staff_two_factor_reset(*, admin: User, staff: User) -> None:
    """Unpair every authenticator device of ``staff`` and end every session they have, for a
    phone that was lost or may be in someone else's hands: whoever holds a session signed in
    with it is signed out, and the phone's codes open nothing. Their password still works:
    they sign in with it and pair a new phone on their Two-factor page.

    Under the colleague's row lock (the one a deactivation takes), so two resets sent at once
    (a double click) are taken one after the other and the second finds nothing to reset:
    one change, one audit entry."""
    list(User.objects.select_for_update(no_key=True).filter(pk=staff.pk).values_list("pk"))
    if refused := staff_two_factor_reset_refused(admin=admin, staff=staff):
        raise ValidationError({"staff": refused})
    for device in devices_for_user(staff, confirmed=None):
        device.delete()
    staff_sessions_end(staff=staff)
    staff_changed.send(sender=User, staff=staff, actor=admin, change=StaffChange.TWO_FACTOR_RESET)


def staff_sessions_end(*, staff: User) -> None:
    """End every session ``staff`` has, keeping their password: the session hash Django
    checks on every request changes with ``sessions_version``."""
    User.objects.filter(pk=staff.pk).update(sessions_version=F("sessions_version") + 1)
    staff.refresh_from_db(fields=["sessions_version"])


def has_two_factor(user: User) -> bool:
    """Whether ``user`` has an authenticator app paired: a confirmed device (a half-done
    set-up gives no code at sign-in)."""
    return any(devices_for_user(user))


def two_factor_requirement_refused(*, actor: User | None, values: dict[str, object]) -> str | None:
    """Why ``actor``, a clinic admin changing the clinic's settings to ``values``, may not
    turn the two-factor requirement on, or None: not before they have it themself, so the
    change never sends the admin making it to a set-up they did not expect. Turning it off
    is never refused. Without an actor (a shell) nobody is asked."""
    if values.get("require_two_factor") is not True or actor is None:
        return None
    return None if has_two_factor(actor) else OWN_FIRST


def two_factor_required(user: User) -> bool:
    """Whether ``user`` is a therapist or admin of a clinic that requires two-factor sign-in
    of its staff. Operators and patients are never: the setting is a clinic's, for its staff
    (an operator who is also a clinic's staff is that clinic's staff)."""
    return bool(user.is_clinic_staff and user.clinic and user.clinic.require_two_factor)
