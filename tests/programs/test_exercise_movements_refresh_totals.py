"""Changing an exercise's hip movements changes what it prescribes to patients with hip
precautions (held back, or no longer), so the stored daily totals of every patient using it,
on its own or as a ladder level, are rebuilt in the same transaction as the edit."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from apps.exercises.services import exercise_update
from apps.patients.precautions import precaution_set
from apps.programs.daily_totals import daily_totals_rebuild
from tests.conftest import signed_in
from tests.exercises.test_clinic_library import NEW_EXERCISE, content
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
DAY = date(2026, 3, 8)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def turn(therapist_a):
    """A clinic exercise first recorded as turning the hip outward (no posterior conflict)."""
    return ExerciseFactory(
        name="Knee turn", clinic=therapist_a.clinic, hip_movements=["external_rotation"]
    )


def _patient_doing(therapist, item_for):
    """A patient under posterior precautions with a safe item and ``item_for(program)``, a
    set of each logged on DAY, the stored totals as the services keep them."""
    patient = PatientFactory(therapist=therapist)
    program = ProgramFactory(patient=patient, start_date=date(2026, 3, 1))
    safe = ExerciseItemFactory(program=program, per_side=False, sets=2)
    other = item_for(program)
    for item in (safe, other):
        SetLogFactory(item=item, performed_on=DAY, reps=10)
    precaution_set(
        actor=therapist, patient=patient, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip
    daily_totals_rebuild(patient_ids=[patient.pk])
    return patient


def _prescribed(patient) -> int:
    return patient.daily_totals.get(day=DAY).prescribed


def _rebuilt_changes_nothing(patient) -> None:
    stored = list(patient.daily_totals.values_list("day", "prescribed", "completed"))
    daily_totals_rebuild(patient_ids=[patient.pk])
    assert list(patient.daily_totals.values_list("day", "prescribed", "completed")) == stored


def test_ticking_a_conflicting_movement_takes_the_exercise_out_of_the_stored_totals(
    therapist_a, turn
):
    single = _patient_doing(
        therapist_a,
        lambda p: ExerciseItemFactory(program=p, exercise=turn, per_side=False, sets=3),
    )
    assert _prescribed(single) == 5  # 2 safe + 3 of the turn

    exercise_update(
        user=therapist_a, exercise=turn, content=content(hip_movements=["internal_rotation"])
    )

    assert _prescribed(single) == 2  # the turn is now held back
    _rebuilt_changes_nothing(single)


def test_a_patient_on_a_ladder_with_the_exercise_as_a_level_is_rebuilt_too(therapist_a, turn):
    ladder = LadderFactory(levels=2)
    ladder.levels.filter(level=2).update(exercise=turn)
    on_ladder = _patient_doing(
        therapist_a,
        lambda p: LadderItemFactory(
            program=p, ladder=ladder, current_level=2, per_side=False, sets=3
        ),
    )
    assert _prescribed(on_ladder) == 5

    exercise_update(
        user=therapist_a, exercise=turn, content=content(hip_movements=["internal_rotation"])
    )

    assert _prescribed(on_ladder) == 2
    _rebuilt_changes_nothing(on_ladder)


def test_recording_none_of_these_movements_brings_it_back(therapist_a):
    blank = ExerciseFactory(name="Squeeze", clinic=therapist_a.clinic, hip_movements=[])
    patient = _patient_doing(
        therapist_a,
        lambda p: ExerciseItemFactory(program=p, exercise=blank, per_side=False, sets=3),
    )
    assert _prescribed(patient) == 2  # not recorded: held back

    exercise_update(user=therapist_a, exercise=blank, content=content(hip_movements_none=True))

    assert _prescribed(patient) == 5
    _rebuilt_changes_nothing(patient)


def test_the_edit_page_rebuilds_them(therapist_a, turn):
    patient = _patient_doing(
        therapist_a,
        lambda p: ExerciseItemFactory(program=p, exercise=turn, per_side=False, sets=3),
    )
    data = {**NEW_EXERCISE, "hip_movements": ["internal_rotation"]}

    url = reverse("exercises:edit", args=[turn.public_id])
    assert signed_in(therapist_a).post(url, data).status_code == 302

    assert _prescribed(patient) == 2


def test_an_edit_that_leaves_the_movements_alone_rebuilds_nobody(
    therapist_a, turn, django_assert_max_num_queries
):
    _patient_doing(
        therapist_a,
        lambda p: ExerciseItemFactory(program=p, exercise=turn, per_side=False, sets=3),
    )
    same = content(name="Knee turn, renamed", hip_movements=["external_rotation"])

    with django_assert_max_num_queries(4):  # savepoint, the update, the Today bump, release
        exercise_update(user=therapist_a, exercise=turn, content=same)


def test_a_corrected_reading_in_the_library_files_rebuilds_them(therapist_a, tmp_path):
    import shutil

    from apps.exercises.loading import DATA_DIR, library_load
    from apps.exercises.models import Exercise

    library_load()
    clam = Exercise.objects.get(clinic=None, key="clam-1")
    patient = _patient_doing(
        therapist_a,
        lambda p: ExerciseItemFactory(program=p, exercise=clam, per_side=False, sets=3),
    )
    assert _prescribed(patient) == 5
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    movements = (data / "movements.toml").read_text(encoding="utf-8")
    clam_1 = movements.index("[clam-1]")
    line = movements.index("movements = ", clam_1)
    end = movements.index("\n", line)
    corrected = 'movements = ["external_rotation", "internal_rotation"]'
    (data / "movements.toml").write_text(
        movements[:line] + corrected + movements[end:], encoding="utf-8"
    )

    library_load(data_dir=data)

    assert _prescribed(patient) == 2
    _rebuilt_changes_nothing(patient)


def test_an_operators_change_in_django_admin_rebuilds_them(therapist_a, turn):
    import json

    from django.forms.models import model_to_dict

    from apps.clinics.models import User

    patient = _patient_doing(
        therapist_a,
        lambda p: ExerciseItemFactory(program=p, exercise=turn, per_side=False, sets=3),
    )
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    values = model_to_dict(turn) | {"hip_movements": ["internal_rotation"]}
    data = {
        name: json.dumps(value) if isinstance(value, list) else value
        for name, value in values.items()
        if value not in (None, False, "") and name not in ("id", "image")
    }
    data |= {name: "on" for name, value in values.items() if value is True}
    data |= {f"evidence-{n}": "0" for n in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")}
    data["evidence-MAX_NUM_FORMS"] = "1000"

    url = f"/ops/admin/exercises/exercise/{turn.pk}/change/"
    response = signed_in(operator).post(url, data)

    assert response.status_code == 302, response.text[:3000]
    assert _prescribed(patient) == 2
