"""Reads for the program builder: each current item with its exercise and %MVIC.

``builder_rows`` runs five queries whatever the number of items (items, ladder levels,
evidence, the patient's hip precautions, the ladders and exercises running for the patient;
the last two only for a patient's program with items), so the builder page stays at a fixed
query count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from apps.clinics.models import Clinic, User
from apps.exercises.bands import band_of, bands_for
from apps.exercises.forms import LibraryFilterForm
from apps.exercises.models import Exercise, Ladder, LadderLevel
from apps.exercises.selectors import (
    LibraryFilters,
    PrimaryValue,
    exercise_library,
    primary_mvic,
    primary_of,
)
from apps.patients.models import HipPrecaution
from apps.patients.selectors import precautions_in_force
from apps.programs.doses import dose_summary
from apps.programs.duplicates import (
    Rung,
    Running,
    also_running,
    running_for,
    shared_text,
    sharing,
)
from apps.programs.models import Program, ProgramItem
from apps.programs.precautions import Conflict, conflicts, uncovered
from apps.programs.validation import WEEKDAY_LABELS


@dataclass(frozen=True)
class Mvic:
    """A %MVIC value and its activation band; ``value`` None means "not reported".
    ``less_certain``: the marker's words for a value from one source or inferred (CLINICAL.md
    asks for a marker and the note wherever the value is shown), empty when certain."""

    value: Decimal | None
    band: str
    less_certain: str = ""
    note: str = ""

    @classmethod
    def of(cls, primary: PrimaryValue | None, clinic: Clinic) -> Mvic:
        if primary is None:
            return cls(None, "")
        value = primary.value
        return cls(value, band(value, clinic), primary.less_certain, primary.note)


@dataclass
class ItemRow:
    item: ProgramItem
    exercise: Exercise | None
    level: int | None
    top_level: int | None
    medius: Mvic
    maximus: Mvic
    is_first: bool = False
    is_last: bool = False
    form: Any = None  # the dose form the page shows for this row
    # What the exercise runs into among the patient's hip precautions in force (empty: none).
    conflict: str = ""
    # What of that the item's override reason was not given for (newer precautions).
    not_covered: str = ""
    # A level set for the patient's next day whose exercise the precautions will hold back
    # (no reason covers it): from ``pending_from`` Today leaves it out, so the builder says so.
    pending_from: date | None = None
    pending_conflict: str = ""
    photo_thumb: str = ""  # the clinic's first photo of the exercise, its thumbnail URL
    # The first day of a row that starts after today (its level and dose begin then).
    starts_on: date | None = None
    # For a ladder: where else it runs for the patient ("“Hip program” at level 3").
    also_running: str = ""
    # The exercises it shares with another item running for the patient, and that item
    # ("Clam 4 with the Clamshell (Boren 2011) ladder (level 3 in “Hip program”)").
    shares: str = ""

    @property
    def name(self) -> str:
        return self.exercise.name if self.exercise is not None else "Unknown exercise"

    @property
    def dose(self) -> str:
        return dose_summary(self.item)


def band(value: Decimal | None, clinic: Clinic) -> str:
    """The activation band of a %MVIC value with the clinic's own limits, named in lower case
    as the builder writes it; the rule is the library's (``apps.exercises.bands``)."""
    found = band_of(value, bands_for(clinic))
    return found.label.lower() if found is not None else ""


def current_items(program: Program, today: date) -> QuerySet[ProgramItem]:
    return program.items.for_editing(on=today).select_related("exercise", "ladder")


def _levels(items: list[ProgramItem]) -> dict[tuple[int, int], LadderLevel]:
    ladder_ids = {item.ladder_id for item in items if item.ladder_id is not None}
    if not ladder_ids:
        return {}
    rows = LadderLevel.objects.filter(ladder_id__in=ladder_ids).select_related("exercise")
    return {(row.ladder_id, row.level): row for row in rows}


def _row(item: ProgramItem, today: date, levels: dict[tuple[int, int], LadderLevel]) -> ItemRow:
    if item.ladder_id is None:
        return ItemRow(item, item.exercise, None, None, Mvic(None, ""), Mvic(None, ""))
    # A row starting later (a new level that brings its own dose) shows the level its dose
    # is for, from its first day: today's level with that dose would pair them wrongly.
    starts_on = item.active_from if item.active_from and item.active_from > today else None
    level = item.level_on(starts_on or today)
    found = levels.get((item.ladder_id, level or 0))
    top = max((lvl for ladder_id, lvl in levels if ladder_id == item.ladder_id), default=None)
    exercise = found.exercise if found else None
    return ItemRow(item, exercise, level, top, Mvic(None, ""), Mvic(None, ""), starts_on=starts_on)


def _flag_pending_level(
    row: ItemRow,
    today: date,
    levels: dict[tuple[int, int], LadderLevel],
    in_force: list[HipPrecaution],
) -> None:
    """Mark a level that starts after today (approved, or set by hand, for the next day) when
    the precautions in force will hold its exercise back: approving came first and precautions
    after, so nothing else would tell the therapist before the exercise vanishes from Today."""
    item = row.item
    if not in_force or item.ladder_id is None or not item.level_since or item.level_since <= today:
        return
    rung = levels.get((item.ladder_id, item.current_level or 0))
    if rung is None:
        return
    found = uncovered(item, rung.exercise, in_force)
    if found:
        row.pending_from = item.level_since
        takes = ":" if any(c.unrecorded for c in found) else " takes the hip into"
        row.pending_conflict = (
            f"level {item.current_level} ({rung.exercise.name}){takes} {_texts(found)}"
        )


