"""Writes for clinics and staff accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import ApiToken, Clinic, Role, User
from apps.clinics.selectors import staff_active_patients
from apps.clinics.signals import StaffChange, account_changed, clinic_changed, staff_changed
from apps.clinics.two_factor import two_factor_requirement_refused
from apps.core.text import ONE_LINE_MESSAGE, is_one_line
from apps.core.time_zones import known_zones


@transaction.atomic
def staff_create(
    *, clinic: Clinic, email: str, full_name: str, role: str, password: str | None
) -> User:
    if role not in (Role.ADMIN, Role.THERAPIST):
        raise ValueError(f"staff role must be admin or therapist, not {role!r}")
    user = User(email=email.lower(), full_name=full_name, clinic=clinic, role=role)
    if password:
        validate_password(password, user)
    return User.objects.create_user(
        email=email.lower(), password=password, full_name=full_name, clinic=clinic, role=role
    )


def totp_device_start(*, user: User) -> TOTPDevice:
    """Begin two-factor set-up: an unconfirmed device replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(
    *, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> bool:
    """Turn two-factor sign-in on with the first right code from the app, audited under its
    owner (no key nor code in the entry). Once: a form sent twice confirms and records it
    once (a conditional UPDATE), and either answer says it is on."""
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        if TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True):
            user = device.user
            change = StaffChange.TWO_FACTOR_ON
            staff_changed.send(sender=User, staff=user, actor=user, change=change, request=request)
    device.confirmed = True
    return True


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


CLINIC_SETTINGS_FIELDS = (
    "time_zone",
    "pain_progression_limit",
    "pain_alert_level",
    "phone",
    "default_reminder_time",
    "quiet_hours_start",
    "quiet_hours_end",
    "reminder_grace_minutes",
    "band_moderate_from",
    "band_high_from",
    "band_very_high_from",
    "require_two_factor",
    "health_details_in_staff_emails",
)


# A reminder later than this is skipped as "too late" (apps.notifications.reminders). Under a
# quarter of an hour a short broker restart would skip reminders; beyond 12 hours a morning
# reminder could arrive in the evening, which is what the grace period exists to prevent.
REMINDER_GRACE_MINUTES = (15, 720)


# What an operator sets of a clinic in Django admin: its settings, and what nobody else sets
# (its name, the date it joined).
CLINIC_FIELDS = ("name", *CLINIC_SETTINGS_FIELDS, "created_at")


@transaction.atomic
def clinic_settings_update(*, clinic: Clinic, actor: User | None = None, **values: object) -> bool:
    """Change a clinic's defaults; validated as a whole so nothing is half-saved. What
    changed is announced (``clinic_changed``) in the same transaction, for the audit log.
    Returns whether anything changed: values a colleague already saved change nothing.
    Requiring two-factor sign-in of all staff is refused to an admin who has not got it."""
    _refuse_unknown(values, CLINIC_SETTINGS_FIELDS)
    if refused := two_factor_requirement_refused(actor=actor, values=values):
        raise ValidationError({"require_two_factor": refused})
    return _clinic_change(clinic, actor, values)


@transaction.atomic
def clinic_update(*, clinic: Clinic, actor: User, **values: object) -> bool:
    """An operator's change of a clinic in Django admin (any of ``CLINIC_FIELDS``), checked
    and announced as a clinic admin's change of its settings is. Returns whether anything
    changed."""
    _refuse_unknown(values, CLINIC_FIELDS)
    return _clinic_change(clinic, actor, values)


@transaction.atomic
def clinic_add(*, clinic: Clinic, actor: User) -> Clinic:
    """Save ``clinic``, a new clinic built by the operators' form, checked as a change is,
    and announce it (``clinic_changed``, ``created``) with what differs from a new clinic's
    defaults, for the audit log of the clinic it starts."""
    if not clinic._state.adding:
        raise ValueError("clinic_add saves a new clinic; change one with clinic_update")
    _clinic_name_check(clinic)
    clinic_settings_validate(clinic)
    clinic.save(force_insert=True)
    defaults = Clinic()
    changes = {
        field: (getattr(defaults, field), getattr(clinic, field))
        for field in CLINIC_FIELDS
        # A new clinic's joining date is the moment of the entry, which has its own time.
        if field != "created_at" and getattr(defaults, field) != getattr(clinic, field)
    }
    clinic_changed.send(sender=Clinic, clinic=clinic, actor=actor, changes=changes, created=True)
    return clinic


