"""The daily close of stale prompts and a therapist's decision at the same moment: whichever
commits first wins, the other waits for it. A decision made first is kept and the job
leaves the prompt alone; a close made first makes the decision a 400 saying why it was
closed. Real threads, each with its own PostgreSQL connection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.patients.models import Patient
from apps.programs.edit_services import program_schedule_update
from apps.programs.locks import PATIENT_ARCHIVED
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import (
    CLOSED_ARCHIVED,
    CLOSED_ENDED,
    prompt_approve,
    prompt_decline,
)
from apps.programs.stale_prompts import prompts_close_stale
from tests.notifications.conftest import make_prompt
from tests.programs.races import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("require_postgres")]

LATER = timedelta(days=3)
# The decision a therapist can make on each kind of stale prompt: a program past its end has
# no next day to approve a level from (the inbox offers Decline only); an archived patient's
# prompt left open from before closing existed can be decided by nobody while they are
# archived (their programs are read-only), so the job alone closes it.
CASES = {
    "ended": (PromptStatus.DECLINED, CLOSED_ENDED),
    "archived": (PromptStatus.APPROVED, CLOSED_ARCHIVED),
}


def _stale(kind: str, patient: Patient) -> ProgressionPrompt:
    prompt = make_prompt(patient)
    if kind == "ended":
        program = prompt.item.program
        program_schedule_update(
            actor=patient.therapist, program=program, weekdays=program.weekday_numbers,
            start_date=program.start_date, end_date=patient.local_today() + timedelta(days=1),
        )  # fmt: skip
    else:
        Patient.objects.filter(pk=patient.pk).update(archived_at=timezone.now())
    return prompt


def _decide(kind: str, prompt: ProgressionPrompt, refused: list[dict]) -> Callable[[], None]:
    def decide() -> None:
        user = prompt.patient.therapist
        try:
            if kind == "ended":
                prompt_decline(prompt=prompt, user=user, reason="Kept at this level")
            else:
                prompt_approve(prompt=prompt, user=user)
        except ValidationError as error:
            refused.append(
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            )

    return decide


def _close(closed: list[int]) -> Callable[[], None]:
    return lambda: closed.append(prompts_close_stale(now=timezone.now() + LATER))


@pytest.mark.parametrize("kind", ["ended"])
def test_a_decision_made_first_is_kept_and_the_job_waits_for_it(patient_a, kind):
    prompt = _stale(kind, patient_a)
    refused: list[dict] = []
    closed: list[int] = []

    race(_decide(kind, prompt, refused), _close(closed))

    prompt.refresh_from_db()
    assert (refused, closed, prompt.status) == ([], [0], CASES[kind][0])
    details = AuditEntry.objects.filter(target_ref=str(prompt.public_id)).values_list("detail")
    assert not [d for (d,) in details if d.startswith("closed:")]


@pytest.mark.parametrize("kind", CASES)
def test_a_close_made_first_makes_the_decision_a_refusal_saying_why(patient_a, kind):
    prompt = _stale(kind, patient_a)
    refused: list[dict] = []
    closed: list[int] = []

    race(_close(closed), _decide(kind, prompt, refused))

    reason = CASES[kind][1]
    prompt.refresh_from_db()
    assert closed == [1]
    assert refused == [{"status": [f"This prompt was closed: {reason}"]}]
    assert (prompt.status, prompt.decision_reason) == (PromptStatus.WITHDRAWN, reason)
    assert not prompt.level_changes.exists()


def test_an_archived_patients_prompt_sent_first_is_refused_and_the_job_closes_it(patient_a):
    prompt = _stale("archived", patient_a)
    refused: list[dict] = []
    closed: list[int] = []

    race(_decide("archived", prompt, refused), _close(closed))

    prompt.refresh_from_db()
    assert refused == [{"__all__": [PATIENT_ARCHIVED]}]
    assert closed == [1]
    assert (prompt.status, prompt.decision_reason) == (PromptStatus.WITHDRAWN, CLOSED_ARCHIVED)
    assert not prompt.level_changes.exists()
