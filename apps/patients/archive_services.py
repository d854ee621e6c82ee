"""Writes that discharge a patient and bring them back: ``patient_archive`` and
``patient_restore``, each under the patient's row lock and audited in its transaction."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.clinics.models import User
from apps.patients.care import care_hand_over
from apps.patients.models import Patient
from apps.patients.services import active_staff_locked, patient_audit, patient_sessions_end
from apps.patients.signals import patient_archived


def _locked_state(patient: Patient) -> tuple[datetime | None, int]:
    """(``archived_at``, therapist's id) as they are now, the patient's row locked until
    the caller's transaction ends: of an archive and a restore sent at once (two tabs, a
    double tap, the page and the API), one waits for the other and finds its result, so
    each change is made and recorded once."""
    archived_at, therapist_id = (
        Patient.objects.select_for_update(of=("self",))
        .values_list("archived_at", "therapist_id")
        .get(pk=patient.pk)
    )
    return archived_at, therapist_id


@transaction.atomic
def patient_archive(*, patient: Patient, actor: User, request: HttpRequest | None = None) -> bool:
    """Archive (discharge) a patient who finished therapy. Nothing is deleted: their
    details, programs, logs, reminders sent and audit trail stay for the record and the
    reports. From now on they cannot sign in (their phones are signed out, unused one-time
    links cancelled, and both kinds of link refused while ``archived_at`` is set), get no
    reminder, and leave the dashboard, the patient lists and program assignment.

    Programs are left as they are, on purpose: ending them would rewrite the record (the end
    dates the therapist set) and restoring could not tell which to bring back. Reminders and
    Today stop because of ``archived_at`` alone, wherever they are decided. The open
    progression prompts are closed (``patient_archived``: nobody is left to advance), and
    restoring does not reopen them.

    Audited under ``actor`` in the same transaction. Archiving an archived patient changes
    and records nothing. Returns whether anything changed."""
    archived_at, _ = _locked_state(patient)
    if archived_at is not None:
        patient.archived_at = archived_at
        return False
    patient.archived_at = timezone.now()
    Patient.objects.filter(pk=patient.pk).update(archived_at=patient.archived_at)
    # Before the audit entries: closing a prompt waits for a decision on it being committed,
    # which takes the audit chain's lock itself.
    patient_archived.send(sender=Patient, patient=patient, actor=actor, request=request)
    patient_sessions_end(patient=patient)
    patient_audit(
        actor=actor, action=Action.CHANGE, patient=patient, detail="patient archived (discharged)",
        request=request,
    )  # fmt: skip
    return True


@transaction.atomic
def patient_restore(
    *,
    patient: Patient,
    actor: User,
    therapist: User | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Bring an archived patient back as they were: their programs run again, reminders
    resume, and their personal link works again if it still would have (not revoked,
    locked or expired meanwhile: renew it otherwise). Phones signed out by the archive stay
    signed out: the patient opens their link again.

    ``therapist``: who looks after them from now, an active therapist or admin of their
    clinic (the caller resolved it within the clinic: another clinic's is never passed). It
    is needed when their own therapist has been deactivated (a colleague may only be
    deactivated once none of their patients is active): without it the restore is refused
    with what to do. The move and the restore are one transaction, each audited as a change
    of the patient under ``actor``.

    Restoring an active patient changes and records nothing (``therapist`` included: a
    retried request finds it done; move an active patient with ``patient_update``). Returns
    whether anything changed."""
    archived_at, therapist_id = _locked_state(patient)
    if archived_at is None:
        patient.archived_at = None
        return False
    chosen = therapist.pk if therapist is not None else therapist_id
    looked_after_by = active_staff_locked(user_id=chosen, clinic_id=patient.clinic_id)
    if looked_after_by is None:
        raise ValidationError({"therapist": _restore_therapist_refusal(therapist)})
    moved = looked_after_by.pk != therapist_id
    patient.archived_at, patient.therapist = None, looked_after_by
    Patient.objects.filter(pk=patient.pk).update(archived_at=None, therapist=looked_after_by)
    if moved:
        care_hand_over(moves=[(patient, therapist_id)], therapist=looked_after_by)
    patient_audit(
        actor=actor, action=Action.CHANGE, patient=patient, detail="patient restored",
        request=request,
    )  # fmt: skip
    if moved:
        patient_audit(
            actor=actor, action=Action.CHANGE, patient=patient,
            detail="therapist changed on restoring", request=request,
        )  # fmt: skip
    return True


def _restore_therapist_refusal(therapist: User | None) -> str:
    if therapist is not None:
        # Never named: a caller that resolved the id outside the clinic must not learn whose.
        return "That member of staff is deactivated or not of this clinic: choose an active one."
    return (
        "Their therapist has been deactivated: choose an active colleague to look after them "
        "as you restore them (or reactivate their therapist first)."
    )
