"""Writes for programs: build, edit without rewriting history, save as template, assign.

History rule (see the domain rules): once a row of a patient's program may have been
prescribed on a past day, or has set logs, changing its dose ends that row (``active_until`` =
the patient's yesterday) and starts a new row of the same ``track`` from the patient's today,
carrying the ladder level fields over. Templates, drafts and rows that only start today with
nothing logged are changed in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.core.once import create_once
from apps.exercises.models import Exercise, Ladder, LadderLevel
from apps.patients.models import Patient
from apps.patients.selectors import precautions_between
from apps.patients.services import patient_row_lock, patient_today_bump
from apps.programs import dispatch
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.doses import usual_dose
from apps.programs.models import ALL_WEEKDAYS, Program, ProgramItem
from apps.programs.precautions import (
    MAX_OVERRIDE_LENGTH,
    Override,
    checked_override,
    conflict_key,
    conflict_message,
    uncovered,
)
from apps.programs.prompt_decisions import CLOSED_ENDED, CLOSED_REMOVED, prompts_withdraw
from apps.programs.rows import (
    continue_items,
    copy_items,
    has_started,
    item_has_history,
    item_restart,
    patient_today,
)
from apps.programs.selectors import exercise_for, ladder_levels
from apps.programs.validation import validate_dates, validate_dose, validate_name, weekdays_mask

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


# --- Items ----------------------------------------------------------------------------------


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


def _audit_override(actor: User, item: ProgramItem, exercise: Exercise) -> None:
    """Record a precaution override in the transaction that stores it."""
    audit_record(
        actor=actor, action=Action.CHANGE, patient=item.program.patient, target=item,
        # The reason is typed by a clinician and can describe the patient's hip: it stays on
        # the item, which erasing the patient removes; the append-only trail only names it.
        detail=f"precaution override for {exercise.name} (reason kept on the item)",
    )  # fmt: skip


def _item_create(
    *,
    actor: User,
    program: Program,
    spec: ItemSpec,
    position: int,
    with_program: bool = False,
    client_id: UUID | None = None,
) -> ProgramItem:
    """Create one row; ``with_program`` rows start with the program (no ``active_from``)."""
    exercise = _check_library(program, spec)
    amount = _default_amount(spec, exercise)
    sets = spec.sets if spec.sets is not None else exercise.default_sets
    rest = spec.rest_seconds if spec.rest_seconds is not None else exercise.default_rest_seconds
    validate_dose(sets=sets, rest_seconds=rest, **amount)  # type: ignore[arg-type]
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
        notes=spec.notes.strip(),
        precaution_override=override.reason,
        precaution_override_covers=override.covers,
        client_id=client_id,
    )
    if override.reason:
        _audit_override(actor, item, exercise)
    return item


def _next_position(program: Program) -> int:
    today = patient_today(program)
    last = program.items.current(on=today).order_by("-position").first()
    return last.position + 1 if last else 0


def program_audit(
    *, actor: User, program: Program, action: Action, request: HttpRequest | None = None
) -> None:
    """The audit entry for a change to a patient's program, written inside the change's own
    transaction (every service below calls it last), and the bump that makes the patient's
    cached Today miss (the totals' refresh bumps too; not every change refreshes them:
    reordering, renaming); templates hold no patient data."""
    if program.patient_id is not None:
        patient_today_bump(patient_id=program.patient_id)
        audit_record(
            actor=actor, action=action, patient=program.patient, target=program, request=request
        )


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
    added; another Add of the same exercise (a new key) adds it again, as asked."""

    def create() -> ProgramItem:
        position = _next_position(program)
        item = _item_create(
            actor=actor, program=program, spec=spec, position=position, client_id=client_id
        )
        daily_totals_refresh_patient(patient_id=program.patient_id)
        program_audit(actor=actor, program=program, action=Action.CHANGE, request=request)
        return item

    return create_once(
        ProgramItem, client_id, create, same=lambda first: first.program_id == program.pk
    )


