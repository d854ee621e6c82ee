"""Approving a progression prompt (POST /api/v1/prompts/<id>/approve/, the inbox's Approve)
asks again, under the patient's lock, whether the caller may still change the patient's
programs: a patient handed over to a colleague while the request waited is a 404 for the
former therapist, and the prompt stays open, the level as it was, nothing recorded (it
raised the level before). Two PostgreSQL connections (tests/programs/hand_over_races.py)."""

from __future__ import annotations

import pytest

from apps.programs.models import LevelChange, ProgramItem, ProgressionPrompt, PromptStatus
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.notifications.conftest import make_prompt
from tests.programs.hand_over_races import audits_by, during_a_hand_over


def approve(user, prompt):
    return lambda: signed_in(user).post(
        f"/api/v1/prompts/{prompt.public_id}/approve/", {}, content_type="application/json"
    )


def left_as_it_was(prompt) -> bool:
    item = ProgramItem.objects.get(pk=prompt.item_id)
    pending = ProgressionPrompt.objects.get(pk=prompt.pk).status == PromptStatus.PENDING
    return pending and item.current_level == prompt.level and not LevelChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_committed_while_the_approval_waits_makes_it_a_404(
    require_postgres, therapist_a, admin_a, patient_a
):
    prompt = make_prompt(patient_a)
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=approve(therapist_a, prompt)
    )

    assert answer.status_code == 404, answer.content
    assert left_as_it_was(prompt)
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_inbox_approve_sent_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, patient_a
):
    prompt = make_prompt(patient_a)
    client = signed_in(therapist_a)
    form = form_saying(client.get("/inbox/").text, f"Approve level {prompt.next_level}")
    audited = audits_by(therapist_a)  # the inbox's own read is in the log

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=lambda: client.post(form.action, form.values)
    )

    assert answer.status_code == 404
    assert left_as_it_was(prompt)
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_admin_approves_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, patient_a
):
    prompt = make_prompt(patient_a)

    answer = during_a_hand_over(admin=admin_a, therapist=therapist_a, send=approve(admin_a, prompt))

    assert answer.status_code == 200, answer.content
    assert ProgressionPrompt.objects.get(pk=prompt.pk).status == PromptStatus.APPROVED
