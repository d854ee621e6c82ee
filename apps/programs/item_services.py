"""Writes for a program's items: add, change a dose or notes, remove (their order:
``item_order``); the ``ItemSpec`` of an item to add and its checks; and ``program_audit``,
with which every write to a program ends (here, in ``item_order`` and in ``services``).

History rule (see the domain rules): once a row of a patient's program may have been
prescribed on a past day, or has set logs, changing its dose ends that row (``active_until`` =
the patient's yesterday) and starts a new row of the same ``track`` from the patient's today,
carrying the ladder level fields over. Templates, drafts and rows that only start today with
nothing logged are changed in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, Unpack
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import Action
from apps.audit.services import audit_record, detail_fit
from apps.core.once import RequestPrint, create_once, request_print
from apps.exercises.models import Exercise, Ladder, LadderLevel
from apps.patients.services import patient_today_bump
from apps.programs.change_words import (
    NO_CHANGE,
    item_added,
    item_changes,
    item_name,
    item_removed,
)
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.doses import usual_dose
from apps.programs.duplicates import check_ladders_running
from apps.programs.locks import lock_item_if_editable, lock_program_if_editable
from apps.programs.models import Program, ProgramItem
from apps.programs.precautions import Override, checked_override
from apps.programs.prompt_decisions import CLOSED_REMOVED, prompts_withdraw
from apps.programs.rows import item_has_history, item_restart, patient_today
from apps.programs.validation import validate_dose, validate_item_notes

if TYPE_CHECKING:
    from apps.clinics.models import User

DOSE_FIELDS = (
    "sets", "reps", "hold_seconds", "reps_up_to", "hold_up_to", "to_fatigue", "rep_hold_seconds",
    "per_side", "rest_seconds",
)  # fmt: skip


@dataclass(frozen=True)
class ItemSpec:
    """One item to add: a single exercise, or a ladder at a starting level.

    Dose values left as None come from the exercise's defaults (for a ladder, the exercise
    of the starting level).
    """

    exercise: Exercise | None = None
    ladder: Ladder | None = None
    level: int | None = None
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    reps_up_to: int | None = None
    hold_up_to: int | None = None
    to_fatigue: bool | None = None
    rep_hold_seconds: int | None = None
    per_side: bool | None = None
    rest_seconds: int | None = None
    notes: str = ""
    auto_advance: bool = False
    # Why the exercise is prescribed despite the patient's hip precautions (needed only when
    # it conflicts with precautions in force).
    precaution_override: str = ""
    # The therapist confirmed starting a ladder already running for the patient
    # (``apps.programs.duplicates``; needed only then).
    confirm_duplicate_ladder: bool = False


def item_asked(spec: ItemSpec) -> dict[str, object]:
    """What adding ``spec`` asks for (``apps.core.once.request_print``): all of it but the
    confirmation of a ladder already running, which says yes to a question, not what to add."""
    return {
        f.name: getattr(spec, f.name) for f in fields(spec) if f.name != "confirm_duplicate_ladder"
    }


def _level_exercise(ladder: Ladder, level: int | None) -> Exercise:
    if level is None:
        raise ValidationError({"level": "Choose the ladder's starting level."})
    row = LadderLevel.objects.filter(ladder=ladder, level=level).select_related("exercise").first()
    if row is None:
        top = LadderLevel.objects.filter(ladder=ladder).count()
        raise ValidationError(
            {"level": f"{ladder.name} has no level {level}; choose a level from 1 to {top}."}
        )
    return row.exercise


def _check_library(program: Program, spec: ItemSpec) -> Exercise:
    """The exercise the spec starts with, after checking it belongs to the program's clinic."""
    if spec.exercise is not None and spec.ladder is None:
        _check_clinic(program, spec.exercise.clinic_id)
        return spec.exercise
    if spec.ladder is not None and spec.exercise is None:
        _check_clinic(program, spec.ladder.clinic_id)
        return _level_exercise(spec.ladder, spec.level)
    raise ValidationError({"exercise": "Choose one exercise or one ladder."})


def _check_clinic(program: Program, clinic_id: int | None) -> None:
    if clinic_id not in (None, program.clinic_id):
        raise ValidationError({"exercise": "That exercise is not in your library."})


