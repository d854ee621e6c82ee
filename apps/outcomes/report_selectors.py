"""The progress report for the referrer: its data, frozen when the therapist makes it (the
PDF and the API's JSON both show it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.db.models import F

from apps.clinics.models import User
from apps.exercises.models import Exercise, LadderLevel
from apps.outcomes.selectors import assigned_programs, patient_trends
from apps.patients.models import HipPrecaution, Patient
from apps.programs.adherence import daily_totals, percent
from apps.programs.level_history import Changes, by_track, changes_of, level_from_changes
from apps.programs.models import DailyTotal, LevelChange, Program, ProgramItem
from apps.programs.precautions import conflicts, uncovered


def _weeks(patient: Patient, start: date, last: date) -> list[dict[str, Any]]:
    """Each week's adherence over its days from ``start`` to ``last`` (the last day that is
    over: a day still going on would read as a day missed). A week cut short at ``last`` says
    up to which day it counts ("through"); a whole week has None."""
    totals: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day in daily_totals(patient=patient, start=start, end=last):
        week = totals[day.date - timedelta(days=day.date.weekday())]
        week[0] += day.prescribed
        week[1] += day.completed
    # ``percent`` rounds half up, as every page does (Python's round() would give 12 for
    # 12.5 where the progress page shows 13).
    return [
        {"week_of": w.isoformat(), "prescribed": p, "completed": c,
         "adherence_percent": percent(c, p),
         "through": last.isoformat() if w + timedelta(days=6) > last else None}
        for w, (p, c) in sorted(totals.items())
    ]  # fmt: skip


def _pain_weeks(patient: Patient, start: date) -> list[dict[str, Any]]:
    """Each week's highest pain and its average over every set logged that week, read from
    the daily totals. Every set weighs alike, as in the adherence report: an average of the
    days' averages would let one painful set on a quiet day outweigh a week of easy ones."""
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = DailyTotal.objects.filter(patient=patient, day__gte=start).values_list(
        "day", "pain_max", "pain_sum", "logs"
    )
    for day, top, total, logs in rows:
        week = weeks[day - timedelta(days=day.weekday())]
        week[0], week[1], week[2] = max(week[0], top), week[1] + total, week[2] + logs
    return [
        {"week_of": w.isoformat(), "max": top,
         "mean": float((Decimal(total) / logs).quantize(Decimal("0.1"), ROUND_HALF_UP))}
        for w, (top, total, logs) in sorted(weeks.items())
    ]  # fmt: skip


@dataclass
class _Rungs:
    """The exercise of each level of the report's ladders, and how many levels each has: the
    referrer reads "Clamshell: level 2 of 4 — Reverse clamshell", not a bare number."""

    exercises: dict[tuple[int, int], Exercise] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, ladder_ids: set[int]) -> _Rungs:
        """One query (none without ladders)."""
        rungs = cls()
        if not ladder_ids:
            return rungs
        for row in LadderLevel.objects.filter(ladder_id__in=ladder_ids).select_related("exercise"):
            rungs.exercises[(row.ladder_id, row.level)] = row.exercise
            rungs.counts[row.ladder_id] = max(row.level, rungs.counts.get(row.ladder_id, 0))
        return rungs

    def at(self, ladder_id: int | None, level: int | None) -> Exercise | None:
        return self.exercises.get((ladder_id or 0, level or 0))

    def exercise(self, ladder_id: int | None, level: int | None) -> str:
        found = self.at(ladder_id, level)
        return found.name if found is not None else ""


def _level_changes(patient: Patient) -> list[LevelChange]:
    return list(
        # Not a draft's (``assigned_programs``): the patient has never been given it.
        LevelChange.objects.filter(
            item__program__patient=patient,
            item__program__is_template=False,
            item__program__is_active=True,
        )
        .select_related("item__ladder", "item__program")
        .order_by("effective_on", "created_at")
    )


def _levels(changes: list[LevelChange], rungs: _Rungs) -> list[dict[str, Any]]:
    return [
        {
            "ladder": c.item.ladder.name if c.item.ladder else "",
            "from_level": c.from_level,
            "from_exercise": rungs.exercise(c.item.ladder_id, c.from_level),
            "to_level": c.to_level,
            "to_exercise": rungs.exercise(c.item.ladder_id, c.to_level),
            "on": c.effective_on.isoformat(),
        }
        for c in changes
    ]


