"""Writes of set logs: record (idempotent by client id), correct and delete within 24 hours.

Every function validates the whole request before writing and raises
``django.core.exceptions.ValidationError`` with one message per field, so a bad request
never saves half of itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format

from apps.core.prepared import insert_row, pipelined
from apps.patients.models import HipPrecaution, Patient, Side
from apps.patients.selectors import precautions_in_force
from apps.programs import dispatch
from apps.programs.daily_totals import daily_totals_lock_patient, daily_totals_refresh_days
from apps.programs.levels import level_on_day
from apps.programs.logs_replay import SentSet, check_replay
from apps.programs.models import ProgramItem, SetLog
from apps.programs.precautions import held_back_message
from apps.programs.prompt_holds import prompt_rule_refresh
from apps.programs.selectors import (
    PATIENT_HAS_PRECAUTIONS,
    allowed,
    exercise_for,
    ladder_levels,
)
from apps.programs.signals import set_log_deleting

# A patient may fix a mistake for a day; after that the log is part of the record.
CORRECTION_WINDOW = timedelta(hours=24)
REPS_MAX = 200
HOLD_SECONDS_MAX = 600
PAIN_MAX = 10
DIFFICULTY_MIN, DIFFICULTY_MAX = 1, 5
SET_NUMBER_MAX = 50
NOTE_MAX = 500
NO_LEVEL = "This exercise has no level to log against; ask your therapist."
# The earliest clock on Earth (Kiribati's Line Islands): a day has begun somewhere once it has
# begun there.
EARLIEST_UTC_OFFSET = timedelta(hours=14)

Errors = dict[str, str]


def _enqueue_evaluation(log: SetLog) -> None:
    """In the log's transaction: the outbox row commits (and is published) with the log."""
    dispatch.enqueue_log_evaluation(log.pk)


def _check_pain(pain: int | None, errors: Errors) -> None:
    if pain is None:
        errors["pain"] = "Choose how much pain you felt, from 0 (none) to 10 (worst)."
    elif not 0 <= pain <= PAIN_MAX:
        errors["pain"] = f"Pain must be a whole number from 0 to {PAIN_MAX}."


def _check_difficulty(difficulty: int | None, errors: Errors) -> None:
    if difficulty is not None and not DIFFICULTY_MIN <= difficulty <= DIFFICULTY_MAX:
        errors["difficulty"] = "Difficulty must be from 1 (very easy) to 5 (very hard)."


def _check_amount(
    *, is_hold: bool, reps: int | None, hold_seconds: int | None, errors: Errors
) -> None:
    """Reps for a reps exercise, seconds for a hold, each within its range."""
    if is_hold:
        if reps is not None:
            errors["reps"] = "This exercise is a hold: log the seconds you held, not reps."
        if hold_seconds is None:
            errors["hold_seconds"] = "Enter how many seconds you held."
        elif not 0 <= hold_seconds <= HOLD_SECONDS_MAX:
            errors["hold_seconds"] = f"Hold seconds must be from 0 to {HOLD_SECONDS_MAX}."
        return
    if hold_seconds is not None:
        errors["hold_seconds"] = "This exercise is done in reps: log reps, not hold seconds."
    if reps is None:
        errors["reps"] = "Enter the number of reps you did."
    elif not 0 <= reps <= REPS_MAX:
        errors["reps"] = f"Reps must be from 0 to {REPS_MAX}."


def _check_values(
    *,
    is_hold: bool,
    reps: int | None,
    hold_seconds: int | None,
    pain: int | None,
    difficulty: int | None,
    note: str,
) -> Errors:
    errors: Errors = {}
    _check_amount(is_hold=is_hold, reps=reps, hold_seconds=hold_seconds, errors=errors)
    _check_pain(pain, errors)
    _check_difficulty(difficulty, errors)
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters or fewer."
    return errors


def _check_side(item: ProgramItem, side: str, errors: Errors) -> None:
    if item.per_side and side not in (Side.LEFT, Side.RIGHT):
        errors["side"] = "This exercise is done on each side: choose left or right."
    elif not item.per_side and side != Side.BOTH:
        errors["side"] = 'This exercise is not done per side: use "both".'