def _refuse_unknown(values: dict[str, object], known: tuple[str, ...]) -> None:
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"not fields of a clinic one may set here: {sorted(unknown)}")


def _clinic_change(clinic: Clinic, actor: User | None, values: dict[str, object]) -> bool:
    # The clinic as committed, under its row lock: two admins saving at once are taken one
    # after the other, each checked with the other's change and audited from the value it
    # really replaced (not from the copy read when its page was drawn).
    locked = Clinic.objects.select_for_update().only(*CLINIC_FIELDS)
    clinic.refresh_from_db(from_queryset=locked, fields=list(CLINIC_FIELDS))
    changes = _set_and_compare(clinic, values)
    if "name" in values:
        _clinic_name_check(clinic)
    clinic_settings_validate(clinic)
    clinic.save(update_fields=list(values))
    if changes:
        clinic_changed.send(
            sender=Clinic, clinic=clinic, actor=actor, changes=changes, created=False
        )
    return bool(changes)


# --- Suspending a clinic (operators) ---------------------------------------------------------

SUSPENSION_FIELDS = ("suspended_at", "suspension_reason")


@transaction.atomic
def clinic_suspend(*, clinic: Clinic, actor: User, reason: str) -> bool:
    """Suspend ``clinic`` now, for ``reason``: from the commit every request of its staff and
    patients is refused and its messages are skipped (``apps.clinics.suspension``); nothing
    is ended or deleted, so ``clinic_resume`` brings it all back. Announced
    (``clinic_changed``) in the same transaction, for the clinic's audit log, whose admins
    read the reason once it is resumed. Returns False for a clinic already suspended (its
    first time and reason stay)."""
    if refused := clinic_suspend_refused(clinic=clinic, actor=actor, reason=reason):
        raise ValidationError(refused)
    values: dict[str, object] = {
        "suspended_at": timezone.now(),
        "suspension_reason": reason.strip(),
    }
    return _suspension_change(clinic, actor, values, suspend=True)


@transaction.atomic
def clinic_resume(*, clinic: Clinic, actor: User) -> bool:
    """Lift the suspension of ``clinic``: its people's sessions, tokens and links work again as
    they were. Audited as ``clinic_suspend`` is. Returns False for a clinic not suspended."""
    values: dict[str, object] = {"suspended_at": None, "suspension_reason": ""}
    return _suspension_change(clinic, actor, values, suspend=False)


@transaction.atomic
def clinic_suspension_reason_set(*, clinic: Clinic, actor: User, reason: str) -> bool:
    """Give the suspended ``clinic`` a new ``reason`` (a correction: its admins read it in the
    audit log), audited as ``clinic_suspend`` is; its time stays. Returns False for a clinic
    not suspended (nothing to give a reason for) or a reason that is the same."""
    if refused := clinic_suspend_refused(clinic=clinic, actor=actor, reason=reason):
        raise ValidationError(refused)
    locked = Clinic.objects.select_for_update().only(*SUSPENSION_FIELDS)
    clinic.refresh_from_db(from_queryset=locked, fields=list(SUSPENSION_FIELDS))
    if not clinic.is_suspended:
        return False
    changes = _set_and_compare(clinic, {"suspension_reason": reason.strip()})
    if not changes:
        return False
    clinic.save(update_fields=["suspension_reason"])
    clinic_changed.send(sender=Clinic, clinic=clinic, actor=actor, changes=changes, created=False)
    return True


