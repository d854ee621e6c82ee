"""The daily close of progression prompts that nobody can act on any more.

``prompt_decisions.prompts_withdraw`` closes a prompt in the same save as the change that
leaves it nothing to raise: an exercise removed, a program ended by hand, the patient
archived. A program whose end date simply passes has no such save, so beat runs this job
daily: it closes the open prompts whose exercise's last program day is behind the patient's
own "today" (a program ending today still has today, and the therapist may extend it). The
same rule closes what was left open before ``prompts_withdraw`` existed: prompts on exercises
already removed and on archived patients.

Clinic by clinic, in batches of open prompts, each batch in its own transaction and a fixed
number of queries. Closed prompts are ``WITHDRAWN`` with the usual reasons, by nobody,
audited as ``prompts_withdraw`` audits them; nobody is emailed. Safe to run twice, or two at
once: only open prompts are closed, under the patient row locks that approving, closing by
hand and raising a prompt take first too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import AuditRecord, audit_record_many
from apps.patients.models import Patient
from apps.patients.services import patients_row_lock
from apps.programs.models import ProgramItem, ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import (
    CLOSED_ARCHIVED,
    CLOSED_ENDED,
    CLOSED_REMOVED,
    OPEN_STATUSES,
)

BATCH = 500


class _Row(NamedTuple):
    """The days of one program row of a prompt's track (a dose edit or new weekdays carry
    the track on in a new row)."""

    active_until: date | None
    end_date: date | None

    @property
    def last_day(self) -> date:
        return min((d for d in self if d is not None), default=date.max)


def prompts_close_stale(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Close every open prompt left with nothing to raise (see the module); returns how
    many were closed."""
    now = now or timezone.now()
    open_prompts = ProgressionPrompt.objects.filter(status__in=OPEN_STATUSES)
    clinics = open_prompts.order_by("patient__clinic_id").values_list(
        "patient__clinic_id", flat=True
    )
    return sum(_close_in_clinic(clinic_id, now, batch) for clinic_id in list(clinics.distinct()))


def _close_in_clinic(clinic_id: int, now: datetime, batch: int) -> int:
    closed, after = 0, 0
    while True:
        with transaction.atomic():
            done, go_on_after = _close_batch(clinic_id, after, now, batch)
        closed += done
        if go_on_after is None:
            return closed
        after = go_on_after


def _close_batch(clinic_id: int, after: int, now: datetime, batch: int) -> tuple[int, int | None]:
    """Close the stale prompts among the clinic's next ``batch`` open prompts after id
    ``after``; returns how many, and the id to go on after (None: the clinic is done)."""
    candidates = list(
        ProgressionPrompt.objects.filter(
            status__in=OPEN_STATUSES, patient__clinic_id=clinic_id, pk__gt=after
        )
        .order_by("pk")
        .values_list("pk", "patient_id")[:batch]
    )
    if not candidates:
        return 0, None
    # The patients' rows before the prompts', as ``prompts_withdraw`` takes them: an approval
    # holding a patient's row commits first (and is kept), a decline holding a prompt's row
    # too (the prompt is read again below, no longer open).
    patients = {p.pk: p for p in patients_row_lock(patient_ids={pid for _, pid in candidates})}
    prompts = list(
        ProgressionPrompt.objects.select_for_update(of=("self",))
        .filter(pk__in=[pk for pk, _ in candidates], status__in=OPEN_STATUSES)
        .order_by("pk")
    )
    why = _why_stale(prompts, patients, now)
    _withdraw([p for p in prompts if p.pk in why], why, patients, now)
    return len(why), candidates[-1][0] if len(candidates) == batch else None


def _why_stale(
    prompts: list[ProgressionPrompt], patients: dict[int, Patient], now: datetime
) -> dict[int, str]:
    """Why each prompt with nothing left to raise is closed, by prompt id: its patient was
    archived, or its exercise's last program day is before the patient's today. One query."""
    rows = _track_rows(prompts)
    why = {}
    for prompt in prompts:
        patient = patients[prompt.patient_id]
        if patient.archived_at is not None:
            why[prompt.pk] = CLOSED_ARCHIVED
        elif over := _over_why(rows[patient.pk, prompt.track], patient.local_today(now)):
            why[prompt.pk] = over
    return why


def _track_rows(prompts: list[ProgressionPrompt]) -> dict[tuple[int, UUID], list[_Row]]:
    """The rows of the prompts' tracks in the patients' programs, by patient and track. The
    rows of a program not in force count for nothing, as ``tracks_going_on`` has it."""
    found = ProgramItem.objects.filter(
        program__patient_id__in={p.patient_id for p in prompts},
        track__in={p.track for p in prompts},
        program__is_active=True,
    ).values_list("program__patient_id", "track", "active_until", "program__end_date")
    rows: dict[tuple[int, UUID], list[_Row]] = defaultdict(list)
    for patient_id, track, active_until, end_date in found:
        rows[patient_id, track].append(_Row(active_until, end_date))
    return rows


def _over_why(rows: list[_Row], today: date) -> str:
    """Why a track is over on ``today`` (empty: it goes on today or later). Its last row
    lasted until its program's end date: the program ended; else it ended earlier: the
    exercise was removed."""
    last = max(rows, key=lambda row: row.last_day, default=None)
    if last is None:
        return CLOSED_ENDED  # no program in force gives it
    if last.last_day >= today:
        return ""
    if last.end_date is not None and last.last_day == last.end_date:
        return CLOSED_ENDED
    return CLOSED_REMOVED


def _withdraw(
    prompts: list[ProgressionPrompt],
    why: dict[int, str],
    patients: dict[int, Patient],
    now: datetime,
) -> None:
    """Close the (locked, open) prompts with their reasons, by nobody, and audit each as
    ``prompts_withdraw`` does: one UPDATE a reason and one write for the entries."""
    by_reason: dict[str, list[int]] = defaultdict(list)
    for prompt in prompts:
        by_reason[why[prompt.pk]].append(prompt.pk)
    for reason, ids in by_reason.items():
        ProgressionPrompt.objects.filter(pk__in=ids).update(
            status=PromptStatus.WITHDRAWN, decision_reason=reason, decided_by=None, decided_at=now
        )
    audit_record_many(
        actor=None,
        action=Action.CHANGE,
        records=[AuditRecord(patients[p.patient_id], p, f"closed: {why[p.pk]}") for p in prompts],
    )
