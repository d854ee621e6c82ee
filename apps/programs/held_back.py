"""Held back by hip precautions, read from program item rows: the days each row prescribes on,
and the days of those the precautions hold its exercise back.

An item row prescribes on the days its program runs (start to end date, on the program's
weekdays) while the row is active. Its exercise (a ladder's: the level of the day, read from
the track's level changes, ``level_history``) is held back on a day when a precaution in
force then rules it out and no override reason was given for that conflict
(``precautions.ruled_out``, which Today applies to objects). A program is held back over a
period when it prescribes something in it and the precautions hold all of it back: it has
nothing to do, so its reminder time reminds of nothing.

One rule for adherence (``adherence.patient_schedules``), the reminder claim (a program's
time on one day) and the patient's Reminders page (a program's time over the coming week, and
the day it reminds again when held back on its first days).
It reads only models, so both ``adherence`` and ``reminder_selectors`` can use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from apps.exercises.models import LadderLevel
from apps.patients.models import HipPrecaution
from apps.programs.level_history import (
    Changes,
    level_from_changes,
    needs_history,
    track_changes,
)
from apps.programs.models import LevelChange, ProgramItem
from apps.programs.precautions import movement_tags, override_covers, ruled_out

Window = tuple[date, date]

# An exercise as the held-back windows need it: its id and its movement tags.
Tagged = tuple[int | None, set[str]]

Patients = Iterable[int] | QuerySet[Any]


def weekdays_in(lo: date, hi: date, mask: int) -> int:
    """How many days in ``lo..hi`` (inclusive) fall on a weekday of ``mask`` (Monday = bit 0)."""
    if hi < lo or not mask:
        return 0
    weeks, rest = divmod((hi - lo).days + 1, 7)
    count = weeks * bin(mask & 0b1111111).count("1")
    first = lo.weekday()
    return count + sum(1 for k in range(rest) if mask & (1 << ((first + k) % 7)))


def first_weekday_in(lo: date, hi: date, mask: int) -> date | None:
    """The first day of ``lo..hi`` on a weekday of ``mask`` (Monday = bit 0), if any."""
    days = (lo + timedelta(days=k) for k in range(7))
    return next((d for d in days if d <= hi and mask & (1 << d.weekday())), None)


@dataclass(frozen=True)
class ItemSpan:
    """An item row reduced to what adherence needs: the days it is prescribed, and how much."""

    lo: date
    hi: date | None
    weekdays: int
    units: int

    def days_in(self, start: date, end: date) -> tuple[date, date]:
        lo = max(self.lo, start)
        hi = end if self.hi is None else min(self.hi, end)
        return lo, hi

    def count_in(self, start: date, end: date) -> int:
        """How many days of ``start..end`` it prescribes on."""
        return weekdays_in(*self.days_in(start, end), self.weekdays)

    def first_in(self, start: date, end: date) -> date | None:
        """The first day of ``start..end`` it prescribes on, if any."""
        return first_weekday_in(*self.days_in(start, end), self.weekdays)


def item_span(row: dict[str, Any]) -> ItemSpan:
    lo = max(d for d in (row["program__start_date"], row["active_from"]) if d is not None)
    ends = [d for d in (row["program__end_date"], row["active_until"]) if d is not None]
    units = row["sets"] * (2 if row["per_side"] else 1)
    return ItemSpan(
        lo=lo, hi=min(ends) if ends else None, weekdays=row["program__weekdays"], units=units
    )


def span_without(span: ItemSpan, gaps: list[Window]) -> list[ItemSpan]:
    """The span with the (sorted, disjoint) ``gaps`` cut out."""
    pieces, lo = [], span.lo
    for gap_lo, gap_hi in gaps:
        if span.hi is not None and gap_lo > span.hi:
            break
        if gap_hi < lo:
            continue
        if gap_lo > lo:
            pieces.append(ItemSpan(lo, gap_lo - timedelta(days=1), span.weekdays, span.units))
        lo = gap_hi + timedelta(days=1)
    if span.hi is None or lo <= span.hi:
        pieces.append(ItemSpan(lo, span.hi, span.weekdays, span.units))
    return pieces


def _merged(ranges: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _level_segments(
    row: dict[str, Any],
    tags: dict[tuple[int, int], Tagged],
    start: date,
    end: date,
    changes: list[LevelChange],
) -> list[tuple[date, date, Tagged]]:
    """The row's exercise (id and movement tags) over ``start..end``, split where its ladder
    level changes: on each change's first day, the level of the day read from the track's
    ``changes`` (``level_history.level_from_changes``: the row itself remembers only the
    last change)."""
    if row["ladder_id"] is None:
        own = movement_tags(
            row["exercise__hip_movements"],
            none=row["exercise__hip_movements_none"],
            clinic_id=row["exercise__clinic_id"],
        )
        return [(start, end, (row["exercise_id"], own))]
    item = _as_item(row)
    firsts = {change.effective_on for change in changes} | {row["level_since"] or start}
    cuts = sorted(day for day in firsts if start < day <= end)
    pieces = []
    for lo, after in zip([start, *cuts], [*cuts, None], strict=True):
        level = level_from_changes(item, lo, changes)
        hi = end if after is None else after - timedelta(days=1)
        pieces.append((lo, hi, tags.get((row["ladder_id"], level or 0), (None, set()))))
    return pieces


def _levels_differ(
    row: dict[str, Any], tags: dict[tuple[int, int], Tagged], precautions: list[HipPrecaution]
) -> bool:
    """Whether ``precautions`` hold back some levels of the row's ladder and not others."""
    covered = override_covers(row["precaution_override"], row["precaution_override_covers"])
    held = {
        tuple(
            bool(ruled_out(p, exercise_id=exercise_id or 0, movements=movements, covered=covered))
            for p in precautions
        )
        for (ladder_id, _), (exercise_id, movements) in tags.items()
        if ladder_id == row["ladder_id"]
    }
    return len(held) > 1


