"""Writes that make programs: create a template or a patient's program, save a program as a
template, each in one transaction with its audit entry (``item_services.program_audit``). A
program's items are written in ``item_services``; changes to an existing program (rename,
reschedule, the API's PATCH) in ``edit_services``; assignment in ``assign_services``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import Action
from apps.audit.services import audit_record, detail_fit
from apps.core.once import RequestPrint, create_once, request_print
from apps.patients.models import Patient
from apps.programs.assign_services import check_assigned
from apps.programs.change_words import program_assigned, template_saved
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.duplicates import check_ladders_running, starting_items
from apps.programs.item_services import (
    ItemSpec,
    item_asked,
    item_create,
    next_position,
    program_audit,
)
from apps.programs.locks import lock_patient_if_editable, lock_program_if_editable
from apps.programs.models import ALL_WEEKDAYS, Program
from apps.programs.rows import copy_items
from apps.programs.schedule_checks import check_reminder_time, chosen_start
from apps.programs.validation import validate_name, validate_program_notes, weekdays_mask

if TYPE_CHECKING:
    from apps.clinics.models import User


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
    confirm_duplicate_ladder: bool = False,
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
    backdated: bool = False,
) -> Program:
    """Create a clinic template (no patient) or a patient's program, once per ``client_id``
    (``apps.core.once``: the same request sent again returns the program it made; another
    program under that key is refused).

    A patient's program is a draft (not shown to the patient) until assigned, unless
    ``activate``; it starts on ``start_date`` (default: the patient's today), which may not
    be before the patient's today nor more than a year ahead (``validate_start``) unless
    ``backdated``: for code that writes past history (the demo seed), never for a request.
    Starting from ``template`` copies its items, then ``items`` are appended. For a patient,
    copied items that conflict with their hip precautions are refused as at assignment,
    unless ``precaution_override`` is given (each of ``items`` carries its own). Without
    ``reminder_time``, a template's is kept. An ``activate``d program starting a ladder
    already running for the patient needs ``confirm_duplicate_ladder``
    (``apps.programs.duplicates``). A caller who may no longer change ``patient`` (handed
    over to a colleague since the request's own check) is a 404 and nothing is made; an
    archived ``patient`` is refused (``locks.PATIENT_ARCHIVED``, naming ``patient``).
    """
    clinic_id = _creator_clinic(actor, patient, template)
    if patient is not None:
        # The patient's lock first, as every writer of their programs takes it, and under it
        # whether the caller may still change them: a hand-over since is a 404, an archive a
        # 400, nothing made.
        lock_patient_if_editable(patient=patient, actor=actor)
    mask = _chosen_weekdays(weekdays, template)
    asked = request_print(  # as sent: before the start and reminder time are filled in
        client_id, name=name.strip(), patient=patient, template=template, notes=notes.strip(),
        weekdays=None if weekdays is None else mask, start_date=start_date, end_date=end_date,
        reminder_time=reminder_time, items=[item_asked(spec) for spec in items],
        activate=activate, precaution_override=precaution_override.strip(),
    )  # fmt: skip
    if patient is not None:
        start_date = chosen_start(patient, start_date, end_date, backdated=backdated)
    if reminder_time is None and template is not None:
        reminder_time = template.reminder_time
    check_reminder_time(actor, reminder_time)

    def create() -> Program:
        program = _program_insert(
            actor, clinic_id, patient, name=name, notes=notes, template=template, weekdays=mask,
            start_date=start_date, end_date=end_date, reminder_time=reminder_time,
            activate=activate, client_id=client_id, asked=asked,
        )  # fmt: skip
        _program_fill(
            actor, program, patient, template=template, items=items, start_date=start_date,
            end_date=end_date, precaution_override=precaution_override,
            confirm_duplicate_ladder=confirm_duplicate_ladder, request=request,
        )  # fmt: skip
        return program

    return create_once(
        Program, client_id, create, same=lambda first: _same_owner(first, actor, patient),
        asked=asked,
    )  # fmt: skip


def _creator_clinic(actor: User, patient: Patient | None, template: Program | None) -> int:
    """The clinic ``actor`` creates a program in, once ``actor`` is its staff and
    ``patient`` and ``template`` are that clinic's."""
    clinic_id = actor.clinic_id
    if clinic_id is None or not actor.is_clinic_staff:
        raise ValidationError("Programs are created by clinic staff.")
    if patient is not None and patient.clinic_id != clinic_id:
        raise ValidationError({"patient": "Unknown patient."})
    if template is not None and (not template.is_template or template.clinic_id != actor.clinic_id):
        raise ValidationError({"template": "Unknown template."})
    return clinic_id


def _chosen_weekdays(weekdays: Iterable[int] | None, template: Program | None) -> int:
    """The weekday mask of a new program: ``weekdays`` when given, else the template's,
    else every day."""
    if weekdays is None:
        return template.weekdays if template is not None else ALL_WEEKDAYS
    return weekdays_mask(weekdays)


def _program_insert(
    actor: User,
    clinic_id: int,
    patient: Patient | None,
    *,
    name: str,
    notes: str,
    template: Program | None,
    weekdays: int,
    start_date: date | None,
    end_date: date | None,
    reminder_time: time | None,
    activate: bool,
    client_id: UUID | None,
    asked: RequestPrint | None,
) -> Program:
    """The new program's row, with no items yet: a template when there is no ``patient``."""
    return Program.objects.create(
        clinic_id=clinic_id,
        patient=patient,
        created_by=actor,
        name=validate_name(name),
        notes=validate_program_notes(notes or (template.notes if template else "")),
        is_template=patient is None,
        weekdays=weekdays,
        start_date=start_date if patient is not None else None,
        end_date=end_date if patient is not None else None,
        reminder_time=reminder_time,
        is_active=patient is None or activate,
        client_id=client_id,
        client_request=asked,
    )


def _program_fill(
    actor: User,
    program: Program,
    patient: Patient | None,
    *,
    template: Program | None,
    items: Sequence[ItemSpec],
    start_date: date | None,
    end_date: date | None,
    precaution_override: str,
    confirm_duplicate_ladder: bool,
    request: HttpRequest | None,
) -> None:
    """Give a just inserted ``program`` its items (the template's, then ``items``), with the
    checks they need, then refresh the patient's totals and audit the creation."""
    if template is not None:
        copy_items(source=template, target=program)
        if patient is not None:
            assert start_date is not None  # set by program_create for a patient
            check_assigned(actor, program, precaution_override, start_date, end_date)
    _add_all(actor, program, items)
    if program.is_active and patient is not None:
        check_ladders_running(
            actor=actor, program=program, items=starting_items(program),
            confirmed=confirm_duplicate_ladder, request=request,
        )  # fmt: skip
    daily_totals_refresh_patient(patient_id=program.patient_id)
    made = program_assigned(program) if program.is_active else "draft created"
    program_audit(
        actor=actor, program=program, action=Action.CREATE, changes=[made], request=request
    )


def _same_owner(first: Program, actor: User, patient: Patient | None) -> bool:
    """Whether a program found under a request's key is one that request could have made."""
    return first.clinic_id == actor.clinic_id and first.patient_id == (patient and patient.pk)


def _add_all(actor: User, program: Program, specs: Sequence[ItemSpec]) -> None:
    errors: dict[str, list[str]] = {}
    start = next_position(program)
    for index, spec in enumerate(specs):
        try:
            item_create(
                actor=actor, program=program, spec=spec, position=start + index,
                with_program=True,
            )  # fmt: skip
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"items.{index}.{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def program_save_as_template(
    *,
    actor: User,
    program: Program,
    name: str,
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> Program:
    """Copy the program's current items, weekdays and reminder time into a new clinic
    template, once per ``client_id`` (a double click makes one template, and one audit
    entry). A caller who may no longer change the program (its patient handed over to a
    colleague since the request's own check) is a 404 and no template is made.

    Copying a patient's program is audited on the patient, in this transaction
    (``template_saved_audit``); a template copied from a template is not, as no write of a
    template is: templates hold no patient data."""
    name = validate_name(name)
    asked = request_print(client_id, program=program, name=name)

    def create() -> Program:
        # The copy takes the program's notes and its items' notes, written for the patient:
        # read under the program's lock, after asking again whether they are still the
        # caller's (lock_program_if_editable reads the program again). An archived patient's
        # program may be copied: the copy changes nothing of theirs.
        lock_program_if_editable(program=program, actor=actor, archived_ok=True)
        template = Program.objects.create(
            clinic_id=program.clinic_id,
            created_by=actor,
            name=name,
            notes=program.notes,
            is_template=True,
            weekdays=program.weekdays,
            reminder_time=program.reminder_time,
            client_id=client_id,
            client_request=asked,
        )
        copy_items(source=program, target=template)
        template_saved_audit(actor=actor, program=program, template=template, request=request)
        return template

    return create_once(
        Program, client_id, create, same=lambda first: _same_owner(first, actor, None),
        asked=asked,
    )  # fmt: skip


def template_saved_audit(
    *, actor: User, program: Program, template: Program, request: HttpRequest | None
) -> None:
    """The patient's entry for their program copied into a clinic template: an export, as
    the handout's is (the program's notes and its items' notes, written for the patient,
    are now read by every colleague in the template), naming the template it made. Not
    ``program_audit``: the patient's program did not change, so their Today stays cached."""
    if program.patient_id is not None:
        audit_record(
            actor=actor, action=Action.EXPORT, patient=program.patient, target=program,
            detail=detail_fit([template_saved(template)]), request=request,
        )  # fmt: skip
