"""Load the shared library (``clinic IS NULL``) from the files in ``apps/exercises/data/``.

``library.toml`` holds the studies, exercises and ladders; ``emg_evidence.csv`` holds every
%MVIC value, one row per exercise x study x muscle; ``movements.toml`` the hip movements each
exercise takes the joint into (read from its steps, with the reading). Loading is
idempotent: a row is created when missing, updated (only the fields that differ) when the
files changed, and otherwise left alone, so loading twice changes nothing. A shared %MVIC
value no longer in ``emg_evidence.csv`` is removed. Clinic rows are never read or written
here. The levels of a ladder a program uses stay fixed (``selectors.ladder_in_use``): files
that would change them are refused whole (``LadderInUseError``), nothing written.
"""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from apps.clinics.services import clinic_today_bump
from apps.core.hip import unknown_movements
from apps.exercises.models import (
    Confidence,
    Equipment,
    EvidenceValue,
    Exercise,
    Ladder,
    LadderLevel,
    Muscle,
    Position,
    Study,
)
from apps.exercises.selectors import ladder_in_use, ladder_programs_using
from apps.exercises.signals import hip_movements_changed

DATA_DIR = Path(__file__).resolve().parent / "data"
M = TypeVar("M", bound=models.Model)

EXERCISE_DEFAULTS: dict[str, Any] = {
    "aliases": [],
    "equipment": [],
    "target_muscles": [],
    "summary": "",
    "steps": [],
    "cues": [],
    "common_mistakes": [],
    "cautions": "",
    "default_sets": 2,
    "default_reps": None,
    "default_hold_seconds": None,
    "default_reps_up_to": None,
    "default_hold_up_to": None,
    "default_to_fatigue": False,
    "default_rep_hold_seconds": None,
    "per_side": True,
    "default_rest_seconds": 60,
    "dose_note": "",
    "video_url": "",
    "hip_movements": [],
    "hip_movements_note": "",
    "hip_movements_none": False,
}


class LibraryDataError(ValueError):
    """The data files are inconsistent; the message says which row and why."""


class LadderInUseError(ValueError):
    """The files change the levels of shared ladders that programs use
    (``selectors.ladder_in_use``); the message names each, how many programs use it, and
    what to do instead."""

    def __init__(self, ladders: list[Ladder]) -> None:
        named = "; ".join(
            f"“{ladder.name}” ({ladder.key}) is used by {_programs(ladder_programs_using(ladder))}"
            for ladder in ladders
        )
        super().__init__(
            f"{named}. The levels of a ladder in use cannot change: a patient's level would "
            "become another exercise. Keep its levels in library.toml as they are and give "
            "the new levels a ladder of their own under a new key (a new version; its name "
            "and description, and each level's advance rule, may change). Nothing was loaded."
        )


def _programs(count: int) -> str:
    return "1 program" if count == 1 else f"{count} programs"


