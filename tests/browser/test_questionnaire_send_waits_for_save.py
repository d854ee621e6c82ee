"""Tapping "Send" while an answer is still being saved: the answers go once, after that
save, and no save follows them. A save sent after the submission is refused ("already
submitted") and said "Not saved" over the thank-you; the outcomes journey caught it on a slow
machine."""

from __future__ import annotations

import re
from typing import cast

import pytest
from playwright.sync_api import Route, expect

from apps.outcomes.models import Questionnaire, Status
from apps.outcomes.services import measures_set
from apps.programs.models import Program
from tests.browser.conftest import PHONE, browser_page, sign_in_patient
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rate(page, key: str, value: int) -> None:
    group = page.locator(f'fieldset[data-key="{key}"]')
    group.locator(".pain-option span", has_text=re.compile(rf"^{value}$")).tap()


def test_send_waits_for_the_save_under_way_and_no_save_follows_it(
    browser, live_server, therapist_a, patient_a
):
    program = cast(Program, ProgramFactory(patient=patient_a, start_date=patient_a.local_today()))
    measures_set(user=therapist_a, program=program, instruments=["nprs"])
    nprs = Questionnaire.objects.get(instrument="nprs", due_on=program.start_date)
    held: list[Route] = []
    sent: list[str] = []
    refused: list[str] = []

    def hold_saves(route: Route) -> None:
        if route.request.method == "PATCH":
            held.append(route)  # answered when the test says
        else:
            route.continue_()

    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.goto(f"/today/questionnaires/{nprs.public_id}/")
        page.on("request", lambda r: sent.append(r.method) if "/questionnaires/" in r.url else None)
        page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
        page.route(re.compile(r".*/answers/$"), hold_saves)

        _rate(page, "pain", 4)
        for _ in range(50):
            if held:
                break
            page.wait_for_timeout(100)
        assert len(held) == 1
        _rate(page, "pain", 6)  # a newer answer, while the first is being saved
        page.get_by_role("button", name="Send my answers").tap()
        page.wait_for_timeout(700)
        assert "POST" not in sent, "sent while an answer was still being saved"

        held[0].continue_()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    assert sent.count("POST") == 1
    assert sent[sent.index("POST") + 1 :].count("PATCH") == 0, sent
    assert refused == []
    nprs.refresh_from_db()
    assert (nprs.status, nprs.scores) == (Status.SUBMITTED, {"pain": "6"})