def _check_editable_row(item: ProgramItem, today: date) -> None:
    if item.active_until is not None and item.active_until < today:
        raise ValidationError("This item has already ended; edit the current one instead.")


@transaction.atomic
def program_item_update(
    *,
    actor: User,
    item: ProgramItem,
    sets: int,
    reps: int | None,
    hold_seconds: int | None,
    per_side: bool,
    rest_seconds: int,
    notes: str = "",
    auto_advance: bool = False,
    precaution_override: str | None = None,
    reps_up_to: int | None = None,
    hold_up_to: int | None = None,
    to_fatigue: bool = False,
    rep_hold_seconds: int | None = None,
    request: HttpRequest | None = None,
) -> ProgramItem:
    """Change an item's dose and notes; returns the row now in force.

    A dose change on a row with history ends it yesterday and starts a new row of the same
    track today; notes, auto-advance and the precaution override change in place. An item
    whose exercise conflicts with the patient's hip precautions is kept only with an override
    reason: the one given, else the one it already has (``precaution_override`` None).
    """
    amount = {"sets": sets, "reps": reps, "hold_seconds": hold_seconds, "reps_up_to": reps_up_to}
    amount |= {"hold_up_to": hold_up_to, "to_fatigue": to_fatigue}
    amount |= {"rep_hold_seconds": rep_hold_seconds}
    validate_dose(rest_seconds=rest_seconds, **amount)  # type: ignore[arg-type]
    # The patient's lock before the item's, as approving a prompt takes them: the other way
    # round each waited for the other (the item here, the audit log there).
    _lock_patient_of(item.program)
    item = (
        ProgramItem.objects.select_for_update(of=("self",))
        .select_related("program__patient")
        .get(pk=item.pk)
    )
    today = patient_today(item.program)
    _check_editable_row(item, today)
    exercise = _item_exercise(item, today)
    # No reason given keeps the item's own, which covers only what it was given for.
    kept = list(item.precaution_override_covers) if precaution_override is None else None
    given = item.precaution_override if precaution_override is None else precaution_override
    override = (
        _override(item.program, exercise, given, today, kept)
        if exercise
        else Override(given, list(item.precaution_override_covers))
    )
    dose = amount | {"per_side": per_side, "rest_seconds": rest_seconds}
    other: dict[str, object] = {
        "notes": notes.strip(),
        "auto_advance": auto_advance and item.ladder_id is not None,
        "precaution_override": override.reason,
        "precaution_override_covers": override.covers,
    }
    dose_changed = any(getattr(item, name) != value for name, value in dose.items())
    override_changed = override.reason and (
        override.reason != item.precaution_override
        or override.covers != item.precaution_override_covers
    )
    program_audit(actor=actor, program=item.program, action=Action.CHANGE, request=request)
    if dose_changed and item_has_history(item, today):
        item = item_restart(item, today, {**dose, **other})
    else:
        changes = {**dose, **other}
        for name, value in changes.items():
            setattr(item, name, value)
        item.save(update_fields=list(changes))
    daily_totals_refresh_patient(patient_id=item.program.patient_id)
    if override_changed and exercise is not None:
        _audit_override(actor, item, exercise)
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
    goes on in another row."""
    patient_id = _lock_patient_of(item.program)
    item = (
        ProgramItem.objects.select_for_update(of=("self",))
        .select_related("program__patient")
        .get(pk=item.pk)
    )
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
    program_audit(actor=actor, program=item.program, action=Action.CHANGE, request=request)


def _lock_patient_of(program: Program) -> int | None:
    """Take the lock of the program's patient (``patient_row_lock``) before anything else, as
    approving a prompt does; the patient's id, or None for a template."""
    if program.patient_id is not None:
        patient_row_lock(patient_id=program.patient_id)
    return program.patient_id


