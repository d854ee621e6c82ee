"""A clinic's own exercise whose hip movements were never recorded cannot be checked against
a patient's hip precautions: while they are in force it needs the therapist's override reason,
like a conflict (when in doubt, the app holds back and asks the therapist)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from apps.exercises.loading import library_load
from apps.exercises.models import Exercise
from apps.patients.precautions import precaution_set
from apps.programs.assign_services import program_assign
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.levels import set_level
from apps.programs.precautions import conflicts
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
NOT_RECORDED = "its hip movements are not recorded"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 3, 1))


@pytest.fixture
def squat(therapist_a):
    return ExerciseFactory(name="Deep squat", clinic=therapist_a.clinic, hip_movements=[])


@pytest.fixture
def posterior(patient_a, therapist_a):
    return precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip


def test_the_builder_refuses_an_unrecorded_exercise_without_a_reason(
    therapist_a, program, squat, posterior
):
    url = f"/programs/{program.public_id}/items/add-exercise/"
    response = signed_in(therapist_a).post(
        url, {"exercise": squat.public_id}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert f"Deep squat: {NOT_RECORDED}" in response.text
    assert "Hip movements" in response.text  # where to record them
    assert not program.items.exists()


def test_the_builder_adds_it_with_a_reason_and_today_shows_it(
    therapist_a, patient_a, program, squat, posterior
):
    item = program_item_add(
        actor=therapist_a, program=program,
        spec=ItemSpec(exercise=squat, precaution_override="Surgeon cleared a chair squat"),
    )  # fmt: skip
    assert item.precaution_override == "Surgeon cleared a chair squat"
    assert item.precaution_override_covers
    assert "Deep squat" in signed_in(patient_a.user).get("/today/").text


def test_today_holds_back_an_unrecorded_exercise_added_before_the_precautions(
    therapist_a, patient_a, program, squat, posterior
):
    ExerciseItemFactory(program=program, exercise=squat)
    assert "Deep squat" not in signed_in(patient_a.user).get("/today/").text
    builder = signed_in(therapist_a).get(f"/programs/{program.public_id}/").text
    assert "Hidden from the patient" in builder
    assert NOT_RECORDED in builder


def test_without_precautions_an_unrecorded_exercise_needs_no_reason(therapist_a, program, squat):
    item = program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=squat))
    assert item.precaution_override == ""


def test_assigning_a_template_holding_one_needs_a_reason(therapist_a, patient_a, squat, posterior):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    ExerciseItemFactory(program=template, exercise=squat)
    with pytest.raises(ValidationError, match=NOT_RECORDED):
        program_assign(actor=therapist_a, program=template, patient=patient_a)
    copy = program_assign(
        actor=therapist_a, program=template, patient=patient_a, precaution_override="Checked"
    )
    assert copy.items.get().precaution_override == "Checked"


def test_a_level_change_to_an_unrecorded_exercise_needs_a_reason(
    therapist_a, program, squat, posterior
):
    ladder = LadderFactory(levels=2)
    ladder.levels.filter(level=2).update(exercise=squat)
    item = LadderItemFactory(program=program, ladder=ladder, current_level=1)
    with pytest.raises(ValidationError, match=NOT_RECORDED):
        set_level(item=item, to_level=2, changed_by=therapist_a, reason="Ready")
    set_level(
        item=item, to_level=2, changed_by=therapist_a, reason="Ready",
        precaution_override="Checked the squat depth",
    )  # fmt: skip
    item.refresh_from_db()
    assert item.current_level == 2


def test_an_exercise_with_its_movements_recorded_is_checked_by_them(therapist_a, posterior):
    side = ExerciseFactory(clinic=therapist_a.clinic, hip_movements=["external_rotation"])
    assert conflicts(side, [posterior]) == []


def test_no_library_exercise_is_taken_as_unrecorded(db, posterior):
    """Library exercises come with their movements read from their steps (movements.toml);
    one with none (the gluteal squeeze) takes the hip into none of them."""
    library_load()
    for exercise in Exercise.objects.filter(clinic=None):
        assert exercise.hip_movements_note, exercise.key
        found = conflicts(exercise, [posterior])
        assert not any(NOT_RECORDED in c.text for c in found), exercise.key


def test_the_upgrade_rebuilds_stored_totals_that_counted_an_unrecorded_exercise(
    patient_a, program, squat, posterior
):
    import importlib
    import uuid

    from django.apps import apps as django_apps
    from django.db import connection

    from apps.patients.models import Side
    from apps.programs.logs import set_log_record
    from apps.programs.models import DailyTotal

    safe = ExerciseItemFactory(program=program, sets=2, per_side=False)
    ExerciseItemFactory(program=program, exercise=squat, sets=3, per_side=False)
    today = patient_a.local_today()
    set_log_record(
        patient=patient_a, item=safe, client_id=uuid.uuid4(), performed_on=today,
        side=Side.BOTH, pain=1, reps=10,
    )  # fmt: skip
    # As stored before the rule: the squat was expected of her.
    DailyTotal.objects.filter(patient=patient_a, day=today).update(prescribed=5)

    # The upgrade: 0021 (which once rebuilt them too early) empties the totals, and the last
    # migration rebuilds a table it finds empty.
    emptied = importlib.import_module(
        "apps.programs.migrations.0021_daily_totals_unrecorded_movements"
    )
    rebuilt = importlib.import_module("apps.programs.migrations.0025_daily_totals_rebuild")
    with connection.schema_editor() as editor:
        emptied.totals_need_rebuilding(django_apps, editor)
        rebuilt.rebuild(django_apps, editor)

    assert DailyTotal.objects.get(patient=patient_a, day=today).prescribed == 2