def clinic_suspend_refused(*, clinic: Clinic, actor: User, reason: str) -> dict[str, str]:
    """Why ``actor`` may not suspend ``clinic`` for ``reason``, by field (empty: they may)."""
    if actor.clinic_id is not None and actor.clinic_id == clinic.pk:
        # Its staff are refused everywhere, Django admin included: they would lock themselves
        # out of the page that resumes it.
        return {"suspend": "You work at this clinic: ask another operator to suspend it."}
    if not reason.strip():
        return {"reason": "Say why the clinic is suspended: its admins read it in the audit log."}
    if len(reason.strip()) > 150 or not is_one_line(reason.strip()):
        return {"reason": "Keep the reason to one line of at most 150 characters."}
    return {}


def _suspension_change(
    clinic: Clinic, actor: User, values: dict[str, object], *, suspend: bool
) -> bool:
    # Under the row lock: two operators at once are taken one after the other, and the second
    # finds the clinic already as it asked (a second entry would record nothing).
    locked = Clinic.objects.select_for_update().only(*SUSPENSION_FIELDS)
    clinic.refresh_from_db(from_queryset=locked, fields=list(SUSPENSION_FIELDS))
    if clinic.is_suspended == suspend:
        return False
    changes = _set_and_compare(clinic, values)
    clinic.save(update_fields=list(SUSPENSION_FIELDS))
    clinic_changed.send(sender=Clinic, clinic=clinic, actor=actor, changes=changes, created=False)
    return True


def _set_and_compare(row: Model, values: Mapping[str, object]) -> dict[str, tuple[Any, Any]]:
    """Set ``values`` on ``row`` (not saved) and return the fields whose value changed, each
    with (old, new): what an operator's change announces for the audit log."""
    before = {field: getattr(row, field) for field in values}
    for field, value in values.items():
        setattr(row, field, value)
    return {
        field: (old, getattr(row, field))
        for field, old in before.items()
        if old != getattr(row, field)
    }


def _clinic_name_check(clinic: Clinic) -> None:
    # Its name goes into email subjects (the patient's link, staff invitations), where a line
    # break stops the email. The operators' form says so first; this is the last word.
    clinic.name = clinic.name.strip()
    if not clinic.name or not is_one_line(clinic.name):
        raise ValidationError({"name": ONE_LINE_MESSAGE if clinic.name else "Name the clinic."})


# How the clinic settings page asks for a time zone: it suggests the names as one types.
TIME_ZONE_FROM_THE_LIST = (
    "Start typing a city or region (for example Europe/London) and choose it from the list."
)


def clinic_settings_validate(
    clinic: Clinic, *, time_zone_hint: str = TIME_ZONE_FROM_THE_LIST
) -> None:
    """Check the settings together, in words a clinic admin understands: every rule the
    database also holds (``Clinic.Meta.constraints``) is caught here first, so nobody ever
    sees a constraint's name. The clinic settings page (through ``clinic_settings_update``)
    and the operators' Django admin both ask it; it trims the phone number in place.
    ``time_zone_hint`` follows an unknown time zone's message: how to write one on the form
    that asks (Django admin has no list to choose from)."""
    clinic.phone = clinic.phone.strip()
    errors: dict[str, list[str]] = {}
    for field, message in _settings_problems(clinic, time_zone_hint):
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)


# A number patients can read and dial: at least 6 digits, common separators only.
PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ()\-]{4,30}[0-9]")


def _settings_problems(clinic: Clinic, time_zone_hint: str) -> Iterator[tuple[str, str]]:
    if clinic.time_zone not in time_zone_names():
        yield "time_zone", f"“{clinic.time_zone}” is not a time zone we know. {time_zone_hint}"
    yield from _pain_problems(clinic.pain_progression_limit, clinic.pain_alert_level)
    yield from _band_problems(clinic)
    yield from _reminder_problems(clinic)
    if clinic.phone and not PHONE_PATTERN.fullmatch(clinic.phone):
        yield "phone", "Write the phone number with digits, spaces, +, -, ( and ) only."


def _pain_problems(hold_back: int, alert: int) -> Iterator[tuple[str, str]]:
    if not 0 <= hold_back <= 10:
        yield "pain_progression_limit", "The hold-back level is on the 0 to 10 pain scale."
    if not 1 <= alert <= 10:
        yield "pain_alert_level", "The alert level is on the 1 to 10 pain scale."
    elif 0 <= hold_back <= 10 and hold_back >= alert:
        # Pain that alerts the therapist must also hold a progression back.
        yield (
            "pain_progression_limit",
            f"The hold-back level must be below the alert level ({alert}): pain that alerts "
            "the therapist should always hold a progression back.",
        )


