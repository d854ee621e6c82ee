"""Writes of who looks after a patient when (``CareSpell``): called in the transaction of
every change of ``Patient.therapist`` (adding a patient, a hand-over on their Edit page or by
the API, the hand-over of all of a colleague's patients, a restore to another colleague), so
the record and the change are saved together or not at all. The adherence report reads it
to give each day to the therapist responsible then."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from apps.clinics.models import User
from apps.patients.models import CareSpell, Patient

# (the patient, the id of the therapist they had until now)
Move = tuple[Patient, int]


def care_begin(*, patient: Patient) -> CareSpell:
    """The first spell of a patient just added: their therapist's, from their creation."""
    return CareSpell.objects.create(
        patient=patient, therapist_id=patient.therapist_id, started_at=patient.created_at
    )


def care_hand_over(*, moves: Sequence[Move], therapist: User, at: datetime | None = None) -> None:
    """End each patient's open spell and open ``therapist``'s, at ``at`` (now), in three
    queries whatever the number of patients. The callers hold the patients' row locks.

    The hand-over's local day (in the patient's zone) is the new therapist's from its start;
    the spell ended has the days before. A patient with no spell yet (added before spells
    were recorded and missed by their migration, or outside the app) first gets one of
    their previous therapist from their creation, so their past stays theirs."""
    at = at or timezone.now()
    current = _current_spells(moves, at)
    ended, opened = [], []
    for patient, _ in moves:
        moment, day = at, patient.local_today(at)
        if (spell := current.get(patient.pk)) is not None:
            # Never before the spell began (a clock a moment behind another server's).
            moment = max(at, spell.started_at)
            day = _ending_day(spell, day)
            spell.ended_at, spell.ends_on = moment, day
            ended.append(spell)
        opened.append(
            CareSpell(patient=patient, therapist_id=therapist.pk, started_at=moment, starts_on=day)
        )
    CareSpell.objects.bulk_update([s for s in ended if s.pk], ["ended_at", "ends_on"])
    CareSpell.objects.bulk_create([s for s in ended if not s.pk] + opened)


def _current_spells(moves: Sequence[Move], at: datetime) -> dict[int, CareSpell]:
    """Each patient's open spell, locked; an unsaved first one for a patient with none."""
    ids = [patient.pk for patient, _ in moves]
    # A patient's first spell and their open one (often the same): one with neither has none.
    known = CareSpell.objects.select_for_update().filter(
        Q(ended_at__isnull=True) | Q(starts_on__isnull=True), patient_id__in=ids
    )
    current: dict[int, CareSpell] = {}
    recorded: set[int] = set()
    for spell in known:
        recorded.add(spell.patient_id)
        if spell.ended_at is None:
            current[spell.patient_id] = spell
    for patient, previous_id in moves:
        if patient.pk not in recorded:
            current[patient.pk] = CareSpell(
                patient=patient, therapist_id=previous_id, started_at=min(patient.created_at, at)
            )
    return current


def _ending_day(spell: CareSpell, day: date) -> date:
    """``day``, or the spell's first day when the patient has since moved west of the zone
    it started in (their local today is then before it): a spell never ends before it
    starts, and the next starts where it ends, so the days stay shared out."""
    return max(day, spell.starts_on) if spell.starts_on is not None else day
