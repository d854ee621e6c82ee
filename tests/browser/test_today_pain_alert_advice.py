"""The pain advice on Today follows CLINICAL.md at once on the phone: above the hold-back level
(5) the patient stops that exercise for the day; at the alert level (7) they are also told that
their therapist is being alerted today, with the clinic's number to call."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, browser_page, clamshell_item, sign_in_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log(card, side: str, pain: int) -> None:
    card.locator(".pain-option span", has_text=re.compile(rf"^{pain}$")).tap()
    card.locator(f'[data-log-side="{side}"]').tap()
    saved = card.locator(f'.side[data-side="{side}"] li:not(.pending)')
    expect(saved).to_have_count(1)


def test_pain_at_the_alert_level_says_the_therapist_is_told_and_gives_the_clinics_number(
    browser, live_server, patient_a
):
    patient_a.clinic.phone = "+44 20 7946 0321"
    patient_a.clinic.save(update_fields=["phone"])
    clam = clamshell_item(patient_a)
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        card = page.locator(f"#item-{clam.public_id}")
        advice = card.locator("[data-pain-advice]")
        alert = advice.locator("[data-pain-alert]")

        _log(card, "left", 6)  # too much, below the alert level
        expect(advice).to_be_visible()
        expect(advice).to_contain_text("come back to it at a lower load")
        expect(alert).to_be_hidden()

        card.get_by_text("Log a set you did before you stopped").tap()
        _log(card, "right", 8)
        expect(advice).to_contain_text("You logged pain of 8 out of 10")
        expect(alert).to_be_visible()
        expect(alert).to_contain_text("Pain of 7 or more alerts your therapist the same day")
        expect(alert.get_by_role("link", name="+44 20 7946 0321")).to_have_attribute(
            "href", "tel:+442079460321"
        )
