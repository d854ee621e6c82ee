"""The progress report for the referrer: its data, frozen when the therapist makes it (the
PDF and the API's JSON both show it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from apps.clinics.models import User
from apps.exercises.models import LadderLevel
from apps.outcomes.selectors import assigned_programs, patient_trends
from apps.patients.models import Patient
from apps.programs.adherence import daily_totals, percent
from apps.programs.models import DailyTotal, LevelChange, Program, ProgramItem


def _weeks(patient: Patient, start: date, today: date) -> list[dict[str, Any]]:
    totals: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day in daily_totals(patient=patient, start=start, end=today):
        week = totals[day.date - timedelta(days=day.date.weekday())]
        week[0] += day.prescribed
        week[1] += day.completed
    # ``percent`` rounds half up, as every page does (Python's round() would give 12 for
    # 12.5 where the progress page shows 13).
    return [
        {"week_of": w.isoformat(), "prescribed": p, "completed": c,
         "adherence_percent": percent(c, p)}
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

    exercises: dict[tuple[int, int], str] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, ladder_ids: set[int]) -> _Rungs:
        """One query (none without ladders)."""
        rungs = cls()
        if not ladder_ids:
            return rungs
        rows = LadderLevel.objects.filter(ladder_id__in=ladder_ids).values_list(
            "ladder_id", "level", "exercise__name"
        )
        for ladder_id, level, name in rows:
            rungs.exercises[(ladder_id, level)] = name
            rungs.counts[ladder_id] = max(level, rungs.counts.get(ladder_id, 0))
        return rungs

    def exercise(self, ladder_id: int | None, level: int | None) -> str:
        return self.exercises.get((ladder_id or 0, level or 0), "")


def _level_changes(patient: Patient) -> list[LevelChange]:
    return list(
        LevelChange.objects.filter(item__program__patient=patient, item__program__is_template=False)
        .select_related("item__ladder")
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


def _tracks(program: Program, on: date) -> list[list[ProgramItem]]:
    """The program's ladder tracks not ended before ``on``, in the program's order, each as
    its rows: the one in force on ``on`` first, then one starting later (a level approved
    for the next day that brings its own dose continues the track in a new row)."""
    tracks: dict[UUID, list[ProgramItem]] = {}
    for item in program.items.all():
        if item.ladder_id is not None and (item.active_until is None or item.active_until >= on):
            tracks.setdefault(item.track, []).append(item)
    return [sorted(rows, key=lambda row: row.active_from or date.min) for rows in tracks.values()]


def _since(rows: list[ProgramItem], on: date, changes: list[LevelChange]) -> date | None:
    """The first day of the level in force on ``on``: the row's own, or the latest change of
    the track on or before ``on`` while the row says only when the next level starts."""
    first = rows[0]
    if first.level_since is not None and first.level_since <= on:
        return first.level_since
    track = [c.effective_on for c in changes if c.item.track == first.track]
    return max((day for day in track if day <= on), default=None)


def _ladder(
    rows: list[ProgramItem], on: date, rungs: _Rungs, changes: list[LevelChange]
) -> dict[str, Any]:
    """The level in force on ``on`` (the report's date, or the program's last day) and, apart,
    a level already set to start after it: an approval takes effect from the patient's next
    day, so on the day it is given the patient still does the level before."""
    first, last = rows[0], rows[-1]
    ladder_id = first.ladder_id
    level = first.level_on(max(on, first.active_from or on))
    planned = None
    if last.level_since is not None and last.level_since > on and last.current_level != level:
        planned = {
            "level": last.current_level,
            "exercise": rungs.exercise(ladder_id, last.current_level),
            "from": last.level_since.isoformat(),
        }
    return {
        "ladder": first.ladder.name if first.ladder else "",
        "level": level,
        "level_count": rungs.counts.get(ladder_id or 0),
        "exercise": rungs.exercise(ladder_id, level),
        "since": _iso(_since(rows, on, changes)),
        "planned": planned,
    }


def _programs(
    programs: list[Program], today: date, rungs: _Rungs, changes: list[LevelChange]
) -> list[dict[str, Any]]:
    rows = []
    for p in programs:
        on = min(today, p.end_date) if p.end_date else today
        rows.append(
            {
                "name": p.name,
                "start": p.start_date.isoformat() if p.start_date else None,
                "end": p.end_date.isoformat() if p.end_date else None,
                "notes": p.notes,
                "ladders": [_ladder(track, on, rungs, changes) for track in _tracks(p, on)],
            }
        )
    return rows


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
    return {
        "patient_reference": str(patient.public_id),
        "patient_name": patient.full_name,
        "year_of_birth": patient.year_of_birth,
        "period": {"start": start.isoformat(), "end": today.isoformat()},
        "programs": _programs(programs, today, rungs, changes),
        "level_changes": _levels(changes, rungs),
        "adherence_by_week": _weeks(patient, start, today) if start <= today else [],
        "pain_by_week": _pain_weeks(patient, start),
        "outcomes": [t.as_dict() for t in patient_trends(patient=patient)],
        "therapist_note": note.strip(),
        "signed_by": author.full_name or author.email or "",
        "signed_on": today.isoformat(),
    }
