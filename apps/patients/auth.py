"""How patients sign in without a password.

* The **personal link** is ``/p/<public_id>/<token>/`` where the token is an HMAC of the
  patient's id and link version under SECRET_KEY. It works for PATIENT_LINK_DAYS after it
  was issued, unless the therapist renews it first (a new version, issued now) or revokes it.
  Opening it asks for the year of birth and signs in by POST, so link scanners cannot use it
  and a forwarded link alone is not enough. Five wrong answers lock it until the therapist
  renews it.
* The **one-time link** is a random token emailed on request (by a worker, so the answer
  takes the same time whether or not the address is known); only its SHA-256 is stored; it
  works once, for 15 minutes.

Either leaves a 90-day session on the phone. Renewing or revoking the link also rotates the
patient account's session hash, which ends every session signed in before.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Literal, TypeVar
from uuid import UUID

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps.audit.models import Action
from apps.clinics.backends import SIGN_IN_BACKEND
from apps.clinics.models import User
from apps.clinics.suspension import patient_message
from apps.patients.models import OneTimeSignInLink, Patient
from apps.patients.services import patient_active_or_refuse, patient_audit, patient_sessions_end

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def personal_link_token(patient: Patient) -> str:
    value = f"{patient.public_id}:{patient.link_version}"
    return salted_hmac("clamshell.patient-link", value, algorithm="sha256").hexdigest()[:40]


def personal_link_path(patient: Patient) -> str:
    return _link_path(patient.public_id, personal_link_token(patient))


def _link_path(public_id: UUID, token: str) -> str:
    return reverse("patients:link", kwargs={"public_id": public_id, "token": token})


def personal_link_url(patient: Patient) -> str:
    return f"{settings.SITE_URL}{personal_link_path(patient)}"


# Stand-ins the URL pattern accepts and reverse() leaves as they are, found again in the URL.
_STAND_IN_ID = UUID("00000000-0000-4000-8000-00000000d1d0")
_STAND_IN_TOKEN = "0stand0in0"  # noqa: S105  # nosec B105: a placeholder, not a secret


def personal_link_urls() -> Callable[[Patient], str]:
    """``personal_link_url`` for many patients (a reminder batch): the path is reversed once
    and each patient's id and token put in its place."""
    url = f"{settings.SITE_URL}{_link_path(_STAND_IN_ID, _STAND_IN_TOKEN)}"
    start, rest = url.split(str(_STAND_IN_ID))
    middle, end = rest.split(_STAND_IN_TOKEN)

    def url_of(patient: Patient) -> str:
        # A hex digest and a UUID's text are what reverse() would put there, unquoted.
        return f"{start}{patient.public_id}{middle}{personal_link_token(patient)}{end}"

    return url_of


def _patient_holding_link(*, public_id: UUID, token: str) -> Patient | None:
    """The patient whose current, unrevoked link this is, however old (locked included)."""
    patient = (
        Patient.objects.select_related("clinic")
        .filter(public_id=public_id, archived_at__isnull=True)
        .first()
    )
    if patient is None or patient.link_revoked_at is not None:
        return None
    if not hmac.compare_digest(personal_link_token(patient), token):
        return None
    return patient


def patient_for_link(*, public_id: UUID, token: str) -> Patient | None:
    """The patient whose current, unrevoked, unexpired link this is (locked links included)."""
    patient = _patient_holding_link(public_id=public_id, token=token)
    if patient is None or patient.link_expired:
        return None
    return patient


def personal_link_expired(*, public_id: UUID, token: str) -> bool:
    """True only for a patient's current, unrevoked link that is past PATIENT_LINK_DAYS.

    Only someone holding a genuine link (an HMAC under SECRET_KEY that the app issued to
    that patient) can get True. A forged, renewed or revoked link, or an unknown patient, is
    False, as "not working" as before: the answer tells no one else whether a patient or a
    link exists."""
    patient = _patient_holding_link(public_id=public_id, token=token)
    return patient is not None and patient.link_expired


