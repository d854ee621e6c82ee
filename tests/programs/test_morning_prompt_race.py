"""A "worse" next-morning answer and the prompt of yesterday's sets, decided at the same
moment (the phone syncs yesterday's sets as the patient answers), still meet: the prompt is
held back and its automatic advance taken back, whichever commits first (CLINICAL.md: if the
hip is worse the next morning, reduce the load; the app never moves the patient up).

Real threads, each with its own PostgreSQL connection. Writer A does its part and holds its
transaction open; writer B does the other part and is seen waiting for A (or finishes, as it
did before the fix, deciding without A's row); then A commits."""

from __future__ import annotations

import pytest
import time_machine

from apps.notifications.services import set_log_evaluate
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.programs.morning import morning_check_record
from tests.factories import LadderItemFactory
from tests.programs.races import race
from tests.programs.test_morning_check_auto_advance import (
    EXERCISE_DAY,
    NEXT_MORNING,
    _qualifying_set,
)


@pytest.fixture
def item():
    with time_machine.travel(EXERCISE_DAY, tick=False):
        return LadderItemFactory(per_side=False, auto_advance=True)


def _held_back(item) -> tuple[str, bool, int]:
    item.refresh_from_db()
    prompt = ProgressionPrompt.objects.get()
    return prompt.status, prompt.held_back_check_id is not None, item.current_level


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("answer_first", [True, False], ids=["answer first", "prompt first"])
def test_a_worse_answer_and_the_prompt_decided_at_once_still_hold_it_back(
    require_postgres, item, answer_first
):
    log = _qualifying_set(item)
    patient = item.program.patient

    def answer() -> None:
        morning_check_record(patient=patient, hip="worse", stiffness="same")

    def evaluate() -> None:
        set_log_evaluate(log_id=log.pk)

    with time_machine.travel(NEXT_MORNING, tick=False):
        race(*((answer, evaluate) if answer_first else (evaluate, answer)))

    assert _held_back(item) == (PromptStatus.PENDING, True, 1)