def _flag_running(
    rows: list[ItemRow],
    program: Program,
    running: list[Running] | None,
    levels: dict[tuple[int, int], LadderLevel],
) -> None:
    """Name, on each row, where else its ladder runs for the patient and what it shares with
    what runs (``apps.programs.duplicates``; one query, none for a template or no rows)."""
    if not rows or program.patient_id is None:
        return
    if running is None:
        running = running_for(program)
    by_track = {r.track: r for r in running}
    for row in rows:
        item = row.item
        if item.ladder_id is not None:
            others = also_running(running, track=item.track, ladder_id=item.ladder_id)
            row.also_running = "; ".join(other.place for other in others)
        # A draft's rows do not run yet: they are compared as they will run.
        mine = by_track.get(item.track) or _as_running(row, program, levels)
        row.shares = shared_text(sharing(running, mine=mine))


def _as_running(
    row: ItemRow, program: Program, levels: dict[tuple[int, int], LadderLevel]
) -> Running:
    item = row.item
    if item.ladder is None:
        rungs = [Rung(None, row.exercise.pk, row.exercise.name)] if row.exercise else []
        return Running(item.track, None, "", program.name, None, tuple(rungs))
    rungs = [
        Rung(level, found.exercise_id, found.exercise.name)
        for (ladder_id, level), found in sorted(levels.items())
        if ladder_id == item.ladder_id
    ]
    return Running(
        item.track, item.ladder_id, item.ladder.name, program.name, row.level, tuple(rungs)
    )


def precautions(program: Program) -> list[HipPrecaution]:
    """The hip precautions in force for the program's patient today (none for a template)."""
    if program.patient is None:
        return []
    return precautions_in_force(patient=program.patient, on=program.patient.local_today())


def _conflict_text(exercise: Exercise | None, found: list[HipPrecaution]) -> str:
    if exercise is None or not found:
        return ""
    return _texts(conflicts(exercise, found))


def _texts(found: list[Conflict]) -> str:
    return "; ".join(conflict.text for conflict in found)


def builder_rows(
    *,
    program: Program,
    today: date,
    in_force: list[HipPrecaution] | None = None,
    running: list[Running] | None = None,
) -> list[ItemRow]:
    """The program's current items in order, each with the exercise done today, its
    gluteus medius and maximus %MVIC from the primary study, what it runs into among the
    patient's hip precautions (``in_force``: already read by the caller) and, for a ladder,
    where else it runs for the patient (``running``: ditto)."""
    items = list(current_items(program, today))
    levels = _levels(items)
    rows = [_row(item, today, levels) for item in items]
    if in_force is None:
        in_force = precautions(program) if rows else []
    _flag_running(rows, program, running, levels)
    for row in rows:
        row.conflict = _conflict_text(row.exercise, in_force)
        if row.conflict and row.item.precaution_override and row.exercise is not None:
            row.not_covered = _texts(uncovered(row.item, row.exercise, in_force))
        _flag_pending_level(row, today, levels, in_force)
    evidence = primary_mvic(exercise_ids={row.exercise.pk for row in rows if row.exercise})
    clinic = program.clinic
    for row in rows:
        values = evidence.get(row.exercise.pk, {}) if row.exercise else {}
        row.medius = Mvic.of(values.get("gluteus_medius"), clinic)
        row.maximus = Mvic.of(values.get("gluteus_maximus"), clinic)
    if rows:
        rows[0].is_first, rows[-1].is_last = True, True
    return rows


def ladders_for(user: User) -> list[Ladder]:
    """The ladders the user may add, each with its levels' count (two queries)."""
    return list(Ladder.objects.visible_to(user).prefetch_related("levels"))


@dataclass(frozen=True)
class SearchResult:
    exercise: Exercise
    medius: Mvic
    maximus: Mvic
    conflict: str = ""  # what it runs into among the patient's hip precautions
    # The levels of ladders running for the patient it is ("level 4 of the Clamshell (Boren
    # 2011) ladder (level 3 in “Hip program”)"): added, the patient could do it twice a day.
    also_in: str = ""


def search_form(*, data: Any, clinic: Clinic) -> LibraryFilterForm:
    """The library's own filter form (name or alias, muscle, position, equipment, band), with
    ids of its own so it never clashes with the builder's other forms."""
    form = LibraryFilterForm(data or None, bands=bands_for(clinic))
    form.auto_id = "id_search_%s"
    return form


def search_results(
    *,
    user: User,
    filters: LibraryFilters,
    clinic: Clinic,
    precautions: list[HipPrecaution] | None = None,
    running: list[Running] | None = None,
) -> list[SearchResult]:
    """Every library exercise the library's search finds (no cut-off), with its primary
    %MVIC and band (the library's two queries), what it runs into among ``precautions`` and
    which levels of the ladders in ``running`` it is."""
    results = []
    for exercise in exercise_library(user=user, filters=filters):
        mvic = (
            Mvic.of(primary_of(exercise, "gluteus_medius"), clinic),
            Mvic.of(primary_of(exercise, "gluteus_maximus"), clinic),
        )
        conflict = _conflict_text(exercise, precautions or [])
        also_in = _ladder_levels_of(exercise, running or [])
        results.append(SearchResult(exercise, *mvic, conflict=conflict, also_in=also_in))
    return results


def _ladder_levels_of(exercise: Exercise, running: list[Running]) -> str:
    return "; ".join(
        f"level {rung.level} of {ladder.described}"
        for ladder in running
        if ladder.ladder_id is not None
        for rung in ladder.rungs
        if rung.exercise_id == exercise.pk
    )


def weekday_summary(program: Program) -> str:
    numbers = program.weekday_numbers
    if len(numbers) == 7:
        return "Every day"
    return ", ".join(WEEKDAY_LABELS[day] for day in numbers)
