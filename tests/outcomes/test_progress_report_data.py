"""The progress report for the referrer: what its frozen data says about the patient's
programs, adherence and pain (the PDF and the API's JSON both show this data).

Time is frozen at Friday 14 March 2025, 12:00 UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.exercises.models import Exercise, LadderLevel
from apps.outcomes.report_selectors import report_data
from apps.patients.precautions import precaution_end, precaution_set
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.levels import set_level
from apps.programs.models import LevelChange
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
)
from tests.programs.adherence_factories import log_sets

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=ZoneInfo("UTC"))
START = date(2025, 3, 3)  # a Monday
# What making the report reads, whatever the number of programs, ladders, level changes,
# precautions and overrides (with precautions set, adherence's hold-back check reads two more).
QUERIES = 13


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_draft_program_is_not_reported_to_the_referrer(therapist_a, patient_a):
    ProgramFactory(patient=patient_a, name="Hip strength", start_date=START)
    # Built for the patient weeks earlier and never assigned: no part of their care.
    ProgramFactory(
        patient=patient_a, name="Unsent draft", notes="Draft notes", is_active=False,
        start_date=date(2025, 1, 6),
    )  # fmt: skip

    data = report_data(patient=patient_a, author=therapist_a, note="")

    assert [program["name"] for program in data["programs"]] == ["Hip strength"]
    assert data["period"] == {"start": "2025-03-03", "end": "2025-03-14"}


def test_weekly_adherence_rounds_half_up_like_every_page(therapist_a, patient_a):
    # From Saturday 8 March, 2 sets per side a day: the week of 3 March prescribes 8 units
    # (Sat and Sun) and one was done, 12.5 %: 13 on the progress page, so 13 here too.
    program = ProgramFactory(patient=patient_a, start_date=date(2025, 3, 8))
    item = ExerciseItemFactory(program=program, sets=2, per_side=True)
    log_sets(item, date(2025, 3, 8), 1, "left")

    weeks = report_data(patient=patient_a, author=therapist_a, note="")["adherence_by_week"]

    assert weeks[0] == {
        "week_of": "2025-03-03", "prescribed": 8, "completed": 1, "adherence_percent": 13,
        "through": None,
    }  # fmt: skip


def test_only_days_that_are_over_count_and_the_week_in_progress_is_marked_so_far(
    therapist_a, patient_a
):
    # Friday 14 March: today is not over, so the week of 10 March counts Monday to Thursday
    # (4 sets due, 3 done) and says so; today's set is left out until the day ends.
    program = ProgramFactory(patient=patient_a, start_date=START)
    item = ExerciseItemFactory(program=program, sets=1, per_side=False)
    for day in (10, 11, 12, 14):
        log_sets(item, date(2025, 3, day), 1)

    data = report_data(patient=patient_a, author=therapist_a, note="")

    assert data["adherence_through"] == "2025-03-13"
    assert data["adherence_by_week"] == [
        {"week_of": "2025-03-03", "prescribed": 7, "completed": 0, "adherence_percent": 0,
         "through": None},
        {"week_of": "2025-03-10", "prescribed": 4, "completed": 3, "adherence_percent": 75,
         "through": "2025-03-13"},
    ]  # fmt: skip


def test_a_week_begun_today_is_left_out_not_reported_as_0_percent(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=START)
    ExerciseItemFactory(program=program, sets=1, per_side=False)

    with time_machine.travel(datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        weeks = report_data(patient=patient_a, author=therapist_a, note="")["adherence_by_week"]

    assert [week["week_of"] for week in weeks] == ["2025-03-03"]
    assert weeks[0]["through"] is None


def test_weekly_pain_averages_every_set_alike(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=START)
    item = ExerciseItemFactory(program=program, sets=5, per_side=False)
    log_sets(item, date(2025, 3, 3), 1, pain=8)  # one painful set on Monday
    log_sets(item, date(2025, 3, 4), 9, pain=0)  # nine easy ones on Tuesday

    pain = report_data(patient=patient_a, author=therapist_a, note="")["pain_by_week"]

    # 8 / 10 sets = 0.8, not (8 + 0) / 2 days = 4.0.
    assert pain == [{"week_of": "2025-03-03", "max": 8, "mean": 0.8}]


def _clamshell():
    """A four-level ladder named as a therapist names it, its levels' exercises too."""
    ladder = LadderFactory(name="Clamshell")
    names = ["Clam", "Clamshell with band", "Clam 3", "Clam 4"]
    for rung in LadderLevel.objects.filter(ladder=ladder).select_related("exercise"):
        rung.exercise.name = names[rung.level - 1]
        rung.exercise.save(update_fields=["name"])
    return ladder


