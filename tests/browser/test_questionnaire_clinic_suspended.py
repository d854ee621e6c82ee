"""Questionnaire answers sent while the patient's clinic is suspended: refused with 403, kept
on the phone, and the page says why in the server's words, not "sign in again" (her session
still holds, and signing in would be refused too). Once the clinic is resumed they go, once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from apps.clinics.models import User
from apps.clinics.services import clinic_resume, clinic_suspend
from apps.outcomes.models import Questionnaire, Status
from apps.outcomes.services import measures_set
from tests.browser.conftest import PHONE, browser_clock, set_offline, sign_in_patient
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUED = "JSON.parse(localStorage.getItem('clamshell.questionnaires') || '[]').length"


@pytest.fixture
def nprs(server_clock, therapist_a, patient_a):
    """The pain questionnaire due on the first day of her program."""
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    measures_set(user=therapist_a, program=program, instruments=["nprs"])
    return Questionnaire.objects.get(instrument="nprs", due_on=program.start_date)


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser("ops@example.org", "a long operator password")


@contextmanager
def questionnaire_page(browser, live_server, patient, questionnaire) -> Iterator[object]:
    """Her phone, signed in, on the questionnaire's page."""
    context = browser.new_context(base_url=live_server.url, **PHONE, service_workers="block")
    try:
        page = context.new_page()
        browser_clock(page)
        sign_in_patient(page, patient)
        page.get_by_role("link", name=re.compile("^Your hip pain this week")).tap()
        page.wait_for_url(f"**/today/questionnaires/{questionnaire.public_id}/")
        yield page
    finally:
        context.close()


def _answer_pain_4_and_send(page) -> None:
    page.locator('fieldset[data-key="pain"] .pain-option span', has_text=re.compile(r"^4$")).tap()
    page.get_by_role("button", name="Send my answers").tap()


def test_answers_sent_while_the_clinic_is_suspended_wait_and_say_why(
    browser, live_server, patient_a, nprs, operator
):
    with questionnaire_page(browser, live_server, patient_a, nprs) as page:
        set_offline(page, True)
        _answer_pain_4_and_send(page)
        status = page.locator("#q-status")
        expect(status).to_contain_text("kept on this phone")

        clinic_suspend(clinic=patient_a.clinic, actor=operator, reason="Unpaid")
        set_offline(page, False)
        expect(status).to_contain_text("Your clinic's Clamshell account is suspended")
        expect(status).to_contain_text("kept on this phone")
        expect(status).not_to_contain_text("Sign in again")
        assert page.evaluate(QUEUED) == 1

        clinic_resume(clinic=patient_a.clinic, actor=operator)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_function(f"() => ({QUEUED}) === 0")
        nprs.refresh_from_db()
        assert (nprs.status, nprs.scores) == (Status.SUBMITTED, {"pain": "4"})


def test_answers_sent_online_to_a_suspended_clinic_are_kept_and_say_why(
    browser, live_server, patient_a, nprs, operator
):
    with questionnaire_page(browser, live_server, patient_a, nprs) as page:
        clinic_suspend(clinic=patient_a.clinic, actor=operator, reason="Unpaid")
        _answer_pain_4_and_send(page)

        status = page.locator("#q-status")
        expect(status).to_contain_text("Your clinic's Clamshell account is suspended")
        expect(status).to_contain_text("are kept on this phone and sent then")
        assert page.evaluate(QUEUED) == 1
        nprs.refresh_from_db()
        assert nprs.status == Status.OPEN
