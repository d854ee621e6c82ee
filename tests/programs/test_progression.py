"""The progression rule and the therapist's decisions, without Celery."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from apps.patients.models import Side
from apps.programs.models import LevelChange, ProgressionPrompt, PromptStatus
from apps.programs.progression import prompt_for_log
from apps.programs.prompt_decisions import prompt_approve, prompt_decline, prompt_snooze
from apps.programs.selectors import today_plan
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def both_sides(item, reps=20, pain=2, **extra):
    SetLogFactory(item=item, side=Side.LEFT, reps=reps, pain=pain, **extra)
    return SetLogFactory(item=item, side=Side.RIGHT, reps=reps, pain=pain, **extra)


def test_a_per_side_item_needs_twenty_reps_on_both_sides_the_same_day():
    item = LadderItemFactory()
    left = SetLogFactory(item=item, side=Side.LEFT, reps=20)

    assert prompt_for_log(log=left) == (None, False)

    right = SetLogFactory(item=item, side=Side.RIGHT, reps=20)
    prompt, created = prompt_for_log(log=right)

    assert created
    assert (prompt.level, prompt.next_level, prompt.status) == (1, 2, PromptStatus.PENDING)
    assert prompt.track == item.track
    assert prompt.triggered_by == right


def test_the_other_side_on_another_day_does_not_count():
    item = LadderItemFactory()
    yesterday = item.program.patient.local_today() - timedelta(days=1)
    SetLogFactory(item=item, side=Side.LEFT, reps=20, performed_on=yesterday)
    right = SetLogFactory(item=item, side=Side.RIGHT, reps=20)

    assert prompt_for_log(log=right) == (None, False)


def test_nineteen_reps_is_not_enough():
    item = LadderItemFactory(per_side=False)
    log = SetLogFactory(item=item, reps=19)

    assert prompt_for_log(log=log) == (None, False)


def test_the_ladder_threshold_is_used_not_a_fixed_twenty():
    item = LadderItemFactory(per_side=False, ladder__advance_at_reps=12)

    prompt, created = prompt_for_log(log=SetLogFactory(item=item, reps=12))

    assert created
    assert prompt.level == 1


def test_pain_above_the_clinic_limit_earlier_that_day_raises_the_prompt_held_back():
    item = LadderItemFactory(per_side=False, auto_advance=True)
    painful = SetLogFactory(item=item, reps=8, pain=6)

    prompt, created = prompt_for_log(log=SetLogFactory(item=item, reps=20, pain=0))

    assert created
    assert (prompt.held_back_pain, prompt.held_back_log) == (6, painful)
    assert prompt.status == PromptStatus.PENDING  # held back: never advanced automatically
    assert not LevelChange.objects.exists()


def test_pain_at_the_limit_still_prompts():
    item = LadderItemFactory(per_side=False)

    _, created = prompt_for_log(log=SetLogFactory(item=item, reps=20, pain=5))

    assert created


def test_a_second_qualifying_log_finds_the_same_prompt():
    item = LadderItemFactory(per_side=False)
    first, _ = prompt_for_log(log=SetLogFactory(item=item, reps=20))

    again, created = prompt_for_log(log=SetLogFactory(item=item, reps=22))

    assert again == first
    assert not created
    assert ProgressionPrompt.objects.count() == 1


def test_a_log_at_a_level_no_longer_in_force_raises_nothing():
    item = LadderItemFactory(per_side=False, current_level=2)
    log = SetLogFactory(item=item, reps=20, ladder_level=1)

    assert prompt_for_log(log=log) == (None, False)


def test_the_top_of_the_ladder_gives_a_ladder_complete_prompt():
    item = LadderItemFactory(per_side=False, current_level=4)

    prompt, created = prompt_for_log(log=SetLogFactory(item=item, reps=20))

    assert created
    assert prompt.status == PromptStatus.COMPLETE
    assert prompt.next_level is None


def test_automatic_advance_moves_up_from_the_next_day_without_a_therapist():
    item = LadderItemFactory(per_side=False, auto_advance=True)
    today = item.program.patient.local_today()

    prompt, _ = prompt_for_log(log=SetLogFactory(item=item, reps=20))

    item.refresh_from_db()
    assert prompt.status == PromptStatus.AUTO_APPROVED
    assert (item.level_on(today), item.level_on(today + timedelta(days=1))) == (1, 2)
    change = LevelChange.objects.get(item=item)
    assert change.changed_by is None
    assert "level 2" in change.reason


def test_automatic_advance_is_off_by_default():
    item = LadderItemFactory(per_side=False)

    prompt, _ = prompt_for_log(log=SetLogFactory(item=item, reps=20))

    item.refresh_from_db()
    assert prompt.status == PromptStatus.PENDING
    assert item.current_level == 1


def pending_prompt(**item_fields):
    item = LadderItemFactory(per_side=False, **item_fields)
    prompt, _ = prompt_for_log(log=SetLogFactory(item=item, reps=20))
    return prompt


def test_approval_advances_from_the_patients_next_local_day():
    # 23:30 UTC on 1 June is already 2 June in Auckland: the new level starts on 3 June.
    with time_machine.travel(datetime(2025, 6, 1, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        prompt = pending_prompt(program__patient__time_zone="Pacific/Auckland")
        therapist = prompt.patient.therapist

        change = prompt_approve(prompt=prompt, user=therapist, note="Great work: on to level 2.")

    item = prompt.item
    item.refresh_from_db()
    assert change.effective_on == date(2025, 6, 3)
    assert (item.previous_level, item.current_level, item.level_since) == (1, 2, date(2025, 6, 3))
    assert item.level_on(date(2025, 6, 2)) == 1
    assert item.level_on(date(2025, 6, 3)) == 2
    assert change.reason == "Great work: on to level 2."
    assert change.changed_by == therapist
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.APPROVED
    assert prompt.decided_by == therapist


def test_approval_without_a_note_gives_the_patient_a_default_reason():
    prompt = pending_prompt()

    change = prompt_approve(prompt=prompt, user=prompt.patient.therapist)

    assert "20 reps" in change.reason
    assert "level 2" in change.reason


def test_a_prompt_cannot_be_approved_twice():
    prompt = pending_prompt()
    prompt_approve(prompt=prompt, user=prompt.patient.therapist)

    with pytest.raises(ValidationError) as error:
        prompt_approve(prompt=prompt, user=prompt.patient.therapist)

    assert "status" in error.value.message_dict
    assert LevelChange.objects.count() == 1


def test_approval_after_a_dose_edit_advances_the_row_in_force():
    prompt = pending_prompt()
    old = prompt.item
    today = prompt.patient.local_today()
    old.active_until = today - timedelta(days=1)
    old.save(update_fields=["active_until"])
    new = LadderItemFactory(
        program=old.program, ladder=old.ladder, track=old.track, active_from=today, sets=3
    )

    prompt_approve(prompt=prompt, user=prompt.patient.therapist)

    new.refresh_from_db()
    old.refresh_from_db()
    assert (new.current_level, old.current_level) == (2, 1)


def test_decline_needs_a_reason_and_keeps_the_level():
    prompt = pending_prompt()
    therapist = prompt.patient.therapist

    with pytest.raises(ValidationError) as error:
        prompt_decline(prompt=prompt, user=therapist, reason="  ")
    assert "reason" in error.value.message_dict

    prompt_decline(prompt=prompt, user=therapist, reason="Knee still sore.")
    prompt.refresh_from_db()
    prompt.item.refresh_from_db()
    assert (prompt.status, prompt.decision_reason) == (PromptStatus.DECLINED, "Knee still sore.")
    assert prompt.item.current_level == 1


def test_snooze_needs_a_later_date():
    prompt = pending_prompt()
    therapist = prompt.patient.therapist
    today = prompt.patient.local_today()

    with pytest.raises(ValidationError) as error:
        prompt_snooze(prompt=prompt, user=therapist, until=today)
    assert "until" in error.value.message_dict

    prompt_snooze(prompt=prompt, user=therapist, until=today + timedelta(days=7))
    prompt.refresh_from_db()
    assert (prompt.status, prompt.snoozed_until) == (
        PromptStatus.SNOOZED,
        today + timedelta(days=7),
    )


def test_a_snoozed_prompt_can_still_be_approved():
    prompt = pending_prompt()
    therapist = prompt.patient.therapist
    prompt_snooze(prompt=prompt, user=therapist, until=prompt.patient.local_today() + timedelta(1))

    prompt_approve(prompt=prompt, user=therapist)

    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.APPROVED


def test_a_declined_prompt_cannot_be_snoozed():
    prompt = pending_prompt()
    therapist = prompt.patient.therapist
    prompt_decline(prompt=prompt, user=therapist, reason="Not yet.")

    with pytest.raises(ValidationError):
        prompt_snooze(
            prompt=prompt, user=therapist, until=prompt.patient.local_today() + timedelta(1)
        )


def test_the_patient_page_explains_an_approved_advance_on_its_first_two_days():
    with time_machine.travel(datetime(2025, 6, 2, 12, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        prompt = pending_prompt(program__start_date=date(2025, 6, 1), program__weekdays=127)
        prompt_approve(prompt=prompt, user=prompt.patient.therapist, note="On to level 2.")
    patient = prompt.patient

    def notes(day):
        return [(c.to_level, c.reason) for c in today_plan(patient=patient, on=day).level_changes]

    assert notes(date(2025, 6, 2)) == []
    assert notes(date(2025, 6, 3)) == [(2, "On to level 2.")]
    assert notes(date(2025, 6, 4)) == [(2, "On to level 2.")]
    assert notes(date(2025, 6, 5)) == []
