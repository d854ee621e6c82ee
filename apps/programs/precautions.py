"""Hip precautions meet the program: which exercises conflict, and the override reason.

A patient's precautions (``apps.patients``) rule out movement sets; an exercise's movement
tags (``apps.exercises``) say where it takes the hip. An exercise conflicts when one of the
ruled-out sets is wholly among its tags (the anterior approach's "extension combined with
external rotation" needs both). While precautions are in force the builder and the API add
or keep a conflicting exercise only with the therapist's override reason, recorded on the
item; Today leaves out a conflicting exercise that has none.

A reason covers the conflicts it was given for, no more: the item keeps their keys
(``cover_key``: which precautions, which exercise, which movements). Precautions set later
(another operation, another approach, a changed kind) conflict afresh, so the exercise is
held back again until the therapist gives a reason for them too: a reason written for an
anterior approach never quietly covers a posterior one.

A clinic's own exercise whose hip movements were never recorded (none ticked) cannot be
checked, so while precautions are in force it counts as a conflict with each of them
(``NOT_RECORDED``) and needs the same override reason: when in doubt the app holds back and
asks the therapist. One recorded as taking the hip into none of them ("None of these
movements", ``Exercise.hip_movements_none``) is checked, and conflicts with nothing. Library
exercises always come with their movements read from their steps (``data/movements.toml``),
so one with none (the gluteal squeeze) takes the hip into none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError

from apps.core.hip import movement_labels
from apps.exercises.models import Exercise
from apps.patients.models import HipPrecaution, Patient
from apps.patients.selectors import precautions_in_force
from apps.programs.models import ProgramItem

MAX_OVERRIDE_LENGTH = 300

# Stands for the movements of an exercise no one recorded: never a real movement tag.
NOT_RECORDED = "movements_not_recorded"
UNRECORDED_TEXT = "its hip movements are not recorded"


def movement_tags(
    movements: Iterable[str] | None, *, none: bool, clinic_id: int | None
) -> set[str]:
    """What the check compares with the precautions: the recorded movements (empty when
    recorded as ``none`` of them), or ``{NOT_RECORDED}`` for a clinic's exercise with
    nothing recorded."""
    tags = set(movements or ())
    return tags if tags or none or clinic_id is None else {NOT_RECORDED}


def tags_of(exercise: Exercise) -> set[str]:
    return movement_tags(
        exercise.hip_movements, none=exercise.hip_movements_none, clinic_id=exercise.clinic_id
    )


@dataclass(frozen=True)
class Conflict:
    precaution: HipPrecaution
    movements: frozenset[str]

    @property
    def unrecorded(self) -> bool:
        return NOT_RECORDED in self.movements

    @property
    def text(self) -> str:
        """E.g. "internal rotation (posterior (posterolateral) approach precautions, which
        lift on 15 Jan 2027)": the day they lift, the first day without them."""
        kind = self.precaution.get_kind_display().lower()
        which = f"{kind} precautions, which lift on {self.precaution.ends_on:%d %b %Y}"
        if self.unrecorded:
            return f"{UNRECORDED_TEXT}, so it could not be checked against the {which}"
        moves = " combined with ".join(m.lower() for m in movement_labels(self.movements))
        return f"{moves} ({which})"


def conflicts(exercise: Exercise, precautions: Iterable[HipPrecaution]) -> list[Conflict]:
    """What in ``precautions`` the exercise's movement tags run into (empty: no conflict)."""
    tags = tags_of(exercise)
    return [
        Conflict(precaution, rule)
        for precaution in precautions
        for rule in _rules(precaution, tags)
        if rule <= tags
    ]


def _rules(precaution: HipPrecaution, tags: AbstractSet[str]) -> list[frozenset[str]]:
    """The movement sets ``precaution`` rules out; for unrecorded movements, the one
    ``{NOT_RECORDED}`` (which of its rules they meet is unknown)."""
    return [frozenset({NOT_RECORDED})] if NOT_RECORDED in tags else list(precaution.rules)


def cover_key(*, precaution_id: int, exercise_id: int, movements: Iterable[str]) -> str:
    """What an override reason was given for: one precaution, one exercise, one ruled-out set
    of movements (e.g. "12/3/external_rotation+extension")."""
    return f"{precaution_id}/{exercise_id}/{'+'.join(sorted(movements))}"


def conflict_key(conflict: Conflict, exercise: Exercise) -> str:
    """``cover_key`` of one conflict of ``exercise``."""
    return cover_key(
        precaution_id=conflict.precaution.pk, exercise_id=exercise.pk, movements=conflict.movements
    )