def _close_prompts_of_ended(actor: User, program: Program, request: HttpRequest | None) -> None:
    """After a schedule change: close the open prompts of the program's exercises that the
    patient is no longer given from their next day (it ends today or has ended). New weekdays
    carry every track on into the next version, and an end date still to come closes
    nothing yet."""
    if program.patient_id is None or program.end_date is None:
        return
    tracks = set(program.items.values_list("track", flat=True))
    prompts_withdraw(
        patient_id=program.patient_id, tracks=tracks, reason=CLOSED_ENDED, actor=actor,
        request=request,
    )  # fmt: skip


@transaction.atomic
def program_items_reorder(
    *,
    actor: User,
    program: Program,
    item_ids: Sequence[int],
    request: HttpRequest | None = None,
) -> None:
    """Put the program's current items in the given order (every current item, once)."""
    current = program.items.for_editing(on=patient_today(program))
    items = list(current.select_for_update(of=("self",)))
    by_id = {item.pk: item for item in items}
    if len(item_ids) != len(by_id) or set(item_ids) != set(by_id):
        raise ValidationError({"items": "List every item of the program exactly once."})
    for position, item_id in enumerate(item_ids):
        by_id[item_id].position = position
    ProgramItem.objects.bulk_update(items, ["position"])
    program_audit(actor=actor, program=program, action=Action.CHANGE, request=request)


def program_item_move(
    *, actor: User, item: ProgramItem, offset: int, request: HttpRequest | None = None
) -> None:
    """Move an item up (-1) or down (+1) among the program's current items."""
    program = item.program
    ids = list(program.items.for_editing(on=patient_today(program)).values_list("pk", flat=True))
    index = ids.index(item.pk)
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    program_items_reorder(actor=actor, program=program, item_ids=ids, request=request)


# --- Programs -------------------------------------------------------------------------------


@transaction.atomic
def program_create(
    *,
    actor: User,
    name: str,
    patient: Patient | None = None,
    template: Program | None = None,
    notes: str = "",
    weekdays: Iterable[int] | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    reminder_time: time | None = None,
    items: Sequence[ItemSpec] = (),
    activate: bool = False,
    precaution_override: str = "",
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> Program:
    """Create a clinic template (no patient) or a patient's program, once per ``client_id``
    (``apps.core.once``: the same request sent again returns the program it made).

    A patient's program is a draft (not shown to the patient) until assigned, unless
    ``activate``; it starts on ``start_date`` (default: the patient's today). Starting from
    ``template`` copies its items, then ``items`` are appended. For a patient, copied items
    that conflict with their hip precautions are refused as at assignment, unless
    ``precaution_override`` is given (each of ``items`` carries its own). Without
    ``reminder_time``, a template's is kept.
    """
    clinic_id = actor.clinic_id
    if clinic_id is None or not actor.is_clinic_staff:
        raise ValidationError("Programs are created by clinic staff.")
    if patient is not None and patient.clinic_id != clinic_id:
        raise ValidationError({"patient": "Unknown patient."})
    if template is not None and (not template.is_template or template.clinic_id != actor.clinic_id):
        raise ValidationError({"template": "Unknown template."})
    if weekdays is None:
        mask = template.weekdays if template is not None else ALL_WEEKDAYS
    else:
        mask = weekdays_mask(weekdays)
    if patient is not None:
        start_date = start_date or patient.local_today()
        validate_dates(start_date, end_date)
    if reminder_time is None and template is not None:
        reminder_time = template.reminder_time
    _check_reminder_time(actor, reminder_time)

    def create() -> Program:
        program = Program.objects.create(
            clinic_id=clinic_id,
            patient=patient,
            created_by=actor,
            name=validate_name(name),
            notes=(notes or (template.notes if template else "")).strip(),
            is_template=patient is None,
            weekdays=mask,
            start_date=start_date if patient is not None else None,
            end_date=end_date if patient is not None else None,
            reminder_time=reminder_time,
            is_active=patient is None or activate,
            client_id=client_id,
        )
        if template is not None:
            copy_items(source=template, target=program)
            if patient is not None:
                assert start_date is not None  # set above for a patient
                _check_assigned(actor, program, precaution_override, start_date, end_date)
        _add_all(actor, program, items)
        daily_totals_refresh_patient(patient_id=program.patient_id)
        program_audit(actor=actor, program=program, action=Action.CREATE, request=request)
        return program

    return create_once(
        Program, client_id, create, same=lambda first: _same_owner(first, actor, patient)
    )


def _same_owner(first: Program, actor: User, patient: Patient | None) -> bool:
    """Whether a program found under a request's key is one that request could have made."""
    return first.clinic_id == actor.clinic_id and first.patient_id == (patient and patient.pk)


def _add_all(actor: User, program: Program, specs: Sequence[ItemSpec]) -> None:
    errors: dict[str, list[str]] = {}
    start = _next_position(program)
    for index, spec in enumerate(specs):
        try:
            _item_create(
                actor=actor, program=program, spec=spec, position=start + index,
                with_program=True,
            )  # fmt: skip
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"items[{index}].{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def program_update(
    *,
    actor: User,
    program: Program,
    name: str,
    notes: str = "",
    request: HttpRequest | None = None,
) -> Program:
    _rename(program, name, notes)
    program_audit(actor=actor, program=program, action=Action.CHANGE, request=request)
    return program