def _as_item(row: dict[str, Any]) -> ProgramItem:
    """The fields of a row (``ROW_FIELDS``) that say its ladder level, as an unsaved item."""
    return ProgramItem(
        ladder_id=row["ladder_id"], track=row["track"], current_level=row["current_level"],
        previous_level=row["previous_level"], level_since=row["level_since"],
    )  # fmt: skip


def _row_changes(
    rows: list[dict[str, Any]],
    tags: dict[tuple[int, int], Tagged],
    precautions: dict[int, list[HipPrecaution]],
    start: date,
) -> Changes:
    """The level changes ``_level_segments`` needs for ``rows`` from ``start``: one query, none
    when no ladder row's last change was made after it (``level_history.needs_history``) on a
    ladder whose levels the precautions tell apart (the usual case: the level of the day
    then holds back nothing another level would not)."""
    needed = [
        row
        for row in rows
        if needs_history(_as_item(row), start)
        and _levels_differ(row, tags, precautions.get(row["program__patient_id"], []))
    ]
    return track_changes(
        patient_ids={row["program__patient_id"] for row in needed},
        tracks={row["track"] for row in needed},
    )


def _ladder_tags(rows: list[dict[str, Any]]) -> dict[tuple[int, int], Tagged]:
    """The exercise of every level of the rows' ladders (one query, none without ladders)."""
    ladder_ids = {row["ladder_id"] for row in rows if row["ladder_id"]}
    if not ladder_ids:
        return {}
    levels = LadderLevel.objects.filter(ladder_id__in=ladder_ids).values_list(
        "ladder_id", "level", "exercise_id", "exercise__hip_movements",
        "exercise__hip_movements_none", "exercise__clinic_id",
    )  # fmt: skip
    return {
        (ladder_id, level): (exercise_id, movement_tags(moves, none=none, clinic_id=clinic_id))
        for ladder_id, level, exercise_id, moves, none, clinic_id in levels
    }


def precautions_by_patient(
    patients: Patients, start: date, end: date
) -> dict[int, list[HipPrecaution]]:
    """The precautions of ``patients`` (ids, or a query of them) in force on any day of
    ``start..end``, by patient id (one query)."""
    found: dict[int, list[HipPrecaution]] = defaultdict(list)
    for precaution in HipPrecaution.objects.filter(
        patient_id__in=patients if isinstance(patients, QuerySet) else list(patients),
        starts_on__lte=end, ends_on__gt=start,
    ):  # fmt: skip
        found[precaution.patient_id].append(precaution)
    return dict(found)


