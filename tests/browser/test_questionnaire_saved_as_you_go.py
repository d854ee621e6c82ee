"""Saving a questionnaire as the patient goes: every answer chosen is kept on the server, or
the page says plainly that it is not saved; a PSFS's activity names stay editable until the
questionnaire is sent (a walk-through found ratings lost without a word and the name boxes
gone once three names were saved)."""

from __future__ import annotations

import re
import time
import uuid
from typing import cast

import pytest
from playwright.sync_api import expect

from apps.outcomes.models import Questionnaire, Status
from apps.outcomes.services import measures_set, questionnaire_submit
from apps.programs.models import Program
from tests.browser.conftest import PHONE, browser_page, set_offline, sign_in_patient
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rate(page, key: str, value: int) -> None:
    group = page.locator(f'fieldset[data-key="{key}"]')
    group.locator(".pain-option span", has_text=re.compile(rf"^{value}$")).tap()


def _due(therapist, patient, code: str) -> Questionnaire:
    program = cast(Program, ProgramFactory(patient=patient, start_date=patient.local_today()))
    measures_set(user=therapist, program=program, instruments=[code])
    return Questionnaire.objects.get(instrument=code, due_on=program.start_date)


def _saved(page, questionnaire: Questionnaire, expected: dict[str, int]) -> None:
    """Wait (up to 15 s) until the server holds exactly these answers."""
    deadline = time.monotonic() + 15
    while dict(questionnaire.answers.values_list("item_key", "value")) != expected:
        if time.monotonic() > deadline:
            found = dict(questionnaire.answers.values_list("item_key", "value"))
            raise AssertionError(f"saved {found}, expected {expected}")
        page.wait_for_timeout(100)


def test_every_psfs_rating_is_kept_and_the_names_stay_editable_until_it_is_sent(
    browser, live_server, therapist_a, patient_a
):
    psfs = _due(therapist_a, patient_a, "psfs")
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.goto(f"/today/questionnaires/{psfs.public_id}/")
        page.get_by_label("Activity 1", exact=True).fill("Climbing stairs")
        page.get_by_label("Activity 2", exact=True).fill("Getting out of a car")
        _rate(page, "activity_1", 4)
        _rate(page, "activity_2", 6)
        page.get_by_label("Activity 3", exact=True).fill("Walkign 2 km")
        _rate(page, "activity_3", 3)

        _saved(page, psfs, {"activity_1": 4, "activity_2": 6, "activity_3": 3})
        expect(page.locator("#q-status")).to_have_text("Saved.")

        page.reload()  # "carry on" from Today
        expect(page.get_by_label("Activity 3", exact=True)).to_have_value("Walkign 2 km")
        for key, value in (("activity_1", 4), ("activity_2", 6), ("activity_3", 3)):
            checked = page.locator(f'fieldset[data-key="{key}"] input[value="{value}"]')
            expect(checked).to_be_checked()
        # The typo fixed and an optional fourth activity added, after three were saved.
        page.get_by_label("Activity 3", exact=True).fill("Walking 2 km")
        page.get_by_label("Activity 4 (optional)").fill("Gardening")
        _rate(page, "activity_4", 7)
        _saved(page, psfs, {"activity_1": 4, "activity_2": 6, "activity_3": 3, "activity_4": 7})
        psfs.refresh_from_db()
        assert psfs.activities == [
            "Climbing stairs", "Getting out of a car", "Walking 2 km", "Gardening"
        ]  # fmt: skip

        page.get_by_role("button", name="Send my answers").tap()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        psfs.refresh_from_db()
        assert (psfs.status, psfs.scores) == (Status.SUBMITTED, {"function": "5.0"})