@dataclass(frozen=True)
class _Track:
    """One line of a program on the report's day ``on``: its rows (the one in force on ``on``
    first, then one starting later: a level approved for the next day that brings its own dose
    continues the track in a new row), a ladder's level in force on ``on``, and a level set to
    start after it (an approval takes effect from the patient's next day, so on the day it is
    given the patient still does the level before).

    The level of a day before the last change was made comes from the track's history of
    ``changes`` (``level_from_changes``): a program that ended before the patient went
    1→2→3 was done at level 1, not at the 2 the row remembers as the level before 3. A
    program that ended (``on`` is its last day, past) has no level to come."""

    rows: list[ProgramItem]
    level: int | None = None
    planned: tuple[int, date] | None = None

    @classmethod
    def of(
        cls, rows: list[ProgramItem], on: date, changes: list[LevelChange], *, ended: bool
    ) -> _Track:
        first, last = rows[0], rows[-1]
        if first.ladder_id is None:
            return cls(rows)
        level = level_from_changes(first, max(on, first.active_from or on), changes)
        planned = None
        if ended:
            return cls(rows, level, planned)
        if last.level_since and last.level_since > on and last.current_level not in (None, level):
            planned = (last.current_level, last.level_since)
        return cls(rows, level, planned)

    @property
    def first(self) -> ProgramItem:
        return self.rows[0]


def _tracks(program: Program, on: date, changes: Changes, *, ended: bool) -> list[_Track]:
    """The program's tracks not ended before ``on``, in the program's order, with their
    level changes (``by_track``); ``ended``: the program ended before today."""
    tracks: dict[UUID, list[ProgramItem]] = {}
    for item in program.items.all():
        if item.active_until is None or item.active_until >= on:
            tracks.setdefault(item.track, []).append(item)
    ordered = [
        sorted(rows, key=lambda row: row.active_from or date.min) for rows in tracks.values()
    ]
    return [
        _Track.of(rows, on, changes_of(changes, rows[0], program.patient_id), ended=ended)
        for rows in ordered
    ]


def _since(track: _Track, on: date, changes: list[LevelChange]) -> date | None:
    """The first day of the level in force on ``on``: the row's own, or the latest change of
    the track on or before ``on`` while the row says only when the next level starts."""
    first = track.first
    if first.level_since is not None and first.level_since <= on:
        return first.level_since
    days = [c.effective_on for c in changes if c.item.track == first.track]
    return max((day for day in days if day <= on), default=None)


def _ladder(track: _Track, on: date, rungs: _Rungs, changes: list[LevelChange]) -> dict[str, Any]:
    ladder_id = track.first.ladder_id
    planned = None
    if track.planned is not None:
        level, starts = track.planned
        planned = {
            "level": level, "exercise": rungs.exercise(ladder_id, level),
            "from": starts.isoformat(),
        }  # fmt: skip
    return {
        "ladder": track.first.ladder.name if track.first.ladder else "",
        "level": track.level,
        "level_count": rungs.counts.get(ladder_id or 0),
        "exercise": rungs.exercise(ladder_id, track.level),
        "since": _iso(_since(track, on, changes)),
        "planned": planned,
    }


def _precautions(patient: Patient, start: date) -> list[HipPrecaution]:
    """The patient's hip precautions in force on any day from ``start`` on, those set to start
    later included (one query); precautions called off before they started (an empty range)
    were in force on no day."""
    return list(
        HipPrecaution.objects.filter(patient=patient, ends_on__gt=start)
        .filter(ends_on__gt=F("starts_on"))
        .order_by("starts_on", "created_at")
    )


def _precaution(precaution: HipPrecaution, today: date) -> dict[str, Any]:
    if precaution.starts_on > today:
        status = "not started yet"
    elif today < precaution.ends_on:
        status = "in force"
    else:
        status = "ended early" if precaution.ended_at else "over"
    return {
        "kind": precaution.get_kind_display(),
        "rules": precaution.rules_text,
        "starts_on": precaution.starts_on.isoformat(),
        "ends_on": precaution.ends_on.isoformat(),
        "status": status,
        "note": precaution.note,
    }


