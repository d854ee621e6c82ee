"""Once one side's prescribed sets are logged, the side still due becomes the card's first,
primary log button at once (no reload), and the side already done steps back to a plain
button after it: a patient tapping the first button does the due set, not an extra one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.programs.models import SetLog
from tests.browser.conftest import clamshell_item, sign_in_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "All your sets are saved."


def test_the_due_side_becomes_the_first_button_once_the_other_is_done(phone_page, patient_a):
    clam = clamshell_item(patient_a, sets=1)
    page = phone_page
    sign_in_patient(page, patient_a)
    card = page.locator(f"#item-{clam.public_id}")
    buttons = card.locator(".log-button")
    expect(buttons.first).to_have_attribute("data-log-side", "left")

    card.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
    buttons.first.tap()
    expect(page.locator("#sync-status")).to_have_text(SAVED)

    expect(buttons.first).to_have_attribute("data-log-side", "right")
    expect(buttons.first).to_have_class(re.compile(r"\bprimary\b"))
    expect(card.locator('[data-log-side="left"]')).not_to_have_class(re.compile(r"\bprimary\b"))
    expect(card.locator('[data-log-side="left"]')).to_contain_text("Log left set 2")

    card.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
    buttons.first.tap()
    expect(card.locator('.side[data-side="right"] [data-side-done]')).to_have_text("1")
    expect(page.locator("#sync-status")).to_have_text(SAVED)
    sides = SetLog.objects.filter(item=clam).order_by("logged_at").values_list("side", flat=True)
    assert list(sides) == ["left", "right"]
    # Both sides done: no side is due, and the buttons stand as they first did.
    expect(buttons.first).to_have_attribute("data-log-side", "left")
    expect(card.locator('[data-log-side="left"]')).to_have_class(re.compile(r"\bprimary\b"))
