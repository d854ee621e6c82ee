"""A prompt approved while the therapist (or a colleague) changes the same exercise's dose or
level by hand: the approval claims the prompt and writes its audit entry, then locks the item
to advance it; the edit used to lock the item first and then wait for the audit log, so each
waited for the other and PostgreSQL broke the deadlock with an error page. Both now take the
patient's row lock first: the second waits for the first, and both are kept.

Real threads, each with its own PostgreSQL connection; the approval is paused right after it
claimed the prompt, the moment the edit used to take the item's lock."""

from __future__ import annotations

import pytest

from apps.programs import prompt_decisions
from apps.programs.item_services import program_item_update
from apps.programs.models import LevelChange, PromptStatus
from apps.programs.prompt_decisions import item_level_set
from tests.notifications.conftest import make_prompt
from tests.programs.races import paused_after

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dose_edit_during_an_approval_waits_for_it(require_postgres, therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    item = prompt.item

    def approve() -> None:
        prompt_decisions.prompt_approve(prompt=prompt, user=therapist_a)

    def edit_dose() -> None:
        program_item_update(
            actor=therapist_a, item=item, sets=item.sets + 1, reps=item.reps,
            hold_seconds=item.hold_seconds, per_side=item.per_side,
            rest_seconds=item.rest_seconds,
        )  # fmt: skip

    paused_after(prompt_decisions, "_claim", approve, edit_dose)

    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.APPROVED
    assert LevelChange.objects.filter(item__track=item.track).count() == 1


def test_a_hand_level_change_during_an_approval_waits_for_it(
    require_postgres, therapist_a, patient_a
):
    prompt = make_prompt(patient_a)
    item = prompt.item

    def approve() -> None:
        prompt_decisions.prompt_approve(prompt=prompt, user=therapist_a)

    def set_level() -> None:
        item_level_set(item=item, user=therapist_a, level=3, reason="Ready for the band.")

    paused_after(prompt_decisions, "_claim", approve, set_level)

    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.APPROVED
    assert LevelChange.objects.filter(item__track=item.track).count() == 2