def _rename(program: Program, name: str, notes: str) -> None:
    program.name = validate_name(name)
    program.notes = notes.strip()
    program.updated_at = timezone.now()
    program.save(update_fields=["name", "notes", "updated_at"])


@transaction.atomic
def program_schedule_update(
    *,
    actor: User,
    program: Program,
    weekdays: Iterable[int],
    start_date: date | None = None,
    end_date: date | None = None,
    reminder_time: time | None = None,
    request: HttpRequest | None = None,
) -> Program:
    """Change the weekdays and reminder time (and, for a patient's program, its dates);
    returns the program now in force (audited on that one). Ending the program closes its
    open progression prompts."""
    _lock_patient_of(program)
    saved = _reschedule(actor, program, weekdays, start_date, end_date, reminder_time)
    _close_prompts_of_ended(actor, program, request)
    daily_totals_refresh_patient(patient_id=program.patient_id)
    program_audit(actor=actor, program=saved, action=Action.CHANGE, request=request)
    return saved


def _reschedule(
    actor: User,
    program: Program,
    weekdays: Iterable[int],
    start_date: date | None,
    end_date: date | None,
    reminder_time: time | None,
) -> Program:
    """The schedule change itself.

    Once a program has started its past stays as it was: the start date is fixed, the end
    date cannot be earlier than the patient's yesterday, and new weekdays start a new version
    of the program today (see ``_program_continue``). The reminder time is not history (a
    reminder already sent keeps its own time): it changes in place, or goes on in the new
    version.
    """
    mask = weekdays_mask(weekdays)
    _check_reminder_time(actor, reminder_time)
    fields = ["weekdays", "reminder_time", "updated_at"]
    if not program.is_template:
        _check_schedule_dates(program, start_date, end_date)
        today = patient_today(program)
        if mask != program.weekdays and has_started(program, today):
            follow_on = _program_continue(actor, program, today, mask, end_date, reminder_time)
            dispatch.enqueue_program_continued(program.pk, follow_on.pk)
            return follow_on
        if (start_date, end_date) != (program.start_date, program.end_date):
            dispatch.enqueue_program_rescheduled(program.pk)
        program.start_date, program.end_date = start_date, end_date
        fields += ["start_date", "end_date"]
    program.weekdays, program.reminder_time = mask, reminder_time
    program.updated_at = timezone.now()
    program.save(update_fields=fields)
    return program