def _band_problems(clinic: Clinic) -> Iterator[tuple[str, str]]:
    moderate, high, very_high = (
        clinic.band_moderate_from,
        clinic.band_high_from,
        clinic.band_very_high_from,
    )
    if not 1 <= moderate <= 300:
        yield "band_moderate_from", "The moderate band must start between 1 and 300 %MVIC."
    if high <= moderate:
        yield "band_high_from", f"The high band must start above the moderate band ({moderate} %)."
    if very_high <= high:
        yield (
            "band_very_high_from",
            f"The very high band must start above the high band ({high} %).",
        )


def _reminder_problems(clinic: Clinic) -> Iterator[tuple[str, str]]:
    low, high = REMINDER_GRACE_MINUTES
    if not low <= clinic.reminder_grace_minutes <= high:
        yield (
            "reminder_grace_minutes",
            f"Choose a grace period from {low} to {high} minutes ({high // 60} hours).",
        )
    start, end = clinic.quiet_hours_start, clinic.quiet_hours_end
    if clinic.is_quiet_at(clinic.default_reminder_time):
        yield (
            "default_reminder_time",
            f"The reminder time falls inside the quiet hours ({start:%H:%M} to {end:%H:%M}), "
            "so patients who have not chosen a time would never be reminded.",
        )


@cache
def time_zone_names() -> frozenset[str]:
    """Every IANA time zone name this machine knows, links included (a clinic keeps an old
    name it has), but for the database's files that are no place ("localtime", "Factory")."""
    return known_zones()


# --- Staff accounts managed by the clinic admin ------------------------------------------------


@transaction.atomic
def staff_set_active(*, admin: User, staff: User, active: bool) -> User:
    """Deactivate (or reactivate) a colleague.

    Deactivation ends everything the account held, for good: its password becomes unusable
    (which changes the session auth hash Django checks on every request, so every open
    session ends), every API token acting as it is revoked and its authenticator devices are
    removed. Flipping ``is_active`` alone
    let a reactivation revive those sessions and tokens. A reactivated colleague starts from
    nothing: the caller emails them a link to choose a new password."""
    if refused := staff_set_active_refused(admin=admin, staff=staff, active=active):
        raise ValidationError({"active": refused})
    changed = staff.is_active != active
    staff.is_active = active
    if active:
        staff.save(update_fields=["is_active"])
    else:
        _end_what_the_account_held(staff)
    if changed:
        change = StaffChange.REACTIVATED if active else StaffChange.DEACTIVATED
        staff_changed.send(sender=User, staff=staff, actor=admin, change=change)
    return staff


def staff_set_active_refused(*, admin: User, staff: User, active: bool) -> str | None:
    """Why ``admin`` may not (de)activate ``staff``, or None, asked with the colleague's row
    locked until the caller's transaction ends: a form that asks it first (Django admin's,
    whose save runs in the same transaction) shows the reason on its field, and the answer
    still holds when ``staff_set_active`` asks again."""
    if staff.pk == admin.pk:
        return "You cannot deactivate your own account."
    # The colleague's row, locked before their patients are counted: a patient restored to
    # them meanwhile (which locks this row too) is either counted or waits, and is then
    # refused because they are deactivated. Never an active patient with nobody active.
    # NO KEY, the lock the deactivation's UPDATE takes anyway: a plain FOR UPDATE would block the
    # foreign-key checks that other transactions' rows naming this colleague run at commit,
    # after taking the audit chain's lock this one then waits for (a deadlock).
    list(User.objects.select_for_update(no_key=True).filter(pk=staff.pk).values_list("pk"))
    return None if active else staff_deactivation_refused(staff)


def staff_looks_after_patients(staff: User) -> bool:
    """Whether ``staff`` is the therapist of an active (not archived) patient."""
    return bool(staff.patients.filter(archived_at__isnull=True).exists())


