"""A questionnaire sent with questions still open focuses the first of them and marks each as
invalid, described by a message of its own (WCAG 2.2 AA 3.3.1, 4.1.2): a screen reader says
why the focus landed there. Answered, a question's marks and message go; the others stay."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.outcomes.models import Questionnaire
from apps.outcomes.services import measures_set
from tests.browser.conftest import PHONE, assert_accessible, browser_page, sign_in_patient
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STILL_OPEN = "Please choose an answer to this question."
# Each question marked invalid (all its buttons), with the words its group is described by.
MARKED = """() => [...document.querySelectorAll('fieldset.question')].flatMap((group) => {
  const buttons = [...group.querySelectorAll('input[type=radio]')];
  const marked = buttons.filter((b) => b.getAttribute('aria-invalid') === 'true');
  if (!marked.length) return [];
  const by = (group.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent.trim()).join(' ');
  return [[group.dataset.key, marked.length === buttons.length, by]];
})"""


def _rate(page, key: str, value: int) -> None:
    group = page.locator(f'fieldset[data-key="{key}"]')
    group.locator(".pain-option span", has_text=re.compile(rf"^{value}$")).tap()


def test_questions_left_open_are_marked_focused_and_cleared_once_answered(
    browser, live_server, therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    measures_set(user=therapist_a, program=program, instruments=["psfs"])
    psfs = Questionnaire.objects.get(instrument="psfs", due_on=program.start_date)
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.goto(f"/today/questionnaires/{psfs.public_id}/")
        for n, name in enumerate(["Climbing stairs", "Getting out of a car", "Walking 2 km"], 1):
            page.get_by_label(f"Activity {n}", exact=True).fill(name)
        _rate(page, "activity_1", 3)
        assert page.evaluate(MARKED) == []

        page.get_by_role("button", name="Send my answers").tap()

        expect(page.locator("#q-status")).to_contain_text("2 to go")
        expect(page.locator('fieldset[data-key="activity_2"] input').first).to_be_focused()
        assert page.evaluate(MARKED) == [
            ["activity_2", True, STILL_OPEN],
            ["activity_3", True, STILL_OPEN],
        ]
        assert_accessible(page, impacts=None)

        _rate(page, "activity_2", 5)

        assert page.evaluate(MARKED) == [["activity_3", True, STILL_OPEN]]
        expect(page.get_by_text(STILL_OPEN)).to_have_count(1)
        # The answer is saved as it is chosen; the page is closed only once it is (a save
        # still under way would hold rows the next test's clean-up must empty).
        expect(page.locator("#q-status")).to_have_text("Saved.")


def test_a_refused_send_says_why_in_words_not_the_answers_key(
    browser, live_server, therapist_a, patient_a
):
    """Activity 4 rated and its name then cleared: the server refuses the rating of an
    unnamed activity, and the patient reads why without the item's key ("activity_4:")."""
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    measures_set(user=therapist_a, program=program, instruments=["psfs"])
    psfs = Questionnaire.objects.get(instrument="psfs", due_on=program.start_date)
    names = ["Climbing stairs", "Getting out of a car", "Walking 2 km", "Gardening"]
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.goto(f"/today/questionnaires/{psfs.public_id}/")
        for n, name in enumerate(names, 1):
            page.get_by_label(re.compile(rf"^Activity {n}\b")).first.fill(name)
        for n in range(1, 5):
            _rate(page, f"activity_{n}", n)
        expect(page.locator("#q-status")).to_have_text("Saved.")
        page.get_by_label(re.compile(r"^Activity 4\b")).first.fill("")

        page.get_by_role("button", name="Send my answers").tap()

        status = page.locator("#q-status")
        expect(status).to_have_text(
            "Your answers were not sent: You rated activity 4 without naming it: name it."
        )
        psfs.refresh_from_db()
        assert psfs.status == "open"
