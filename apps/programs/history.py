"""The patient's own past days: the streak and this week's adherence, and the History page's
entries, day by day, of what was done against what was prescribed.

The streak and the week follow the shared adherence rule, read from the daily totals
(``apps.programs.adherence.daily_totals``); the entries are read from the items and the logs
with the day plan's rules (``apps.programs.selectors``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from apps.exercises.models import LadderLevel
from apps.patients.models import Patient
from apps.programs.adherence import DayAdherence, daily_totals, ratio
from apps.programs.doses import patient_amount, prescribed_by
from apps.programs.level_history import changes_needed, changes_of, level_from_changes
from apps.programs.models import LevelChange, ProgramItem, SetLog
from apps.programs.selectors import (
    SideProgress,
    exercise_for,
    item_progress,
    ladder_levels,
    logged,
    patient_items,
    prescribed_on,
)

# The streak looks back at most this far (one query either way; a longer streak shows as 365).
STREAK_HORIZON_DAYS = 365


def streak_length(days: Sequence[DayAdherence], today: date) -> int:
    """Consecutive complete scheduled days ending today or yesterday.

    Unscheduled days neither count nor break the streak. Today, while not yet complete,
    does not break it either: the patient still has the rest of the day.
    """
    count = 0
    for day in sorted(days, key=lambda d: d.date, reverse=True):
        if day.date > today or not day.scheduled:
            continue
        if day.complete:
            count += 1
        elif day.date != today:
            break
    return count


def streak_once_today_is_done(*, patient: Patient, today: date) -> int:
    """The streak the patient has once today is complete (the Today page says it as the day
    is done): the complete scheduled days before today, in a row, plus today. Three
    queries (``daily_totals``), on a Today cache miss only."""
    days = daily_totals(
        patient=patient, start=today - timedelta(days=STREAK_HORIZON_DAYS), end=today
    )
    before = streak_length([d for d in days if d.date < today], today)
    return before + 1


@dataclass(frozen=True)
class WeekAdherence:
    start: date
    prescribed: int
    completed: int
    complete_days: int
    scheduled_days: int

    @property
    def percent(self) -> int | None:
        value = ratio(self.completed, self.prescribed)
        return None if value is None else round(value * 100)


def week_adherence(days: Sequence[DayAdherence], today: date) -> WeekAdherence:
    """Adherence from this week's Monday up to today (patient-local)."""
    monday = today - timedelta(days=today.weekday())
    week = [d for d in days if monday <= d.date <= today]
    return WeekAdherence(
        start=monday,
        prescribed=sum(d.prescribed for d in week),
        completed=sum(d.completed for d in week),
        complete_days=sum(1 for d in week if d.complete),
        scheduled_days=sum(1 for d in week if d.scheduled),
    )


@dataclass(frozen=True)
class HistorySummary:
    today: date
    streak: int
    week: WeekAdherence
    days: dict[date, DayAdherence]


def history_summary(*, patient: Patient) -> HistorySummary:
    """The streak, this week's adherence and each day's totals for the last year."""
    today = patient.local_today()
    days = daily_totals(
        patient=patient, start=today - timedelta(days=STREAK_HORIZON_DAYS), end=today
    )
    return HistorySummary(
        today=today,
        streak=streak_length(days, today),
        week=week_adherence(days, today),
        days={d.date: d for d in days},
    )


# --- History: what was done against what was prescribed, day by day --------------------------


@dataclass
class HistoryEntry:
    """One item on one past day: the dose prescribed then and the sets logged against it.

    ``prescribed`` is False for sets logged against an item not prescribed that day (activity,
    not adherence); their dose comes from the prescription copied onto the logs.
    """

    name: str
    program_id: int
    program: str  # its name, shown when the day has entries of more than one program
    level: int | None
    dose: str  # in the patient's words (``doses.patient_amount``), as Today says it
    prescribed: bool
    sides: list[SideProgress]

    @property
    def done(self) -> int:
        return sum(side.done for side in self.sides)

    @property
    def target(self) -> int:
        return sum(side.target_sets for side in self.sides)


def _prescribed_entry(
    item: ProgramItem,
    day: date,
    levels: dict[tuple[int, int], LadderLevel],
    logs: list[SetLog],
    changes: list[LevelChange],
) -> HistoryEntry:
    # The level of that day, from the track's changes: the row remembers only the last one.
    on_day = level_from_changes(item, day, changes)
    exercise, level = exercise_for(item, day, levels, level=on_day)
    return HistoryEntry(
        name=exercise.name if exercise else (item.ladder.name if item.ladder else ""),
        program_id=item.program_id,
        program=item.program.name,
        level=level,
        dose=patient_amount(item),
        prescribed=True,
        sides=item_progress(item, logs),
    )


def _logged_entry(logs: list[SetLog]) -> HistoryEntry:
    first = logs[0]
    sides: dict[str, SideProgress] = {}
    for log in logs:
        side = sides.setdefault(log.side, SideProgress(side=log.side, target_sets=0))
        side.logs.append(logged(log))
    return HistoryEntry(
        name=first.exercise.name,
        program_id=first.item.program_id,
        program=first.item.program.name,
        level=first.ladder_level,
        dose=patient_amount(prescribed_by(first)),
        prescribed=False,
        sides=list(sides.values()),
    )


def history_entries(*, patient: Patient, start: date, end: date) -> dict[date, list[HistoryEntry]]:
    """For each day of ``start..end`` with anything prescribed or logged, its entries.

    Three queries whatever the length of the period or the number of logs, and one more for
    the level changes of the ladders whose last change was made after ``start`` (each day
    shows the level of that day: ``level_history``).
    """
    items = patient_items(patient=patient, from_day=start)
    levels = ladder_levels({item.ladder_id for item in items if item.ladder_id})
    changes = changes_needed(items=items, patient_id=patient.pk, first=start)
    logs: dict[tuple[date, int], list[SetLog]] = defaultdict(list)
    for log in (
        SetLog.objects.filter(patient=patient, performed_on__range=(start, end))
        .select_related("exercise", "item__program")
        .order_by("logged_at")
    ):
        logs[(log.performed_on, log.item_id)].append(log)
    days: dict[date, list[HistoryEntry]] = {}
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        todays = prescribed_on(items, day)
        entries = [
            _prescribed_entry(
                i, day, levels, logs.pop((day, i.pk), []), changes_of(changes, i, patient.pk)
            )
            for i in todays
        ]
        entries += [_logged_entry(v) for (d, _), v in sorted(logs.items()) if d == day]
        if entries:
            days[day] = entries
    return days


# --- The patient's own set logs (portal pages and /me/ API) --------------------------------


def patient_logs(*, patient: Patient) -> QuerySet[SetLog]:
    """The patient's own set logs, with what their pages show; fetch one by id from here
    with ``get_for_patient``."""
    return SetLog.objects.filter(patient=patient).select_related("item", "exercise")


def recent_logs(*, patient: Patient, since: date, limit: int) -> QuerySet[SetLog]:
    """The patient's logs from ``since`` (their local day), newest first, at most ``limit``."""
    recent = patient_logs(patient=patient).filter(performed_on__gte=since)
    return recent.order_by("-performed_on", "-logged_at")[:limit]
