"""The progression rule is met by one set at a ladder level (CLINICAL.md: "when the patient
can do 20 reps at a level, move to the next level"): the set that reaches the target, at a
level of a ladder, not any set logged after it. Found by mutation testing (``mutmut``)."""

import pytest

from apps.programs.progression import prompt_for_log
from apps.programs.progression_rule import progression_rule_met
from tests.factories import ExerciseItemFactory, LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def test_a_set_of_an_exercise_on_no_ladder_raises_no_prompt_whatever_its_reps():
    item = ExerciseItemFactory(per_side=False)
    log = SetLogFactory(item=item, reps=25, ladder_level=None)

    assert not progression_rule_met(log=log)
    assert prompt_for_log(log=log) == (None, False)


def test_a_set_short_of_20_reps_does_not_meet_the_rule_after_one_that_did():
    item = LadderItemFactory(per_side=False)
    SetLogFactory(item=item, reps=20)

    assert not progression_rule_met(log=SetLogFactory(item=item, reps=12))
