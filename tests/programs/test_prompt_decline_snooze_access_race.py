"""Declining or snoozing a progression prompt (POST /api/v1/prompts/<id>/decline/ and
/snooze/, the inbox's Decline and Snooze) asks again, under the patient's lock, whether the
caller may still change the patient's programs, as approving does: a patient handed over to a
colleague while the request waited is a 404 for the former therapist, and the prompt stays
open, nothing recorded (the decision was saved and audited before, and the API then answered
a 500 reading the prompt back). Two PostgreSQL connections (tests/programs/hand_over_races.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.programs.models import ProgressionPrompt, PromptStatus
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.notifications.conftest import make_prompt
from tests.programs.hand_over_races import audits_by, during_a_hand_over


def later(prompt) -> str:
    return (prompt.patient.local_today() + timedelta(days=3)).isoformat()


def decide(user, prompt, how: str):
    data = {"reason": "Not yet: sore knee."} if how == "decline" else {"until": later(prompt)}
    return lambda: signed_in(user).post(
        f"/api/v1/prompts/{prompt.public_id}/{how}/", data, content_type="application/json"
    )


def still_pending(prompt) -> bool:
    found = ProgressionPrompt.objects.get(pk=prompt.pk)
    return (found.status, found.decided_by_id) == (PromptStatus.PENDING, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["decline", "snooze"])
def test_a_hand_over_committed_while_the_decision_waits_makes_it_a_404(
    require_postgres, therapist_a, admin_a, patient_a, how
):
    prompt = make_prompt(patient_a)
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=decide(therapist_a, prompt, how)
    )

    assert answer.status_code == 404, answer.content
    assert still_pending(prompt)
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("button", "field"), [("Why keep this level?", "reason"), ("Ask me again on", "until")]
)
def test_the_inbox_decline_or_snooze_sent_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, patient_a, button, field
):
    prompt = make_prompt(patient_a)
    client = signed_in(therapist_a)
    form = form_saying(client.get("/inbox/").text, button)
    values = {**form.values, field: "Not yet: sore knee." if field == "reason" else later(prompt)}
    audited = audits_by(therapist_a)  # the inbox's own read is in the log

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=lambda: client.post(form.action, values)
    )

    assert answer.status_code == 404
    assert still_pending(prompt)
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("how", "status"), [("decline", PromptStatus.DECLINED), ("snooze", PromptStatus.SNOOZED)]
)
def test_the_admin_decides_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, patient_a, how, status
):
    prompt = make_prompt(patient_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=decide(admin_a, prompt, how)
    )

    assert answer.status_code == 200, answer.content
    assert ProgressionPrompt.objects.get(pk=prompt.pk).status == status
