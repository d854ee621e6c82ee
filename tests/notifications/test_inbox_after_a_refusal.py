"""A decision on a progression prompt refused without JavaScript is answered at the
decision's own address (the prompt with its message); opened again with a GET (reloaded,
from the history, a bookmark) that address leads to the inbox at the prompt's card, never to
an empty 405. Only the prompt's own clinic gets there: anyone else's is a 404."""

import pytest
from django.urls import reverse

from apps.programs.models import PromptStatus
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import PatientFactory, StaffFactory
from tests.notifications.conftest import make_prompt

pytestmark = pytest.mark.django_db

# (the card's button, a refused body, the message the refusal shows)
REFUSED = [
    ("Decline", {"reason": ""}, "Say why you are keeping the patient at this level."),
    ("Snooze", {"until": "2000-01-01"}, "Choose a date after today."),
    ("Approve level 2", {"note": "x" * 301}, "300 characters"),
]


@pytest.mark.parametrize(("button", "body", "message"), REFUSED)
def test_a_refused_decision_opened_again_leads_to_the_inbox_at_its_card(
    therapist_a, prompt_a, button, body, message
):
    client = signed_in(therapist_a)
    inbox = client.get(reverse("notifications:inbox")).text
    form = form_saying(inbox, button)

    refused = client.post(form.action, form.values | body)
    again = client.get(form.action)

    assert refused.status_code == 400
    assert message in refused.text
    assert again.status_code == 302
    assert again["Location"] == f"/inbox/#prompt-{prompt_a.public_id}"
    page = client.get(again["Location"])
    assert page.status_code == 200
    assert form_saying(page.text, button).action == form.action
    prompt_a.refresh_from_db()
    assert prompt_a.status == PromptStatus.PENDING


@pytest.mark.parametrize("decision", ["approve", "decline", "snooze"])
def test_opening_a_decision_of_another_clinics_or_a_colleagues_prompt_is_a_404(
    therapist_a, prompt_b, decision
):
    colleagues = make_prompt(PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic)))
    client = signed_in(therapist_a)

    for prompt in (prompt_b, colleagues):
        url = reverse(f"notifications:{decision}", args=[prompt.public_id])
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("decision", ["approve", "decline", "snooze"])
def test_opening_a_decision_is_a_403_for_a_patient_and_sign_in_for_anyone(
    client, prompt_a, decision
):
    url = reverse(f"notifications:{decision}", args=[prompt_a.public_id])

    assert signed_in(prompt_a.patient.user).get(url).status_code == 403
    assert client.get(url)["Location"].startswith("/sign-in/")


def test_a_decision_takes_no_other_method(therapist_a, prompt_a):
    url = reverse("notifications:approve", args=[prompt_a.public_id])

    assert signed_in(therapist_a).put(url).status_code == 405