def _program_continue(
    actor: User,
    program: Program,
    today: date,
    mask: int,
    end_date: date | None,
    reminder_time: time | None,
) -> Program:
    """End a started program yesterday and continue it today on new weekdays.

    Past days keep the weekdays they were scheduled on (adherence never changes after the
    fact). Each item goes on in the new version with the same ``track`` and ladder level, so
    progression prompts and history follow it.
    """
    validate_dates(today, end_date)
    yesterday = today - timedelta(days=1)
    items = list(program.items.current(on=today))
    program.end_date, program.updated_at = yesterday, timezone.now()
    program.save(update_fields=["end_date", "updated_at"])
    program.items.filter(pk__in=[item.pk for item in items]).update(active_until=yesterday)
    follow_on = Program.objects.create(
        clinic_id=program.clinic_id, patient_id=program.patient_id, created_by=actor,
        name=program.name, notes=program.notes, weekdays=mask, start_date=today,
        end_date=end_date, reminder_time=reminder_time,
    )  # fmt: skip
    continue_items(items, follow_on)
    return follow_on


def _check_reminder_time(actor: User, reminder_time: time | None) -> None:
    """A program's reminder time outside the quiet hours of its clinic (the actor's)."""
    if reminder_time is None:
        return
    assert actor.clinic is not None  # clinic staff: every caller checked it
    if quiet := actor.clinic.quiet_reminder_time_error(reminder_time):
        raise ValidationError({"reminder_time": quiet})


def _check_schedule_dates(program: Program, start_date: date | None, end_date: date | None) -> None:
    if start_date is None:
        raise ValidationError({"start_date": "Choose the day the program starts."})
    validate_dates(start_date, end_date)
    today = patient_today(program)
    if not has_started(program, today):
        return
    if start_date != program.start_date:
        raise ValidationError(
            {"start_date": "This program has already started, so its start date stays."}
        )
    if end_date is not None and end_date < today - timedelta(days=1):
        raise ValidationError(
            {"end_date": "The end date cannot be before yesterday: past days stay as they were."}
        )


@transaction.atomic
def program_save_as_template(
    *, actor: User, program: Program, name: str, client_id: UUID | None = None
) -> Program:
    """Copy the program's current items, weekdays and reminder time into a new clinic
    template, once per ``client_id`` (a double click makes one template)."""
    name = validate_name(name)

    def create() -> Program:
        template = Program.objects.create(
            clinic_id=program.clinic_id,
            created_by=actor,
            name=name,
            notes=program.notes,
            is_template=True,
            weekdays=program.weekdays,
            reminder_time=program.reminder_time,
            client_id=client_id,
        )
        copy_items(source=program, target=template)
        return template

    return create_once(
        Program, client_id, create, same=lambda first: _same_owner(first, actor, None)
    )