def _latest_day(today: date, now: datetime, *, queued: bool) -> date:
    """The last day a set can be logged for: the patient's ``today`` (in their saved zone), or
    for a set from the phone's queue any day that has begun somewhere on Earth.

    A queued set carries the day its Today page was drawn for, in the zone saved then. When
    the zone moves west while it waits (a flight, then "Save Europe/London as my time zone";
    staff correcting it), that day is ahead of the new today, though the set was done on it:
    refused, it would leave the phone's queue and be lost. A page is never drawn for a day
    that has begun nowhere, so that bound still refuses a made-up one.
    """
    if not queued:
        return today
    return max(today, (now.astimezone(UTC) + EARLIEST_UTC_OFFSET).date())


def _check_day(
    *,
    patient: Patient,
    item: ProgramItem,
    performed_on: date,
    now: datetime,
    errors: Errors,
    queued: bool,
) -> None:
    today = patient.local_today(now)
    start = item.program.start_date
    if performed_on > _latest_day(today, now, queued=queued):
        errors["performed_on"] = (
            f"{_day(performed_on)} has not come yet: you can log sets up to today, {_day(today)}."
        )
    elif start is not None and performed_on < start:
        errors["performed_on"] = (
            f"This program starts on {_day(start)}: you cannot log a set before that."
        )


def _day(day: date) -> str:
    return date_format(day, "l j F Y")


def _check_owner(patient: Patient, item: ProgramItem) -> None:
    if item.program.patient_id != patient.pk or item.program.is_template:
        raise ValidationError({"item": "This exercise is not in your program."})


def _existing(patient: Patient, client_id: UUID) -> SetLog | None:
    """The log already saved under ``client_id``, if any (a retry or a double tap)."""
    log = SetLog.objects.filter(client_id=client_id).select_related("item").first()
    if log is not None and log.patient_id != patient.pk:
        raise ValidationError({"client_id": "This id is already used: generate a new one."})
    return log


def _item_on(item: ProgramItem, day: date) -> ProgramItem:
    """The row of the item's track in force on ``day``.

    A phone that was offline may still show a dose that was edited since; the set belongs
    to the row prescribed that day, so the log keeps the right prescription.
    """
    if item.is_active_on(day):
        return item
    current = [
        row
        for row in ProgramItem.objects.filter(program_id=item.program_id, track=item.track)
        .select_related("program", "exercise", "ladder")
        .exclude(pk=item.pk)
        if row.is_active_on(day)
    ]
    return current[0] if current else item


def _prescription(
    item: ProgramItem, day: date, precautions: list[HipPrecaution]
) -> dict[str, object]:
    """What was prescribed on ``day``: copied onto the log so later edits keep history.

    An exercise the patient's hip precautions (those in force on ``day``) held back that day
    (Today left it out: no override) was not prescribed, so it cannot be logged either.
    """
    levels = ladder_levels([item.ladder_id]) if item.ladder_id else {}
    # A set synced late, after level changes, keeps the level of its own day.
    exercise, level = exercise_for(item, day, levels, level=level_on_day(item, day))
    if exercise is None:
        raise ValidationError({"item": NO_LEVEL})
    if not allowed(item, exercise, precautions):
        raise ValidationError({"item": held_back_message(exercise)})
    return {"exercise": exercise, "ladder_level": level, **prescribed_targets(item)}


def prescribed_targets(item: ProgramItem) -> dict[str, object]:
    """The item's dose as a log keeps it (``SetLog.target_*``), ranges included."""
    return {
        "target_sets": item.sets,
        "target_reps": item.reps,
        "target_hold_seconds": item.hold_seconds,
        "target_reps_up_to": item.reps_up_to,
        "target_hold_up_to": item.hold_up_to,
        "target_per_side": item.per_side,
    }


# The set's number when the phone sends none (the one-tap log): one more than the sets
# already logged for the item, day and side, counted by the set's own INSERT.
NEXT_SET_NUMBER_SQL = f"""
    SELECT COUNT(*) + 1 FROM {SetLog._meta.db_table}
    WHERE item_id = %s AND performed_on = %s AND side = %s
"""  # noqa: S608  # nosec B608: a table name from the model


