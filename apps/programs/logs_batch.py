"""Saving many sets in one request (the phone's offline queue): all or nothing, idempotent
by client id, in a fixed number of queries whatever the batch size. The single-set rules and
messages come from ``apps.programs.logs``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from apps.core.once import ClientIdReused, reused_errors
from apps.patients.models import HipPrecaution, Patient, Side
from apps.patients.selectors import precautions_between
from apps.programs import dispatch
from apps.programs.daily_totals import daily_totals_lock_patient, daily_totals_refresh_days
from apps.programs.levels import level_on_day
from apps.programs.logs import NO_LEVEL, Errors, _record_errors, prescribed_targets
from apps.programs.logs_replay import SentSet, differences
from apps.programs.models import ProgramItem, SetLog
from apps.programs.precautions import held_back_message
from apps.programs.selectors import allowed, exercise_for, ladder_levels

BATCH_MAX = 100


@dataclass(frozen=True)
class LogEntry:
    """One set of a batch, as the phone sends it; ``item`` is the item's ``public_id``.

    ``performed_on`` defaults to the patient's today and ``side`` to ``both`` for an item
    that is not per side, as for a single set.
    """

    client_id: UUID
    item: UUID
    pain: int | None
    performed_on: date | None = None
    side: str | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    difficulty: int | None = None
    note: str = ""
    set_number: int | None = None


def _prefixed(index: int, errors: Errors) -> Errors:
    return {f"{index}.{field}": message for field, message in errors.items()}


def _batch_existing(patient: Patient, entries: list[LogEntry]) -> tuple[dict[UUID, SetLog], Errors]:
    """Logs already stored under the batch's client ids, and errors for ids not the patient's."""
    ids = [entry.client_id for entry in entries]
    stored = {
        log.client_id: log
        for log in SetLog.objects.filter(client_id__in=ids).select_related("item", "exercise")
    }
    errors: Errors = {}
    seen: set[UUID] = set()
    for index, entry in enumerate(entries):
        log = stored.get(entry.client_id)
        if entry.client_id in seen:
            errors[f"{index}.client_id"] = "This id is used twice in the batch: send each set once."
        elif log is not None and log.patient_id != patient.pk:
            errors[f"{index}.client_id"] = "This id is already used: generate a new one."
        seen.add(entry.client_id)
    return stored, errors


def _batch_items(patient: Patient, entries: list[LogEntry]) -> dict[UUID, ProgramItem]:
    """The patient's own items named by the batch, in one query, by ``public_id``."""
    if not entries:
        return {}
    items = ProgramItem.objects.filter(
        program__patient=patient,
        program__is_template=False,
        public_id__in={entry.item for entry in entries},
    ).select_related("program", "exercise", "ladder")
    return {item.public_id: item for item in items}


def _filled(entry: LogEntry, item: ProgramItem, today: date) -> LogEntry:
    """The entry with the single endpoint's defaults for the day and the side."""
    return replace(
        entry,
        performed_on=entry.performed_on or today,
        side=entry.side if entry.side is not None else ("" if item.per_side else Side.BOTH),
    )


def _entry_errors(patient: Patient, entry: LogEntry, item: ProgramItem, now: datetime) -> Errors:
    amounts = {
        "reps": entry.reps,
        "hold_seconds": entry.hold_seconds,
        "pain": entry.pain,
        "difficulty": entry.difficulty,
    }
    return _record_errors(
        patient=patient,
        item=item,
        performed_on=_day_of(entry),
        side=entry.side or "",
        amounts=amounts,
        note=entry.note,
        set_number=entry.set_number,
        now=now,
        queued=True,  # a batch is the phone's queue: ``logs._latest_day``
    )


def _needs_item(entry: LogEntry, stored: dict[UUID, SetLog]) -> bool:
    """A new set needs its item; a replay only when it names another row than the stored one."""
    log = stored.get(entry.client_id)
    return log is None or log.item.public_id != entry.item


def _batch_replays(
    patient: Patient,
    entries: list[LogEntry],
    stored: dict[UUID, SetLog],
    items: dict[UUID, ProgramItem],
) -> tuple[Errors, list[str]]:
    """Errors for each entry whose client id is stored (this patient's) with another set."""
    errors: Errors = {}
    fields: list[str] = []
    for index, entry in enumerate(entries):
        log = stored.get(entry.client_id)
        if log is None or log.patient_id != patient.pk:
            continue
        item = log.item if log.item.public_id == entry.item else items.get(entry.item)
        side = entry.side
        if side is None:
            side = "" if item is None or item.per_side else Side.BOTH
        sent = SentSet(
            item, entry.performed_on, side, entry.set_number, entry.reps, entry.hold_seconds,
            entry.pain, entry.difficulty, entry.note,
        )  # fmt: skip
        found = differences(log, sent)
        if found:
            errors |= reused_errors(found, what="set", prefix=f"{index}.")
            fields += [name for name in found if name not in fields]
    return errors, fields


