"""The pain advice on Today follows CLINICAL.md at once on the phone: above the hold-back level
(5) the patient stops that exercise for the day; at the alert level (7) they are also told that
their therapist is being alerted today, with the clinic's number to call."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    PHONE,
    browser_page,
    clamshell_item,
    set_offline,
    sign_in_patient,
)

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


def _apart(upper: dict, lower: dict) -> bool:
    return upper["y"] + upper["height"] <= lower["y"]


@pytest.mark.parametrize(
    "viewport", [PHONE["viewport"], {"width": 360, "height": 640}], ids=["390px", "360px"]
)
def test_the_saved_status_never_covers_the_advice_after_a_painful_set(
    browser, live_server, patient_a, viewport
):
    """The advice is nearly a screen tall: the status shown over the foot of the screen
    covered its last lines (the therapist alert and the clinic's number) as the set was sent.
    While the advice is read, the status sits above it and the advice starts under it."""
    clam = clamshell_item(patient_a)
    with browser_page(browser, live_server, **{**PHONE, "viewport": viewport}) as page:
        sign_in_patient(page, patient_a)
        card = page.locator(f"#item-{clam.public_id}")
        card.locator(".pain-option span", has_text=re.compile(r"^8$")).tap()
        card.locator('[data-log-side="left"]').tap()
        status = page.locator("#sync-status")
        expect(status).to_have_text("All your sets are saved.")
        advice = card.locator("[data-pain-advice]")
        heading = advice.get_by_role("heading", name="Stop this exercise for today")
        expect(advice).to_be_focused()
        for part in (status, advice, heading):
            expect(part).to_be_in_viewport()
        status_box, advice_box = status.bounding_box(), advice.bounding_box()
        assert status_box
        assert advice_box
        assert _apart(status_box, advice_box) or _apart(advice_box, status_box), (
            status_box,
            advice_box,
        )


def test_offline_the_kept_status_goes_back_to_the_foot_once_the_advice_is_left(
    browser, live_server, patient_a
):
    """Offline the status stays up until the set is sent: above the advice while it is read,
    then back at the foot of the screen, where it covers no heading or menu."""
    clam = clamshell_item(patient_a)
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        card = page.locator(f"#item-{clam.public_id}")
        set_offline(page, True)
        card.locator(".pain-option span", has_text=re.compile(r"^8$")).tap()
        card.locator('[data-log-side="left"]').tap()
        status = page.locator("#sync-status")
        expect(status).to_contain_text("will sync when you are back online")
        advice = card.locator("[data-pain-advice]")
        expect(advice).to_be_focused()
        status_box, advice_box = status.bounding_box(), advice.bounding_box()
        assert status_box
        assert advice_box
        assert _apart(status_box, advice_box), (status_box, advice_box)

        card.get_by_role("heading", level=2).tap()
        expect(advice).not_to_be_focused()
        expect(status).to_contain_text("will sync when you are back online")
        bottom = status.bounding_box()
        assert bottom
        assert bottom["y"] + bottom["height"] > PHONE["viewport"]["height"] - 40
        set_offline(page, False)