def _default_amount(spec: ItemSpec, exercise: Exercise) -> dict[str, int | bool | None]:
    """The amount part of the dose: the spec's when it gives one (reps, a hold or "to
    fatigue"), else the exercise's default (a hold when it has one)."""
    if spec.reps is not None or spec.hold_seconds is not None or spec.to_fatigue:
        return {
            "reps": spec.reps, "hold_seconds": spec.hold_seconds,
            "reps_up_to": spec.reps_up_to, "hold_up_to": spec.hold_up_to,
            "to_fatigue": bool(spec.to_fatigue), "rep_hold_seconds": spec.rep_hold_seconds,
        }  # fmt: skip
    usual = usual_dose(exercise)
    return {
        name: usual[name]
        for name in ("reps", "hold_seconds", "reps_up_to", "hold_up_to", "to_fatigue",
                     "rep_hold_seconds")
    }  # fmt: skip


def _starts_in_history(program: Program) -> bool:
    """Whether a row added now must start today rather than with the program."""
    if program.is_template or not program.is_active or program.start_date is None:
        return False
    return program.start_date < patient_today(program)


def _override(
    program: Program, exercise: Exercise, given: str, today: date, kept: list[str] | None = None
) -> Override:
    """The precaution override to store (checked against the patient's precautions)."""
    return checked_override(
        patient=program.patient, exercise=exercise, override=given, on=today, kept=kept
    )


def audit_override(
    actor: User,
    item: ProgramItem,
    exercise: Exercise | None,
    *,
    removed: bool = False,
    request: HttpRequest | None = None,
) -> None:
    """Record a precaution override stored on ``item`` (or ``removed`` from it) in the
    transaction that changes it. The item's entry is the one place the log says it: the
    program's entry for the same change does not repeat it."""
    name = exercise.name if exercise is not None else item_name(item)
    # The reason is typed by a clinician and can describe the patient's hip: it stays on the
    # item, which erasing the patient removes; the append-only trail only names it.
    said = "removed" if removed else "(reason kept on the item)"
    audit_record(
        actor=actor, action=Action.CHANGE, patient=item.program.patient, target=item,
        detail=f"precaution override for {name} {said}", request=request,
    )  # fmt: skip


def item_create(
    *,
    actor: User,
    program: Program,
    spec: ItemSpec,
    position: int,
    with_program: bool = False,
    client_id: UUID | None = None,
    asked: RequestPrint | None = None,
) -> ProgramItem:
    """Create one row; ``with_program`` rows start with the program (no ``active_from``).
    ``client_id`` and ``asked`` are the Add's (``apps.core.once.create_once``)."""
    exercise = _check_library(program, spec)
    amount = _default_amount(spec, exercise)
    sets = spec.sets if spec.sets is not None else exercise.default_sets
    rest = spec.rest_seconds if spec.rest_seconds is not None else exercise.default_rest_seconds
    validate_dose(sets=sets, rest_seconds=rest, **amount)  # type: ignore[arg-type]
    notes = validate_item_notes(spec.notes)
    today = patient_today(program)
    override = _override(program, exercise, spec.precaution_override, today)
    late = not with_program and _starts_in_history(program)
    item = ProgramItem.objects.create(
        program=program,
        position=position,
        active_from=today if late else None,
        exercise=spec.exercise,
        ladder=spec.ladder,
        current_level=spec.level if spec.ladder is not None else None,
        auto_advance=spec.auto_advance and spec.ladder is not None,
        sets=sets,
        **amount,
        per_side=spec.per_side if spec.per_side is not None else exercise.per_side,
        rest_seconds=rest,
        notes=notes,
        precaution_override=override.reason,
        precaution_override_covers=override.covers,
        client_id=client_id,
        client_request=asked,
    )
    if override.reason:
        audit_override(actor, item, exercise)
    return item


def next_position(program: Program) -> int:
    today = patient_today(program)
    last = program.items.current(on=today).order_by("-position").first()
    return last.position + 1 if last else 0