def test_each_ladder_is_named_with_its_level_out_of_all_and_the_exercise_done(
    therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a, start_date=START)
    item = LadderItemFactory(
        program=program, ladder=_clamshell(), current_level=2, previous_level=1,
        level_since=date(2025, 3, 10),
    )  # fmt: skip
    LevelChange.objects.create(
        item=item, from_level=1, to_level=2, effective_on=date(2025, 3, 10), reason="20 reps"
    )

    data = report_data(patient=patient_a, author=therapist_a, note="")

    assert data["programs"][0]["ladders"] == [
        {"ladder": "Clamshell", "level": 2, "level_count": 4,
         "exercise": "Clamshell with band", "since": "2025-03-10", "planned": None}
    ]  # fmt: skip
    assert data["level_changes"] == [
        {"ladder": "Clamshell", "from_level": 1, "from_exercise": "Clam", "to_level": 2,
         "to_exercise": "Clamshell with band", "on": "2025-03-10"}
    ]  # fmt: skip


@pytest.mark.parametrize("new_dose", [False, True], ids=["same-row", "row-from-tomorrow"])
def test_a_level_approved_today_is_planned_for_tomorrow_not_the_level_now(
    therapist_a, patient_a, new_dose
):
    ladder = _clamshell()
    if new_dose:  # level 3's exercise has another usual dose: the track goes on in a new row
        Exercise.objects.filter(ladder_levels__ladder=ladder, ladder_levels__level=3).update(
            default_reps=8
        )
    program = ProgramFactory(patient=patient_a, start_date=START)
    item = LadderItemFactory(
        program=program, ladder=ladder, current_level=2, previous_level=1,
        level_since=date(2025, 3, 10),
    )  # fmt: skip
    LevelChange.objects.create(
        item=item, from_level=1, to_level=2, effective_on=date(2025, 3, 10), reason="20 reps"
    )

    set_level(item=item, to_level=3, changed_by=therapist_a, reason="20 reps reached")

    assert program.items.count() == (2 if new_dose else 1)
    data = report_data(patient=patient_a, author=therapist_a, note="")
    assert data["programs"][0]["ladders"] == [
        {"ladder": "Clamshell", "level": 2, "level_count": 4,
         "exercise": "Clamshell with band", "since": "2025-03-10",
         "planned": {"level": 3, "exercise": "Clam 3", "from": "2025-03-15"}}
    ]  # fmt: skip


POSTERIOR_UNTIL = "posterior (posterolateral) approach precautions, which lift on 12 Apr 2025"


def _posterior(therapist, patient, **dates):
    return precaution_set(
        actor=therapist, patient=patient, kind="posterior",
        starts_on=dates.get("starts_on", date(2025, 3, 1)),
        ends_on=dates.get("ends_on", date(2025, 4, 12)), note="THR 28 Feb, Mr Okafor",
    )  # fmt: skip


def test_the_hip_precautions_of_the_period_are_reported_with_their_dates(therapist_a, patient_a):
    ProgramFactory(patient=patient_a, start_date=START)
    _posterior(therapist_a, patient_a)
    # Over before the report's period began, and called off before it started: neither shown.
    _posterior(therapist_a, patient_a, starts_on=date(2024, 6, 1), ends_on=date(2024, 7, 13))
    called_off = _posterior(
        therapist_a, patient_a, starts_on=date(2025, 5, 1), ends_on=date(2025, 6, 1)
    )
    precaution_end(actor=therapist_a, precaution=called_off)

    precautions = report_data(patient=patient_a, author=therapist_a, note="")["precautions"]

    assert precautions == [
        {"kind": "Posterior (posterolateral) approach",
         "rules": "no flexion beyond 90°; no adduction across the midline; no internal rotation",
         "starts_on": "2025-03-01", "ends_on": "2025-04-12", "status": "in force",
         "note": "THR 28 Feb, Mr Okafor"}
    ]  # fmt: skip


