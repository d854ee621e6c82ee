"""The exercises a generated clinic's programs use (``scale.scale_seed``): the shared
library's clamshell ladder and three single exercises, or the clinic's own copies when the
shared library has none that fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from apps.clinics.models import Clinic
from apps.exercises.models import Exercise, Ladder, LadderLevel


@dataclass(frozen=True)
class Library:
    ladder: Ladder
    levels: dict[int, int]  # level -> exercise id
    single_per_side: Exercise
    two_sided: Exercise
    hold: Exercise


def scale_library(*, clinic: Clinic) -> Library:
    """The shared library's clamshell ladder and single exercises (``load_library``), each
    replaced by a copy of the clinic's own when the shared library has none that fits.

    The clinic's copies carry stable ``scale-`` keys, so they never collide with shared keys.
    """
    ladder, levels = _shared_ladder() or _own_ladder(clinic)
    shared = Exercise.objects.filter(clinic__isnull=True).exclude(ladder_levels__isnull=False)
    reps, holds = shared.filter(default_reps__isnull=False), shared.filter(per_side=False)
    return Library(
        ladder=ladder,
        levels=levels,
        single_per_side=_pick(reps.filter(per_side=True), "side-lying-hip-abduction")
        or _own_exercise(clinic, "scale-side-lying-abduction", "Side-lying hip abduction"),
        two_sided=_pick(reps.filter(per_side=False), "bridge")
        or _own_exercise(clinic, "scale-bridge", "Bridge", per_side=False, position="supine"),
        hold=_pick(holds.filter(default_hold_seconds__isnull=False), "gluteal-squeeze")
        or _own_exercise(clinic, "scale-plank", "Front plank", **PLANK),
    )


PLANK: dict[str, Any] = {"default_reps": None, "default_hold_seconds": 30, "per_side": False}


def _pick(exercises: models.QuerySet[Exercise], preferred: str) -> Exercise | None:
    return exercises.filter(key=preferred).first() or exercises.order_by("key").first()


def _shared_ladder() -> tuple[Ladder, dict[int, int]] | None:
    ladder = (
        Ladder.objects.filter(clinic__isnull=True, key__icontains="clamshell")
        .exclude(key__icontains="reverse")
        .annotate(count=models.Count("levels"))
        .filter(count__gte=2)
        .order_by("key")
        .first()
    )
    if ladder is None:
        return None
    return ladder, dict(ladder.levels.values_list("level", "exercise_id"))


def _own_exercise(clinic: Clinic, key: str, name: str, **dose: Any) -> Exercise:
    defaults: dict[str, Any] = {"name": name, "position": "side_lying", "movement": name.lower()}
    defaults |= {"default_reps": 12, **dose}
    exercise, _ = Exercise.objects.get_or_create(clinic=clinic, key=key, defaults=defaults)
    return exercise


def _own_ladder(clinic: Clinic) -> tuple[Ladder, dict[int, int]]:
    ladder, _ = Ladder.objects.get_or_create(
        clinic=clinic, key="scale-clamshell", defaults={"name": "Clamshell (scale data)"}
    )
    levels = {}
    for level in range(1, 5):
        name = f"Clamshell level {level}"
        exercise = _own_exercise(clinic, f"scale-clamshell-{level}", name, default_reps=15)
        LadderLevel.objects.get_or_create(ladder=ladder, level=level, exercise=exercise)
        levels[level] = exercise.pk
    return ladder, levels