@dataclass
class LoadReport:
    """How many rows of each kind were created, updated or left unchanged."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, kind: str, outcome: str) -> None:
        self.counts[(kind, outcome)] += 1

    def get(self, kind: str, outcome: str) -> int:
        return self.counts[(kind, outcome)]

    @property
    def changed(self) -> bool:
        return any(n for (_, outcome), n in self.counts.items() if outcome != "unchanged")

    def lines(self) -> list[str]:
        kinds = dict.fromkeys(kind for kind, _ in self.counts)
        return [
            f"{kind}: {self.get(kind, 'created')} created, {self.get(kind, 'updated')} updated, "
            f"{self.get(kind, 'unchanged')} unchanged"
            + (f", {self.get(kind, 'removed')} removed" if self.get(kind, "removed") else "")
            for kind in kinds
        ]


def _sync(
    model: type[M], *, lookup: dict[str, Any], values: dict[str, Any], report: LoadReport
) -> M:
    """Create the shared row matching ``lookup`` or bring it to ``values``, saving only changes."""
    kind = model._meta.verbose_name_plural
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        row = model._default_manager.create(**lookup, **values)
        report.add(str(kind), "created")
        return row
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        report.add(str(kind), "unchanged")
        return row
    for name in changed:
        setattr(row, name, values[name])
    if any(f.name == "updated_at" for f in model._meta.fields):
        row.updated_at = timezone.now()  # type: ignore[attr-defined]
        changed.append("updated_at")
    row.save(update_fields=changed)
    report.add(str(kind), "updated")
    return row


def _check(value: str, allowed: type[models.TextChoices], where: str) -> str:
    if value not in allowed.values:
        raise LibraryDataError(f"{where}: {value!r} is not one of {', '.join(allowed.values)}")
    return value


def _exercise_values(entry: dict[str, Any]) -> dict[str, Any]:
    where = f"exercise {entry.get('key')!r}"
    values = {**EXERCISE_DEFAULTS, **{k: v for k, v in entry.items() if k != "key"}}
    unknown = set(values) - set(EXERCISE_DEFAULTS) - {"name", "position", "movement"}
    if unknown:
        raise LibraryDataError(f"{where}: unknown fields {sorted(unknown)}")
    _check(values["position"], Position, where)
    for item in values["equipment"]:
        _check(item, Equipment, where)
    for muscle in values["target_muscles"]:
        _check(muscle, Muscle, where)
    amounts = (values["default_reps"], values["default_hold_seconds"])
    if values["default_to_fatigue"] == any(value is not None for value in amounts):
        raise LibraryDataError(
            f"{where}: give default_reps or default_hold_seconds, or default_to_fatigue"
        )
    return values


def _with_movements(entry: dict[str, Any], movements: dict[str, Any]) -> dict[str, Any]:
    """The exercise's entry with its hip movements from movements.toml (required)."""
    key = entry.get("key", "?")
    found = movements.get(key)
    if found is None or set(found) != {"movements", "why"}:
        raise LibraryDataError(f"movements.toml: give [{key}] with movements and why")
    unknown = unknown_movements(found["movements"])
    if unknown:
        raise LibraryDataError(f"movements.toml [{key}]: unknown movements {unknown}")
    return {
        **entry,
        "hip_movements": found["movements"],
        "hip_movements_note": found["why"],
        # Read from the steps: none found is none, never "not recorded".
        "hip_movements_none": not found["movements"],
    }


def _load_studies(entries: list[dict[str, Any]], report: LoadReport) -> dict[str, Study]:
    studies = {}
    for entry in entries:
        values = {k: v for k, v in entry.items() if k != "key"}
        values.setdefault("summary", "")
        studies[entry["key"]] = _sync(
            Study, lookup={"key": entry["key"], "clinic": None}, values=values, report=report
        )
    return studies


def _load_exercises(entries: list[dict[str, Any]], report: LoadReport) -> dict[str, Exercise]:
    shared = Exercise.objects.filter(clinic__isnull=True)
    before = {
        key: (moves, none)
        for key, moves, none in shared.values_list("key", "hip_movements", "hip_movements_none")
    }
    loaded = {
        entry["key"]: _sync(
            Exercise,
            lookup={"key": entry["key"], "clinic": None},
            values=_exercise_values(entry),
            report=report,
        )
        for entry in entries
    }
    moved = [
        row.pk
        for key, row in loaded.items()
        if key in before and before[key] != (row.hip_movements, row.hip_movements_none)
    ]
    if moved:  # a corrected reading in movements.toml: totals of the patients using them
        hip_movements_changed.send(sender=Exercise, exercise_ids=moved)
    return loaded


def _parse_evidence_row(
    row: dict[str, str], line: int, exercises: dict[str, Exercise], studies: dict[str, Study]
) -> tuple[dict[str, Any], dict[str, Any]]:
    where = f"emg_evidence.csv line {line}"
    if row["exercise_key"] not in exercises:
        raise LibraryDataError(f"{where}: unknown exercise {row['exercise_key']!r}")
    if row["study"] not in studies:
        raise LibraryDataError(f"{where}: unknown study {row['study']!r}")
    try:
        value = Decimal(row["mvic_percent"])
    except InvalidOperation as exc:
        raise LibraryDataError(f"{where}: {row['mvic_percent']!r} is not a number") from exc
    confidence = _check(row["confidence"], Confidence, where)
    if confidence == Confidence.CLINIC:
        raise LibraryDataError(f"{where}: the shared library cannot hold clinic values")
    lookup = {
        "exercise": exercises[row["exercise_key"]],
        "study": studies[row["study"]],
        "muscle": _check(row["muscle"], Muscle, where),
        "clinic": None,
    }
    values = {"mvic_percent": value, "confidence": confidence, "note": row["note"], "source": ""}
    return lookup, values


