"""Assigning a program to a patient: a draft of theirs starts, a template or another
patient's program is copied for them (``program_assign``). Split from ``services`` to keep each
module small; the program's other writes are there."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.core.once import RequestPrint, create_once, made_before, request_print
from apps.patients.models import Patient
from apps.patients.selectors import precautions_between
from apps.programs.change_words import program_assigned
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.duplicates import check_ladders_running, starting_items
from apps.programs.item_services import (
    audit_override,
    program_audit,
)
from apps.programs.locks import lock_patient_if_editable
from apps.programs.models import Program
from apps.programs.precautions import (
    MAX_OVERRIDE_LENGTH,
    conflict_key,
    conflict_message,
    uncovered,
)
from apps.programs.rows import assign_start, copy_items, patient_today
from apps.programs.schedule_checks import chosen_start
from apps.programs.selectors import exercise_for, ladder_levels
from apps.programs.validation import (
    weekdays_mask,
)

if TYPE_CHECKING:
    from apps.clinics.models import User


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
    confirm_duplicate_ladder: bool = False,
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> Program:
    """Give a program to a patient and start it; returns the patient's program (audited as
    created).

    A template (or another patient's program) is copied into a new program of the patient's
    own; the patient's own draft is started as it is, on its saved weekdays and reminder time,
    and without ``start_date`` on its saved start (``rows.assign_start``). ``end_date`` is
    the end as given: callers that take a partial request fill in the draft's own (the API).
    Items that run into the patient's hip
    precautions (any in force during the program) are refused, each named, unless the
    therapist gives ``precaution_override``: it is then kept on each of them and audited.
    A ladder already running for the patient is refused, naming where, unless
    ``confirm_duplicate_ladder`` (``apps.programs.duplicates``).
    The copy is made once per ``client_id`` (``apps.core.once``): the same form sent twice
    returns the program the first one made; another assignment under that key is refused.
    A caller who may no longer change the patient (handed over to a colleague since the
    request's own check) is a 404 and nothing is assigned; an archived patient is refused
    (``locks.PATIENT_ARCHIVED``, naming ``patient``).
    """
    if patient.clinic_id != program.clinic_id:
        raise ValidationError({"patient": "Unknown patient."})
    weekdays = None if weekdays is None else sorted(set(weekdays))  # read twice: no generator
    # The patient's lock first, as every writer of their programs takes it, and under it
    # whether the caller may still change them: a hand-over since is a 404, an archive a
    # 400, nothing made.
    lock_patient_if_editable(patient=patient, actor=actor)
    own_draft = program.patient_id == patient.pk
    if own_draft:  # a second Start of it waits here for the first, then finds its key
        program = Program.objects.select_for_update().get(pk=program.pk)
    asked = request_print(
        client_id, program=program, patient=patient, start_date=start_date, end_date=end_date,
        weekdays=weekdays, precaution_override=precaution_override.strip(),
    )  # fmt: skip

    def assign() -> Program:
        return _assign(
            actor, program, patient, start_date, end_date, weekdays, precaution_override,
            confirm_duplicate_ladder, client_id, asked, request,
        )  # fmt: skip

    return _assign_once(assign, patient, client_id, asked, own_draft=own_draft)


_MADE = ("client_id", "client_request")
_STARTED = ("assign_client_id", "assign_request")


def _assign_once(
    assign: Callable[[], Program],
    patient: Patient,
    client_id: UUID | None,
    asked: RequestPrint | None,
    *,
    own_draft: bool,
) -> Program:
    """``assign()`` once per key. A copy keeps its key as any made row does; a started draft
    keeps it beside the key that made it. A key is looked for in both: one that started a
    draft, sent to copy a template (or the other way round), is another request (409)."""

    def same(first: Program) -> bool:
        return first.patient_id == patient.pk

    key, other = (_STARTED, _MADE) if own_draft else (_MADE, _STARTED)
    if client_id is not None and (first := made_before(Program, client_id, same, asked, other)):
        return first
    return create_once(Program, client_id, assign, same=same, asked=asked, key=key[0], kept=key[1])


def _assign(
    actor: User,
    program: Program,
    patient: Patient,
    start_date: date | None,
    end_date: date | None,
    weekdays: Iterable[int] | None,
    precaution_override: str,
    confirm_duplicate_ladder: bool,
    client_id: UUID | None,
    asked: RequestPrint | None,
    request: HttpRequest | None,
) -> Program:
    # A draft never ran, so its start is checked as a new choice, even the one it saved.
    start_date = chosen_start(
        patient, start_date or assign_start(program=program, patient=patient), end_date
    )
    mask = program.weekdays if weekdays is None else weekdays_mask(weekdays)
    if program.patient_id == patient.pk:
        if program.is_active:
            raise ValidationError("This program is already assigned to this patient.")
        assigned = _program_start(program, start_date, end_date, mask, (client_id, asked))
    else:
        key = (client_id, asked)
        assigned = _program_copy(actor, program, patient, start_date, end_date, mask, key)
    check_assigned(actor, assigned, precaution_override, start_date, end_date)
    check_ladders_running(
        actor=actor, program=assigned, items=starting_items(assigned),
        confirmed=confirm_duplicate_ladder, request=request,
    )  # fmt: skip
    daily_totals_refresh_patient(patient_id=patient.pk)
    program_audit(
        actor=actor, program=assigned, action=Action.CREATE,
        changes=[program_assigned(assigned)], request=request,
    )  # fmt: skip
    return assigned


def check_assigned(
    actor: User, program: Program, given: str, start: date, end: date | None
) -> None:
    """Refuse (in the assignment's transaction, so nothing stays) the items that conflict
    with hip precautions in force on any day of the program, naming each (an item's own
    reason counts for the conflicts it was given for); with ``given``, keep it on each of
    them as the builder keeps an item's override, and audit it."""
    given = given.strip()
    if len(given) > MAX_OVERRIDE_LENGTH:
        too_long = f"Keep the reason to {MAX_OVERRIDE_LENGTH} characters or fewer."
        raise ValidationError({"precaution_override": too_long})
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
        audit_override(actor, item, exercise)


def _program_copy(
    actor: User,
    program: Program,
    patient: Patient,
    start: date,
    end: date | None,
    mask: int,
    key: tuple[UUID | None, RequestPrint | None],
) -> Program:
    """A copy of ``program`` for ``patient``, made under the assignment's ``key`` (its
    ``client_id`` and what it asked for)."""
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
        client_id=key[0],
        client_request=key[1],
    )
    copy_items(source=program, target=copy)
    return copy


def _program_start(
    program: Program,
    start: date,
    end: date | None,
    mask: int,
    key: tuple[UUID | None, RequestPrint | None],
) -> Program:
    """Start the patient's own draft, keeping the Assign's ``key`` (its ``client_id`` and
    what it asked for) so that the same Assign sent again finds it."""
    program.start_date, program.end_date, program.weekdays = start, end, mask
    program.is_active = True
    program.updated_at = timezone.now()
    program.assign_client_id, program.assign_request = key
    program.save(
        update_fields=[
            "start_date", "end_date", "weekdays", "is_active", "updated_at",
            "assign_client_id", "assign_request",
        ]
    )  # fmt: skip
    return program
