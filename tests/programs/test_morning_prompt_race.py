"""A "worse" next-morning answer and the prompt of yesterday's sets, decided at the same
moment (the phone syncs yesterday's sets as the patient answers), still meet: the prompt is
held back and its automatic advance taken back, whichever commits first (CLINICAL.md: if the
hip is worse the next morning, reduce the load; the app never moves the patient up).

Real threads, each with its own PostgreSQL connection. Writer A does its part and holds its
transaction open; writer B does the other part and is seen waiting for A (or finishes, as it
did before the fix, deciding without A's row); then A commits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection, transaction

from apps.notifications.services import set_log_evaluate
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.programs.morning import morning_check_record
from tests.factories import LadderItemFactory
from tests.programs.test_daily_totals_race import _someone_waits_on_a_lock
from tests.programs.test_morning_check_auto_advance import (
    EXERCISE_DAY,
    NEXT_MORNING,
    _qualifying_set,
)

WAIT = 30


def _race(first: Callable[[], object], second: Callable[[], object]) -> None:
    a_done, release_a, b_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer_a() -> None:
        try:
            with transaction.atomic():
                first()
                a_done.set()
                release_a.wait(WAIT)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def writer_b() -> None:
        try:
            a_done.wait(WAIT)
            second()
        except BaseException as exc:
            errors.append(exc)
        finally:
            b_done.set()
            connection.close()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    assert a_done.wait(WAIT)
    for _ in range(WAIT * 100):  # B waits behind A (or, without the lock, has finished)
        if b_done.is_set() or _someone_waits_on_a_lock():
            break
        time.sleep(0.01)
    release_a.set()
    for thread in threads:
        thread.join(WAIT)
    assert not errors


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
        _race(*((answer, evaluate) if answer_first else (evaluate, answer)))

    assert _held_back(item) == (PromptStatus.PENDING, True, 1)
