"""A prompt whose qualifying set is corrected below the goal, or deleted, within the 24 hours
a patient may change it (a typo) no longer stands on its own: it is held back for the
therapist with the reason in plain words, and an automatic advance it gave is taken back
before it starts (left, and the therapist told, once it has). Meeting the goal again makes
the same prompt stand again, counted from the new day."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.notifications.services import set_log_evaluate
from apps.patients.models import Side
from apps.programs.concerns import concerns_for
from apps.programs.logs import set_log_correct, set_log_delete
from apps.programs.models import LevelChange, ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import prompt_approve
from tests.conftest import signed_in
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db
EXERCISE_DAY = datetime(2026, 3, 10, 18, 0, tzinfo=ZoneInfo("Europe/London"))


def _needs_approve_anyway(prompt: ProgressionPrompt) -> bool:
    prompt.refresh_from_db()
    return concerns_for([prompt])[prompt.pk].needs_override


def _qualifying(item, **kwargs):
    log = SetLogFactory(item=item, reps=20, pain=2, **kwargs)
    set_log_evaluate(log_id=log.pk)
    return log


def test_a_qualifying_set_corrected_below_the_goal_holds_its_prompt_back_with_the_reason():
    item = LadderItemFactory(per_side=False)
    log = _qualifying(item)
    prompt = ProgressionPrompt.objects.get()
    assert not _needs_approve_anyway(prompt)

    set_log_correct(log=log, pain=2, reps=12)
    set_log_evaluate(log_id=log.pk)

    assert _needs_approve_anyway(prompt)
    assert prompt.is_held_back
    assert prompt.status == PromptStatus.PENDING
    assert "corrected to 12 reps" in prompt.rule_lapsed


def test_a_corrected_qualifying_set_takes_back_an_automatic_advance_not_started_yet():
    item = LadderItemFactory(per_side=False, auto_advance=True)
    log = _qualifying(item)
    item.refresh_from_db()
    assert item.current_level == 2

    set_log_correct(log=log, pain=2, reps=12)
    set_log_evaluate(log_id=log.pk)

    item.refresh_from_db()
    prompt = ProgressionPrompt.objects.get()
    assert (item.current_level, item.previous_level, item.level_since) == (1, None, None)
    assert not LevelChange.objects.exists()
    assert prompt.status == PromptStatus.PENDING
    assert "corrected to 12 reps" in prompt.rule_lapsed


def test_a_deleted_qualifying_set_holds_its_prompt_back_and_takes_back_the_advance():
    item = LadderItemFactory(per_side=False, auto_advance=True)
    log = _qualifying(item)

    set_log_delete(log=log)

    item.refresh_from_db()
    prompt = ProgressionPrompt.objects.get()
    assert item.current_level == 1
    assert not LevelChange.objects.exists()
    assert prompt.status == PromptStatus.PENDING
    assert _needs_approve_anyway(prompt)
    assert "deleted" in prompt.rule_lapsed


def test_another_set_meeting_the_goal_that_day_keeps_the_prompt_standing():
    item = LadderItemFactory(per_side=False, auto_advance=True)
    log = _qualifying(item)
    _qualifying(item)

    set_log_correct(log=log, pain=2, reps=12)
    set_log_evaluate(log_id=log.pk)

    item.refresh_from_db()
    prompt = ProgressionPrompt.objects.get()
    assert item.current_level == 2
    assert (prompt.status, prompt.rule_lapsed) == (PromptStatus.AUTO_APPROVED, "")


def test_meeting_the_goal_again_makes_the_same_prompt_approvable_from_the_new_day():
    item = LadderItemFactory(per_side=False)
    log = _qualifying(item)
    set_log_delete(log=log)
    prompt = ProgressionPrompt.objects.get()
    assert _needs_approve_anyway(prompt)

    tomorrow = item.program.patient.local_today() + timedelta(days=1)
    _qualifying(item, performed_on=tomorrow)

    assert ProgressionPrompt.objects.get() == prompt
    assert not _needs_approve_anyway(prompt)
    assert prompt.rule_lapsed == ""
    assert (prompt.counted_from, prompt.qualified_on) == (tomorrow, tomorrow)
    assert prompt.rule_met.endswith(f"{tomorrow:%a %-d %b}")


def test_an_automatic_advance_already_started_is_left_and_the_therapist_told():
    with time_machine.travel(EXERCISE_DAY, tick=False):
        item = LadderItemFactory(per_side=False, auto_advance=True)
        log = _qualifying(item)
    with time_machine.travel(EXERCISE_DAY + timedelta(hours=14), tick=False):  # next morning
        set_log_correct(log=log, pain=2, reps=12)
        set_log_evaluate(log_id=log.pk)

    item.refresh_from_db()
    prompt = ProgressionPrompt.objects.get()
    assert item.current_level == 2
    assert LevelChange.objects.count() == 1
    assert prompt.status == PromptStatus.AUTO_APPROVED
    assert "corrected to 12 reps" in prompt.rule_lapsed


def test_approving_a_prompt_whose_goal_is_no_longer_met_needs_approve_anyway_and_says_why():
    item = LadderItemFactory(per_side=False)
    log = _qualifying(item)
    set_log_correct(log=log, pain=2, reps=12)
    prompt = ProgressionPrompt.objects.get()
    therapist = item.program.patient.therapist

    with pytest.raises(ValidationError, match="corrected to 12 reps"):
        prompt_approve(prompt=prompt, user=therapist)
    prompt_approve(prompt=prompt, user=therapist, override_reason="Seen in clinic: 20 reps.")

    item.refresh_from_db()
    assert item.current_level == 2


def test_per_side_deleting_one_side_of_the_day_holds_the_prompt_back_naming_the_side():
    item = LadderItemFactory(per_side=True)
    left = SetLogFactory(item=item, reps=20, pain=2, side=Side.LEFT)
    right = SetLogFactory(item=item, reps=20, pain=2, side=Side.RIGHT)
    for log in (left, right):
        set_log_evaluate(log_id=log.pk)
    prompt = ProgressionPrompt.objects.get()
    assert not _needs_approve_anyway(prompt)

    set_log_delete(log=left)

    assert _needs_approve_anyway(prompt)
    assert prompt.rule_lapsed.startswith("The set (left side) that met the goal")


def test_a_prompt_met_again_names_the_set_that_met_the_goal_again():
    item = LadderItemFactory(per_side=False)
    deleted = _qualifying(item)
    set_log_delete(log=deleted)
    tomorrow = item.program.patient.local_today() + timedelta(days=1)

    again = _qualifying(item, performed_on=tomorrow)

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.triggered_by, prompt.qualified_on) == (again, tomorrow)


def test_a_set_corrected_below_the_goal_is_no_longer_named_once_another_meets_it():
    item = LadderItemFactory(per_side=False)
    corrected = _qualifying(item)
    set_log_correct(log=corrected, pain=2, reps=12)
    set_log_evaluate(log_id=corrected.pk)

    again = _qualifying(item)  # the same day: the goal is met again that day

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.rule_lapsed, prompt.triggered_by) == ("", again)


def test_per_side_a_prompt_met_again_names_the_set_that_completed_the_day():
    item = LadderItemFactory(per_side=True)
    left = SetLogFactory(item=item, reps=20, pain=2, side=Side.LEFT)
    right = SetLogFactory(item=item, reps=20, pain=2, side=Side.RIGHT)
    for log in (left, right):
        set_log_evaluate(log_id=log.pk)
    set_log_delete(log=left)

    # Done after the right side's set, the new left one completes the day.
    again = _qualifying(item, side=Side.LEFT)

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.rule_lapsed, prompt.triggered_by) == ("", again)


def test_a_prompt_standing_on_another_set_of_the_day_names_that_set():
    item = LadderItemFactory(per_side=False)
    first = _qualifying(item)
    second = _qualifying(item)

    set_log_delete(log=first)

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.rule_lapsed, prompt.triggered_by) == ("", second)


def test_the_inbox_card_of_a_prompt_met_again_says_the_new_day_not_the_lapse(therapist_a):
    item = LadderItemFactory(per_side=False, program__patient__therapist=therapist_a)
    set_log_delete(log=_qualifying(item))
    tomorrow = item.program.patient.local_today() + timedelta(days=1)
    _qualifying(item, performed_on=tomorrow)

    page = signed_in(therapist_a).get(reverse("notifications:inbox")).text

    assert f"Met at level 1: 20 reps in one set: {tomorrow:%a %-d %b}." in page
    assert "no longer met" not in page