def override_covers(reason: str, covers: Iterable[str] | None) -> frozenset[str]:
    """What an item's override reason covers (its ``cover_key``s): nothing without a reason."""
    return frozenset(covers or ()) if reason else frozenset()


def ruled_out(
    precaution: HipPrecaution,
    *,
    exercise_id: int,
    movements: AbstractSet[str],
    covered: AbstractSet[str],
) -> list[frozenset[str]]:
    """The movement sets ``precaution`` rules out that are wholly among an exercise's
    ``movements`` and that no override reason was given for (``covered``, from
    ``override_covers``). While it is in force and one is left, the exercise is held back:
    the one rule of Today (``uncovered``, on objects) and of adherence, the reminders and
    the Reminders page (``apps.programs.held_back``, on rows)."""
    return [
        rule
        for rule in _rules(precaution, movements)
        if rule <= movements
        and cover_key(precaution_id=precaution.pk, exercise_id=exercise_id, movements=rule)
        not in covered
    ]


def uncovered(
    item: ProgramItem, exercise: Exercise, precautions: Iterable[HipPrecaution]
) -> list[Conflict]:
    """The conflicts of ``exercise`` with ``precautions`` that the item's override reason was
    not given for (all of them when it has none): while any is left, Today holds it back."""
    covered = override_covers(item.precaution_override, item.precaution_override_covers)
    tags = tags_of(exercise)
    return [
        Conflict(precaution, rule)
        for precaution in precautions
        for rule in ruled_out(precaution, exercise_id=exercise.pk, movements=tags, covered=covered)
    ]


def conflict_message(exercise: Exercise, found: list[Conflict]) -> str:
    reasons = "; ".join(conflict.text for conflict in found)
    if any(conflict.unrecorded for conflict in found):
        return (
            f"{exercise.name}: {reasons}. Tick the movements its steps take the hip into "
            "(or “None of these movements”) under Hip movements on the exercise (Library, "
            "Edit), or give an override reason to prescribe it anyway."
        )
    return (
        f"{exercise.name} takes the hip into {reasons}. Give an override reason to "
        "prescribe it anyway."
    )


# What the patient reads (Today, the handout) on an exercise prescribed with an override
# reason. The reason itself stays with the staff: it is clinical shorthand written for
# colleagues (surgeon's limits, op notes), not advice worded for the patient.
CHECKED_FOR_PATIENT = (
    "Your therapist checked this exercise against your hip precautions and chose it for you."
)


def held_back_message(exercise: Exercise) -> str:
    """Why a patient cannot log ``exercise``: their Today leaves it out (``selectors.allowed``)."""
    return (
        f"{exercise.name} is on hold: it conflicts with your hip precautions, so it is not in "
        "your program for now. Ask your therapist before doing it."
    )


@dataclass(frozen=True)
class Override:
    """An override reason and the conflicts it covers (``cover_key``); empty: none needed."""

    reason: str = ""
    covers: list[str] = field(default_factory=list)


def checked_override(
    *,
    patient: Patient | None,
    exercise: Exercise,
    override: str,
    on: date,
    kept: Sequence[str] | None = None,
    covered: Sequence[str] = (),
) -> Override:
    """The override to store for ``exercise`` in ``patient``'s program on ``on``.

    No precautions in force, or no conflict: nothing to override (an empty reason). A
    conflict without a reason is a ``ValidationError`` naming the movements. A reason given
    now covers every conflict found, on top of what the item already ``covered`` (the days
    of its earlier levels). ``kept``: the reason is the item's own, not given again, so it
    covers only the conflicts it was given for; a new one is refused like a missing reason.
    """
    override = override.strip()
    if len(override) > MAX_OVERRIDE_LENGTH:
        too_long = f"Keep the reason to {MAX_OVERRIDE_LENGTH} characters or fewer."
        raise ValidationError({"precaution_override": too_long})
    if patient is None:
        return Override()
    found = conflicts(exercise, precautions_in_force(patient=patient, on=on))
    if not found:
        return Override()
    if kept is not None:
        new = [conflict for conflict in found if conflict_key(conflict, exercise) not in kept]
        if override and not new:
            return Override(override, sorted(set(kept)))
        raise ValidationError({"precaution_override": conflict_message(exercise, new)})
    if not override:
        raise ValidationError({"precaution_override": conflict_message(exercise, found)})
    keys = {conflict_key(conflict, exercise) for conflict in found}
    return Override(override, sorted(keys | set(covered)))
