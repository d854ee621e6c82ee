"""Writes for a patient's hip precautions: set, change, end early.

Set on the surgeon's instruction and never assumed (CLINICAL.md). Each write validates all of
its input before touching the database, and writes its audit entry in its own transaction.
Precautions end by themselves: ``HipPrecaution.objects.in_force(on=...)`` compares the end
date with the patient's today, so nothing has to run on the end date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Least
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.core.hip import HipMovement, unknown_movements
from apps.core.once import create_once, request_print
from apps.patients.models import HipPrecaution, Patient, PrecautionKind
from apps.patients.services import patient_today_bump
from apps.patients.signals import precautions_changed

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.clinics.models import User

MAX_WEEKS = 52


def _validated(
    *, kind: str, movements: Sequence[str], starts_on: date | None, ends_on: date | None
) -> tuple[list[str], date, date]:
    """The movements to store (custom only, in the vocabulary's order) and the dates;
    a ValidationError with a message per field otherwise."""
    errors: dict[str, str] = {}
    if kind not in PrecautionKind.values:
        errors["kind"] = "Choose posterior approach, anterior approach or custom movements."
    unknown = unknown_movements(movements)
    if unknown:
        errors["movements"] = f"Unknown hip movements: {', '.join(unknown)}."
    elif kind == PrecautionKind.CUSTOM and not movements:
        errors["movements"] = "Choose at least one movement the patient must avoid."
    if starts_on is None:
        errors["starts_on"] = "Give the day the precautions start."
    if ends_on is None:
        errors["ends_on"] = (
            "Give the day the precautions lift (the first day without them, from the "
            "surgeon's instruction)."
        )
    elif starts_on is not None and ends_on <= starts_on:
        errors["ends_on"] = "The day they lift must be after the day they start."
    elif starts_on is not None and (ends_on - starts_on).days > MAX_WEEKS * 7:
        errors["ends_on"] = f"Precautions last {MAX_WEEKS} weeks at most; set them again after."
    if errors or starts_on is None or ends_on is None:
        raise ValidationError(errors)
    chosen = set(movements) if kind == PrecautionKind.CUSTOM else set()
    return [value for value in HipMovement.values if value in chosen], starts_on, ends_on


def _audit(
    actor: User, precaution: HipPrecaution, detail: str, request: HttpRequest | None
) -> None:
    # The detail never describes the precautions: their kind (the surgical approach) and end
    # date are health data, which the append-only log must not keep after an erasure. The
    # log's page names the record as it is now.
    audit_record(
        actor=actor, action=Action.CHANGE, patient=precaution.patient, target=precaution,
        detail=detail, request=request,
    )  # fmt: skip


@transaction.atomic
def precaution_set(
    *,
    actor: User,
    patient: Patient,
    kind: str,
    starts_on: date | None,
    ends_on: date | None,
    movements: Sequence[str] = (),
    note: str = "",
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> HipPrecaution:
    """Give the patient hip precautions from ``starts_on``, lifting on ``ends_on`` (the first
    day without them),
    once per ``client_id`` (``apps.core.once``: the form sent twice sets them once; other
    precautions under that key are refused)."""
    stored, start, end = _validated(
        kind=kind, movements=movements, starts_on=starts_on, ends_on=ends_on
    )
    asked = request_print(
        client_id, kind=kind, movements=stored, starts_on=start, ends_on=end,
        note=note.strip()[:300],
    )  # fmt: skip

    def create() -> HipPrecaution:
        precaution = HipPrecaution.objects.create(
            patient=patient, kind=kind, movements=stored, starts_on=start, ends_on=end,
            note=note.strip()[:300], set_by=actor, client_id=client_id, client_request=asked,
        )  # fmt: skip
        _audit(actor, precaution, "hip precautions set", request)
        precautions_changed.send(sender=HipPrecaution, patient=precaution.patient)
        patient_today_bump(patient_id=precaution.patient_id)  # Today leaves exercises out
        return precaution

    return create_once(
        HipPrecaution, client_id, create, same=lambda first: first.patient_id == patient.pk,
        asked=asked,
    )  # fmt: skip


@transaction.atomic
def precaution_update(
    *,
    actor: User,
    precaution: HipPrecaution,
    kind: str,
    starts_on: date | None,
    ends_on: date | None,
    movements: Sequence[str] = (),
    note: str = "",
    request: HttpRequest | None = None,
) -> HipPrecaution:
    """Change precautions (a new end date from the surgeon, another approach)."""
    stored, start, end = _validated(
        kind=kind, movements=movements, starts_on=starts_on, ends_on=ends_on
    )
    if precaution.ended_at is not None:
        raise ValidationError("These precautions were ended; set new ones instead.")
    precaution.kind, precaution.movements, precaution.note = kind, stored, note.strip()[:300]
    precaution.starts_on, precaution.ends_on = start, end
    precaution.save(update_fields=["kind", "movements", "note", "starts_on", "ends_on"])
    _audit(actor, precaution, "hip precautions changed", request)
    precautions_changed.send(sender=HipPrecaution, patient=precaution.patient)
    patient_today_bump(patient_id=precaution.patient_id)  # Today leaves exercises out
    return precaution


@transaction.atomic
def precaution_end(
    *, actor: User, precaution: HipPrecaution, request: HttpRequest | None = None
) -> HipPrecaution:
    """End precautions before their end date (the surgeon lifted them early): they no longer
    apply from the patient's today on, and still apply to the days before, so history (what
    was prescribed then, the adherence on those days) does not change after the fact."""
    now = timezone.now()
    lifted_from = max(precaution.starts_on, precaution.patient.local_today(now))
    done = HipPrecaution.objects.filter(pk=precaution.pk, ended_at__isnull=True).update(
        ended_at=now, ends_on=Least("ends_on", Value(lifted_from))
    )
    if not done:
        raise ValidationError("These precautions have already been ended.")
    precaution.refresh_from_db()
    _audit(actor, precaution, "hip precautions ended early", request)
    precautions_changed.send(sender=HipPrecaution, patient=precaution.patient)
    patient_today_bump(patient_id=precaution.patient_id)  # Today leaves exercises out
    return precaution
