"""Where Today's amount control (and its one-tap button) starts: ``goals_for``.

CLINICAL.md, pain-monitoring model: pain above 5 (the clinic's hold-back level) is "too much":
stop that exercise for the day and come back to it at a lower load; a hip worse the next
morning means reducing the load that day. So on those days the control offers no more than
the prescription (CLINICAL.md states no lighter dose), and a set logged with pain above the
level is never the patient's "best". Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.exercises.models import AdvanceRule, LadderLevel
from apps.portal.today_goal import Goal, goals_for
from apps.programs.models import MorningCheck
from apps.programs.selectors import today_plan
from tests.factories import ExerciseItemFactory, LadderItemFactory, ProgramFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 3, 3)
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))


@pytest.fixture
def clam(program):
    """A ladder item prescribed 2 sets of 10 reps a side; its level's goal is 20 reps."""
    return LadderItemFactory(program=program, reps=10, per_side=True)


def logged(item, *, reps=None, hold_seconds=None, pain=2, on=YESTERDAY):
    SetLogFactory(
        item=item, side="left", performed_on=on, reps=reps, hold_seconds=hold_seconds, pain=pain
    )


def goal_of(patient, item, *, morning_worse=False) -> Goal:
    plan = today_plan(patient=patient, on=TODAY)
    goals = goals_for(
        patient=patient,
        items=plan.items,
        today=TODAY,
        levels=plan.levels,
        morning_worse=morning_worse,
    )
    return goals[item.pk]


def worse_this_morning(patient):
    MorningCheck.objects.create(
        patient=patient, local_date=TODAY, exercise_day=YESTERDAY, hip="worse", stiffness="same"
    )


def test_on_a_settled_day_a_ladder_item_starts_at_the_best_recent_count(patient_a, clam):
    logged(clam, reps=20)

    goal = goal_of(patient_a, clam)

    assert (goal.start, goal.lighter) == (20, "")


def test_on_a_worse_morning_a_ladder_item_offers_the_prescription_not_the_best(patient_a, clam):
    logged(clam, reps=20)

    goal = goal_of(patient_a, clam, morning_worse=True)

    assert goal.start is None  # the card shows the prescription: 10
    assert "Your hip is worse this morning: go lighter today" in goal.lighter


def test_on_a_worse_morning_a_range_offers_its_low_end(patient_a, program):
    item = ExerciseItemFactory(program=program, reps=10, reps_up_to=20)
    logged(item, reps=18)

    assert goal_of(patient_a, item).start == 18
    assert goal_of(patient_a, item, morning_worse=True).start == 10


def test_on_a_worse_morning_a_dose_to_fatigue_offers_no_count(patient_a, program):
    """To fatigue there is no prescribed count: the patient enters what they managed."""
    item = ExerciseItemFactory(program=program, reps=None, to_fatigue=True, reps_up_to=15)
    logged(item, reps=12)

    assert goal_of(patient_a, item).start == 12
    assert goal_of(patient_a, item, morning_worse=True).start is None


def test_a_set_with_pain_above_the_limit_is_never_the_best(patient_a, clam):
    logged(clam, reps=20, pain=6, on=TODAY - timedelta(days=5))
    logged(clam, reps=14, pain=2, on=YESTERDAY)

    assert goal_of(patient_a, clam).start == 14


def test_a_set_at_the_limit_still_counts_as_the_best(patient_a, clam):
    logged(clam, reps=18, pain=5)

    assert goal_of(patient_a, clam).start == 18


def test_the_day_after_too_much_pain_the_exercise_offers_the_prescription(patient_a, clam):
    """Come back to it at a lower load: the painless sets of that day are not offered
    either."""
    logged(clam, reps=16, pain=2)
    logged(clam, reps=20, pain=6)

    goal = goal_of(patient_a, clam)

    assert goal.start is None
    assert "Last time, this exercise hurt more than 5 out of 10" in goal.lighter


def test_too_much_pain_today_keeps_the_exercise_at_the_prescription(patient_a, clam):
    logged(clam, reps=16, pain=2, on=YESTERDAY)
    logged(clam, reps=16, pain=7, on=TODAY)

    goal = goal_of(patient_a, clam)

    # The card's stop advice says why; no second note.
    assert (goal.start, goal.lighter) == (None, "")


def test_the_last_exercise_day_decides_not_an_older_painful_one(patient_a, clam):
    """Came back lighter without too much pain: the next day it starts at the best again
    (of the sets within the limit)."""
    logged(clam, reps=20, pain=7, on=TODAY - timedelta(days=3))
    logged(clam, reps=12, pain=1, on=TODAY - timedelta(days=2))
    logged(clam, reps=16, pain=6, on=TODAY - timedelta(days=1))
    assert goal_of(patient_a, clam).start is None

    logged(clam, reps=10, pain=2, on=TODAY)
    assert goal_of(patient_a, clam).start is None  # still the day it comes back lighter


def test_a_painless_return_lifts_the_hold_back_next_time(patient_a, clam):
    logged(clam, reps=20, pain=7, on=TODAY - timedelta(days=3))
    logged(clam, reps=12, pain=1, on=TODAY - timedelta(days=2))

    assert goal_of(patient_a, clam).start == 12


def test_too_much_pain_on_another_exercise_does_not_lower_this_one(patient_a, program, clam):
    other = ExerciseItemFactory(program=program)
    logged(clam, reps=18, pain=2)
    logged(other, reps=10, pain=8)

    assert goal_of(patient_a, clam).start == 18


