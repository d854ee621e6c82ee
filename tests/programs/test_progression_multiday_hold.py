"""A rule over N separate days is held back by pain above the clinic's hold-back level on any
day from the first qualifying day it counted to the day it was met, not only on the last
(CLINICAL.md: pain above 5 holds back a progression; when in doubt, the therapist decides).

Days are counted back from the patient's today: ``DAY1`` two days ago, ``DAY3`` today.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.exercises.models import LadderLevel
from apps.notifications.messages import prompt_message
from apps.notifications.services import set_log_evaluate
from apps.programs.concerns import concerns_for
from apps.programs.models import LevelChange, ProgressionPrompt, PromptStatus
from apps.programs.morning import morning_check_record
from apps.programs.prompt_decisions import prompt_approve
from tests.conftest import signed_in
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db
DAY1, DAY2, DAY3 = 2, 1, 0  # days before today


def two_day_item(*, auto_advance: bool = False, **extra):
    item = LadderItemFactory(per_side=False, auto_advance=auto_advance, **extra)
    LadderLevel.objects.filter(ladder=item.ladder, level=1).update(advance_days=2)
    return item


def on(item, days_ago: int) -> date:
    return item.program.patient.local_today() - timedelta(days=days_ago)


def log(item, days_ago: int, *, reps: int, pain: int = 2):
    entry = SetLogFactory(item=item, reps=reps, pain=pain, performed_on=on(item, days_ago))
    set_log_evaluate(log_id=entry.pk)
    return entry


def the_prompt() -> ProgressionPrompt:
    return ProgressionPrompt.objects.select_related("patient__clinic").get()


def test_pain_on_the_first_of_two_qualifying_days_holds_the_prompt_back():
    item = two_day_item()
    painful = log(item, DAY1, reps=20, pain=8)
    log(item, DAY3, reps=20)

    prompt = the_prompt()
    assert (prompt.held_back_pain, prompt.held_back_log) == (8, painful)
    assert (prompt.counted_from, prompt.qualified_on) == (on(item, DAY1), on(item, DAY3))
    assert concerns_for([prompt])[prompt.pk].painful == [painful]


def test_pain_on_the_first_qualifying_day_stops_an_automatic_advance():
    item = two_day_item(auto_advance=True)
    log(item, DAY1, reps=20, pain=8)
    log(item, DAY3, reps=20)

    item.refresh_from_db()
    assert (the_prompt().status, item.current_level) == (PromptStatus.PENDING, 1)
    assert not LevelChange.objects.exists()


def test_pain_on_a_day_between_the_qualifying_days_holds_the_prompt_back():
    item = two_day_item()
    log(item, DAY1, reps=20)
    painful = log(item, DAY2, reps=6, pain=8)
    log(item, DAY3, reps=20)

    assert (the_prompt().held_back_pain, the_prompt().held_back_log) == (8, painful)


def test_pain_on_the_first_day_synced_after_the_prompt_holds_it_and_undoes_the_advance():
    item = two_day_item(auto_advance=True)
    log(item, DAY1, reps=20)
    log(item, DAY3, reps=20)
    item.refresh_from_db()
    assert (the_prompt().status, item.current_level) == (PromptStatus.AUTO_APPROVED, 2)

    late = log(item, DAY1, reps=5, pain=8)  # the phone was offline: it reaches us now

    item.refresh_from_db()
    prompt = the_prompt()
    assert (prompt.status, prompt.held_back_pain, prompt.held_back_log) == (
        PromptStatus.PENDING,
        8,
        late,
    )
    assert (item.current_level, item.previous_level, item.level_since) == (1, None, None)
    assert not LevelChange.objects.exists()


def test_the_hold_names_the_highest_pain_of_the_window_and_the_earliest_among_equals():
    item = two_day_item()
    log(item, DAY1, reps=20)
    first_eight = log(item, DAY2, reps=5, pain=8)
    log(item, DAY3, reps=20, pain=7)
    log(item, DAY3, reps=5, pain=8)
    log(item, DAY1, reps=5, pain=6)  # synced late, lower

    assert (the_prompt().held_back_pain, the_prompt().held_back_log) == (8, first_eight)


def test_a_worse_morning_after_the_first_qualifying_day_holds_the_prompt_back():
    item = two_day_item(auto_advance=True)
    patient = item.program.patient
    log(item, DAY1, reps=20)
    check, _ = morning_check_record(
        patient=patient, hip="worse", stiffness="same", today=on(item, DAY2)
    )
    log(item, DAY3, reps=20)

    item.refresh_from_db()
    prompt = the_prompt()
    assert (prompt.status, prompt.held_back_check) == (PromptStatus.PENDING, check)
    assert item.current_level == 1
    with pytest.raises(ValidationError):
        prompt_approve(prompt=prompt, user=patient.therapist)


def test_pain_before_the_first_counted_day_does_not_hold_the_prompt_back():
    item = two_day_item(auto_advance=True)
    log(item, DAY1 + 1, reps=5, pain=9)
    log(item, DAY1, reps=20)
    log(item, DAY3, reps=20)

    item.refresh_from_db()
    prompt = the_prompt()
    assert not prompt.is_held_back
    assert (prompt.status, item.current_level) == (PromptStatus.AUTO_APPROVED, 2)
    assert concerns_for([prompt])[prompt.pk].painful == []


def test_only_the_first_days_that_met_the_rule_are_counted_whatever_the_evaluation_order():
    """Three qualifying days, the last evaluated first (the worker was down): the prompt is the
    one the first two days raise, so its window and its hold are those of evaluating in order."""
    item = two_day_item()
    first, second, third = (
        SetLogFactory(item=item, reps=20, performed_on=on(item, days)) for days in (3, 2, 1)
    )
    SetLogFactory(item=item, reps=5, pain=8, performed_on=on(item, 1))  # after the window
    for entry in (third, first, second):
        set_log_evaluate(log_id=entry.pk)

    prompt = the_prompt()
    assert (prompt.counted_from, prompt.qualified_on) == (on(item, 3), on(item, 2))
    assert not prompt.is_held_back
    days = ", ".join(d.strftime("%a %-d %b") for d in (on(item, 3), on(item, 2)))
    assert prompt.rule_met.endswith(days)


def test_a_one_day_rule_counts_only_its_own_day():
    item = LadderItemFactory(per_side=False, auto_advance=True)
    log(item, DAY2, reps=5, pain=9)
    log(item, DAY3, reps=20)

    prompt = the_prompt()
    assert prompt.counted_from == prompt.qualified_on == on(item, DAY3)
    assert (prompt.status, prompt.is_held_back) == (PromptStatus.AUTO_APPROVED, False)


def test_the_inbox_card_and_the_email_name_the_day_the_pain_was_logged():
    item = two_day_item()
    log(item, DAY1, reps=20, pain=8)
    log(item, DAY3, reps=20)
    prompt = the_prompt()
    day1, day3 = (on(item, d).strftime("%a %-d %b") for d in (DAY1, DAY3))

    html = (
        signed_in(item.program.patient.therapist)
        .get(reverse("notifications:inbox"))
        .content.decode()
    )
    body = prompt_message(prompt=prompt).body

    assert f"logged pain 8 out of 10 on {day1}" in html
    assert f"qualifying days ({day1} to {day3})" in html
    assert f"logged pain 8 out of 10 on {day3}" not in html
    assert f"pain 8 out of 10 was logged on {day1}" in body
    assert "the same day" not in body


def test_approving_anyway_names_the_first_counted_day_and_the_api_shows_it():
    item = two_day_item()
    log(item, DAY1, reps=20, pain=8)
    log(item, DAY3, reps=20)
    prompt = the_prompt()
    therapist = item.program.patient.therapist

    with pytest.raises(ValidationError) as error:
        prompt_approve(prompt=prompt, user=therapist)
    listed = signed_in(therapist).get("/api/v1/prompts/").json()["results"][0]

    day1 = on(item, DAY1).strftime("%a %-d %b")
    assert f"Since the first qualifying sets ({day1})" in error.value.messages[0]
    assert (listed["counted_from"], listed["held_back_pain"]) == (on(item, DAY1).isoformat(), 8)
    assert listed["concerns"]["painful_sets"][0]["pain"] == 8
