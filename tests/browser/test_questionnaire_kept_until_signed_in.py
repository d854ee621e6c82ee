"""Questionnaire answers kept on the phone while offline wait for their own patient's
session: a phone signed out meanwhile (the link renewed, the session ended) or signed in by
another patient (a family phone) keeps them, and they are sent once their patient signs in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.outcomes.models import Questionnaire, Status
from apps.outcomes.services import measures_set
from apps.patients.services import patient_sessions_end
from tests.browser.conftest import PHONE, browser_clock, set_offline, sign_in_patient
from tests.factories import PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


QUEUED = "JSON.parse(localStorage.getItem('clamshell.questionnaires') || '[]').length"


def _queued(page) -> int:
    return page.evaluate(QUEUED)


def test_answers_kept_offline_wait_for_their_patient_to_sign_in_again(
    browser, live_server, therapist_a, patient_a, server_clock
):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    measures_set(user=therapist_a, program=program, instruments=["nprs"])
    nprs = Questionnaire.objects.get(instrument="nprs", due_on=program.start_date)
    relative = PatientFactory(therapist=therapist_a, full_name="Rita A", year_of_birth=1990)
    ProgramFactory(patient=relative, start_date=relative.local_today())
    context = browser.new_context(base_url=live_server.url, **PHONE, service_workers="block")
    try:
        page = context.new_page()
        browser_clock(page)
        sign_in_patient(page, patient_a)
        page.get_by_role("link", name=re.compile("^Your hip pain this week")).tap()
        page.wait_for_url(f"**/today/questionnaires/{nprs.public_id}/")
        set_offline(page, True)
        page.locator(
            'fieldset[data-key="pain"] .pain-option span', has_text=re.compile(r"^4$")
        ).tap()
        page.get_by_role("button", name="Send my answers").tap()
        status = page.locator("#q-status")
        expect(status).to_contain_text("kept on this phone")

        # Signed out meanwhile (her link renewed): back online, the answers stay on the phone.
        patient_sessions_end(patient=patient_a)
        set_offline(page, False)
        expect(status).to_contain_text("Sign in again")
        assert _queued(page) == 1

        # Her relative signs in on the phone: their Today neither files nor drops her answers,
        # and says nothing of them.
        with page.expect_response(re.compile(r"/questionnaires/.*/submit/")) as sent:
            sign_in_patient(page, relative)
        assert sent.value.status == 409
        expect(page.locator("#q-status")).to_have_text("")
        assert _queued(page) == 1
        nprs.refresh_from_db()
        assert nprs.status == Status.OPEN

        # She signs in again: sent once, from her Today.
        sign_in_patient(page, patient_a)
        page.wait_for_function(f"() => ({QUEUED}) === 0")
        nprs.refresh_from_db()
        assert (nprs.status, nprs.scores) == (Status.SUBMITTED, {"pain": "4"})
    finally:
        context.close()
