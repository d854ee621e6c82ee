"""The pain gate at decision time: approving a prompt after pain above the hold-back level,
pain at the alert level or a "worse" next-morning answer since its qualifying sets needs an
explicit "approve anyway" with the reason recorded (CLINICAL.md, pain-monitoring model)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.notifications.services import set_log_evaluate
from apps.programs.concerns import concerns_for
from apps.programs.models import LevelChange, ProgressionPrompt, PromptStatus
from apps.programs.morning import morning_check_record
from apps.programs.prompt_decisions import prompt_approve
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return LadderItemFactory(per_side=False)


def therapist_of(item):
    """Who may decide the item's prompts: its patient's therapist."""
    return item.program.patient.therapist


def raise_prompt(item, **extra) -> ProgressionPrompt:
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=20, pain=2, **extra).pk)
    return ProgressionPrompt.objects.get(item=item)


def test_a_prompt_with_no_pain_since_approves_without_a_reason(item):
    prompt = raise_prompt(item)

    prompt_approve(prompt=prompt, user=therapist_of(item), note="")

    prompt.refresh_from_db()
    assert (prompt.status, prompt.override_reason) == (PromptStatus.APPROVED, "")


def test_pain_above_the_limit_since_needs_approve_anyway_with_a_reason(item):
    prompt = raise_prompt(item)
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=5, pain=8).pk)

    with pytest.raises(ValidationError) as error:
        prompt_approve(prompt=prompt, user=therapist_of(item))

    assert "pain up to 8 out of 10" in error.value.message_dict["override_reason"][0]
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.PENDING
    assert not LevelChange.objects.exists()

    prompt_approve(prompt=prompt, user=therapist_of(item), override_reason="Spoke to her: a cramp.")

    prompt.refresh_from_db()
    assert (prompt.status, prompt.override_reason) == ("approved", "Spoke to her: a cramp.")


def test_pain_above_the_limit_on_a_later_day_also_needs_approve_anyway(item):
    patient = item.program.patient
    prompt = raise_prompt(item, performed_on=patient.local_today() - timedelta(days=2))
    SetLogFactory(item=item, reps=5, pain=6)  # today, after the qualifying day

    assert not prompt.is_held_back  # holds are for the qualifying day only
    with pytest.raises(ValidationError):
        prompt_approve(prompt=prompt, user=therapist_of(item))


def test_pain_before_the_qualifying_day_does_not_count(item):
    patient = item.program.patient
    SetLogFactory(item=item, reps=5, pain=9, performed_on=patient.local_today() - timedelta(days=1))
    prompt = raise_prompt(item)

    prompt_approve(prompt=prompt, user=therapist_of(item))

    assert ProgressionPrompt.objects.get().status == PromptStatus.APPROVED


def test_a_worse_next_morning_answer_holds_back_and_needs_approve_anyway(item):
    patient = item.program.patient
    yesterday = patient.local_today() - timedelta(days=1)
    prompt = raise_prompt(item, performed_on=yesterday)

    check, created = morning_check_record(patient=patient, hip="same", stiffness="worse")

    assert (created, check.exercise_day) == (True, yesterday)
    prompt.refresh_from_db()
    assert prompt.is_held_back
    with pytest.raises(ValidationError) as error:
        prompt_approve(prompt=prompt, user=therapist_of(item))
    assert "worse" in error.value.message_dict["override_reason"][0]


def test_a_better_next_morning_answer_holds_nothing(item):
    patient = item.program.patient
    prompt = raise_prompt(item, performed_on=patient.local_today() - timedelta(days=1))

    morning_check_record(patient=patient, hip="better", stiffness="same")

    prompt.refresh_from_db()
    assert not prompt.is_held_back
    assert concerns_for([prompt])[prompt.pk].mornings[0].hip == "better"


def test_approve_anyway_reason_too_long_is_refused_and_nothing_changes(item):
    prompt = raise_prompt(item)
    SetLogFactory(item=item, reps=5, pain=8)

    with pytest.raises(ValidationError):
        prompt_approve(prompt=prompt, user=therapist_of(item), override_reason="x" * 501)

    assert ProgressionPrompt.objects.get().status == PromptStatus.PENDING


def test_the_concerns_list_pain_notes_and_morning_answers_since_the_qualifying_sets(item):
    patient = item.program.patient
    yesterday = patient.local_today() - timedelta(days=1)
    prompt = raise_prompt(item, performed_on=yesterday)
    noted = SetLogFactory(item=item, reps=10, pain=3, note="clicky")
    morning_check_record(patient=patient, hip="better", stiffness="better")

    concerns = concerns_for([ProgressionPrompt.objects.select_related("patient__clinic").get()])[
        prompt.pk
    ]

    assert (concerns.painful, concerns.notes) == ([], [noted])
    assert [c.hip for c in concerns.mornings] == ["better"]
    assert not concerns.needs_override


def test_approving_anyway_without_a_note_never_tells_the_patient_it_went_without_too_much_pain(
    item,
):
    """CLINICAL.md: pain above 5 is "too much" and holds the progression back. When the
    therapist approves anyway and writes no note of their own, the sentence the patient
    reads on Today ("Why: ...") must not say the level was reached without too much pain."""
    prompt = raise_prompt(item)
    set_log_evaluate(log_id=SetLogFactory(item=item, reps=5, pain=8).pk)

    prompt_approve(prompt=prompt, user=therapist_of(item), override_reason="Spoke to her: a cramp.")

    reason = LevelChange.objects.get().reason
    assert "without too much pain" not in reason
    assert "level 2" in reason


def test_approving_anyway_after_a_worse_morning_never_says_without_too_much_pain(item):
    patient = item.program.patient
    prompt = raise_prompt(item, performed_on=patient.local_today() - timedelta(days=1))
    morning_check_record(patient=patient, hip="worse", stiffness="same")

    prompt_approve(prompt=prompt, user=therapist_of(item), override_reason="Seen in clinic: fine.")

    assert "without too much pain" not in LevelChange.objects.get().reason


def test_a_plain_approval_without_a_note_still_says_the_level_was_reached_without_too_much_pain(
    item,
):
    prompt = raise_prompt(item)

    prompt_approve(prompt=prompt, user=therapist_of(item))

    assert "without too much pain" in LevelChange.objects.get().reason
