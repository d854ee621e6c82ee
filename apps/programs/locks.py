"""The locks every writer of a program takes first, in one order (the patient's row, or a
template's own row; then an item's), so two writers of the same program wait for each other
instead of deadlocking or writing over each other's change.

They also keep an archived (discharged) patient's programs as they were: each refuses a
change to them (``PATIENT_ARCHIVED``, a 400) once it holds the patient's lock, which
archiving takes too, so a patient archived while the request waited is refused as well."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.http import Http404

from apps.patients.services import patient_lock_if_still_editable, patient_row_lock
from apps.programs.models import Program, ProgramItem

if TYPE_CHECKING:
    from apps.clinics.models import User
    from apps.patients.models import Patient

# A 400 (not a 404: the program is theirs to read) that says what to do.
PATIENT_ARCHIVED = "This patient is archived; restore them to change their program."


def lock_patient_of(program: Program) -> int | None:
    """Take the lock of the program's patient (``patient_row_lock``) before anything else, as
    approving a prompt does; the patient's id, or None for a template."""
    if program.patient_id is not None:
        patient_row_lock(patient_id=program.patient_id)
    return program.patient_id


def lock_program(program: Program) -> None:
    """Take what every writer of the program's own row takes first, until the caller's
    transaction ends: its patient's lock (``lock_patient_of``), or a template's own row."""
    if lock_patient_of(program) is None:
        list(Program.objects.select_for_update(no_key=True).filter(pk=program.pk).values("pk"))


def lock_program_if_editable(*, program: Program, actor: User, archived_ok: bool = False) -> None:
    """Lock the program (``lock_program``) and read it again, if ``actor`` may still change
    it; else a 404. A request's access check and its copy of the program are from its first
    read: a change committed since (another field edited, the patient moved to a colleague,
    the patient archived) is kept by a caller that changes only the fields it was sent.

    A program of an archived patient is then refused (``refuse_if_archived``) unless
    ``archived_ok``: for a caller that only reads it (Save as template), or that has a
    better reason to give first (a prompt already closed)."""
    lock_program(program)
    if not Program.objects.editable_by(actor).filter(pk=program.pk).exists():
        raise Http404
    program.refresh_from_db(from_queryset=Program.objects.select_related("patient", "clinic"))
    if not archived_ok:
        refuse_if_archived(program.patient)


def refuse_if_archived(patient: Patient | None) -> None:
    """Refuse a change to the programs of ``patient`` (None: a template's, never refused)
    while they are archived: a discharged patient's record stays as it was until they are
    restored. Read under the patient's lock by the callers, as archiving takes it."""
    if patient is not None and patient.archived_at is not None:
        raise ValidationError(PATIENT_ARCHIVED)


def lock_patient_if_editable(*, patient: Patient, actor: User) -> None:
    """For a writer that gives ``patient`` a new program (create, assign): the patient's lock
    and access check (``patient_lock_if_still_editable``: a 404 for a patient handed over
    since), then an archived patient refused, naming ``patient``."""
    patient_lock_if_still_editable(patient, actor)
    if patient.archived_at is not None:
        raise ValidationError({"patient": PATIENT_ARCHIVED})


def lock_item_if_editable(*, item: ProgramItem, actor: User) -> ProgramItem:
    """The program's lock and access check (``lock_program_if_editable``), then ``item`` read
    again with its row locked; a 404 when it is gone meanwhile (removed alone or with its
    program), as an item the request could not find.

    The program's lock comes before the item's, as approving a prompt and a hand-over take
    the patient's first: the other way round each waited for the other (the item here, the
    audit log there). A template, which no hand-over touches, takes its own row instead."""
    lock_program_if_editable(program=item.program, actor=actor)
    found = (
        ProgramItem.objects.select_for_update(of=("self",))
        .select_related("program__patient", "exercise", "ladder")  # named in the audit entry
        .filter(pk=item.pk)
        .first()
    )
    if found is None:
        raise Http404
    return found
