"""Row-level helpers of the program services: a patient's today, whether a row has history,
and copying rows (fresh tracks for a copy, the same tracks for a continuation)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from apps.patients.models import Patient
from apps.programs.models import Program, ProgramItem

# What a copy or a continuation of a row carries over as its dose.
DOSE_COPY = (
    "sets", "reps", "hold_seconds", "reps_up_to", "hold_up_to", "to_fatigue",
    "rep_hold_seconds", "per_side", "rest_seconds", "notes",
)  # fmt: skip


def dose_of(item: ProgramItem) -> dict[str, object]:
    return {name: getattr(item, name) for name in DOSE_COPY}


def patient_today(program: Program) -> date:
    if program.patient is None:
        return timezone.localdate()
    return program.patient.local_today()


def assign_start(*, program: Program, patient: Patient) -> date:
    """The day an assignment starts when none is given: the start saved on the patient's own
    draft (its Schedule), unless that day has passed, as a draft runs from the day it is
    assigned at the earliest; for a copy, the patient's today."""
    today = patient.local_today()
    if program.patient_id == patient.pk and program.start_date is not None:
        return max(program.start_date, today)
    return today


def item_has_history(item: ProgramItem, today: date) -> bool:
    """Whether the row may already have been prescribed on a past day, or has logs."""
    program = item.program
    if item.set_logs.exists():
        return True
    if program.is_template or not program.is_active or program.start_date is None:
        return False
    first_day = max(day for day in (item.active_from, program.start_date) if day is not None)
    return first_day < today


def item_restart(item: ProgramItem, today: date, values: dict[str, object]) -> ProgramItem:
    item.active_until = today - timedelta(days=1)
    item.save(update_fields=["active_until"])
    return ProgramItem.objects.create(
        program=item.program,
        track=item.track,
        active_from=today,
        position=item.position,
        exercise_id=item.exercise_id,
        ladder_id=item.ladder_id,
        current_level=item.current_level,
        previous_level=item.previous_level,
        level_since=item.level_since,
        **values,
    )


def copy_items(*, source: Program, target: Program) -> None:
    """Copy the source's items in force today as fresh rows (new tracks) of the target: each
    at today's level with today's dose (a row waiting to start tomorrow with a new level's
    dose is not copied beside it).

    Automatic advance is copied into a template only: a patient's program starts with it off
    on every item, because a level may advance by itself only when the therapist turned that
    on for this patient (CLINICAL.md), not because a template or another patient had it."""
    today = patient_today(source)
    for_patient = target.patient_id is not None
    for position, item in enumerate(source.items.in_force(on=today)):
        ProgramItem.objects.create(
            program=target,
            position=position,
            exercise_id=item.exercise_id,
            ladder_id=item.ladder_id,
            current_level=item.level_on(today),
            auto_advance=item.auto_advance and not for_patient,
            **dose_of(item),
        )


def has_started(program: Program, today: date) -> bool:
    return (
        not program.is_template
        and program.is_active
        and program.start_date is not None
        and program.start_date < today
    )


def continue_items(items: list[ProgramItem], follow_on: Program) -> None:
    """Carry rows into the next version of a program: same track, dose and ladder level.

    A row that ends on the follow-on's first day, or starts after it (a level change that
    brings a new dose: the old dose until today, the new one from tomorrow), keeps those
    days: without them both rows would prescribe every day."""
    start = follow_on.start_date
    assert start is not None  # a continuation starts on the patient's today
    for item in items:
        later = item.active_from if item.active_from and item.active_from > start else None
        ProgramItem.objects.create(
            program=follow_on, track=item.track, position=item.position,
            active_from=later, active_until=item.active_until,
            exercise_id=item.exercise_id, ladder_id=item.ladder_id,
            current_level=item.current_level, previous_level=item.previous_level,
            level_since=item.level_since, auto_advance=item.auto_advance,
            precaution_override=item.precaution_override,
            precaution_override_covers=item.precaution_override_covers, **dose_of(item),
        )  # fmt: skip
