"""A library ladder's item on a patient's week-old program, for the tests of level changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from apps.exercises.models import Ladder
from apps.programs.models import ProgramItem
from tests.factories import ProgramFactory


def library_ladder_item(
    patient: Any, ladder_key: str, *, per_side: bool = True, **dose: Any
) -> ProgramItem:
    """The library's ``ladder_key`` at level 1 (each side unless ``per_side`` is False), with
    ``dose``, on a program that started a week ago (the library must be loaded)."""
    program = ProgramFactory(patient=patient, start_date=patient.local_today() - timedelta(days=7))
    ladder = Ladder.objects.get(key=ladder_key, clinic=None)
    return ProgramItem.objects.create(
        program=program, ladder=ladder, current_level=1, per_side=per_side, **dose
    )
