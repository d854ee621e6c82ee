"""A family phone: two patients sign in on the same browser, one after the other. Sets one of
them logged and could not send yet are theirs: they are never sent under the other's session
(they would be filed as the other patient's health data, or refused and lost), and they go
out, once, when their own patient signs in again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.patients.services import patient_sessions_end
from apps.programs.models import SetLog
from tests.browser.conftest import PHONE, browser_page, set_offline, sign_in_patient
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _queued(page) -> int:
    return page.evaluate(
        "id => JSON.parse(localStorage.getItem('clamshell.queue.' + id) || '[]').length",
        page.locator("#today").get_attribute("data-patient"),
    )


def test_sets_waiting_on_a_shared_phone_stay_with_their_patient(
    browser, live_server, patient_a, therapist_a
):
    relative = PatientFactory(therapist=therapist_a, full_name="Rita A", year_of_birth=1990)
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    ExerciseItemFactory(program=ProgramFactory(patient=relative), sets=2, reps=10)
    # No service worker: nothing here is about opening pages offline.
    with browser_page(browser, live_server, **PHONE, service_workers="block") as mine:
        sign_in_patient(mine, patient_a)
        card = mine.locator(f"#item-{item.public_id}")
        set_offline(mine, True)
        card.locator(".pain-option span", has_text=re.compile(r"^3$")).click()
        card.get_by_role("button", name=re.compile(r"Log left set")).click()
        status = mine.locator("#sync-status")
        status.filter(has_text="saved on this phone").wait_for()

        # Her session ends meanwhile (say her link was renewed): the set waits for a sign-in.
        patient_sessions_end(patient=patient_a)
        set_offline(mine, False)
        expect(status).to_contain_text("Sign in again")
        assert _queued(mine) == 1

        # Her relative signs in on the same phone, in another tab; her Today stays open.
        theirs = mine.context.new_page()
        sign_in_patient(theirs, relative)
        mine.evaluate("window.dispatchEvent(new Event('online'))")  # her page tries again
        expect(status).to_contain_text("Someone else is signed in on this phone")
        assert SetLog.objects.count() == 0  # not filed as the relative's
        assert _queued(mine) == 1  # and not thrown away

        # She signs in again: her set goes out once, as hers.
        sign_in_patient(mine, patient_a)
        expect(status).to_contain_text("All your sets are saved")
        log = SetLog.objects.get()
        assert (log.patient, log.side, log.pain) == (patient_a, "left", 3)
        assert _queued(mine) == 0