def test_an_answer_not_saved_is_said_and_sent_again_with_the_next(
    browser, live_server, therapist_a, patient_a
):
    psfs = _due(therapist_a, patient_a, "psfs")
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.goto(f"/today/questionnaires/{psfs.public_id}/")
        for n, name in enumerate(["Climbing stairs", "Getting out of a car", "Walking 2 km"], 1):
            page.get_by_label(f"Activity {n}", exact=True).fill(name)
        status = page.locator("#q-status")

        # The connection drops while the first rating is on its way.
        page.route("**/answers/", lambda route: route.abort("internetdisconnected"))
        _rate(page, "activity_1", 4)
        expect(status).to_contain_text("not saved")
        page.unroute("**/answers/")
        _rate(page, "activity_2", 6)
        _saved(page, psfs, {"activity_1": 4, "activity_2": 6})
        expect(status).to_have_text("Saved.")

        # Offline: the page says the answer is not saved yet, and saves it once back online.
        set_offline(page, True)
        _rate(page, "activity_3", 5)
        expect(status).to_contain_text("not saved yet")
        set_offline(page, False)
        _saved(page, psfs, {"activity_1": 4, "activity_2": 6, "activity_3": 5})
        expect(status).to_have_text("Saved.")


def test_an_answer_the_server_refuses_is_said_on_the_page(
    browser, live_server, therapist_a, patient_a
):
    """The same saving serves every instrument: here an NPRS sent meanwhile from another
    device refuses a later answer, and the patient is told."""
    nprs = _due(therapist_a, patient_a, "nprs")
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.goto(f"/today/questionnaires/{nprs.public_id}/")
        questionnaire_submit(
            patient=patient_a, questionnaire=nprs, submission_id=uuid.uuid4(), answers={"pain": 2}
        )

        _rate(page, "pain", 6)

        expect(page.locator("#q-status")).to_have_text(
            "Not saved: This questionnaire was already submitted."
        )
        nprs.refresh_from_db()
        assert nprs.scores == {"pain": "2"}


def test_an_answer_to_a_question_that_may_be_left_open_can_be_cleared(
    browser, live_server, admin_a, therapist_a, patient_a
):
    """HOOS-12 scores a scale from two of its four questions: a patient who answered one by
    mistake clears it (a radio button cannot be unchosen), and the server forgets it."""
    from apps.outcomes.instruments import HOOS12
    from apps.outcomes.services import OPTION_KEYS, wording_load

    rows = {key: f"Licensed text {key}" for key in (*HOOS12.item_keys, *OPTION_KEYS)}
    wording_load(admin=admin_a, instrument="hoos12", rows=rows)
    hoos = _due(therapist_a, patient_a, "hoos12")
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.goto(f"/today/questionnaires/{hoos.public_id}/")
        clear = page.get_by_role("button", name="Clear my answer to “Licensed text pain_1”")
        expect(clear).to_be_hidden()  # nothing to clear yet
        _rate(page, "pain_1", 3)
        _rate(page, "pain_2", 1)
        _saved(page, hoos, {"pain_1": 3, "pain_2": 1})

        clear.tap()

        _saved(page, hoos, {"pain_2": 1})
        expect(page.locator('fieldset[data-key="pain_1"] input:checked')).to_have_count(0)
        expect(clear).to_be_hidden()
        expect(page.locator("#q-status")).to_have_text("Saved.")
        page.reload()
        expect(page.locator('fieldset[data-key="pain_1"] input:checked')).to_have_count(0)
        expect(page.locator('fieldset[data-key="pain_2"] input[value="1"]')).to_be_checked()


def test_a_submission_sent_again_with_other_answers_is_said_and_not_kept_as_another_patients(
    browser, live_server, therapist_a, patient_a
):
    """The page's submission went through with one answer (the reply was lost); sent again
    under the same id with another, the server refuses it (409 naming submission_id): the
    patient is told the first answers are kept, not that someone else is signed in, and
    nothing waits on the phone to be sent again and again."""
    nprs = _due(therapist_a, patient_a, "nprs")
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.goto(f"/today/questionnaires/{nprs.public_id}/")
        sent = uuid.UUID(page.locator('input[name="submission_id"]').input_value())
        questionnaire_submit(
            patient=patient_a, questionnaire=nprs, submission_id=sent, answers={"pain": 2}
        )
        _rate(page, "pain", 6)

        page.get_by_role("button", name="Send my answers").tap()

        status = page.locator("#q-status")
        expect(status).to_contain_text("You had already sent this questionnaire")
        expect(status).not_to_contain_text("Someone else is signed in")
        assert page.evaluate("localStorage.getItem('clamshell.questionnaires')") in (None, "[]")
        nprs.refresh_from_db()
        assert (nprs.status, nprs.scores) == (Status.SUBMITTED, {"pain": "2"})