def _prescribed(
    track: _Track, on: date, rungs: _Rungs
) -> list[tuple[ProgramItem, Exercise | None, date, int | None]]:
    """What the track prescribes: each row with its exercise, the day it is checked on
    (``on``, or the first day of a planned level) and its ladder level that day."""
    first = track.first
    if first.ladder_id is None:
        return [(first, first.exercise, on, None)]
    found = [(first, rungs.at(first.ladder_id, track.level), on, track.level)]
    if track.planned is not None:
        level, starts = track.planned
        found.append((track.rows[-1], rungs.at(first.ladder_id, level), starts, level))
    return found


def _overrides(
    program: Program, tracks: list[_Track], on: date, rungs: _Rungs, listed: list[HipPrecaution]
) -> list[dict[str, Any]]:
    """Each exercise the therapist prescribed despite a conflict with the precautions, with
    the therapist's reason (the report is for clinicians: the reason belongs in it), and
    whether precautions set since, which the reason does not cover, hold it back."""
    found = []
    for track in tracks:
        for row, exercise, day, level in _prescribed(track, on, rungs):
            if exercise is None or not row.precaution_override:
                continue
            clash = conflicts(exercise, listed)
            if not clash:
                continue
            texts = "; ".join(c.text for c in clash)
            in_force = [p for p in listed if p.starts_on <= day < p.ends_on]
            starts = day if day > on else None  # a planned level's first day
            found.append({
                "program": program.name,
                "exercise": exercise.name,
                "ladder": row.ladder.name if row.ladder else None,
                "level": level,
                "from": _iso(starts),
                "conflict": texts if clash[0].unrecorded else f"takes the hip into {texts}",
                "reason": row.precaution_override,
                "held_back": bool(uncovered(row, exercise, in_force)),
            })  # fmt: skip
    return found


def _programs(
    programs: list[Program],
    today: date,
    rungs: _Rungs,
    changes: list[LevelChange],
    listed: list[HipPrecaution],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each program with its ladders, and the overrides of all of them."""
    rows, overrides = [], []
    by_tracks = by_track(changes)
    for p in programs:
        on = min(today, p.end_date) if p.end_date else today
        tracks = _tracks(p, on, by_tracks, ended=on < today)
        ladders = [_ladder(t, on, rungs, changes) for t in tracks if t.first.ladder_id]
        rows.append(
            {
                "name": p.name,
                "start": p.start_date.isoformat() if p.start_date else None,
                "end": p.end_date.isoformat() if p.end_date else None,
                "notes": p.notes,
                "ladders": ladders,
            }
        )
        overrides += _overrides(p, tracks, on, rungs, listed)
    return rows, overrides


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def report_data(*, patient: Patient, author: User, note: str) -> dict[str, Any]:
    """Everything the referrer's report shows, as JSON-ready values."""
    today = patient.local_today()
    programs = list(assigned_programs(patient).prefetch_related("items__ladder", "items__exercise"))
    starts = [p.start_date for p in programs if p.start_date is not None]
    start = max(min(starts, default=today), today - timedelta(days=365))
    changes = _level_changes(patient)
    ladder_ids = {i.ladder_id for p in programs for i in p.items.all() if i.ladder_id}
    rungs = _Rungs.of(ladder_ids | {c.item.ladder_id for c in changes if c.item.ladder_id})
    listed = _precautions(patient, start)
    program_rows, overrides = _programs(programs, today, rungs, changes, listed)
    return {
        # Who sent it and how to reach them, on the report's letterhead.
        "clinic_name": patient.clinic.name,
        "clinic_phone": patient.clinic.phone,
        "patient_reference": str(patient.public_id),
        "patient_name": patient.full_name,
        "year_of_birth": patient.year_of_birth,
        # The clinician the referrer deals with: the patient's therapist, whoever (a colleague
        # covering, the clinic admin) made and signed this report.
        "therapist_name": patient.therapist.full_name or patient.therapist.email,
        "period": {"start": start.isoformat(), "end": today.isoformat()},
        "precautions": [_precaution(p, today) for p in listed],
        "programs": program_rows,
        "overrides": overrides,
        "level_changes": _levels(changes, rungs),
        # Adherence counts the days that are over: today is left out until it ends.
        "adherence_through": (today - timedelta(days=1)).isoformat(),
        "adherence_by_week": _weeks(patient, start, today - timedelta(days=1))
        if start < today
        else [],
        "pain_by_week": _pain_weeks(patient, start),
        "outcomes": [t.as_dict() for t in patient_trends(patient=patient)],
        "therapist_note": note.strip(),
        "signed_by": author.full_name or author.email or "",
        "signed_on": today.isoformat(),
    }