def _batch_new(
    patient: Patient,
    entries: list[LogEntry],
    stored: dict[UUID, SetLog],
    items: dict[UUID, ProgramItem],
    now: datetime,
) -> tuple[list[tuple[LogEntry, ProgramItem]], Errors]:
    """The entries to insert (defaults filled, items resolved) and every entry's errors."""
    today = patient.local_today(now)
    todo: list[tuple[LogEntry, ProgramItem]] = []
    errors: Errors = {}
    for index, entry in enumerate(entries):
        if entry.client_id in stored:
            continue
        item = items.get(entry.item)
        if item is None:
            errors[f"{index}.item"] = "This exercise is not in your program."
            continue
        entry = _filled(entry, item, today)
        errors |= _prefixed(index, _entry_errors(patient, entry, item, now))
        todo.append((entry, item))
    return todo, errors


def _rows_on_day(todo: list[tuple[LogEntry, ProgramItem]]) -> dict[int, ProgramItem]:
    """For each item not in force on its entry's day, the row of its track that was (one query).

    Keyed by ``id(entry)``; entries whose item is in force are left out.
    """
    stale = [(entry, item) for entry, item in todo if not item.is_active_on(_day_of(entry))]
    if not stale:
        return {}
    rows = list(
        ProgramItem.objects.filter(
            program_id__in={item.program_id for _, item in stale},
            track__in={item.track for _, item in stale},
        ).select_related("program", "exercise", "ladder")
    )
    found: dict[int, ProgramItem] = {}
    for entry, item in stale:
        day = _day_of(entry)
        match = [r for r in rows if r.track == item.track and r.is_active_on(day)]
        if match:
            found[id(entry)] = match[0]
    return found


def _day_of(entry: LogEntry) -> date:
    assert entry.performed_on is not None  # filled by _filled
    return entry.performed_on


def _set_numbers(todo: list[tuple[LogEntry, ProgramItem]]) -> dict[int, int]:
    """Set numbers for entries without one, counting stored logs in one query, then the batch."""
    missing = [(entry, item) for entry, item in todo if entry.set_number is None]
    if not missing:
        return {}
    counts = Counter(
        {
            (row["item_id"], row["performed_on"], row["side"]): row["n"]
            for row in SetLog.objects.filter(
                item_id__in={item.pk for _, item in missing},
                performed_on__in={_day_of(entry) for entry, _ in missing},
            )
            .values("item_id", "performed_on", "side")
            .annotate(n=Count("pk"))
        }
    )
    numbers: dict[int, int] = {}
    for entry, item in missing:
        key = (item.pk, _day_of(entry), entry.side or "")
        counts[key] += 1
        numbers[id(entry)] = counts[key]
    return numbers


def _precautions(patient: Patient, todo: list[tuple[LogEntry, ProgramItem]]) -> list[HipPrecaution]:
    """The patient's precautions over the batch's days, in one query whatever its size."""
    days = [_day_of(entry) for entry, _ in todo]
    if not days:
        return []
    return precautions_between(patient=patient, first=min(days), last=max(days))


def _batch_rows(
    patient: Patient,
    todo: list[tuple[LogEntry, ProgramItem]],
    positions: dict[UUID, int],
    precautions: list[HipPrecaution],
) -> list[SetLog]:
    """Unsaved logs for the validated entries, each with its day's prescription.

    A set of an exercise the hip precautions held back on its day (Today left it out: no
    override) was not prescribed, so it is refused like any bad set: the whole batch is,
    the error keyed by the set's index (``positions``) and naming the exercise.
    """
    rows_on_day = _rows_on_day(todo)
    todo = [(entry, rows_on_day.get(id(entry), item)) for entry, item in todo]
    numbers = _set_numbers(todo)
    ladder_ids = {item.ladder_id for _, item in todo if item.ladder_id}
    levels = ladder_levels(ladder_ids) if ladder_ids else {}
    logs = []
    held_back: Errors = {}
    for entry, item in todo:
        day = _day_of(entry)
        # A set synced late, after level changes, keeps the level of its own day (a query
        # only for a day before the last change was made: rare, not one per set).
        exercise, level = exercise_for(item, day, levels, level=level_on_day(item, day))
        if exercise is None:  # keyed by the set's index, as every other refusal of a batch
            raise ValidationError({f"{positions[entry.client_id]}.item": NO_LEVEL})
        in_force = [precaution for precaution in precautions if precaution.is_in_force(day)]
        if not allowed(item, exercise, in_force):
            held_back[f"{positions[entry.client_id]}.item"] = held_back_message(exercise)
            continue
        logs.append(
            SetLog(
                client_id=entry.client_id,
                patient=patient,
                item=item,
                performed_on=day,
                side=entry.side or "",
                set_number=entry.set_number or numbers[id(entry)],
                reps=entry.reps,
                hold_seconds=entry.hold_seconds,
                pain=entry.pain or 0,  # checked: never None here
                difficulty=entry.difficulty,
                note=entry.note,
                exercise=exercise,
                ladder_level=level,
                **prescribed_targets(item),
            )
        )
    if held_back:
        raise ValidationError(held_back)
    return logs


