from datetime import date

import pytest

from tests.factories import ExerciseItemFactory, ProgramFactory


@pytest.fixture
def item(patient_a):
    """A per-side item (2 sets of 10) of patient A's program, started on 1 February."""
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
    return ExerciseItemFactory(program=program, sets=2, reps=10, per_side=True)
