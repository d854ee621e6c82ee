"""Writes for patients: create and edit them, send them their personal link, and the row
locks and Today bump other apps' writes take. Archiving (discharge) and restoring them are in
``archive_services``; the patient's own reminder choice in ``reminder_choice``."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime, time
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.models import Clinic, Role, User
from apps.core.once import RequestPrint, create_once, request_print
from apps.core.text import ONE_LINE_MESSAGE, is_one_line
from apps.core.time_zones import known_zones
from apps.patients.care import care_begin, care_hand_over
from apps.patients.models import OneTimeSignInLink, Patient, ReminderChannel

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{6,31}$")


def validate_time_zone(name: str) -> None:
    """Any zone the machine knows, old names too (a patient's stored Asia/Calcutta); the
    forms offer, and the API stores, current names (``apps.core.time_zones``)."""
    if name not in known_zones():
        raise ValidationError({"time_zone": f"{name!r} is not a known time zone."})


def _validate_details(
    *,
    full_name: str,
    year_of_birth: int,
    email: str,
    phone: str,
    time_zone: str,
    reminder_channel: str,
    reminders_enabled: bool,
    clinic: Clinic,
    reminder_time: time | None,
) -> None:
    errors: dict[str, str] = {}
    if not full_name.strip():
        errors["full_name"] = "Give the patient's name."
    elif not is_one_line(full_name.strip()):
        errors["full_name"] = ONE_LINE_MESSAGE
    if not 1900 <= year_of_birth <= timezone.now().year:
        errors["year_of_birth"] = f"Give a year between 1900 and {timezone.now().year}."
    if phone and not PHONE_PATTERN.match(phone):
        errors["phone"] = "Give the phone number with digits only (and + for the country code)."
    if reminder_channel not in ReminderChannel.values:
        errors["reminder_channel"] = "Choose email or text message."
    elif reminders_enabled and reminder_channel == ReminderChannel.SMS and not phone:
        errors["phone"] = "Text-message reminders need a phone number."
    elif reminders_enabled and reminder_channel == ReminderChannel.EMAIL and not email:
        errors["email"] = "Email reminders need an email address."
    if quiet := clinic.quiet_reminder_time_error(reminder_time):
        errors["reminder_time"] = quiet
    if errors:
        raise ValidationError(errors)
    validate_time_zone(time_zone)


def _therapist_clinic(therapist: User, clinic_id: int | None) -> Clinic:
    """The therapist's clinic, after checking they are staff (of ``clinic_id`` if given)."""
    if not therapist.is_clinic_staff or therapist.clinic is None:
        raise ValidationError({"therapist": "Patients are looked after by clinic staff."})
    if clinic_id is not None and therapist.clinic_id != clinic_id:
        raise ValidationError({"therapist": "Choose someone from your clinic."})
    return therapist.clinic


def _refuse_inactive_newcomer(therapist: User, clinic: Clinic, current_id: int | None) -> None:
    """A patient is handed only to an active colleague (a deactivated one cannot sign in to
    see them, nor get their prompts and alerts). Keeping the current therapist is always
    allowed: their patients stay editable until someone moves them. The row lock is the one
    a deactivation takes before counting the colleague's active patients
    (``active_staff_locked``), so the two cannot pass each other."""
    if therapist.pk == current_id:
        return
    if active_staff_locked(user_id=therapist.pk, clinic_id=clinic.pk) is None:
        name = therapist.full_name or therapist.email
        raise ValidationError(
            {"therapist": f"{name} has been deactivated: choose an active colleague."}
        )


def patient_audit(
    *,
    actor: User | None,
    action: Action,
    patient: Patient,
    detail: str = "",
    request: HttpRequest | None = None,
) -> None:
    """The audit entry for a change a member of staff made to ``patient``: called inside the
    change's transaction, so the change and its entry are saved together or not at all. No
    ``actor`` (seed data, management commands): nothing to record."""
    if actor is not None:
        audit_record(
            actor=actor, action=action, patient=patient, target=patient, detail=detail,
            request=request,
        )  # fmt: skip


@transaction.atomic
def patient_create(
    *,
    therapist: User,
    full_name: str,
    year_of_birth: int,
    email: str = "",
    phone: str = "",
    time_zone: str = "Europe/London",
    reminder_time: time | None = None,
    reminder_channel: str = ReminderChannel.EMAIL,
    reminders_enabled: bool = True,
    actor: User | None = None,
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> Patient:
    """Create a patient (and their password-less account) looked after by ``therapist``;
    ``actor`` is the member of staff to audit it under. Once per ``client_id``
    (``apps.core.once``): the same form sent again returns the patient it added; other
    details under that key are refused (``ClientIdReused``)."""
    clinic = _therapist_clinic(therapist, None)
    _refuse_inactive_newcomer(therapist, clinic, None)
    email, phone = email.strip().lower(), phone.strip()
    _validate_details(
        full_name=full_name, year_of_birth=year_of_birth, email=email, phone=phone,
        time_zone=time_zone, reminder_channel=reminder_channel,
        reminders_enabled=reminders_enabled, clinic=clinic, reminder_time=reminder_time,
    )  # fmt: skip
    asked = request_print(
        client_id, full_name=full_name.strip(), year_of_birth=year_of_birth, email=email,
        phone=phone, time_zone=time_zone, reminder_time=reminder_time,
        reminder_channel=reminder_channel, reminders_enabled=reminders_enabled,
        therapist=therapist,
    )  # fmt: skip
    values = {
        "therapist": therapist, "full_name": full_name.strip(), "email": email, "phone": phone,
        "year_of_birth": year_of_birth, "time_zone": time_zone, "reminder_time": reminder_time,
        "reminder_channel": reminder_channel, "reminders_enabled": reminders_enabled,
    }  # fmt: skip

    def create() -> Patient:
        patient = _patient_insert(clinic, values, client_id, asked)
        care_begin(patient=patient)
        patient_audit(actor=actor, action=Action.CREATE, patient=patient, request=request)
        return patient

    return create_once(
        Patient, client_id, create, same=lambda first: first.clinic_id == clinic.pk, asked=asked
    )


def _patient_insert(
    clinic: Clinic, values: Mapping[str, Any], client_id: UUID | None, asked: RequestPrint | None
) -> Patient:
    """A new patient's row with ``values`` (each of ``PATIENT_FIELDS``) and ``create_once``'s
    key, and the password-less account they sign in with."""
    user = User.objects.create_user(
        email=None, full_name=values["full_name"], clinic=clinic, role=Role.PATIENT
    )
    return Patient.objects.create(
        user=user, clinic=clinic, client_id=client_id, client_request=asked, **values
    )


PATIENT_FIELDS = (
    "therapist",
    "full_name",
    "email",
    "phone",
    "year_of_birth",
    "time_zone",
    "reminder_time",
    "reminder_channel",
    "reminders_enabled",
)


@transaction.atomic
def patient_update(
    *,
    patient: Patient,
    therapist: User,
    full_name: str,
    year_of_birth: int,
    email: str = "",
    phone: str = "",
    time_zone: str = "Europe/London",
    reminder_time: time | None = None,
    reminder_channel: str = ReminderChannel.EMAIL,
    reminders_enabled: bool = True,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Patient:
    """Change a patient's details (all of them: pass the current value to keep one), audited
    under ``actor``. A caller that changes some of them, from a copy of the patient read
    earlier (a form, a PATCH), uses ``patient_update_partial``: the patient may change their
    reminders and time zone on their phone meanwhile. Values all as they are (an empty
    PATCH) change nothing: nothing is written nor audited, and the patient is returned as is."""
    email, phone = email.strip().lower(), phone.strip()
    values = {
        "therapist": therapist, "full_name": full_name.strip(), "email": email, "phone": phone,
        "year_of_birth": year_of_birth, "time_zone": time_zone, "reminder_time": reminder_time,
        "reminder_channel": reminder_channel, "reminders_enabled": reminders_enabled,
    }  # fmt: skip
    if _unchanged(patient, values):
        # The audit log would show a change where there was none.
        return patient
    clinic = _therapist_clinic(therapist, patient.clinic_id)
    _refuse_inactive_newcomer(therapist, clinic, patient.therapist_id)
    # A time already chosen is not refused again when the clinic's quiet hours have since
    # grown over it (the patient's page flags it): only a new time is checked against them,
    # so a change of phone number is never refused for the reminder time it left alone.
    new_time = reminder_time if reminder_time != patient.reminder_time else None
    _validate_details(
        full_name=full_name, year_of_birth=year_of_birth, email=email, phone=phone,
        time_zone=time_zone, reminder_channel=reminder_channel,
        reminders_enabled=reminders_enabled, clinic=clinic, reminder_time=new_time,
    )  # fmt: skip
    _patient_write(patient, values, therapist)
    patient_audit(actor=actor, action=Action.CHANGE, patient=patient, request=request)
    return patient


def _patient_write(patient: Patient, values: Mapping[str, Any], therapist: User) -> None:
    """Save ``values`` (each of ``PATIENT_FIELDS``) on ``patient``, hand their care over when
    ``therapist`` is another, and keep their account's name the same as theirs."""
    previous_therapist_id = patient.therapist_id
    for name, value in values.items():
        setattr(patient, name, value)
    patient.save(update_fields=list(PATIENT_FIELDS))
    if therapist.pk != previous_therapist_id:
        care_hand_over(moves=[(patient, previous_therapist_id)], therapist=therapist)
    if patient.user.full_name != patient.full_name:
        patient.user.full_name = patient.full_name
        patient.user.save(update_fields=["full_name"])


def _unchanged(patient: Patient, values: Mapping[str, Any]) -> bool:
    return all(getattr(patient, name) == value for name, value in values.items())


@transaction.atomic
def patient_update_partial(
    *,
    patient: Patient,
    changes: Mapping[str, Any],
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Change the fields named in ``changes`` (of ``PATIENT_FIELDS``) and keep the others as
    they are now. The row is read again under its lock first: a change committed since the
    caller read the patient (the patient turning reminders off on their phone, a
    colleague's edit) is kept, and checked with these changes, instead of being written
    over with the caller's older copy. Returns whether anything changed: values already
    saved meanwhile (a colleague making the same change) write and record nothing."""
    unknown = set(changes) - set(PATIENT_FIELDS)
    if unknown:
        raise ValueError(f"not patient fields: {sorted(unknown)}")
    patient_lock_if_still_editable(patient, actor)
    before = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    patient_update(patient=patient, **(before | dict(changes)), actor=actor, request=request)
    # patient_update sets the fields only when one of them differs once tidied (an email in
    # capitals is the same email), so comparing with the locked row tells what it did.
    return any(getattr(patient, name) != value for name, value in before.items())


def patient_lock_if_still_editable(patient: Patient, actor: User | None) -> None:
    """Read ``patient`` again, its row locked, if ``actor`` may still change them; else a 404.

    The caller's access check was made on its first read: a patient moved to a colleague
    since (a therapist's patient is then someone else's) must not take this therapist's
    change. Asked of the locked row (PostgreSQL tests a row changed meanwhile again, as
    committed, once its lock is free), the rule is the one every page and endpoint uses
    (``editable_by``)."""
    rows = Patient.objects.all() if actor is None else Patient.objects.editable_by(actor)
    # The lock is taken with no join: PostgreSQL would test the moved row against the
    # therapist row joined before the move and find no row at all (it was a 500).
    if not list(rows.select_for_update().filter(pk=patient.pk).values_list("pk")):
        raise Http404
    patient.refresh_from_db(
        from_queryset=Patient.objects.select_related("clinic", "therapist", "user")
    )


@transaction.atomic
def patient_link_email_send(
    *,
    patient: Patient,
    link_url: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Email the patient their personal link (Django's mail framework, synchronously).

    The year of birth is never in the email: the link asks for it. The audit entry is written
    first, in this transaction: a failed send rolls it back, a sent link is always recorded.
    """
    patient_active_or_refuse(patient=patient, before="sending the link")
    if not patient.email:
        raise ValidationError({"email": "This patient has no email address."})
    # Sending an expired link does not extend it: the same link sits in every earlier email
    # and on every printed handout, and extending it would revive all of them. Renew instead.
    if not patient.link_active:
        raise ValidationError("The link is revoked, locked or expired: renew it first.")
    patient_audit(
        actor=actor,
        action=Action.EXPORT,
        patient=patient,
        detail="personal link emailed",
        request=request,
    )
    context = {"patient": patient, "first_name": patient.full_name.split()[0], "url": link_url}
    send_mail(
        subject=f"Your exercise program from {patient.clinic.name}",
        message=render_to_string("patients/patient_link_email.txt", context),
        from_email=None,
        recipient_list=[patient.email],
    )


def patient_active_or_refuse(*, patient: Patient, before: str) -> None:
    """Raise unless the patient is active (not archived), read under the row's lock until
    the caller's transaction ends: an archive committed meanwhile (another tab, the API) is
    either seen here or waits for the caller's change. For what hands out a sign-in
    credential (renewing or sending the personal link): for a discharged patient it is one
    nobody should hold, and restoring them would bring it to life."""
    archived_at = (
        Patient.objects.select_for_update(of=("self",))
        .values_list("archived_at", flat=True)
        .get(pk=patient.pk)
    )
    if archived_at is not None:
        patient.archived_at = archived_at
        raise ValidationError(f"This patient is archived: restore them before {before}.")


def patient_row_lock(*, patient_id: int) -> datetime | None:
    """Hold the patient's row (``FOR NO KEY UPDATE``, the lock the set-log writers take)
    until the caller's transaction ends; returns ``archived_at`` as read under it. For two
    writers that each decide from rows the other writes: a "worse" next-morning answer holds
    back the open prompts, and a prompt being raised is held back by a "worse" answer; an
    approval checks that the exercise is still in the program, and removing it (ending the
    program, archiving the patient) closes the open prompts. Under READ COMMITTED each would
    miss the other's uncommitted row; taken first by both, the second waits for the first to
    commit and its next statement sees it."""
    found = (
        Patient.objects.select_for_update(no_key=True)
        .filter(pk=patient_id)
        .values_list("archived_at", flat=True)
    )
    return next(iter(found), None)


def patients_row_lock(*, patient_ids: Collection[int]) -> list[Patient]:
    """``patient_row_lock`` for many patients at once (a batch job), in id order so two such
    jobs never wait on each other; returns the patients as read under the locks."""
    found = Patient.objects.select_for_update(no_key=True).filter(pk__in=list(patient_ids))
    return list(found.order_by("pk"))


def patient_today_bump(*, patient_id: int | None) -> None:
    """Make the patient's cached Today page miss from the commit of the caller's
    transaction: every write to what Today shows calls it in its own transaction, after or
    with the write (nothing for ``None``, a template program's missing patient). The
    patient's own row needs no call: the cache key holds its values."""
    if patient_id is not None:
        Patient.objects.filter(pk=patient_id).update(today_version=F("today_version") + 1)


def patient_sessions_end(*, patient: Patient) -> None:
    """Sign the patient out on every phone and cancel the one-time links not yet used (the
    personal link's renewal and revocation, and archiving)."""
    # A new random unusable password changes the session auth hash, which Django checks on
    # every request: every session signed in before is ended.
    user = patient.user
    user.set_unusable_password()
    user.save(update_fields=["password"])
    # A one-time link already emailed would start a new session after the change meant to
    # end them all (whoever has the phone has the mailbox too).
    OneTimeSignInLink.objects.filter(patient=patient, used_at__isnull=True).delete()


def active_staff_locked(*, user_id: int, clinic_id: int) -> User | None:
    """The clinic's active therapist or admin ``user_id``, or None, their row locked (FOR NO
    KEY UPDATE) until the caller's transaction ends. A deactivation locks the row before it
    counts the colleague's active patients (``staff_set_active``): it either commits first
    and is seen here, or waits and then counts the patient this transaction restores."""
    return (
        User.objects.select_for_update(no_key=True)
        .filter(
            pk=user_id, clinic_id=clinic_id, role__in=(Role.ADMIN, Role.THERAPIST), is_active=True
        )
        .first()
    )
