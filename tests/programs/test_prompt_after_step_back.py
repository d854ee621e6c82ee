"""A patient moved back to a level (after a flare-up) who meets its rule again raises a new
prompt: the therapist is asked again, as the first time (DESIGN.md: once a patient reaches
the goal at a level, the therapist is prompted to advance them). Sets of the earlier stay at
that level do not count toward the new one."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.notifications.services import set_log_evaluate
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import item_level_set, prompt_approve
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def _day(n):
    return time_machine.travel(MONDAY + timedelta(days=n), tick=False)


def _twenty(item, **extra):
    item.refresh_from_db()  # the level in force, as the phone would log it
    log = SetLogFactory(item=item, reps=20, pain=1, **extra)
    set_log_evaluate(log_id=log.pk)
    return log


def test_back_at_a_level_the_rule_met_again_prompts_the_therapist_again(therapist_a):
    with _day(0):
        item = LadderItemFactory(per_side=False, program__patient__therapist=therapist_a)
        _twenty(item)
        first = ProgressionPrompt.objects.get()
        prompt_approve(prompt=first, user=therapist_a)  # level 2 from Tuesday
    with _day(3):
        item.refresh_from_db()
        item_level_set(item=item, user=therapist_a, level=1, reason="A flare-up: back to 1")
    with _day(5):  # back at level 1 since Friday
        _twenty(item)

    prompts = ProgressionPrompt.objects.order_by("created_at")
    assert [(p.level, p.status) for p in prompts] == [
        (1, PromptStatus.APPROVED), (1, PromptStatus.PENDING),
    ]  # fmt: skip
    again = prompts.last()
    assert again.level_entered_on == (MONDAY + timedelta(days=4)).date()


def test_evaluating_the_same_stay_twice_still_makes_one_prompt(therapist_a):
    with _day(0):
        item = LadderItemFactory(per_side=False, program__patient__therapist=therapist_a)
        log = _twenty(item)
        set_log_evaluate(log_id=log.pk)
        _twenty(item)

    assert ProgressionPrompt.objects.count() == 1


def test_the_earlier_stays_sets_do_not_count_toward_the_new_one(therapist_a):
    """A level passed on 2 separate days: one day before the step back and one after are
    not two days of the new stay."""
    with _day(0):
        item = LadderItemFactory(per_side=False, program__patient__therapist=therapist_a)
        item.ladder.levels.filter(level=1).update(advance_days=2)
        _twenty(item)
    with _day(1):
        _twenty(item)
        prompt_approve(prompt=ProgressionPrompt.objects.get(), user=therapist_a)
    with _day(3):
        item.refresh_from_db()
        item_level_set(item=item, user=therapist_a, level=1, reason="Back to 1 for now")
    with _day(5):
        _twenty(item)
        assert ProgressionPrompt.objects.count() == 1  # one day of the new stay
    with _day(6):
        _twenty(item)

    assert ProgressionPrompt.objects.count() == 2
