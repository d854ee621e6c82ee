"""Doses that rise toward the goal: a fixed number, a range (10 to 20), or "to fatigue, up to
N"; their wording for the therapist and the patient, where the patient's control starts, the
library's defaults against the clinical notes, and bad input."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from apps.exercises.loading import library_load
from apps.exercises.models import Exercise, Ladder
from apps.programs.doses import (
    dose_summary,
    log_target,
    patient_amount,
    patient_dose,
    prescribed_by,
)
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.logs import set_log_record
from apps.programs.models import ProgramItem, SetLog
from apps.programs.starter_services import starter_item_specs
from apps.programs.starters import starter_by_key
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 3, 3)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))


def _item(**dose):
    values = {"sets": 2, "per_side": True, "rest_seconds": 60} | dose
    return ProgramItem(**values)


# --- Wording -------------------------------------------------------------------------------


def test_a_fixed_dose_reads_as_a_number():
    item = _item(reps=10)
    assert dose_summary(item) == "2 sets of 10 reps per side, rest 60 s"
    assert patient_dose(item) == "2 sets of 10 reps on each side · rest 60 s between sets"


def test_a_range_reads_as_rising_toward_its_top():
    item = _item(reps=10, reps_up_to=20)
    assert dose_summary(item) == "2 sets of 10\N{EN DASH}20 reps per side, rest 60 s"
    assert patient_dose(item) == (
        "2 sets of 10 to 20 reps on each side, building up toward 20 · rest 60 s between sets"
    )


def test_a_hold_range_reads_in_seconds():
    item = _item(sets=1, hold_seconds=20, hold_up_to=30)
    assert dose_summary(item) == "1 set of 20\N{EN DASH}30-second holds per side, rest 60 s"
    assert patient_dose(item).startswith("1 set of a 20- to 30-second hold on each side")


def test_to_fatigue_reads_as_repeat_until_the_muscle_tires_with_its_cap_and_hold():
    item = _item(sets=1, to_fatigue=True, reps_up_to=15, rep_hold_seconds=5)
    assert dose_summary(item) == (
        "1 set per side to fatigue, up to 15 reps, holding each 5 s, rest 60 s"
    )
    assert patient_dose(item) == (
        "1 set on each side: repeat until the muscle tires, up to 15, holding each 5 s. Stop "
        "when your form slips · rest 60 s between sets"
    )


# --- What one tap logs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "best", "expected"),
    [
        ({"reps": 10}, 18, 10),  # fixed: the prescription
        ({"reps": 10, "reps_up_to": 20}, None, 10),  # a range, no history: its low end
        ({"reps": 10, "reps_up_to": 20}, 16, 16),  # the patient's best recent count
        ({"reps": 10, "reps_up_to": 20}, 25, 20),  # never above the top
        ({"reps": 10, "reps_up_to": 20}, 6, 10),  # never below the low end
        ({"to_fatigue": True}, None, None),  # to fatigue, first time: the patient counts
        ({"to_fatigue": True}, 14, 14),
        ({"to_fatigue": True, "reps_up_to": 12}, 14, 12),
        ({"hold_seconds": 20, "hold_up_to": 30}, 26, 26),
    ],
)
def test_the_control_starts_where_the_dose_says(dose, best, expected):
    assert log_target(_item(**dose), best) == expected


@pytest.mark.parametrize(
    ("kept", "words"),
    [
        ({"target_reps": 10, "target_reps_up_to": 20}, "2 sets of 10 to 20 reps on each side"),
        (
            {"target_hold_seconds": 20, "target_hold_up_to": 30},
            "2 sets of a 20- to 30-second hold on each side",
        ),
        ({"target_reps_up_to": 15}, "2 sets on each side: repeat until the muscle tires, up to 15"),
    ],
)
def test_a_set_is_worded_by_the_dose_it_kept_a_hold_as_a_hold(kept, words):
    # DESIGN.md: logs keep what was prescribed at the time; only a log with neither reps nor
    # a hold was prescribed to fatigue.
    log = SetLog(target_sets=2, target_per_side=True, **kept)
    assert patient_amount(prescribed_by(log)).startswith(words)


def _log(item, reps, day):
    return set_log_record(
        patient=item.program.patient, item=item, client_id=uuid.uuid4(), performed_on=day,
        side="left", reps=reps, pain=2,
    )  # fmt: skip


def test_today_starts_a_range_at_the_best_recent_count(patient_a, program):
    item = ExerciseItemFactory(program=program, reps=10, reps_up_to=20)
    _log(item, 14, TODAY - timedelta(days=2))
    client = signed_in(patient_a.user)
    html = client.get("/today/").text
    assert "2 sets of 10 to 20 reps on each side, building up toward 20" in html
    assert f'id="reps-{item.public_id}" name="reps" value="14"' in html
    (planned,) = client.get("/api/v1/me/today/").json()["items"]
    assert (planned["reps"], planned["reps_up_to"], planned["log_amount"]) == (10, 20, 14)


def test_today_starts_a_dose_to_fatigue_empty_then_at_the_best_count(patient_a, program):
    item = ExerciseItemFactory(
        program=program, sets=1, reps=None, to_fatigue=True, rep_hold_seconds=5
    )
    client = signed_in(patient_a.user)
    html = client.get("/today/").text
    assert "repeat until the muscle tires, holding each 5 s" in html
    assert f'id="reps-{item.public_id}" name="reps" value=""' in html
    assert client.get("/api/v1/me/today/").json()["items"][0]["log_amount"] is None
    _log(item, 17, TODAY - timedelta(days=1))
    html = client.get("/today/").text
    assert f'id="reps-{item.public_id}" name="reps" value="17"' in html
    # The patient logs the count they did: reps, not seconds.
    log, _ = _log(item, 18, TODAY)
    assert (log.reps, log.target_reps, log.target_hold_seconds) == (18, None, None)


def test_a_dose_to_fatigue_whose_best_was_no_rep_starts_empty_not_at_zero(patient_a, program):
    # One tap must never log a set of nothing: the patient enters the count they did.
    item = ExerciseItemFactory(
        program=program, sets=1, reps=None, to_fatigue=True, rep_hold_seconds=5
    )
    _log(item, 0, TODAY - timedelta(days=1))
    client = signed_in(patient_a.user)

    assert f'id="reps-{item.public_id}" name="reps" value=""' in client.get("/today/").text
    assert client.get("/api/v1/me/today/").json()["items"][0]["log_amount"] is None


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "field"),
    [
        ({"reps": 20, "reps_up_to": 10}, "reps_up_to"),
        ({"reps": 10, "reps_up_to": 10}, "reps_up_to"),
        ({"reps": 0}, "reps"),
        ({"reps": -3}, "reps"),
        ({"reps": 10, "reps_up_to": -1}, "reps_up_to"),
        ({"reps": None, "hold_seconds": 30, "hold_up_to": 20}, "hold_up_to"),
        ({"reps": None, "to_fatigue": True, "reps_up_to": 0}, "reps_up_to"),
        ({"reps": 10, "to_fatigue": True}, "to_fatigue"),
        ({"reps": None, "to_fatigue": True, "rep_hold_seconds": 0}, "rep_hold_seconds"),
    ],
)
def test_the_api_refuses_a_bad_dose_with_a_400_naming_it(therapist_a, program, dose, field):
    exercise = ExerciseFactory()
    response = signed_in(therapist_a).post(
        f"/api/v1/programs/{program.public_id}/items/create/",
        {"exercise": str(exercise.public_id)} | dose,
        **JSON,
    )
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not program.items.exists()


def test_the_builder_shows_a_form_error_for_a_range_upside_down(therapist_a, program):
    item = ExerciseItemFactory(program=program, reps=10)
    response = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/items/{item.public_id}/",
        {"sets": 2, "reps": 20, "reps_up_to": 12, "rest_seconds": 60, "per_side": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "The top of the range (12) must be above its low end (20)" in response.text
    item.refresh_from_db()
    assert (item.reps, item.reps_up_to) == (10, None)


def test_the_builder_saves_a_range_and_a_dose_to_fatigue(therapist_a, program):
    item = ExerciseItemFactory(program=program, reps=10)
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/items/{item.public_id}/"
    base = {"sets": 2, "rest_seconds": 60, "per_side": "on"}
    assert client.post(url, base | {"reps": 10, "reps_up_to": 20}).status_code == 302
    current = program.items.current(on=TODAY).get()
    assert (current.reps, current.reps_up_to) == (10, 20)
    url = f"/programs/{program.public_id}/items/{current.public_id}/"
    fatigue = base | {"to_fatigue": "on", "reps_up_to": 15, "rep_hold_seconds": 5}
    assert client.post(url, fatigue).status_code == 302
    current = program.items.current(on=TODAY).get()
    assert (current.to_fatigue, current.reps, current.reps_up_to) == (True, None, 15)


# --- The library's defaults and the starters ----------------------------------------------

# CLINICAL.md's default doses: (sets, reps, reps up to, hold, hold up to, to fatigue, hold in
# each rep, per side). Where it gives a range of sets ("2-3 sets") the low end is the default.
CLINICAL_DOSES = {
    "clam-1": (2, 10, 20, None, None, False, None, True),
    "clam-2": (2, 10, 20, None, None, False, None, True),
    "clam-3": (2, 10, 20, None, None, False, None, True),
    "clam-4": (2, 10, 20, None, None, False, None, True),
    "windshield-wiper-stretch": (1, None, None, 20, 30, False, None, True),
    "side-lying-hip-abduction": (2, 10, None, None, None, False, None, True),
    "side-plank-abduction-dominant-bottom": (2, 8, None, None, None, False, None, True),
    "side-plank-abduction-dominant-top": (2, 8, None, None, None, False, None, True),
    "single-limb-squat": (2, 8, None, None, None, False, None, True),
    "front-plank-hip-extension": (2, 8, None, None, None, False, None, True),
    "gluteal-squeeze": (5, None, None, 5, None, False, None, False),
    "lateral-step-up": (2, 10, None, None, None, False, None, True),
    "pelvic-drop": (2, 10, None, None, None, False, None, True),
    "single-limb-bridge": (2, 8, None, None, None, False, None, True),
    "single-limb-deadlift": (2, 8, None, None, None, False, None, True),
    "single-leg-rdl-reach": (2, 8, 10, None, None, False, None, True),
    "squat-with-rotation": (2, 8, 10, None, None, False, None, True),
    "fire-hydrant": (2, 8, 10, None, None, False, None, True),
    "lateral-lunge-single-leg-reach": (2, 4, 6, None, None, False, None, True),
    "extreme-clamshell": (1, None, None, None, None, True, 5, True),
    "wall-tap-hip-hinge": (1, None, None, None, None, True, 1, True),
}
FIELDS = (
    "default_sets", "default_reps", "default_reps_up_to", "default_hold_seconds",
    "default_hold_up_to", "default_to_fatigue", "default_rep_hold_seconds", "per_side",
)  # fmt: skip


def test_every_library_default_dose_matches_the_clinical_notes(db):
    library_load()
    found = {
        row[0]: tuple(row[1:])
        for row in Exercise.objects.filter(clinic=None, key__in=CLINICAL_DOSES).values_list(
            "key", *FIELDS
        )
    }
    assert found == CLINICAL_DOSES


def test_the_rest_ranges_start_at_their_low_end(db):
    library_load()
    rests = dict(Exercise.objects.filter(clinic=None).values_list("key", "default_rest_seconds"))
    assert rests["single-leg-rdl-reach"] == 30
    assert rests["lateral-lunge-single-leg-reach"] == 60


def test_a_clamshell_ladder_item_takes_the_rising_default_dose(therapist_a, program):
    library_load()
    ladder = Ladder.objects.get(clinic=None, key="clamshell-boren-2011")
    item = program_item_add(
        actor=therapist_a, program=program, spec=ItemSpec(ladder=ladder, level=1)
    )
    assert (item.reps, item.reps_up_to, item.to_fatigue) == (10, 20, False)


def test_the_wall_tap_hip_hinge_is_added_to_fatigue_by_default(therapist_a, program):
    library_load()
    wall_tap = Exercise.objects.get(clinic=None, key="wall-tap-hip-hinge")
    item = program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=wall_tap))
    assert (item.to_fatigue, item.reps, item.hold_seconds, item.rep_hold_seconds) == (
        True, None, None, 1,
    )  # fmt: skip


def test_the_windshield_wiper_stretch_is_added_as_its_20_to_30_second_hold(therapist_a, program):
    # CLINICAL.md: "Hold 20-30 s per side".
    library_load()
    wiper = Exercise.objects.get(clinic=None, key="windshield-wiper-stretch")
    item = program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=wiper))
    assert (item.hold_seconds, item.hold_up_to, item.reps, item.to_fatigue) == (20, 30, None, False)


def test_a_clinic_exercise_to_fatigue_up_to_n_is_added_with_its_cap(therapist_a, program):
    # DESIGN.md: a dose may be "to fatigue, up to N".
    capped = ExerciseFactory(
        clinic=therapist_a.clinic, default_to_fatigue=True, default_reps=None,
        default_reps_up_to=15,
    )  # fmt: skip
    item = program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=capped))
    assert (item.to_fatigue, item.reps_up_to, item.reps) == (True, 15, None)


def test_starters_map_their_ranges_and_fatigue_onto_the_dose_model(db):
    library_load()
    clam = starter_item_specs(starter_by_key("clamshell-progression"))[0]
    assert (clam.reps, clam.reps_up_to) == (10, 20)
    wiper = starter_item_specs(starter_by_key("reverse-clamshell"))[0]
    assert (wiper.hold_seconds, wiper.hold_up_to) == (20, 30)
    frog, wall_tap = starter_item_specs(starter_by_key("pelvic-rotation"))
    assert (frog.to_fatigue, frog.reps_up_to, frog.rep_hold_seconds) == (True, None, 5)
    assert (wall_tap.to_fatigue, wall_tap.hold_seconds, wall_tap.rep_hold_seconds) == (
        True, None, 1,
    )  # fmt: skip


def test_a_clinic_exercise_refuses_a_default_range_upside_down(therapist_a):
    from apps.exercises.services import ExerciseContent, exercise_create

    content = ExerciseContent(
        name="Step", position="standing", movement="step", default_reps=12, default_reps_up_to=8
    )
    with pytest.raises(ValidationError) as caught:
        exercise_create(user=therapist_a, content=content)
    assert "default_reps_up_to" in caught.value.message_dict
