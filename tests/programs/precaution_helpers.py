"""Give an item the therapist's override reason as the builder does (``program_item_update``),
so it records which conflicts the reason covers: a reason written straight onto a factory
row covers nothing."""

from __future__ import annotations

from apps.programs.item_services import program_item_update
from apps.programs.models import ProgramItem


def overridden(item: ProgramItem, *, actor, reason: str = "Cleared") -> ProgramItem:
    """``item`` (same dose) with ``reason`` given against the precautions in force today."""
    return program_item_update(
        actor=actor, item=item, sets=item.sets, reps=item.reps, hold_seconds=item.hold_seconds,
        per_side=item.per_side, rest_seconds=item.rest_seconds, notes=item.notes,
        auto_advance=item.auto_advance, precaution_override=reason, reps_up_to=item.reps_up_to,
        hold_up_to=item.hold_up_to, to_fatigue=item.to_fatigue,
        rep_hold_seconds=item.rep_hold_seconds,
    )  # fmt: skip