def program_audit(
    *,
    actor: User,
    program: Program,
    action: Action,
    changes: Sequence[str],
    request: HttpRequest | None = None,
) -> None:
    """The audit entry for a change to a patient's program, saying what ``changes``
    (``change_words``; none: saved as it was), written inside the change's own transaction
    (every service here and in ``services`` calls it, but for an item save that changed only
    its precaution override: ``audit_override`` says that), and the bump that makes the patient's
    cached Today miss (the totals' refresh bumps too; not every change refreshes them:
    reordering, renaming); templates hold no patient data."""
    if program.patient_id is not None:
        patient_today_bump(patient_id=program.patient_id)
        audit_record(
            actor=actor, action=action, patient=program.patient, target=program,
            detail=detail_fit(changes or [NO_CHANGE]), request=request,
        )  # fmt: skip


@transaction.atomic
def program_item_add(
    *,
    actor: User,
    program: Program,
    spec: ItemSpec,
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> ProgramItem:
    """Add an item at the end of the program (from the patient's today if it has started).
    Once per ``client_id`` (``apps.core.once``): the same Add sent again returns the item it
    added; another Add of the same exercise (a new key) adds it again, as asked. Another item
    under that key is refused (``ClientIdReused``). A 404, nothing added, for a caller who may
    no longer change the program (``locks``)."""
    lock_program_if_editable(program=program, actor=actor)
    asked = request_print(client_id, **item_asked(spec))

    def create() -> ProgramItem:
        position = next_position(program)
        item = item_create(
            actor=actor, program=program, spec=spec, position=position, client_id=client_id,
            asked=asked,
        )  # fmt: skip
        if program.is_active and not program.is_template:  # a draft asks when assigned
            check_ladders_running(
                actor=actor, program=program, items=[item],
                confirmed=spec.confirm_duplicate_ladder, request=request,
            )  # fmt: skip
        daily_totals_refresh_patient(patient_id=program.patient_id)
        program_audit(
            actor=actor, program=program, action=Action.CHANGE, changes=[item_added(item)],
            request=request,
        )  # fmt: skip
        return item

    return create_once(
        ProgramItem, client_id, create, same=lambda first: first.program_id == program.pk,
        asked=asked,
    )  # fmt: skip


ITEM_ENDED = "This item has already ended; edit the current one instead."


def _check_editable_row(item: ProgramItem, today: date) -> None:
    if item.active_until is not None and item.active_until < today:
        raise ValidationError(ITEM_ENDED)


class ItemChanges(TypedDict, total=False):
    """The fields ``program_item_update`` changes; each one left out stays as it is."""

    sets: int
    reps: int | None
    hold_seconds: int | None
    reps_up_to: int | None
    hold_up_to: int | None
    to_fatigue: bool
    rep_hold_seconds: int | None
    per_side: bool
    rest_seconds: int
    notes: str
    auto_advance: bool
    # None (or left out): the item keeps its own reason, checked again.
    precaution_override: str | None


@transaction.atomic
def program_item_update(
    *,
    actor: User,
    item: ProgramItem,
    request: HttpRequest | None = None,
    **changes: Unpack[ItemChanges],
) -> ProgramItem:
    """Change the item's fields named in ``changes`` (dose, notes, auto-advance, override);
    returns the row now in force.

    The others are taken from the item as it is under its lock, not from the caller's copy:
    a change committed since the caller read it (a colleague's PATCH of its notes) is kept,
    and the dose is checked as a whole with it. A dose change on a row with history ends it
    yesterday and starts a new row of the same track today; notes, auto-advance and the
    precaution override change in place. An item whose exercise conflicts with the patient's
    hip precautions is kept only with an override reason: the one given, else the one it
    already has. A caller who may no longer change the program (its patient handed over to a
    colleague since the request's own check), or an item gone meanwhile, is a 404 and nothing
    is saved.
    """
    item = lock_item_if_editable(item=item, actor=actor)
    dose: dict[str, Any] = {name: changes.get(name, getattr(item, name)) for name in DOSE_FIELDS}
    validate_dose(**{name: value for name, value in dose.items() if name != "per_side"})
    # Notes kept as they are are not checked again (saved before a limit, they stay).
    notes = validate_item_notes(changes["notes"]) if "notes" in changes else item.notes
    today = patient_today(item.program)
    _check_editable_row(item, today)
    exercise = _item_exercise(item, today)
    given = changes.get("precaution_override")
    override = _kept_override(item, exercise, given, today)
    return _item_change(
        actor, item, today, exercise, override, dose=dose, notes=notes,
        auto_advance=changes.get("auto_advance", item.auto_advance), request=request,
    )  # fmt: skip


def _kept_override(
    item: ProgramItem, exercise: Exercise | None, precaution_override: str | None, today: date
) -> Override:
    """The override ``item`` keeps: the reason given, or with ``precaution_override`` None
    its own (checked against the patient's hip precautions when it prescribes ``exercise``)."""
    # No reason given keeps the item's own, which covers only what it was given for.
    kept = list(item.precaution_override_covers) if precaution_override is None else None
    given = item.precaution_override if precaution_override is None else precaution_override
    return (
        _override(item.program, exercise, given, today, kept)
        if exercise
        else Override(given, list(item.precaution_override_covers))
    )


def _item_change(
    actor: User,
    item: ProgramItem,
    today: date,
    exercise: Exercise | None,
    override: Override,
    *,
    dose: Mapping[str, object],
    notes: str,
    auto_advance: bool,
    request: HttpRequest | None,
) -> ProgramItem:
    """Write ``dose``, notes, auto-advance and ``override`` to the locked ``item`` and audit
    them; the row now in force (a new one from ``today`` for a dose change on a row with
    history)."""
    other: dict[str, object] = {
        "notes": notes,
        "auto_advance": auto_advance and item.ladder_id is not None,
        "precaution_override": override.reason,
        "precaution_override_covers": override.covers,
    }
    dose_changed = any(getattr(item, name) != value for name, value in dose.items())
    override_given = bool(override.reason) and (
        override.reason != item.precaution_override
        or override.covers != item.precaution_override_covers
    )
    override_removed = not override.reason and bool(item.precaution_override)
    described = item_changes(item, dose, other)
    if described or not (override_given or override_removed):
        # A save that changed only the override has the item's entry alone: the program's
        # would say "saved without changes".
        program_audit(
            actor=actor, program=item.program, action=Action.CHANGE,
            changes=[described] if described else [], request=request,
        )  # fmt: skip
    if dose_changed and item_has_history(item, today):
        item = item_restart(item, today, {**dose, **other})
    else:
        changes = {**dose, **other}
        for name, value in changes.items():
            setattr(item, name, value)
        item.save(update_fields=list(changes))
    daily_totals_refresh_patient(patient_id=item.program.patient_id)  # bumps Today too
    if override_given or override_removed:
        audit_override(actor, item, exercise, removed=override_removed, request=request)
    return item


def _item_exercise(item: ProgramItem, today: date) -> Exercise | None:
    """The exercise the item prescribes today (a ladder's: the level in force)."""
    if item.ladder_id is None:
        return item.exercise
    level = LadderLevel.objects.filter(ladder_id=item.ladder_id, level=item.level_on(today) or 0)
    row = level.select_related("exercise").first()
    return row.exercise if row else None


@transaction.atomic
def program_item_remove(
    *, actor: User, item: ProgramItem, request: HttpRequest | None = None
) -> None:
    """Remove an item: a row with history ends yesterday, any other row is deleted. The
    item's open progression prompts close with it (``prompts_withdraw``) unless its track
    goes on in another row. A caller who may no longer change the program (its patient handed
    over to a colleague since the request's own check), or an item gone meanwhile, is a 404
    and nothing is removed."""
    item = lock_item_if_editable(item=item, actor=actor)
    patient_id = item.program.patient_id
    today = patient_today(item.program)
    _check_editable_row(item, today)
    if item_has_history(item, today):
        item.active_until = today - timedelta(days=1)
        item.save(update_fields=["active_until"])
    else:
        item.delete()
    if patient_id is not None:
        prompts_withdraw(
            patient_id=patient_id, tracks={item.track}, reason=CLOSED_REMOVED, actor=actor,
            request=request,
        )  # fmt: skip
    daily_totals_refresh_patient(patient_id=item.program.patient_id)
    program_audit(
        actor=actor, program=item.program, action=Action.CHANGE, changes=[item_removed(item)],
        request=request,
    )  # fmt: skip
