"""A patient's right of access and right to erasure, for clinic admins.

*Everything about one patient* is found by walking the database's relations from the
patient row and the patient's account: every row that points at them, and every row that
points at those (programs, items, set logs, prompts, level changes, alerts, reminders, and
whatever a later model adds), so a new model cannot be forgotten. The audit trail is the one
exception: it is kept, and since entries name records only by public id, it is pseudonymous
once the patient row is gone.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action, AuditEntry
from apps.audit.services import audit_record
from apps.clinics.models import User
from apps.core.outbox import outbox_forget
from apps.patients.models import Patient
from apps.patients.signals import patient_erased

EXPORT_FORMAT = "clamshell-patient-export/1"
# Credentials and sign-in internals: of no use to the patient, and secret.
NOT_EXPORTED = frozenset({"password", "token_hash", "link_version", "is_superuser", "is_staff"})
# Relations are at most this deep (patient → program → item → set log → prompt is 4).
MAX_DEPTH = 6
SKIPPED_MODELS: frozenset[type[models.Model]] = frozenset({AuditEntry})
AUDIT_FIELDS = ("sequence", "at", "action", "actor_label", "target_type", "target_ref", "detail")


@dataclass
class _Found:
    depth: int
    conditions: list[Q] = field(default_factory=list)


def _reverse_relations(model: type[models.Model]) -> Iterator[Any]:
    """Foreign keys from other models to ``model``, hidden ones (``related_name="+"``) too."""
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        child = relation.related_model
        if relation.many_to_many or not isinstance(child, type) or child._meta.auto_created:
            continue
        yield relation


def _walk(
    model: type[models.Model],
    rows: models.QuerySet[Any],
    depth: int,
    found: dict[type[models.Model], _Found],
    on_path: frozenset[type[models.Model]],
) -> None:
    if depth >= MAX_DEPTH:
        return
    for relation in _reverse_relations(model):
        child = relation.related_model
        if child in SKIPPED_MODELS or child in on_path:
            continue
        condition = Q(**{f"{relation.field.name}__in": rows})
        entry = found.setdefault(child, _Found(depth=depth + 1))
        entry.depth = max(entry.depth, depth + 1)
        entry.conditions.append(condition)
        child_rows = child._base_manager.filter(condition)
        _walk(child, child_rows, depth + 1, found, on_path | {child})


def _patient_graph(patient: Patient) -> dict[type[models.Model], _Found]:
    """Every model holding rows about the patient, with how to select them and how deep."""
    found: dict[type[models.Model], _Found] = {}
    roots = frozenset({Patient, User})
    _walk(Patient, Patient._base_manager.filter(pk=patient.pk), 0, found, roots)
    _walk(User, User._base_manager.filter(pk=patient.user_id), 0, found, roots)
    return found


def _rows(model: type[models.Model], found: _Found) -> models.QuerySet[Any]:
    return model._base_manager.filter(reduce(operator.or_, found.conditions)).order_by("pk")


def _value(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def _as_dict(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: _value(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.name not in NOT_EXPORTED
    }


def _audit_about(patient: Patient) -> Iterator[dict[str, Any]]:
    entries = AuditEntry._base_manager.filter(
        Q(patient_ref=str(patient.public_id)) | Q(actor_id=patient.user_id)
    ).order_by("sequence")
    yield from entries.values(*AUDIT_FIELDS).iterator()


# The export's record names are part of its format: set logs keep the name they had before
# their model moved from the patients app to programs (the table did not move either).
EXPORT_LABELS = {"programs.setlog": "patients.setlog"}


def _export_label(model: type[models.Model]) -> str:
    label = model._meta.label_lower
    return EXPORT_LABELS.get(label, label)


def patient_data(*, patient: Patient) -> dict[str, Any]:
    """Everything stored about one patient, as JSON-ready data (dates stay date objects)."""
    records = {
        _export_label(model): [_as_dict(obj) for obj in _rows(model, found).iterator()]
        for model, found in _patient_graph(patient).items()
    }
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "patient": _as_dict(patient),
        "account": _as_dict(patient.user),
        "records": {label: rows for label, rows in sorted(records.items()) if rows},
        "audit_entries": list(_audit_about(patient)),
    }


def _require_admin_of(actor: User, patient: Patient) -> None:
    if not (actor.is_clinic_admin and actor.clinic_id == patient.clinic_id):
        raise ValidationError({"actor": "Only an admin of the patient's clinic can do this."})


def patient_data_export(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> dict[str, Any]:
    """The export a clinic admin downloads; recorded in the audit log first."""
    _require_admin_of(actor, patient)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        patient=patient,
        target=patient,
        detail="patient data export (JSON)",
        request=request,
    )
    return patient_data(patient=patient)


def _close_account(user: User) -> None:
    """Delete the account; when the audit trail names it as an actor, empty it instead."""
    try:
        with transaction.atomic():
            user.delete()
    except (models.ProtectedError, models.RestrictedError):
        user.email = None
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password"])


def _confirmation_matches(patient: Patient, confirmation: str) -> bool:
    def normal(text: str) -> str:
        return " ".join(text.split()).casefold()

    return normal(confirmation) == normal(patient.full_name)


@transaction.atomic
def patient_erase(
    *, actor: User, patient: Patient, confirmation: str, request: HttpRequest | None = None
) -> str:
    """Delete the patient's health data and account; return the pseudonymous reference.

    ``confirmation`` must repeat the patient's full name. The audit entries stay, naming the
    patient only by ``patient_ref`` (their former public id)."""
    _require_admin_of(actor, patient)
    if not _confirmation_matches(patient, confirmation):
        raise ValidationError({"confirmation": "Type the patient's full name exactly."})
    reference = str(patient.public_id)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        patient=patient,
        target=patient,
        detail="erased health data and account",
        request=request,
    )
    graph = _patient_graph(patient)
    # Deepest first: a row is deleted before anything it points at, so PROTECT never fires.
    for model, found in sorted(graph.items(), key=lambda item: -item[1].depth):
        _rows(model, found).delete()
    user = patient.user
    Patient._base_manager.filter(pk=patient.pk).delete()
    _close_account(user)
    if patient.email:  # a one-time link request carries the address until it is sent
        outbox_forget(value=patient.email)
    patient_erased.send(sender=Patient, clinic_id=patient.clinic_id)
    return reference
