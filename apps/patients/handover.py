"""A clinic admin hands every active patient of one colleague to another in one step (someone
leaving, a long absence): ``patients_hand_over``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import Action
from apps.audit.services import AuditRecord, audit_record_many
from apps.clinics.models import User
from apps.patients.care import care_hand_over
from apps.patients.models import Patient
from apps.patients.services import active_staff_locked


def hand_over_refusal(source: User) -> str:
    """What a colleague who cannot take ``source``'s patients is told (never who they are:
    an id of another clinic's staff reads as one that names nobody)."""
    return f"Choose an active colleague of your clinic, other than {_name(source)}."


def _name(person: User) -> str:
    return person.full_name or str(person.email)


@transaction.atomic
def patients_hand_over(
    *, actor: User, source: User, target: User, request: HttpRequest | None = None
) -> list[Patient]:
    """Make ``target`` the therapist of every active (not archived) patient of ``source``,
    both of ``actor``'s clinic, ``actor`` a clinic admin of it; returns the patients moved.

    One transaction: all move, each with its audit entry (a change of the patient under
    ``actor``, as a hand-over on the patient's Edit page), or none. Archived patients stay:
    restoring one asks who looks after them when their therapist has left.

    The patients' rows are locked first, then ``target``'s (the order a single hand-over
    takes them), so a second hand-over sent at once (a double click) waits and finds nothing
    left to move: a patient is moved and recorded once. ``target``'s row lock is the one a
    deactivation takes before counting their patients: a colleague deactivated meanwhile is
    refused here, and one being deactivated waits and then counts these patients."""
    clinic_id = actor.clinic_id
    if not actor.is_clinic_admin or clinic_id is None or source.clinic_id != clinic_id:
        raise ValidationError("Only a clinic admin of the same clinic can hand patients over.")
    moving = list(
        Patient.objects.select_for_update(of=("self",))
        .filter(clinic_id=clinic_id, therapist_id=source.pk, archived_at__isnull=True)
        .order_by("pk")
    )
    taker = active_staff_locked(user_id=target.pk, clinic_id=clinic_id)
    if taker is None or taker.pk == source.pk:
        raise ValidationError({"to": hand_over_refusal(source)})
    if not moving:
        return []
    Patient.objects.filter(pk__in=[patient.pk for patient in moving]).update(therapist=taker)
    care_hand_over(moves=[(patient, source.pk) for patient in moving], therapist=taker)
    detail = f"therapist {_name(source)} → {_name(taker)} (all their patients)"
    for patient in moving:
        patient.therapist = taker
    records = [AuditRecord(patient, patient, detail) for patient in moving]
    audit_record_many(actor=actor, action=Action.CHANGE, records=records, request=request)
    return moving
