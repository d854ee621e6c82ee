"""Hip precautions meet the program: which exercises conflict, and the override reason.

A patient's precautions (``apps.patients``) rule out movement sets; an exercise's movement
tags (``apps.exercises``) say where it takes the hip. An exercise conflicts when one of the
ruled-out sets is wholly among its tags (the anterior approach's "extension combined with
external rotation" needs both). While precautions are in force the builder and the API add
or keep a conflicting exercise only with the therapist's override reason, recorded on the
item; Today leaves out a conflicting exercise that has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

from apps.core.hip import movement_labels
from apps.exercises.models import Exercise
from apps.patients.models import HipPrecaution, Patient
from apps.patients.selectors import precautions_in_force

MAX_OVERRIDE_LENGTH = 300


@dataclass(frozen=True)
class Conflict:
    precaution: HipPrecaution
    movements: frozenset[str]

    @property
    def text(self) -> str:
        """E.g. "internal rotation (posterior (posterolateral) approach precautions until
        2027-01-15)"."""
        moves = " combined with ".join(m.lower() for m in movement_labels(self.movements))
        kind = self.precaution.get_kind_display().lower()
        return f"{moves} ({kind} precautions until {self.precaution.ends_on:%d %b %Y})"


def conflicts(exercise: Exercise, precautions: Iterable[HipPrecaution]) -> list[Conflict]:
    """What in ``precautions`` the exercise's movement tags run into (empty: no conflict)."""
    tags = set(exercise.hip_movements)
    return [
        Conflict(precaution, rule)
        for precaution in precautions
        for rule in precaution.rules
        if rule <= tags
    ]


def conflict_message(exercise: Exercise, found: list[Conflict]) -> str:
    reasons = "; ".join(conflict.text for conflict in found)
    return (
        f"{exercise.name} takes the hip into {reasons}. Give an override reason to "
        "prescribe it anyway."
    )


def held_back_message(exercise: Exercise) -> str:
    """Why a patient cannot log ``exercise``: their Today leaves it out (``selectors.allowed``)."""
    return (
        f"{exercise.name} is on hold: it conflicts with your hip precautions, so it is not in "
        "your program for now. Ask your therapist before doing it."
    )


def checked_override(
    *, patient: Patient | None, exercise: Exercise, override: str, on: date
) -> str:
    """The override reason to store for ``exercise`` in ``patient``'s program on ``on``.

    No precautions in force, or no conflict: nothing to override (an empty reason). A
    conflict without a reason is a ``ValidationError`` naming the movements.
    """
    override = override.strip()
    if len(override) > MAX_OVERRIDE_LENGTH:
        raise ValidationError(
            {"precaution_override": f"Keep the reason under {MAX_OVERRIDE_LENGTH} characters."}
        )
    if patient is None:
        return ""
    found = conflicts(exercise, precautions_in_force(patient=patient, on=on))
    if not found:
        return ""
    if not override:
        raise ValidationError({"precaution_override": conflict_message(exercise, found)})
    return override