def held_back_days(
    rows: list[dict[str, Any]],
    precautions: dict[int, list[HipPrecaution]],
    start: date,
    end: date,
) -> dict[int, list[Window]]:
    """Per item row (``ROW_FIELDS``), the days of ``start..end`` on which ``precautions``
    (``precautions_by_patient``) hold its exercise back, as sorted, disjoint windows. One
    query for the ladder levels when a row is on a ladder and precautions are given, and one
    for the level changes of the ladder rows whose last change was made after ``start`` when
    the precautions hold back some of its levels and not others (a day's exercise is its own
    level's)."""
    if not rows or not precautions:
        return {}
    tags = _ladder_tags(rows)
    changes = _row_changes(rows, tags, precautions, start)
    held: dict[int, list[Window]] = defaultdict(list)
    for row in rows:
        covered = override_covers(row["precaution_override"], row["precaution_override_covers"])
        track = changes.get((row["program__patient_id"], row["track"]), [])
        for lo, hi, (exercise_id, movements) in _level_segments(row, tags, start, end, track):
            for precaution in precautions.get(row["program__patient_id"], []):
                if not ruled_out(
                    precaution, exercise_id=exercise_id or 0, movements=movements, covered=covered
                ):
                    continue
                last = precaution.ends_on - timedelta(days=1)
                days = (max(lo, precaution.starts_on), min(hi, last))
                if days[0] <= days[1]:
                    held[row["id"]].append(days)
    return {pk: _merged(ranges) for pk, ranges in held.items()}


def prescribing_items(patients: Patients, start: date, end: date) -> QuerySet[ProgramItem]:
    """Item rows of assigned, active programs that can prescribe something in the period."""
    return ProgramItem.objects.filter(
        program__patient_id__in=patients if isinstance(patients, QuerySet) else list(patients),
        program__is_template=False,
        program__is_active=True,
        program__start_date__lte=end,
    ).filter(
        Q(program__end_date__isnull=True) | Q(program__end_date__gte=start),
        Q(active_from__isnull=True) | Q(active_from__lte=end),
        Q(active_until__isnull=True) | Q(active_until__gte=start),
    )


# What ``item_span`` and ``held_back_days`` read of an item row.
ROW_FIELDS = (
    "id",
    "program__patient_id",
    "program__start_date",
    "program__end_date",
    "program__weekdays",
    "active_from",
    "active_until",
    "sets",
    "per_side",
    "exercise_id",
    "exercise__hip_movements",
    "exercise__hip_movements_none",
    "exercise__clinic_id",
    "ladder_id",
    "track",
    "current_level",
    "previous_level",
    "level_since",
    "precaution_override",
    "precaution_override_covers",
)


def programs_held_back(*, patients: Patients, start: date, end: date) -> set[int]:
    """Ids of the programs of ``patients`` (ids, or a query of them) that prescribe something
    on a day of ``start..end`` and whose every item, on every such day, the hip precautions
    in force then hold back: Today shows nothing of them, so they remind of nothing. The
    reminder claim asks about one day, the Reminders page about the coming week. One query
    when none of the patients has precautions in force in the period, the usual case; three
    at most otherwise, whatever their number (four when a ladder whose levels they tell apart
    last changed level after ``start``: ``held_back_days``)."""
    held = held_back_until(patients=patients, start=start, end=end)
    return {pk for pk, back in held.items() if back is None}


def held_back_until(*, patients: Patients, start: date, end: date) -> dict[int, date | None]:
    """The programs of ``patients`` that the hip precautions hold back on the first day (or
    days) of ``start..end`` they prescribe on, by id: each with the first day of the period
    Today shows something of it again, None when there is none (``programs_held_back``). A
    program left out is not held back on its first day in the period. Queries as
    ``programs_held_back``."""
    precautions = precautions_by_patient(patients, start, end)
    if not precautions:
        return {}
    rows = list(prescribing_items(list(precautions), start, end).values(*ROW_FIELDS, "program_id"))
    held = held_back_days(rows, precautions, start, end)
    prescribing: dict[int, date] = {}
    shown: dict[int, date] = {}
    for row in rows:
        span = item_span(row)
        _keep_earliest(prescribing, row["program_id"], span.first_in(start, end))
        for piece in span_without(span, held.get(row["id"], [])):
            _keep_earliest(shown, row["program_id"], piece.first_in(start, end))
    return {pk: shown.get(pk) for pk, first in prescribing.items() if shown.get(pk) != first}


def _keep_earliest(earliest: dict[int, date], key: int, day: date | None) -> None:
    if day is not None and (key not in earliest or day < earliest[key]):
        earliest[key] = day
