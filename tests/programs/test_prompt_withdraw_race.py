"""An approval and the change that closes the prompt (removing the exercise, ending the
program, archiving the patient) sent at the same moment: whichever commits first wins, the
other waits for it, and nobody gets an error page (a deadlock is a 500). An approval that
came first is kept (the level change was decided before the exercise left the program); a
close that came first makes the approval a 400 saying the prompt was closed.

Real threads, each with its own PostgreSQL connection. For "approval first" the approval is
paused right after it has claimed the prompt, the moment the close used to lock the item
the approval needed next while waiting for the prompt the approval held."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.notifications.services import set_log_evaluate
from apps.patients.archive_services import patient_archive
from apps.programs import progression, prompt_decisions, prompt_holds
from apps.programs.edit_services import program_schedule_update
from apps.programs.item_services import program_item_remove
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import CLOSED_ARCHIVED, CLOSED_ENDED, CLOSED_REMOVED
from tests.factories import LadderItemFactory
from tests.notifications.conftest import make_prompt
from tests.notifications.factories import SetLogFactory
from tests.programs.races import paused_after, race

REASONS = {"remove": CLOSED_REMOVED, "end": CLOSED_ENDED, "archive": CLOSED_ARCHIVED}


def _closer(kind: str, prompt: ProgressionPrompt, therapist) -> Callable[[], object]:
    item, patient = prompt.item, prompt.patient
    if kind == "remove":
        return lambda: program_item_remove(actor=therapist, item=item)
    if kind == "end":
        program = item.program
        return lambda: program_schedule_update(
            actor=therapist, program=program, weekdays=program.weekday_numbers,
            start_date=program.start_date, end_date=patient.local_today() - timedelta(days=1),
        )  # fmt: skip
    return lambda: patient_archive(patient=patient, actor=therapist)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["remove", "end", "archive"])
def test_an_approval_that_came_first_is_kept_and_the_close_waits_for_it(
    require_postgres, therapist_a, patient_a, kind
):
    prompt = make_prompt(patient_a)

    def approve() -> None:
        prompt_decisions.prompt_approve(prompt=prompt, user=therapist_a)

    paused_after(prompt_decisions, "_claim", approve, _closer(kind, prompt, therapist_a))

    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.APPROVED
    assert prompt.level_changes.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["remove", "end", "archive"])
def test_a_close_that_came_first_makes_the_approval_a_refusal_saying_so(
    require_postgres, therapist_a, patient_a, kind
):
    prompt = make_prompt(patient_a)
    refused: list[dict[str, list[str]]] = []

    def approve() -> None:
        try:
            prompt_decisions.prompt_approve(prompt=prompt, user=therapist_a)
        except ValidationError as error:
            refused.append(error.message_dict)

    race(_closer(kind, prompt, therapist_a), approve)

    assert refused == [{"status": [f"This prompt was closed: {REASONS[kind]}"]}]
    prompt.refresh_from_db()
    assert (prompt.status, prompt.decision_reason) == (PromptStatus.WITHDRAWN, REASONS[kind])
    assert not prompt.level_changes.exists()


@pytest.mark.django_db(transaction=True)
def test_a_painful_set_checked_as_the_exercise_is_removed_holds_and_closes_without_deadlock(
    require_postgres, therapist_a, patient_a
):
    """Pain above the hold-back level locks the day's prompts to hold them back and takes
    back the day's automatic advance (which writes the patient's day totals); the removal
    closes the removed exercise's prompt. Both take the patient's row first: the removal
    waits for the check, then closes the prompt the check held back."""
    advanced_item = LadderItemFactory(program__patient=patient_a, per_side=False, auto_advance=True)
    with transaction.atomic():
        advanced, _ = progression.prompt_for_log(log=SetLogFactory(item=advanced_item, reps=20))
    assert advanced.status == PromptStatus.AUTO_APPROVED
    # Raised later, so held back first: the check pauses holding both prompts, before it
    # takes back the advance.
    pending = make_prompt(patient_a)
    painful = SetLogFactory(item=advanced_item, reps=5, pain=8)

    def check() -> None:
        set_log_evaluate(log_id=painful.pk)

    def remove() -> None:
        program_item_remove(actor=therapist_a, item=pending.item)

    paused_after(prompt_holds, "_hold", check, remove)

    pending.refresh_from_db()
    advanced.refresh_from_db()
    assert (pending.status, pending.held_back_pain) == (PromptStatus.WITHDRAWN, 8)
    assert (advanced.status, advanced.held_back_pain) == (PromptStatus.PENDING, 8)
