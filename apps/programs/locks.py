"""The locks every writer of a program takes first, in one order (the patient's row, or a
template's own row; then an item's), so two writers of the same program wait for each other
instead of deadlocking or writing over each other's change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from apps.patients.services import patient_row_lock
from apps.programs.models import Program, ProgramItem

if TYPE_CHECKING:
    from apps.clinics.models import User


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


def lock_program_if_editable(*, program: Program, actor: User) -> None:
    """Lock the program (``lock_program``) and read it again, if ``actor`` may still change
    it; else a 404. A request's access check and its copy of the program are from its first
    read: a change committed since (another field edited, the patient moved to a colleague)
    is kept by a caller that changes only the fields it was sent."""
    lock_program(program)
    if not Program.objects.editable_by(actor).filter(pk=program.pk).exists():
        raise Http404
    program.refresh_from_db(from_queryset=Program.objects.select_related("patient", "clinic"))


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
