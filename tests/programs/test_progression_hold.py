"""Pain holds a prompt back whatever the order in which the day's sets are evaluated
(CLINICAL.md: pain above 5, the clinic's hold-back level, holds back a progression)."""

from datetime import timedelta

import pytest

from apps.notifications.services import set_log_evaluate
from apps.programs.logs import set_log_correct
from apps.programs.models import LevelChange, ProgressionPrompt, PromptStatus
from apps.programs.morning import morning_check_record
from apps.programs.selectors import today_plan
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def test_pain_above_the_limit_later_the_same_day_holds_back_a_prompt_raised_in_the_morning():
    item = LadderItemFactory(per_side=False)
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=20, pain=2).pk)
    prompt = ProgressionPrompt.objects.get()
    assert not prompt.is_held_back

    painful = SetLogFactory(item=item, reps=5, pain=8)
    set_log_evaluate(log_id=painful.pk)

    prompt.refresh_from_db()
    assert (prompt.held_back_pain, prompt.held_back_log) == (8, painful)
    assert prompt.status == PromptStatus.PENDING


def test_pain_at_the_limit_does_not_hold_back():
    item = LadderItemFactory(per_side=False)
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=20, pain=2).pk)
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=5, pain=5).pk)

    assert not ProgressionPrompt.objects.get().is_held_back


def test_pain_on_another_day_does_not_hold_back():
    item = LadderItemFactory(per_side=False)
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=20, pain=2).pk)
    tomorrow = item.program.patient.local_today() + timedelta(days=1)
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=5, pain=9, performed_on=tomorrow).pk)

    assert not ProgressionPrompt.objects.get().is_held_back


def test_the_hold_names_the_days_highest_pain_whichever_is_evaluated_first():
    item = LadderItemFactory(per_side=False)
    qualifying = SetLogFactory(item=item, reps=20, pain=2)
    seven, nine = SetLogFactory(item=item, pain=7), SetLogFactory(item=item, pain=9)
    for log in (nine, seven, qualifying):
        set_log_evaluate(log_id=log.pk)

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.held_back_pain, prompt.held_back_log) == (9, nine)
    assert prompt.patient.pain_alerts.get().pain == 9


def test_a_later_pain_undoes_an_automatic_advance_that_has_not_started():
    item = LadderItemFactory(per_side=False, auto_advance=True)
    patient = item.program.patient
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=20, pain=2).pk)
    item.refresh_from_db()
    assert item.current_level == 2

    set_log_evaluate(log_id=SetLogFactory(item=item, reps=4, pain=6).pk)

    item.refresh_from_db()
    prompt = ProgressionPrompt.objects.get()
    assert (item.current_level, item.previous_level, item.level_since) == (1, None, None)
    assert (prompt.status, prompt.held_back_pain) == (PromptStatus.PENDING, 6)
    assert not LevelChange.objects.exists()
    tomorrow = patient.local_today() + timedelta(days=1)
    assert today_plan(patient=patient, on=tomorrow).items[0].level == 1


def test_pain_above_the_limit_holds_back_every_prompt_of_that_day_one_per_exercise():
    # Two exercises qualify the same day; a painful set synced late (the phone was offline)
    # holds back the prompt raised after it and the one raised before it alike.
    first = LadderItemFactory(per_side=False)
    second = LadderItemFactory(per_side=False, program=first.program)
    set_log_evaluate(log_id=SetLogFactory(item=first, reps=20, pain=2).pk)
    painful = SetLogFactory(item=first, reps=5, pain=7)  # not evaluated yet
    set_log_evaluate(log_id=SetLogFactory(item=second, reps=20, pain=2).pk)

    set_log_evaluate(log_id=painful.pk)

    held = {p.track: (p.held_back_pain, p.held_back_log) for p in ProgressionPrompt.objects.all()}
    assert held == {first.track: (7, painful), second.track: (7, painful)}


def test_a_worse_answer_about_the_qualifying_day_holds_back_sets_evaluated_after_it():
    # CLINICAL.md: if the hip is worse the next morning, reduce the load; the app holds the
    # progression back. The sets of that day are evaluated only after the answer (the worker
    # was down): the prompt they raise is held back, and never advances by itself.
    item = LadderItemFactory(per_side=False, auto_advance=True)
    patient = item.program.patient
    yesterday = patient.local_today() - timedelta(days=1)
    qualifying = SetLogFactory(item=item, reps=20, pain=2, performed_on=yesterday)
    check, _ = morning_check_record(patient=patient, hip="worse", stiffness="same")

    set_log_evaluate(log_id=qualifying.pk)

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.status, prompt.held_back_check) == (PromptStatus.PENDING, check)
    assert not LevelChange.objects.exists()


def test_a_painful_set_corrected_higher_holds_the_prompt_back_with_its_new_pain():
    # The patient logs pain 6, then corrects the same set to 9 (a mis-tap): the therapist
    # sees the day's highest pain as it now stands, never the lower one first tapped.
    item = LadderItemFactory(per_side=False)
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=20, pain=2).pk)
    painful = SetLogFactory(item=item, reps=5, pain=6)
    set_log_evaluate(log_id=painful.pk)

    set_log_correct(log=painful, reps=5, pain=9)
    set_log_evaluate(log_id=painful.pk)

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.held_back_pain, prompt.held_back_log) == (9, painful)
