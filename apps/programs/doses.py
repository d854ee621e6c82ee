"""A program item's dose in words: for the therapist (builder, handout, progress log) and for
the patient (Today, History, the page to change a set); a logged set's through
``prescribed_by``. One place, so the three kinds of dose read the same everywhere:

- a fixed number: "2 sets of 10 reps per side";
- a range rising toward its top: "2 sets of 10-20 reps per side" (an en dash on the page;
  CLINICAL.md: the dose rises from 10 toward the 20 that moves a ladder up);
- to fatigue: "1 set per side to fatigue, up to 15 reps, holding each 5 s".
"""

from __future__ import annotations

from apps.exercises.models import Exercise
from apps.programs.models import ProgramItem, SetLog

DASH = "\N{EN DASH}"


def _span(low: int | None, high: int | None) -> str:
    return f"{low}{DASH}{high}" if high else str(low)


def _sets(item: ProgramItem) -> str:
    return "1 set" if item.sets == 1 else f"{item.sets} sets"


def _each_rep(item: ProgramItem) -> str:
    return f", holding each {item.rep_hold_seconds} s" if item.rep_hold_seconds else ""


def dose_amount(item: ProgramItem) -> str:
    """For the therapist, without the rest: "2 sets of 10-20 reps per side" (an en dash)."""
    side = " per side" if item.per_side else ""
    if item.to_fatigue:
        cap = f", up to {item.reps_up_to} reps" if item.reps_up_to else ""
        return f"{_sets(item)}{side} to fatigue{cap}{_each_rep(item)}"
    if item.reps is not None:
        amount = f"{_span(item.reps, item.reps_up_to)} reps"
    else:
        amount = f"{_span(item.hold_seconds, item.hold_up_to)}-second holds"
    return f"{_sets(item)} of {amount}{side}{_each_rep(item)}"


def dose_summary(item: ProgramItem) -> str:
    """For the therapist, e.g. "2 sets of 10-20 reps per side, rest 60 s" (with an en dash)."""
    return f"{dose_amount(item)}, rest {item.rest_seconds} s"


def patient_amount(item: ProgramItem) -> str:
    """For the patient, without the rest: "2 sets of 10 to 20 reps on each side, building up
    toward 20" (History and the page to change a set say what was planned with it)."""
    side = " on each side" if item.per_side else ""
    if item.to_fatigue:
        cap = f", up to {item.reps_up_to}" if item.reps_up_to else ""
        return (
            f"{_sets(item)}{side}: repeat until the muscle tires{cap}{_each_rep(item)}. Stop "
            "when your form slips"
        )
    if item.reps is not None and item.reps_up_to:
        amount = (
            f"{item.reps} to {item.reps_up_to} reps{side}, building up toward {item.reps_up_to}"
        )
    elif item.reps is not None:
        amount = f"{item.reps} reps{side}"
    elif item.hold_up_to:
        amount = f"a {item.hold_seconds}- to {item.hold_up_to}-second hold{side}"
    else:
        amount = f"a {item.hold_seconds}-second hold{side}"
    return f"{_sets(item)} of {amount}{_each_rep(item)}"


def patient_dose(item: ProgramItem) -> str:
    """For the patient, in plain words, e.g. "2 sets of 10 to 20 reps on each side, building
    up toward 20 · rest 60 s between sets"."""
    return f"{patient_amount(item)} · rest {item.rest_seconds} s between sets"


def prescribed_by(log: SetLog) -> ProgramItem:
    """The dose a set was logged against, as an (unsaved) item for the wordings above: what
    the log kept, not what the item says now. A log with neither reps nor a hold was
    prescribed reps to fatigue (the "up to" in ``target_reps_up_to``)."""
    return ProgramItem(
        sets=log.target_sets, reps=log.target_reps, hold_seconds=log.target_hold_seconds,
        reps_up_to=log.target_reps_up_to, hold_up_to=log.target_hold_up_to,
        per_side=log.target_per_side,
        to_fatigue=log.target_reps is None and log.target_hold_seconds is None,
    )  # fmt: skip


def log_target(item: ProgramItem, best: int | None) -> int | None:
    """What one tap logs: the amount the control starts at.

    Fixed: the prescription. A range: the patient's best recent count, kept within the
    range (the low end without one). To fatigue: the best recent count, capped at the "up to"
    (None without one: the patient enters their count).
    """
    if item.to_fatigue:
        if not best:
            # A best of 0 (a set logged as none done) is no count to offer: one tap would
            # log another set of nothing. The patient enters what they did.
            return None
        return min(best, item.reps_up_to) if item.reps_up_to else best
    low = item.reps if item.reps is not None else item.hold_seconds
    high = item.reps_up_to if item.reps is not None else item.hold_up_to
    if not high or best is None or low is None:
        return low
    return min(max(best, low), high)


Dose = dict[str, int | bool | None]

# The fields of a row that make its dose (``usual_dose`` gives each of them).
DOSE_FIELDS = (
    "sets", "reps", "hold_seconds", "reps_up_to", "hold_up_to", "to_fatigue", "rep_hold_seconds",
    "per_side", "rest_seconds",
)  # fmt: skip


def dose_of(item: ProgramItem) -> Dose:
    """The row's dose fields, as ``usual_dose`` gives them: to compare or describe later."""
    return {name: getattr(item, name) for name in DOSE_FIELDS}


def hold_top(item: ProgramItem) -> int | None:
    """The longest hold the item prescribes (the top of a range), or None for reps."""
    if item.hold_seconds is None:
        return None
    return item.hold_up_to or item.hold_seconds


def usual_dose(exercise: Exercise) -> Dose:
    """The exercise's usual dose from the library (CLINICAL.md), as a row's dose fields: a
    hold when it has one, "to fatigue" when that is its dose, else reps (a range when the
    library gives one)."""
    amount: Dose = {
        "reps": None, "hold_seconds": None, "reps_up_to": None, "hold_up_to": None,
        "to_fatigue": exercise.default_to_fatigue,
        "rep_hold_seconds": exercise.default_rep_hold_seconds,
    }  # fmt: skip
    if exercise.default_to_fatigue:
        amount["reps_up_to"] = exercise.default_reps_up_to
    elif exercise.default_hold_seconds is not None:
        amount["hold_seconds"] = exercise.default_hold_seconds
        amount["hold_up_to"] = exercise.default_hold_up_to
    else:
        amount["reps"] = exercise.default_reps
        amount["reps_up_to"] = exercise.default_reps_up_to
    return amount | {
        "sets": exercise.default_sets,
        "per_side": exercise.per_side,
        "rest_seconds": exercise.default_rest_seconds,
    }


def dose_at_new_level(*, leaving: Exercise | None, entering: Exercise) -> Dose | None:
    """The dose a ladder item takes when it moves from the level of ``leaving`` to that of
    ``entering``: None when the two exercises have the same usual dose (the item's own dose,
    perhaps the therapist's, carries on: the clamshell ladder), else the usual dose of the
    new exercise (a hold-based stretch giving way to a reps exercise, 10 reps to 8): the
    patient is never told to do the new exercise in the old one's terms."""
    if leaving is not None and usual_dose(leaving) == usual_dose(entering):
        return None
    return usual_dose(entering)


def dose_summary_of(values: Dose) -> str:
    """``dose_summary`` of dose fields not on a row (the dose a level change will give)."""
    return dose_summary(ProgramItem(**values))
