"""The inbox keeps a keyboard or screen-reader user in place after a decision replaces a card:
focus moves to the new card's heading (or the alert's "marked as seen" line), and the count of
prompts waiting follows, as does the staff menu's count of what waits in the inbox."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.notifications.models import PainAlert
from tests.browser.conftest import assert_accessible, sign_in_staff
from tests.notifications.conftest import make_prompt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deciding_a_prompt_and_seeing_an_alert_keep_focus_and_the_count(
    desktop_page, therapist_a, patient_a
):
    prompt = make_prompt(patient_a)
    PainAlert.objects.create(patient=patient_a, local_date="2025-01-01", pain=8)
    page = desktop_page
    sign_in_staff(page, therapist_a)
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Inbox 2 waiting", exact=True)).to_be_visible()
    page.goto("/inbox/")
    expect(page.locator("#prompts-count")).to_have_text("1")
    assert_accessible(page)

    page.get_by_label("Note for the patient (optional)").fill("On to level 2")
    page.get_by_role("button", name=f"Approve level {prompt.next_level}").click()

    heading = page.locator(f"#prompt-{prompt.public_id}-title")
    expect(heading).to_contain_text("Approved")
    expect(heading).to_be_focused()
    expect(page.locator("#prompts-count")).to_have_text("0")
    expect(menu.get_by_role("link", name="Inbox 1 waiting", exact=True)).to_be_visible()
    expect(page.get_by_text("Note for the patient: On to level 2")).to_be_visible()

    page.get_by_role("button", name="Mark as seen").click()
    seen = page.get_by_role("status").filter(has_text="marked as seen")
    expect(seen).to_be_focused()
    expect(menu.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    page.reload()  # the server counts the same
    expect(menu.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