def _load_evidence(
    path: Path, exercises: dict[str, Exercise], studies: dict[str, Study], report: LoadReport
) -> None:
    kept = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            lookup, values = _parse_evidence_row(row, line, exercises, studies)
            kept.append(_sync(EvidenceValue, lookup=lookup, values=values, report=report).pk)
    # A value taken out of the file (a correction of the source) must leave the pages and
    # the API too, or the app would go on showing a figure the sources no longer give.
    # Nothing points at an evidence row, and a clinic's own values are never touched.
    stale = EvidenceValue.objects.filter(clinic__isnull=True).exclude(pk__in=kept)
    removed, _ = stale.delete()
    for _ in range(removed):
        report.add(str(EvidenceValue._meta.verbose_name_plural), "removed")


def _load_ladders(
    entries: list[dict[str, Any]], exercises: dict[str, Exercise], report: LoadReport
) -> None:
    refused = []
    for entry in entries:
        values = {k: v for k, v in entry.items() if k not in {"key", "levels", "level_rules"}}
        rules = entry.get("level_rules", {})
        ladder = _sync(
            Ladder, lookup={"key": entry["key"], "clinic": None}, values=values, report=report
        )
        for key in entry["levels"]:
            if key not in exercises:
                raise LibraryDataError(f"ladder {entry['key']!r}: unknown exercise {key!r}")
        wanted = [exercises[key] for key in entry["levels"]]
        if _levels_change(ladder, wanted) and ladder_in_use(ladder):
            refused.append(ladder)  # every such ladder named at once, then nothing kept
            continue
        for number, exercise in enumerate(wanted, start=1):
            _sync(
                LadderLevel,
                lookup={"ladder": ladder, "level": number},
                values={"exercise": exercise, **_level_rule(rules.get(exercise.key, {}))},
                report=report,
            )
        LadderLevel.objects.filter(ladder=ladder, level__gt=len(wanted)).delete()
    if refused:
        raise LadderInUseError(refused)


def _levels_change(ladder: Ladder, wanted: list[Exercise]) -> bool:
    """Whether the ladder's levels, lowest first, would be other exercises than ``wanted``
    (one taken away or added counts: the rule for a ladder in use fixes them all)."""
    now = list(ladder.levels.order_by("level").values_list("exercise_id", flat=True))
    return now != [exercise.pk for exercise in wanted]


def _level_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A level's advance rule from ``level_rules`` (reps at the ladder's threshold if none)."""
    return {
        "advance_rule": rule.get("rule", "reps"),
        "advance_target": rule.get("target"),
        "advance_days": rule.get("days", 1),
    }


@transaction.atomic
def library_load(*, data_dir: Path = DATA_DIR) -> LoadReport:
    """Bring the shared library in the database to the data files; all or nothing."""
    with (data_dir / "library.toml").open("rb") as handle:
        data = tomllib.load(handle)
    with (data_dir / "movements.toml").open("rb") as handle:
        movements = tomllib.load(handle)
    extra = set(movements) - {entry["key"] for entry in data["exercises"]}
    if extra:
        raise LibraryDataError(f"movements.toml: no such exercises {sorted(extra)}")
    report = LoadReport()
    studies = _load_studies(data["studies"], report)
    entries = [_with_movements(entry, movements) for entry in data["exercises"]]
    exercises = _load_exercises(entries, report)
    _load_evidence(data_dir / "emg_evidence.csv", exercises, studies, report)
    _load_ladders(data["ladders"], exercises, report)
    clinic_today_bump(clinic_id=None)  # every clinic's Today may show the shared library
    return report
