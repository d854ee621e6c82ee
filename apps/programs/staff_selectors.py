"""Reads for the staff's program pages and the program API: the programs a user may read or
change (from ``visible_to`` and ``editable_by``, so another clinic's is a 404), the program
list, a program's current items, and a ladder item and its levels."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, QuerySet

from apps.clinics.access import get_for_staff
from apps.clinics.models import User
from apps.exercises.models import LadderLevel
from apps.programs.models import Program, ProgramItem
from apps.programs.rows import patient_today


def programs_for_reading(*, user: User) -> QuerySet[Program]:
    """The clinic's templates and patients' programs ``user`` may read."""
    return Program.objects.visible_to(user).select_related("patient", "clinic")


def programs_for_change(*, user: User) -> QuerySet[Program]:
    """The programs ``user`` may change: the clinic's templates, and the programs of the
    patients ``user`` may edit."""
    return Program.objects.editable_by(user).select_related("patient", "clinic")


def program_list(*, user: User, everyone: bool) -> tuple[QuerySet[Program], QuerySet[Program]]:
    """The program list page: the clinic's templates (with their item counts) and the
    assigned programs, newest change first (only the user's own patients' unless
    ``everyone``)."""
    visible = Program.objects.visible_to(user)
    templates = visible.templates().annotate(item_count=Count("items")).order_by("name")
    recent = visible.assigned().select_related("patient", "created_by").order_by("-updated_at")
    if not everyone:
        recent = recent.filter(patient__therapist=user)
    return templates, recent


def program_current_items(*, program: Program) -> QuerySet[ProgramItem]:
    """The program's items as the therapist edits them from its patient's today (a
    template: today's), one row per track (``ProgramItemQuerySet.for_editing``)."""
    return program.items.for_editing(on=patient_today(program))


def ladder_item_levels(*, item: ProgramItem) -> QuerySet[LadderLevel]:
    return LadderLevel.objects.filter(ladder=item.ladder).select_related("exercise")


def ladder_item_for_staff(*, user: User, program: Program, public_id: UUID) -> ProgramItem:
    """A current ladder item of a patient's program (the level page and its API): anything
    else, a plain item or a template's, is a 404 like an unknown one."""
    current = program_current_items(program=program).select_related("ladder")
    if program.patient_id is None:
        current = current.none()
    return get_for_staff(user, current.filter(ladder__isnull=False), public_id)