def test_the_clinics_own_hold_back_level_decides(patient_a, clam):
    clinic = patient_a.clinic
    clinic.pain_progression_limit = 3
    clinic.save(update_fields=["pain_progression_limit"])
    logged(clam, reps=18, pain=4)

    goal = goal_of(patient_a, clam)

    assert goal.start is None
    assert "hurt more than 3 out of 10" in goal.lighter


def test_a_hold_level_after_too_much_pain_offers_the_prescribed_hold(patient_a, program):
    item = LadderItemFactory(program=program, reps=None, hold_seconds=10, hold_up_to=30)
    logged(item, hold_seconds=25, pain=6)

    assert goal_of(patient_a, item).start is None


MORNING_NOTE = (
    "Your hip is worse this morning: go lighter today, with fewer reps or a smaller movement "
    "than usual."
)


def test_the_go_lighter_notes_tell_the_patient_what_to_do_in_full(patient_a, program, clam):
    """The whole note, not a fragment: a ladder item and a range read the same morning note;
    the day after too much pain, the note names the clinic's level and says to come back
    lighter."""
    rising = ExerciseItemFactory(program=program, reps=10, reps_up_to=20)

    assert goal_of(patient_a, clam, morning_worse=True).lighter == MORNING_NOTE
    assert goal_of(patient_a, rising, morning_worse=True).lighter == MORNING_NOTE

    logged(clam, reps=12, pain=6)
    assert goal_of(patient_a, clam).lighter == (
        "Last time, this exercise hurt more than 5 out of 10: come back to it at a lower load "
        "today, with fewer reps or a smaller movement."
    )


def _level_rule(item, **fields):
    LadderLevel.objects.filter(ladder=item.ladder, level=1).update(**fields)


def test_a_ladder_goal_reads_as_one_sentence_with_the_clinics_pain_level(patient_a, program):
    """Per side or not, reps or a hold (the top of the prescribed hold), one rep or more."""
    both_sides = LadderItemFactory(program=program, reps=10, per_side=True)
    one_side = LadderItemFactory(program=program, reps=10, per_side=False)
    hold = LadderItemFactory(program=program, reps=None, hold_seconds=10, hold_up_to=15)
    _level_rule(hold, advance_rule=AdvanceRule.HOLD, advance_target=30)
    one_rep = LadderItemFactory(program=program, reps=1, per_side=False)
    _level_rule(one_rep, advance_target=1)
    stop = "; stop when your form slips or it hurts more than 5 out of 10."

    assert goal_of(patient_a, both_sides).text == (
        f"Aim for up to 20 reps in one set on each side{stop}"
    )
    assert goal_of(patient_a, one_side).text == f"Aim for up to 20 reps in one set{stop}"
    assert goal_of(patient_a, hold).text == (
        f"Aim to hold for up to 15 seconds in one set on each side{stop}"
    )
    assert goal_of(patient_a, one_rep).text == f"Aim for up to 1 rep in one set{stop}"


def test_a_rising_dose_outside_a_ladder_has_no_goal_words_and_no_note_on_a_settled_day(
    patient_a, program
):
    """Only a ladder level has a goal to state; a range only moves where the control
    starts."""
    item = ExerciseItemFactory(program=program, reps=10, reps_up_to=20)
    logged(item, reps=14)

    assert goal_of(patient_a, item) == Goal("", 14, "")


def test_a_fixed_dose_outside_a_ladder_gets_no_goal_it_already_offers_the_prescription(
    patient_a, program
):
    """Not even a go-lighter note on a worse morning: the control starts at the prescription
    anyway, and the morning's advice is on the page."""
    fixed = ExerciseItemFactory(program=program, reps=10)
    logged(fixed, reps=14)
    plan = today_plan(patient=patient_a, on=TODAY)

    goals = goals_for(
        patient=patient_a, items=plan.items, today=TODAY, levels=plan.levels, morning_worse=True
    )

    assert fixed.pk not in goals


def test_the_best_recent_count_is_of_the_last_two_weeks(patient_a, clam):
    """The set 14 days ago counts; one 15 days ago is no longer recent."""
    logged(clam, reps=16, on=TODAY - timedelta(days=14))
    logged(clam, reps=19, on=TODAY - timedelta(days=15))

    assert goal_of(patient_a, clam).start == 16


def test_a_ladder_item_never_starts_below_its_prescription(patient_a, clam):
    logged(clam, reps=6)

    assert goal_of(patient_a, clam).start == 10


def test_pain_at_the_limit_today_is_not_too_much(patient_a, clam):
    """Too much is above the clinic's level (5), today as on the last exercise day."""
    logged(clam, reps=18, pain=2)
    logged(clam, reps=12, pain=5, on=TODAY)

    goal = goal_of(patient_a, clam)

    assert (goal.start, goal.lighter) == (18, "")


def test_with_a_hold_back_level_of_0_pain_free_sets_are_not_too_much(patient_a, clam):
    """A clinic may hold back at any pain (level 0): a day without pain, before today or
    today, is still within it."""
    clinic = patient_a.clinic
    clinic.pain_progression_limit = 0
    clinic.save(update_fields=["pain_progression_limit"])
    logged(clam, reps=18, pain=0)

    assert goal_of(patient_a, clam) == Goal(
        "Aim for up to 20 reps in one set on each side; stop when your form slips or it hurts "
        "more than 0 out of 10.",
        18,
        "",
    )

    logged(clam, reps=12, pain=0, on=TODAY)
    assert goal_of(patient_a, clam).start == 18