def _adopt(log: SetLog, pk: int, db: str) -> None:
    """Give an unsaved row its id: ``bulk_create(ignore_conflicts=True)`` cannot return it."""
    log.pk = pk
    log._state.adding, log._state.db = False, db


def _batch_insert(
    patient: Patient, logs: list[SetLog], precautions: list[HipPrecaution]
) -> dict[UUID, tuple[SetLog, bool]]:
    """Insert, skipping client ids a concurrent request stored first; every row with its id.

    The rows inserted here are answered from memory (they hold what was written, item and
    exercise included), so the re-read only fetches ids; the rows another request stored
    first are read in full, in one more query that only such a race costs. The new logs
    are evaluated by one task for the whole batch, enqueued on commit.
    """
    if not logs:
        return {}
    SetLog.objects.bulk_create(logs, ignore_conflicts=True)
    ours = {log.client_id: log for log in logs}
    stored = SetLog.objects.filter(client_id__in=list(ours))
    saved: dict[UUID, tuple[SetLog, bool]] = {}
    lost: list[UUID] = []
    for client_id, pk, public_id, patient_id in stored.values_list(
        "client_id", "pk", "public_id", "patient_id"
    ):
        if patient_id != patient.pk:
            raise ValidationError({"client_id": "This id is already used: generate a new one."})
        log = ours[client_id]
        if public_id == log.public_id:
            _adopt(log, pk, stored.db)
            saved[client_id] = (log, True)
        else:
            lost.append(client_id)
    if lost:
        for log in SetLog.objects.filter(client_id__in=lost).select_related("item", "exercise"):
            saved[log.client_id] = (log, False)
    # In the batch's order, not the order the database happened to return the rows in: the
    # task's argument (and so its message) is the same for the same batch every time.
    new_ids = [log.pk for log in logs if saved[log.client_id][1]]
    if new_ids:
        dispatch.enqueue_logs_evaluation(new_ids)  # in this transaction, through the outbox
        daily_totals_refresh_days(
            patient_id=patient.pk,
            days=[log.performed_on for log in logs if saved[log.client_id][1]],
            grown=True,
            precautions=precautions,
            locked=True,
        )
    return saved


@transaction.atomic
def set_logs_record_many(
    *, patient: Patient, entries: list[LogEntry], now: datetime | None = None
) -> list[tuple[SetLog, bool]]:
    """Save a batch of sets all or nothing; ``(log, created)`` per entry, in order.

    Every entry is checked with the single set's rules before anything is written. Errors
    are keyed ``"<index>.<field>"`` (index into ``entries``), so a bad set names itself and
    nothing is saved. A client id already stored for this patient returns the stored log
    (``created`` False) when the entry is the same set (``apps.programs.logs_replay``); a
    different set under it is refused with the rest, as ``ClientIdReused`` when nothing
    else is wrong. One stored for another patient is an error. The number of queries does
    not depend on the batch size.
    """
    if not entries:
        raise ValidationError({"logs": "Send at least one set."})
    if len(entries) > BATCH_MAX:
        raise ValidationError({"logs": f"Send at most {BATCH_MAX} sets at a time."})
    stored, errors = _batch_existing(patient, entries)
    items = _batch_items(patient, [entry for entry in entries if _needs_item(entry, stored)])
    todo, entry_errors = _batch_new(patient, entries, stored, items, now or timezone.now())
    reused, fields = _batch_replays(patient, entries, stored, items)
    if errors or entry_errors:
        raise ValidationError(errors | entry_errors | reused)
    if reused:
        raise ClientIdReused(reused, fields)
    positions = {entry.client_id: index for index, entry in enumerate(entries)}
    # Before the sets are numbered by counting those stored: a set logged at the same
    # instant (the other phone, a one-tap log) waits, or is waited for, and is counted.
    daily_totals_lock_patient(patient_id=patient.pk)
    # Over the batch's days: the hold-back checks and the daily totals both use them.
    precautions = _precautions(patient, todo)
    rows = _batch_rows(patient, todo, positions, precautions)
    saved = _batch_insert(patient, rows, precautions)
    return [
        saved[entry.client_id] if entry.client_id in saved else (stored[entry.client_id], False)
        for entry in entries
    ]
