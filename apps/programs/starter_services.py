"""Writes from starter programs: copy one into a clinic's templates, or start a program
from one. Both build ordinary items from the shared library through ``program_create``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from apps.exercises.models import Exercise, Ladder
from apps.programs.item_services import ItemSpec
from apps.programs.models import Program
from apps.programs.services import program_create
from apps.programs.starters import Starter, StarterItem

if TYPE_CHECKING:
    from apps.clinics.models import User
    from apps.patients.models import Patient

NOT_LOADED = (
    "The shared exercise library is not loaded on this installation, so starter programs "
    "cannot be used yet. Ask your operator to run manage.py load_library."
)


def _library(starter: Starter) -> tuple[dict[str, Exercise], dict[str, Ladder]]:
    """The shared rows the starter names, in two queries; missing ones are an error."""
    exercise_keys = {item.exercise for item in starter.items if item.exercise}
    ladder_keys = {item.ladder for item in starter.items if item.ladder}
    exercises = {
        row.key: row for row in Exercise.objects.filter(clinic=None, key__in=exercise_keys)
    }
    ladders = {row.key: row for row in Ladder.objects.filter(clinic=None, key__in=ladder_keys)}
    if set(exercises) != exercise_keys or set(ladders) != ladder_keys:
        raise ValidationError(NOT_LOADED)
    return exercises, ladders


def _amount(item: StarterItem) -> dict[str, Any]:
    """The starter's dose on the item's dose model: a dose to fatigue counts reps (its hold
    becomes the hold in each rep, its cap the "up to"); otherwise the low end and the top of
    any range."""
    if item.to_fatigue:
        return {
            "to_fatigue": True, "reps_up_to": item.fatigue_cap,
            "rep_hold_seconds": item.hold_seconds,
        }  # fmt: skip
    return {
        "reps": item.reps, "hold_seconds": item.hold_seconds,
        "reps_up_to": item.reps_up_to, "hold_up_to": item.hold_up_to,
    }  # fmt: skip


def _spec(
    item: StarterItem, exercises: dict[str, Exercise], ladders: dict[str, Ladder]
) -> ItemSpec:
    return ItemSpec(
        exercise=exercises[item.exercise] if item.exercise else None,
        ladder=ladders[item.ladder] if item.ladder else None,
        level=item.level if item.ladder else None,
        sets=item.sets,
        per_side=item.per_side,
        rest_seconds=item.rest_seconds,
        # The evidence's dose in words also travels as the item's note: it says what the dose
        # model holds no field for (a range of sets or of rest, later levels' doses).
        notes=item.dose_text,
        **_amount(item),
    )


def starter_item_specs(starter: Starter) -> list[ItemSpec]:
    exercises, ladders = _library(starter)
    return [_spec(item, exercises, ladders) for item in starter.items]


def starter_notes(starter: Starter) -> str:
    parts = [starter.summary, f"Where this comes from: {starter.source}"]
    if starter.caution:
        parts.append(f"Caution: {starter.caution}")
    return "\n\n".join(parts)


def starter_copy(*, actor: User, starter: Starter, client_id: UUID | None = None) -> Program:
    """A clinic template of the actor's clinic with the starter's items: the clinic's own
    from now on (editable, assignable), while the starter stays as it is. Once per
    ``client_id``: a double click on Copy makes one template."""
    return program_create_from_starter(
        actor=actor, starter=starter, name=starter.name, client_id=client_id
    )


@transaction.atomic
def program_create_from_starter(
    *,
    actor: User,
    starter: Starter,
    name: str,
    patient: Patient | None = None,
    precaution_override: str = "",
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> Program:
    """A new program built from a starter: a patient's draft, or (no patient) a template;
    once per ``client_id``, as ``program_create``.

    ``precaution_override`` goes with every item; it is kept only on those that conflict
    with the patient's hip precautions (the others need none), and without it they are
    refused, each named.
    """
    specs = [
        replace(spec, precaution_override=precaution_override)
        for spec in starter_item_specs(starter)
    ]
    return program_create(
        actor=actor, name=name, patient=patient, notes=starter_notes(starter),
        items=specs, client_id=client_id, request=request,
    )  # fmt: skip