@transaction.atomic
def program_assign(
    *,
    actor: User,
    program: Program,
    patient: Patient,
    start_date: date | None = None,
    end_date: date | None = None,
    weekdays: Iterable[int] | None = None,
    precaution_override: str = "",
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> Program:
    """Give a program to a patient and start it; returns the patient's program (audited as
    created).

    A template (or another patient's program) is copied into a new program of the patient's
    own; the patient's own draft is started as it is. Items that run into the patient's hip
    precautions (any in force during the program) are refused, each named, unless the
    therapist gives ``precaution_override``: it is then kept on each of them and audited.
    The copy is made once per ``client_id`` (``apps.core.once``): the same form sent twice
    returns the program the first one made.
    """
    if patient.clinic_id != program.clinic_id:
        raise ValidationError({"patient": "Unknown patient."})

    def assign() -> Program:
        return _assign(
            actor, program, patient, start_date, end_date, weekdays, precaution_override,
            client_id, request,
        )  # fmt: skip

    return create_once(
        Program, client_id, assign, same=lambda first: first.patient_id == patient.pk
    )


def _assign(
    actor: User,
    program: Program,
    patient: Patient,
    start_date: date | None,
    end_date: date | None,
    weekdays: Iterable[int] | None,
    precaution_override: str,
    client_id: UUID | None,
    request: HttpRequest | None,
) -> Program:
    start_date = start_date or patient.local_today()
    validate_dates(start_date, end_date)
    mask = program.weekdays if weekdays is None else weekdays_mask(weekdays)
    if program.patient_id == patient.pk:
        if program.is_active:
            raise ValidationError("This program is already assigned to this patient.")
        assigned = _program_start(program, start_date, end_date, mask)
    else:
        assigned = _program_copy(actor, program, patient, start_date, end_date, mask, client_id)
    _check_assigned(actor, assigned, precaution_override, start_date, end_date)
    daily_totals_refresh_patient(patient_id=patient.pk)
    program_audit(actor=actor, program=assigned, action=Action.CREATE, request=request)
    return assigned


def _check_assigned(
    actor: User, program: Program, given: str, start: date, end: date | None
) -> None:
    """Refuse (in the assignment's transaction, so nothing stays) the items that conflict
    with hip precautions in force on any day of the program, naming each (an item's own
    reason counts for the conflicts it was given for); with ``given``, keep it on each of
    them as the builder keeps an item's override, and audit it."""
    given = given.strip()
    if len(given) > MAX_OVERRIDE_LENGTH:
        raise ValidationError(
            {"precaution_override": f"Keep the reason under {MAX_OVERRIDE_LENGTH} characters."}
        )
    assert program.patient is not None  # an assigned program
    precautions = precautions_between(patient=program.patient, first=start, last=end or date.max)
    if not precautions:
        return
    items = list(
        program.items.current(on=patient_today(program)).select_related(
            "exercise", "ladder", "program__patient"
        )
    )
    levels = ladder_levels({item.ladder_id for item in items if item.ladder_id})
    found = []
    for item in items:
        exercise, _ = exercise_for(item, start, levels)
        clashes = uncovered(item, exercise, precautions) if exercise is not None else []
        if exercise is not None and clashes:
            found.append((item, exercise, clashes))
    if found and not given:
        messages = [conflict_message(exercise, clashes) for _, exercise, clashes in found]
        raise ValidationError({"precaution_override": messages})
    for item, exercise, clashes in found:
        keys = {conflict_key(clash, exercise) for clash in clashes}
        item.precaution_override = given
        item.precaution_override_covers = sorted(keys | set(item.precaution_override_covers))
        item.save(update_fields=["precaution_override", "precaution_override_covers"])
        _audit_override(actor, item, exercise)


def _program_copy(
    actor: User,
    program: Program,
    patient: Patient,
    start: date,
    end: date | None,
    mask: int,
    client_id: UUID | None,
) -> Program:
    copy = Program.objects.create(
        clinic_id=program.clinic_id,
        patient=patient,
        created_by=actor,
        name=program.name,
        notes=program.notes,
        weekdays=mask,
        start_date=start,
        end_date=end,
        reminder_time=program.reminder_time,
        client_id=client_id,
    )
    copy_items(source=program, target=copy)
    return copy


def _program_start(program: Program, start: date, end: date | None, mask: int) -> Program:
    program.start_date, program.end_date, program.weekdays = start, end, mask
    program.is_active = True
    program.updated_at = timezone.now()
    program.save(update_fields=["start_date", "end_date", "weekdays", "is_active", "updated_at"])
    return program


@transaction.atomic
def program_edit(
    *,
    actor: User,
    program: Program,
    name: str,
    notes: str,
    weekdays: Iterable[int],
    start_date: date | None,
    end_date: date | None,
    reminder_time: time | None = None,
    request: HttpRequest | None = None,
) -> Program:
    """Change name, notes and schedule together (the API's update): all or nothing, one
    audit entry for the program (and one for each progression prompt its end closes)."""
    _lock_patient_of(program)
    _rename(program, name, notes)
    saved = _reschedule(actor, program, weekdays, start_date, end_date, reminder_time)
    _close_prompts_of_ended(actor, program, request)
    daily_totals_refresh_patient(patient_id=program.patient_id)
    program_audit(actor=actor, program=saved, action=Action.CHANGE, request=request)
    return saved
