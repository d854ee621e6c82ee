"""The ladder level a track prescribed on a past day, read from its history of ``LevelChange``
rows.

A row remembers only the last change of its track (``ProgramItem.level_on``: the level before
it, ``previous_level``, until ``level_since``); that is right for any day from the one the
last change was made on (the day before ``level_since``), wrong before it when the track
changed level more than once (1→2→3: a day at level 1 would read 2). Readers of past days
ask ``level_from_changes`` with the track's changes, loaded once for all their items and days
(``track_changes``: one query, none when no day asked about needs them, ``needs_history``).

It reads only models, so the day plan's selectors, adherence, the held-back windows and the
progress report can all use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from uuid import UUID

from apps.programs.models import LevelChange, ProgramItem

# A track's changes by its patient and track: a track id names one line of one patient's
# programs, and keying by the patient as well keeps a copied id from mixing two patients.
TrackKey = tuple[int, UUID]
Changes = dict[TrackKey, list[LevelChange]]


def needs_history(item: ProgramItem, day: date) -> bool:
    """Whether ``item.level_on(day)`` may be wrong: a ladder row's day before the one its last
    level change was made on, when an earlier change may have been in force."""
    return (
        item.ladder_id is not None
        and item.level_since is not None
        and day < item.level_since - timedelta(days=1)
    )


def track_changes(*, patient_ids: Iterable[int], tracks: Iterable[UUID]) -> Changes:
    """The level changes of these tracks of these patients (``by_track``). One query (none
    without tracks)."""
    tracks, patient_ids = set(tracks), set(patient_ids)
    if not tracks or not patient_ids:
        return {}
    rows = LevelChange.objects.filter(
        item__track__in=tracks, item__program__patient_id__in=patient_ids
    ).select_related("item__program")
    return by_track(rows)


def by_track(changes: Iterable[LevelChange]) -> Changes:
    """``changes`` (their items and programs loaded) by (patient id, track)."""
    found: Changes = defaultdict(list)
    for change in changes:
        found[(change.item.program.patient_id or 0, change.item.track)].append(change)
    return dict(found)


def changes_needed(*, items: Iterable[ProgramItem], patient_id: int, first: date) -> Changes:
    """The changes ``level_from_changes`` needs to read the level of these rows of the patient
    ``patient_id`` on ``first`` or a later day: those of the tracks of the rows whose own
    fields may read wrong on ``first`` (``needs_history``). One query, none when no row's
    do (a patient never moved twice reads the same as before)."""
    tracks = {item.track for item in items if needs_history(item, first)}
    return track_changes(patient_ids=[patient_id], tracks=tracks)


def changes_of(changes: Changes, item: ProgramItem, patient_id: int | None) -> list[LevelChange]:
    """The changes of ``item``'s track, of the patient ``patient_id`` (``by_track``)."""
    return changes.get((patient_id or 0, item.track), [])


def level_from_changes(item: ProgramItem, day: date, changes: Sequence[LevelChange]) -> int | None:
    """The ladder level ``item``'s track prescribed on ``day``, given all the track's level
    ``changes`` (any order): ``item.level_on(day)`` when that is right (``needs_history``),
    else the last change in force on ``day`` (the latest made, of those of the same day),
    else the level the first change left."""
    if not needs_history(item, day):
        return item.level_on(day)
    in_force = [change for change in changes if change.effective_on <= day]
    if in_force:
        return max(in_force, key=_made).to_level
    if changes:
        return min(changes, key=_made).from_level
    return item.level_on(day)


def _made(change: LevelChange) -> tuple[date, int]:
    return change.effective_on, change.pk
