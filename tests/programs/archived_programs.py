"""An archived (discharged) patient's programs, for the tests that every writer refuses to
change them: the patient's running program with an exercise and a ladder item, their draft,
a clinic template, a prompt left open, and what each writer could have changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.exercises.models import Exercise
from apps.patients.models import Patient
from apps.programs.models import LevelChange, Program, ProgramItem, ProgressionPrompt
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    ProgramFactory,
    TemplateProgramFactory,
)
from tests.notifications.conftest import make_prompt


@dataclass
class Record:
    """A patient's programs, as each writer finds them."""

    patient: Patient
    program: Program
    exercise_item: ProgramItem
    ladder_item: ProgramItem
    draft: Program
    template: Program
    prompt: ProgressionPrompt
    exercise: Exercise  # one the library offers to add


def a_record(patient: Patient) -> Record:
    today = patient.local_today()
    program: Program = ProgramFactory(patient=patient, start_date=today - timedelta(days=7))
    exercise_item: ProgramItem = ExerciseItemFactory(program=program, position=0)
    ladder_item: ProgramItem = LadderItemFactory(program=program, position=1, ladder__levels=4)
    draft: Program = ProgramFactory(patient=patient, start_date=today, is_active=False)
    template: Program = TemplateProgramFactory(clinic=patient.clinic, name="Knee-safe hips")
    exercise: Exercise = ExerciseFactory(name="Bridge")
    return Record(
        patient=patient, program=program, exercise_item=exercise_item, ladder_item=ladder_item,
        draft=draft, template=template, prompt=make_prompt(patient), exercise=exercise,
    )  # fmt: skip


def archived_as_before_closing(patient: Patient) -> None:
    """Archived with a prompt still open: archiving closes them now, but ones left from
    before closing existed stay open until the daily job (``prompts_close_stale``)."""
    Patient.objects.filter(pk=patient.pk).update(archived_at=timezone.now())


def state(patient: Patient) -> tuple[Any, ...]:
    """Everything of the patient's programs a writer could change, and the audit log."""
    programs = Program.objects.filter(patient=patient).order_by("pk")
    items = ProgramItem.objects.filter(program__patient=patient).order_by("pk")
    prompts = ProgressionPrompt.objects.filter(patient=patient).order_by("pk")
    return (
        list(programs.values()),
        list(items.values()),
        list(prompts.values("status", "decided_by", "snoozed_until", "decision_reason")),
        LevelChange.objects.count(),
        Program.objects.count(),
        AuditEntry.objects.count(),
    )