def staff_deactivation_refused(staff: User) -> str | None:
    """Why ``staff`` cannot be deactivated now, or None: a patient must never be left with
    nobody active to look after them. Asked again under the row lock by ``staff_set_active``;
    a form asks it first to show the reason on its field."""
    looked_after = staff_active_patients(staff)
    if not looked_after.count:
        return None
    names = ", ".join(patient.full_name for patient in looked_after.first)
    if looked_after.more:
        names += f" and {looked_after.more} more ({looked_after.count} in all)"
    return (
        "Move this therapist's patients to a colleague before deactivating: they still look "
        f"after {names}."
    )


def _end_what_the_account_held(staff: User) -> None:
    staff.set_unusable_password()
    staff.save(update_fields=["is_active", "password"])
    ApiToken.objects.filter(user=staff, revoked_at__isnull=True).update(revoked_at=timezone.now())
    # The authenticator app paired before goes too: whoever holds that phone now (a lost or
    # handed-on device) must not be the second factor of a reactivated account.
    TOTPDevice.objects.filter(user=staff).delete()


# --- Accounts changed by operators in Django admin ---------------------------------------------

# What an operator sets of a person's account there (a password has a page of its own).
ACCOUNT_FIELDS = ("email", "full_name", "clinic", "role", "is_active", "is_staff", "is_superuser")


@transaction.atomic
def account_update(*, account: User, actor: User, **values: object) -> User:
    """An operator's change of a person's account (any of ``ACCOUNT_FIELDS``), announced
    (``account_changed``) with each field's old and new value in the same transaction, for
    the audit log of the clinic concerned: a role, a clinic or a deactivation is a change a
    clinic admin must be able to see, whoever made it."""
    _refuse_unknown(values, ACCOUNT_FIELDS)
    # The row as committed, locked as staff_set_active locks it (NO KEY: see there), so the
    # entry names the value this change really replaced.
    locked = User.objects.select_for_update(no_key=True)
    account.refresh_from_db(from_queryset=locked, fields=list(ACCOUNT_FIELDS))
    changes = _set_and_compare(account, values)
    account.save(update_fields=list(values))
    if changes:
        account_changed.send(
            sender=User, account=account, actor=actor, changes=changes, created=False
        )
    return account


@transaction.atomic
def account_password_set(*, account: User, actor: User, password: str | None) -> User:
    """An operator's new password for ``account`` in Django admin (None: password sign-in
    turned off), announced (``account_changed``) in the same transaction: whoever sets it can
    sign in as that person, so the clinic's admins must be able to see that it was set (the
    entry never holds the password, old or new)."""
    if password is None:
        account.set_unusable_password()
    else:
        account.set_password(password)
    account.save(update_fields=["password"])
    account_changed.send(
        sender=User, account=account, actor=actor, changes={"password": ("", "")}, created=False
    )
    return account


@transaction.atomic
def account_add(*, account: User, actor: User) -> User:
    """Save ``account``, a new account built by the operators' form (its password already
    set), and announce it (``account_changed``, ``created``) with what differs from a new
    account's defaults, for the audit log of its clinic."""
    if not account._state.adding:
        raise ValueError("account_add saves a new account; change one with account_update")
    account.save(force_insert=True)
    defaults = User()
    changes = {
        field: (getattr(defaults, field), getattr(account, field))
        for field in ACCOUNT_FIELDS
        if getattr(defaults, field) != getattr(account, field)
    }
    account_changed.send(sender=User, account=account, actor=actor, changes=changes, created=True)
    return account


def clinic_today_bump(*, clinic_id: int | None) -> None:
    """Make every cached Today page of the clinic's patients (of every clinic when
    ``clinic_id`` is None: the shared library changed) miss, from the commit of the caller's
    transaction: call it in the transaction of the write, after or with it. One statement;
    the clinic's own settings need no call (the cache key holds the clinic row's values)."""
    clinics = Clinic.objects.all() if clinic_id is None else Clinic.objects.filter(pk=clinic_id)
    clinics.update(today_version=F("today_version") + 1)