def _start_patient_session(request: HttpRequest, patient: Patient) -> None:
    login(request, patient.user, backend=SIGN_IN_BACKEND)
    request.session.set_expiry(settings.PATIENT_SESSION_DAYS * 24 * 3600)


LinkOutcome = Literal["signed_in", "wrong", "locked", "suspended"]


def _claim_link_attempt(patient: Patient) -> bool:
    """Count one attempt before weighing it; False when the link is already locked.

    The check and the count are one conditional UPDATE: however many guesses arrive at once,
    the database lets through at most PATIENT_LINK_MAX_FAILURES of them. A check on the row
    read earlier, then a separate increment, let 81 parallel guesses all be weighed."""
    return bool(
        Patient.objects.filter(
            pk=patient.pk, link_failed_attempts__lt=settings.PATIENT_LINK_MAX_FAILURES
        ).update(link_failed_attempts=F("link_failed_attempts") + 1)
    )


def personal_link_sign_in(
    request: HttpRequest, *, patient: Patient, year_of_birth: int
) -> LinkOutcome:
    """Weigh one year of birth: sign in on a match; a wrong year keeps its counted attempt.

    "locked" means this answer was not weighed, or was the wrong answer that used the last
    attempt. "suspended": the right year, but the patient's clinic is suspended, so no
    session is started (only someone who gave the right year is told)."""
    if not _claim_link_attempt(patient):
        return "locked"
    if year_of_birth != patient.year_of_birth:
        patient.refresh_from_db(fields=["link_failed_attempts"])
        # The answer that used up the last attempt is told at once that the link is locked.
        return "locked" if patient.link_locked else "wrong"
    Patient.objects.filter(pk=patient.pk).update(link_failed_attempts=0)
    if patient.clinic.is_suspended:
        return "suspended"
    _start_patient_session(request, patient)
    return "signed_in"


@transaction.atomic
def personal_link_renew(
    *, patient: Patient, actor: User | None = None, request: HttpRequest | None = None
) -> Patient:
    """Issue a new link, working for PATIENT_LINK_DAYS from now: the old one stops working
    and every signed-in phone is signed out. Audited under ``actor`` in the same
    transaction.

    Refused for an archived (discharged) patient: the new link would be a credential nobody
    should hold, and restoring them would bring it to life. Restore them, then renew."""
    patient_active_or_refuse(patient=patient, before="renewing the link")
    patient.link_version += 1
    patient.link_issued_at = timezone.now()
    patient.link_revoked_at = None
    patient.link_failed_attempts = 0
    patient.save(
        update_fields=[
            "link_version",
            "link_issued_at",
            "link_revoked_at",
            "link_failed_attempts",
        ]
    )
    patient_sessions_end(patient=patient)
    patient_audit(
        actor=actor,
        action=Action.CHANGE,
        patient=patient,
        detail="personal link renewed",
        request=request,
    )
    return patient


@transaction.atomic
def personal_link_revoke(
    *, patient: Patient, actor: User | None = None, request: HttpRequest | None = None
) -> Patient:
    """Stop the link working until it is renewed; every signed-in phone is signed out.
    Audited under ``actor`` in the same transaction.

    Allowed for an archived patient too, on purpose: it only takes access away. No link works
    while they are archived, but restoring them brings back a link that was not revoked, so
    revoking now (a lost phone, a link handed on) keeps that old link dead after a restore."""
    patient.link_revoked_at = timezone.now()
    patient.save(update_fields=["link_revoked_at"])
    patient_sessions_end(patient=patient)
    patient_audit(
        actor=actor,
        action=Action.CHANGE,
        patient=patient,
        detail="personal link revoked",
        request=request,
    )
    return patient


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def one_time_link_create(*, patient: Patient, request_id: UUID | None = None) -> str:
    """Create a one-time link and return its token (never stored in clear).

    Raises IntegrityError when this patient already has a link for ``request_id``."""
    token = secrets.token_urlsafe(32)
    OneTimeSignInLink.objects.create(
        patient=patient,
        token_hash=_hash_token(token),
        expires_at=timezone.now() + timedelta(minutes=settings.ONE_TIME_LINK_MINUTES),
        request_id=request_id,
    )
    return token


