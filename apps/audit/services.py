"""Writing to the audit log. Call ``audit_record`` wherever patient data is read, created,
changed, exported or deleted; it is cheap and never copies health data."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action, AuditEntry
from apps.clinics.models import Clinic, User
from apps.core import ratelimit
from apps.core.prepared import pipelined, prepared_cursor

if TYPE_CHECKING:
    from apps.patients.models import Patient

GENESIS_HASH = "0" * 64
DETAIL_MAX = AuditEntry._meta.get_field("detail").max_length or 200
ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"
# One advisory-lock key for the chain: entries are appended one at a time on PostgreSQL.
CHAIN_LOCK_KEY = 7_220_141


def entry_content(entry: AuditEntry) -> str:
    """The canonical text an entry's hash covers."""
    fields = {
        "sequence": entry.sequence,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "clinic": entry.clinic_id,
        "action": entry.action,
        "patient_ref": entry.patient_ref,
        "target_type": entry.target_type,
        "target_ref": entry.target_ref,
        "detail": entry.detail,
        "ip": entry.ip_address,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def entry_hash(entry: AuditEntry, previous_hash: str) -> str:
    return hashlib.sha256((previous_hash + entry_content(entry)).encode()).hexdigest()


def _lock_chain() -> None:
    # Two writers must not both append after the same entry; on SQLite the IMMEDIATE
    # transaction mode already serialises writers.
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _ref(obj: Model | None) -> str:
    if obj is None:
        return ""
    return str(getattr(obj, "public_id", None) or obj.pk)


def _client_ip(request: HttpRequest | None) -> str | None:
    return ratelimit.client_address(request) if request is not None else None


# The chain's last entry, with the last number of the entry's clinic (none for an entry of no
# clinic). Hand-written and prepared: every audited page runs it, and the ORM compiled its
# subquery on each one (bench/README.md, "Ninth session"). Both read an index backwards.
_TABLE = AuditEntry._meta.db_table
_LAST_SQL = f"""
    SELECT sequence, entry_hash FROM {_TABLE} ORDER BY sequence DESC LIMIT 1
"""  # noqa: S608  # nosec B608: a table name from the model
_LAST_WITH_CLINIC_SQL = f"""
    SELECT a.sequence, a.entry_hash,
           (SELECT c.clinic_sequence FROM {_TABLE} c WHERE c.clinic_id = %s
            ORDER BY c.sequence DESC LIMIT 1)
    FROM {_TABLE} a ORDER BY a.sequence DESC LIMIT 1
"""  # noqa: S608  # nosec B608: a table name from the model


def _last_entries(clinic_id: int | None) -> tuple[int, str, int]:
    """The chain's last sequence and hash (0 and the genesis hash for an empty chain) and the
    clinic's last number (0 when it has none), in one query. Called under the chain lock, so
    two writers never take the same number."""
    with prepared_cursor() as cursor:
        if clinic_id is None:
            cursor.execute(_LAST_SQL)
        else:
            cursor.execute(_LAST_WITH_CLINIC_SQL, [clinic_id])
        row = cursor.fetchone()
    if row is None:
        return 0, GENESIS_HASH, 0
    return row[0], row[1], (row[2] or 0) if clinic_id is not None else 0


@transaction.atomic
def audit_record(
    *,
    actor: User | Any | None,
    action: Action | str,
    patient: Patient | None = None,
    target: Model | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
    clinic: Clinic | None = None,
) -> AuditEntry:
    """Append one entry naming who did what to which record, chained to the previous one.
    ``clinic`` names the log it belongs in when it is not the one ``_clinic_of`` finds: a
    change an operator makes in Django admin belongs to the clinic it changes, even when the
    operator also works in another."""
    user = _user(actor)
    clinic_id = clinic.pk if clinic is not None else _clinic_of(user, patient, target)
    entry = _unchained(user, action, AuditRecord(patient, target, detail), request)
    entry.clinic_id = clinic_id
    _chain([entry], clinic_id)
    entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class AuditRecord:
    """What one entry of ``audit_record_many`` is about."""

    patient: Patient | None
    target: Model | None
    detail: str = ""


@transaction.atomic
def audit_record_many(
    *,
    actor: User | Any | None,
    action: Action | str,
    records: Sequence[AuditRecord],
    request: HttpRequest | None = None,
) -> list[AuditEntry]:
    """Append one entry per record, in order, as as many ``audit_record`` calls would, in
    two round trips whatever their number: for a job that changes many records at once
    (closing a batch of stale prompts, handing a colleague's patients over). The entries are
    of one clinic, as ``_clinic_of`` finds it for each record (a ValueError otherwise)."""
    if not records:
        return []
    user = _user(actor)
    clinics = {_clinic_of(user, record.patient, record.target) for record in records}
    if len(clinics) != 1:
        raise ValueError("audit_record_many writes the entries of one clinic at a time.")
    (clinic_id,) = clinics
    entries = [_unchained(user, action, record, request) for record in records]
    for entry in entries:
        entry.clinic_id = clinic_id
    _chain(entries, clinic_id)
    return AuditEntry.objects.bulk_create(entries)


def detail_fit(parts: Sequence[str], *, separator: str = "; ") -> str:
    """``parts`` joined by ``separator`` within the detail's length: the parts that fit,
    then "…" for the rest (a first part too long alone is cut at a word, with "…")."""
    text = separator.join(parts)
    if len(text) <= DETAIL_MAX:
        return text
    kept = ""
    for part in parts:
        longer = f"{kept}{separator}{part}" if kept else part
        if len(longer) + len(separator) + len(ELLIPSIS) > DETAIL_MAX:
            break
        kept = longer
    if kept:
        return f"{kept}{separator}{ELLIPSIS}"
    cut = text[: DETAIL_MAX - len(ELLIPSIS)]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + ELLIPSIS


def _user(actor: User | Any | None) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _clinic_of(user: User | None, patient: Patient | None, target: Model | None) -> int | None:
    """The clinic whose log shows the entry: the actor's, else the patient's, else the clinic
    the entry is about. An operator has no clinic: their change of a clinic's settings or of
    a member of its staff (in Django admin) belongs in that clinic's log, where its admins
    look for it."""
    clinic_id: int | None = getattr(user, "clinic_id", None) or getattr(patient, "clinic_id", None)
    if clinic_id is None and isinstance(target, Clinic):
        clinic_id = target.pk
    elif clinic_id is None and isinstance(target, User):
        clinic_id = target.clinic_id
    return clinic_id


def _unchained(
    user: User | None, action: Action | str, record: AuditRecord, request: HttpRequest | None
) -> AuditEntry:
    """The entry for ``record``, not yet numbered nor chained."""
    return AuditEntry(
        actor=user,
        actor_label=str(getattr(user, "email", "") or getattr(user, "public_id", "") or ""),
        action=str(action),
        patient=record.patient,
        patient_ref=_ref(record.patient),
        target_type=record.target._meta.label if record.target is not None else "",
        target_ref=_ref(record.target),
        detail=detail_fit([record.detail]),
        ip_address=_client_ip(request),
    )


def _chain(entries: list[AuditEntry], clinic_id: int | None) -> None:
    """Number and hash ``entries`` (of one clinic, or of none) after the chain's last entry,
    holding the chain's lock until the caller's transaction ends."""
    # The lock and the read of the last entries in one round trip: PostgreSQL runs the read
    # once the lock is granted, on a snapshot taken then. Every audited page pays one round
    # trip less, and the chain's lock, which every clinic's writers queue for, is held one
    # round trip less.
    with pipelined():
        _lock_chain()
        sequence, previous_hash, clinic_last = _last_entries(clinic_id)
    at = timezone.now()  # under the lock: the chain's times run in its order
    for entry in entries:
        sequence += 1
        entry.sequence, entry.at = sequence, at
        # Entries of no clinic (an unknown sign-in) take no clinic number.
        if clinic_id is not None:
            clinic_last += 1
            entry.clinic_sequence = clinic_last
        entry.previous_hash = previous_hash
        entry.entry_hash = previous_hash = entry_hash(entry, previous_hash)
