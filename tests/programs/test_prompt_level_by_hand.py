"""A therapist who changes a ladder level by hand has decided that track's progression: the
open (waiting or snoozed) prompts raised at the level it left close in the same transaction,
audited, and the inbox lists them under recent outcomes with the reason. Decided prompts are
left as they were. A prompt left open from before this (older data) offers only Decline,
saying why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.programs.models import ProgramItem, PromptStatus
from apps.programs.prompt_decisions import (
    CLOSED_LEVEL_BY_HAND,
    item_level_set,
    prompt_decline,
    prompt_snooze,
)
from tests.conftest import signed_in
from tests.notifications.conftest import make_prompt

pytestmark = pytest.mark.django_db


def _level_url(prompt, api=False):
    program, item = prompt.item.program, prompt.item
    base = "/api/v1" if api else ""
    return f"{base}/programs/{program.public_id}/items/{item.public_id}/level/"


def _state(prompt) -> tuple[str, str]:
    prompt.refresh_from_db()
    return prompt.status, prompt.decision_reason


def test_changing_the_level_by_hand_closes_the_open_prompt_audited(therapist_a, patient_a):
    prompt = make_prompt(patient_a)

    item_level_set(item=prompt.item, user=therapist_a, level=3, reason="Doing well: skip one")

    assert _state(prompt) == (PromptStatus.WITHDRAWN, CLOSED_LEVEL_BY_HAND)
    assert (prompt.decided_by, prompt.decided_at is not None) == (therapist_a, True)
    entry = AuditEntry.objects.get(target_ref=str(prompt.public_id))
    assert (entry.actor, entry.patient_id, entry.detail) == (
        therapist_a,
        patient_a.pk,
        f"closed: {CLOSED_LEVEL_BY_HAND}",
    )


def test_a_snoozed_prompt_closes_too_and_a_declined_one_is_left_alone(therapist_a, patient_a):
    snoozed, declined = make_prompt(patient_a), make_prompt(patient_a)
    until = patient_a.local_today() + timedelta(days=3)
    prompt_snooze(prompt=snoozed, user=therapist_a, until=until)
    prompt_decline(prompt=declined, user=therapist_a, reason="Not yet")

    item_level_set(item=snoozed.item, user=therapist_a, level=2, reason="Ready now")
    item_level_set(item=declined.item, user=therapist_a, level=2, reason="Ready now")

    assert _state(snoozed) == (PromptStatus.WITHDRAWN, CLOSED_LEVEL_BY_HAND)
    assert _state(declined) == (PromptStatus.DECLINED, "Not yet")


def test_the_prompts_of_other_exercises_stay_open(therapist_a, patient_a):
    changed, other = make_prompt(patient_a), make_prompt(patient_a)

    item_level_set(item=changed.item, user=therapist_a, level=2, reason="Ready now")

    assert _state(other) == (PromptStatus.PENDING, "")


def test_a_refused_level_change_leaves_the_prompt_open(therapist_a, patient_a):
    prompt = make_prompt(patient_a)

    response = signed_in(therapist_a).post(_level_url(prompt), {"level": 3, "reason": ""})

    assert response.status_code == 400
    assert _state(prompt) == (PromptStatus.PENDING, "")


def test_the_change_level_page_closes_it_and_the_inbox_lists_it_as_answered(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    client = signed_in(therapist_a)

    response = client.post(_level_url(prompt), {"level": 3, "reason": "Doing well"})
    inbox = client.get(reverse("notifications:inbox"))

    assert response.status_code == 302
    assert inbox.context["inbox"].open_prompts == []
    assert [card.prompt.pk for card in inbox.context["inbox"].recent] == [prompt.pk]
    html = inbox.content.decode()
    assert f"Why it was closed: {CLOSED_LEVEL_BY_HAND}" in html
    assert '<span class="badge">Closed: level changed by hand</span>' in html
    assert "Closed: no longer in the program" not in html


def test_the_change_level_api_closes_it(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    client = APIClient()
    client.force_authenticate(therapist_a)

    response = client.post(
        _level_url(prompt, api=True), {"level": 2, "reason": "Ready now"}, format="json"
    )

    assert response.status_code == 200
    assert _state(prompt) == (PromptStatus.WITHDRAWN, CLOSED_LEVEL_BY_HAND)


def test_an_older_open_prompt_whose_level_changed_offers_decline_only_and_says_why(
    therapist_a, patient_a
):
    prompt = make_prompt(patient_a)
    # A level changed by hand before such changes closed the prompt: it is still open.
    ProgramItem.objects.filter(pk=prompt.item.pk).update(current_level=3, previous_level=1)

    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()

    card = html[html.index(f'id="prompt-{prompt.public_id}"') :]
    assert "The level was changed by hand since this prompt was raised" in card
    assert reverse("notifications:approve", args=[prompt.public_id]) not in card
    assert reverse("notifications:snooze", args=[prompt.public_id]) not in card
    assert reverse("notifications:decline", args=[prompt.public_id]) in card