def test_an_exercise_prescribed_despite_the_precautions_is_reported_with_the_reason(
    therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a, start_date=START, name="Hip strength")
    _posterior(therapist_a, patient_a)
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(hip_movements=["extension"]))
    reason = "Surgeon allows gentle inward rotation from week 4"
    program_item_add(
        actor=therapist_a, program=program,
        spec=ItemSpec(exercise=inward, precaution_override=reason),
    )  # fmt: skip

    overrides = report_data(patient=patient_a, author=therapist_a, note="")["overrides"]

    assert overrides == [
        {"program": "Hip strength", "exercise": "Inward turn", "ladder": None, "level": None,
         "from": None, "conflict": f"takes the hip into internal rotation ({POSTERIOR_UNTIL})",
         "reason": reason, "held_back": False}
    ]  # fmt: skip


def test_a_ladder_level_approved_despite_the_precautions_is_reported_from_its_day(
    therapist_a, patient_a
):
    ladder = _clamshell()
    Exercise.objects.filter(ladder_levels__ladder=ladder, ladder_levels__level=3).update(
        hip_movements=["internal_rotation"]
    )
    program = ProgramFactory(patient=patient_a, start_date=START, name="Hip strength")
    item = LadderItemFactory(program=program, ladder=ladder, current_level=2)
    _posterior(therapist_a, patient_a)

    set_level(
        item=item, to_level=3, changed_by=therapist_a, reason="20 reps reached",
        precaution_override="Cleared by the surgeon at 6 weeks",
    )  # fmt: skip

    overrides = report_data(patient=patient_a, author=therapist_a, note="")["overrides"]
    assert overrides == [
        {"program": "Hip strength", "exercise": "Clam 3", "ladder": "Clamshell", "level": 3,
         "from": "2025-03-15",
         "conflict": f"takes the hip into internal rotation ({POSTERIOR_UNTIL})",
         "reason": "Cleared by the surgeon at 6 weeks", "held_back": False}
    ]  # fmt: skip


def test_an_override_that_newer_precautions_are_not_covered_by_is_reported_held_back(
    therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a, start_date=START)
    _posterior(therapist_a, patient_a)
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    program_item_add(
        actor=therapist_a, program=program,
        spec=ItemSpec(exercise=inward, precaution_override="Cleared for the posterior approach"),
    )  # fmt: skip
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="custom", movements=["internal_rotation"],
        starts_on=date(2025, 3, 14), ends_on=date(2025, 5, 1),
    )  # fmt: skip

    [override] = report_data(patient=patient_a, author=therapist_a, note="")["overrides"]

    assert override["held_back"] is True
    assert "custom movements precautions, which lift on 01 May 2025" in override["conflict"]


def test_the_report_names_the_clinic_and_its_phone(therapist_a, patient_a):
    clinic = patient_a.clinic
    clinic.name, clinic.phone = "Riverside Physio", "020 7946 0000"
    clinic.save(update_fields=["name", "phone"])

    data = report_data(patient=patient_a, author=therapist_a, note="")

    assert (data["clinic_name"], data["clinic_phone"]) == ("Riverside Physio", "020 7946 0000")


def test_the_report_reads_a_fixed_number_of_queries_however_many_ladders(
    therapist_a, patient_a, django_assert_max_num_queries
):
    program = ProgramFactory(patient=patient_a, start_date=START)
    for _ in range(4):
        item = LadderItemFactory(program=program, current_level=2)
        LevelChange.objects.create(
            item=item, from_level=1, to_level=2, effective_on=date(2025, 3, 10), reason="20 reps"
        )
    second = ProgramFactory(patient=patient_a, start_date=START, name="Second")
    _posterior(therapist_a, patient_a)
    for n in range(3):
        inward = ExerciseFactory(name=f"Inward {n}", hip_movements=["internal_rotation"])
        program_item_add(
            actor=therapist_a, program=second,
            spec=ItemSpec(exercise=inward, precaution_override="Cleared"),
        )  # fmt: skip

    with django_assert_max_num_queries(QUERIES):
        data = report_data(patient=patient_a, author=therapist_a, note="")

    assert len(data["programs"][0]["ladders"]) + len(data["programs"][1]["ladders"]) == 4
    assert len(data["level_changes"]) == 4
    assert (len(data["precautions"]), len(data["overrides"])) == (1, 3)
