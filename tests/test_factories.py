import pytest

from tests.factories import ExerciseItemFactory, LadderItemFactory


@pytest.mark.django_db
def test_program_factories_build_a_consistent_clinic():
    ladder_item = LadderItemFactory()
    item = ExerciseItemFactory(program=ladder_item.program)

    program = item.program
    assert program.patient.clinic == program.clinic == program.created_by.clinic
    assert ladder_item.ladder.levels.count() == 4
    assert program.is_scheduled_on(program.start_date)