def _numbered(item: ProgramItem, day: date, side: str) -> dict[str, tuple[str, list[Any]]]:
    return {"set_number": (NEXT_SET_NUMBER_SQL, [item.pk, day, side])}


def _record_errors(
    *,
    patient: Patient,
    item: ProgramItem,
    performed_on: date,
    side: str,
    amounts: dict[str, int | None],
    note: str,
    set_number: int | None,
    now: datetime,
    queued: bool,
) -> Errors:
    errors = _check_values(is_hold=item.hold_seconds is not None, note=note, **amounts)
    _check_side(item, side, errors)
    _check_day(
        patient=patient, item=item, performed_on=performed_on, now=now, errors=errors,
        queued=queued,
    )  # fmt: skip
    if set_number is not None and not 1 <= set_number <= SET_NUMBER_MAX:
        errors["set_number"] = f"Set number must be from 1 to {SET_NUMBER_MAX}."
    return errors


@dataclass(frozen=True)
class _NewSet:
    """One set as the patient sent it, defaults filled in by the caller."""

    patient: Patient
    item: ProgramItem
    client_id: UUID
    performed_on: date
    side: str
    amounts: dict[str, int | None]
    note: str
    set_number: int | None
    queued: bool = False


def _check_new(new: _NewSet, now: datetime) -> None:
    _check_owner(new.patient, new.item)
    errors = _record_errors(
        patient=new.patient,
        item=new.item,
        performed_on=new.performed_on,
        side=new.side,
        amounts=new.amounts,
        note=new.note,
        set_number=new.set_number,
        now=now,
        queued=new.queued,
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def _save_new(new: _NewSet, *, now: datetime, evaluate: bool) -> SetLog:
    """Check and insert a new set with its outbox row and the day's totals (one transaction).

    Raises ValidationError for a bad set and IntegrityError when the client id is taken.
    """
    patient, day = new.patient, new.performed_on
    _check_new(new, now)
    item = _item_on(new.item, day)
    # Read once: the hold-back check and the day's totals both need them. An item read by
    # ``own_item`` already says whether the patient has any precautions at all.
    if getattr(new.item, PATIENT_HAS_PRECAUTIONS, True):
        precautions = precautions_in_force(patient=patient, on=day)
    else:
        precautions = []
    log = SetLog(
        client_id=new.client_id,
        patient=patient,
        item=item,
        performed_on=day,
        side=new.side,
        set_number=new.set_number or 1,
        note=new.note,
        **new.amounts,
        **_prescription(item, day, precautions),
    )
    with pipelined():
        # First the patient's writer lock: the INSERT counts the sets already logged for the
        # set's number, and a second set logged at the same instant (another phone, a batch)
        # must count this one. Sent with the INSERT, so it costs no round trip of its own.
        daily_totals_lock_patient(patient_id=patient.pk)
        # As ``log.save(force_insert=True)``, the INSERT prepared and counting the set's
        # number; its id is read back. psycopg sends the transaction's BEGIN just before the
        # lock and waits for that on its own, pipeline or not (bench/README.md, "Eleventh
        # session").
        insert_row(log, computed=None if new.set_number else _numbered(item, day, new.side))
        # Nothing reads the answers of these: one round trip for all of them.
        daily_totals_refresh_days(
            patient_id=patient.pk, days=[day], grown=True, precautions=precautions, locked=True
        )
        if evaluate:
            _enqueue_evaluation(log)
    return log


def set_log_record(
    *,
    patient: Patient,
    item: ProgramItem,
    client_id: UUID,
    performed_on: date | None,
    side: str,
    pain: int | None,
    reps: int | None = None,
    hold_seconds: int | None = None,
    difficulty: int | None = None,
    note: str = "",
    set_number: int | None = None,
    now: datetime | None = None,
    evaluate: bool = True,
    queued: bool = False,
) -> tuple[SetLog, bool]:
    """Save one set, or return the set already saved under ``client_id``.

    ``evaluate=False`` is for bulk loads that evaluate their logs themselves (demo data): no
    task is queued for this log. ``queued=True`` is for a set sent from the phone's queue
    (the API), which may carry a day ahead of the patient's today after their time zone
    moved west (``_latest_day``); the form, sent as it is drawn, keeps the patient's today.

    Returns ``(log, created)``. ``performed_on=None`` is the patient's today. A replay of a
    ``client_id`` (the same set: ``apps.programs.logs_replay``) returns the stored log
    unchanged, so retries and double taps save once; a different set under a stored
    ``client_id`` raises ``ClientIdReused`` and saves nothing. ``item`` must be one of the
    patient's own (a ValidationError on ``item`` otherwise).

    A new set is not looked up first: the unique client id refuses a second insert, and
    only then (or when the body no longer passes, as a retry on a later day may not) is the
    stored log read. That keeps the one-tap log to its checks, one insert, its outbox row
    and the day's totals; a replay pays one more query.
    """
    now = now or timezone.now()
    amounts = {"reps": reps, "hold_seconds": hold_seconds, "pain": pain, "difficulty": difficulty}
    day = performed_on or patient.local_today(now)
    new = _NewSet(patient, item, client_id, day, side, amounts, note, set_number, queued)
    try:
        return _save_new(new, now=now, evaluate=evaluate), True
    except (ValidationError, IntegrityError):
        # Outside the insert's transaction (rolled back), so the lookup runs in a usable one.
        existing = _existing(patient, client_id)
        if existing is None:
            raise
    sent = SentSet(item, performed_on, side, set_number, **amounts, note=note)
    check_replay(existing, sent)
    return existing, False


def set_log_is_locked(log: SetLog, now: datetime | None = None) -> bool:
    """True once the 24-hour correction window after ``logged_at`` has passed."""
    return (now or timezone.now()) - log.logged_at > CORRECTION_WINDOW


def _locked_row(log: SetLog) -> SetLog:
    """The log's row, locked for this transaction.

    A simultaneous request (a double-tapped delete, a delete and a correction) may have
    deleted it since the caller read it: then it is a 404, as for a request that came after.
    """
    row = SetLog.objects.select_for_update().filter(pk=log.pk).first()
    if row is None:
        raise Http404("This set has been deleted.")
    return row


def _check_unlocked(log: SetLog, now: datetime | None) -> None:
    if set_log_is_locked(log, now):
        raise ValidationError(
            "A set can be changed or deleted for 24 hours after it was logged; "
            "this one is now locked. Ask your therapist if it needs fixing."
        )


@transaction.atomic
def set_log_correct(
    *,
    log: SetLog,
    pain: int | None,
    reps: int | None = None,
    hold_seconds: int | None = None,
    difficulty: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> SetLog:
    """Change what was done in a set (not what was prescribed) within 24 hours of logging.

    The corrected log is evaluated again (a correction to 20 reps may earn a prompt).
    """
    log = _locked_row(log)
    _check_unlocked(log, now)
    errors = _check_values(
        is_hold=log.target_hold_seconds is not None,
        reps=reps,
        hold_seconds=hold_seconds,
        pain=pain,
        difficulty=difficulty,
        note=note,
    )
    if errors:
        raise ValidationError(errors)
    assert pain is not None  # checked above
    if pain != log.pain:
        log.pain_corrected_at = now or timezone.now()
    log.reps, log.hold_seconds, log.pain = reps, hold_seconds, pain
    log.difficulty, log.note, log.evaluated_at = difficulty, note, None
    log.save(
        update_fields=[
            "reps", "hold_seconds", "pain", "difficulty", "note", "evaluated_at",
            "pain_corrected_at",
        ]
    )  # fmt: skip
    daily_totals_refresh_days(patient_id=log.patient_id, days=[log.performed_on])
    # Now, not at evaluation: a set corrected below the goal must not leave its prompt
    # standing (or an automatic advance going ahead) while the evaluation waits.
    prompt_rule_refresh(log=log)
    _enqueue_evaluation(log)
    return log


@transaction.atomic
def set_log_delete(*, log: SetLog, now: datetime | None = None) -> None:
    """Delete a set within 24 hours of logging it (``set_log_deleting`` is sent first)."""
    log = _locked_row(log)
    _check_unlocked(log, now)
    set_log_deleting.send(sender=SetLog, log_id=log.pk, at=now or timezone.now())
    log.delete()
    daily_totals_refresh_days(patient_id=log.patient_id, days=[log.performed_on])
    prompt_rule_refresh(log=log, deleted=True)  # the prompt it raised may stand on it alone