def one_time_links_send(*, email: str, request_id: UUID) -> int:
    """Email a one-time link to each signed-up patient with this address; return how many.

    Runs in a worker, so the sign-in page answers in the same time whether or not the
    address is known. Safe to run twice: the link is made once per patient and request (a
    unique constraint) and commits only once its email was handed over, so a second run sends
    nothing for a patient already answered and sends what a refused email failed to deliver.

    The email is sent inside the link's transaction on purpose: a link committed before a
    send that failed would make every retry skip that patient, who would never get one. A
    worker killed after sending, before the commit, costs a second email (each link works
    once), never a missing one; a simultaneous run waits on the unique key meanwhile.

    A patient whose clinic is suspended is emailed no link but the words its pages say (the
    request's page answers alike either way, so only the address's owner learns it); a
    retry after another patient's email failed may send them those words twice."""
    sent = 0
    patients = Patient.objects.select_related("clinic").filter(
        email=email.strip().lower(), archived_at__isnull=True, link_revoked_at__isnull=True
    )
    for patient in patients:
        if patient.clinic.is_suspended:
            _email_clinic_suspended(patient)
            continue
        try:
            with transaction.atomic():
                token = one_time_link_create(patient=patient, request_id=request_id)
                _email_one_time_link(patient, token)
        except IntegrityError:
            continue  # this request was answered for this patient already
        sent += 1
    return sent


def _email_one_time_link(patient: Patient, token: str) -> None:
    url = settings.SITE_URL + reverse("patients:one-time", kwargs={"token": token})
    send_mail(
        subject="Your Clamshell sign-in link",
        message=(
            f"Hello {patient.full_name.split(' ')[0]},\n\n"
            f"Open this link on your phone to sign in to your exercises:\n{url}\n\n"
            f"It works once, for {settings.ONE_TIME_LINK_MINUTES} minutes. "
            "If you did not ask for it, you can ignore this email."
        ),
        from_email=None,
        recipient_list=[patient.email],
    )


def _email_clinic_suspended(patient: Patient) -> None:
    send_mail(
        subject="Your Clamshell sign-in",
        message=(
            f"Hello {patient.full_name.split(' ')[0]},\n\n"
            "You asked for a link to sign in to your exercises. "
            f"{patient_message(patient.clinic)}\n\n"
            "If you did not ask for it, you can ignore this email."
        ),
        from_email=None,
        recipient_list=[patient.email],
    )


def one_time_link_find(token: str) -> OneTimeSignInLink | None:
    return (
        OneTimeSignInLink.objects.select_related("patient__user", "patient__clinic")
        .filter(
            token_hash=_hash_token(token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            patient__archived_at__isnull=True,
            # A revoked patient signs in by no link at all (none is sent to them either).
            patient__link_revoked_at__isnull=True,
        )
        .first()
    )


def one_time_link_sign_in(request: HttpRequest, *, token: str) -> bool:
    link = one_time_link_find(token)
    if link is None:
        return False
    # Claim the link with a conditional UPDATE: of two simultaneous uses only one wins.
    claimed = OneTimeSignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        return False
    _start_patient_session(request, link.patient)
    return True


# Where a patient's page sends someone who is not signed in (their link was renewed or revoked,
# or the 90-day session ran out): the patients' own way back in, never the staff sign-in page.
PATIENT_SIGN_IN_URL = "patients:one-time-request"


def patient_login_required(view: ViewFunc) -> ViewFunc:
    """``login_required`` for the patient's pages, sending the signed-out to ask for a one-time
    sign-in link (a page that also says to open the personal link)."""
    return login_required(view, login_url=PATIENT_SIGN_IN_URL)
