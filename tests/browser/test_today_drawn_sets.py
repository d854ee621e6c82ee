"""The sets Today draws itself (after a set is sent, or from the plan kept on the phone)
say as much as the server's list: the difficulty, and which set a "Change" link is for."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.exercises.models import Ladder
from tests.browser.conftest import browser_clock, sign_in_patient, watch_errors
from tests.factories import LadderItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "All your sets are saved."


@pytest.fixture
def clam(patient_a, server_clock):
    call_command("load_library", stdout=io.StringIO())
    program = ProgramFactory(patient=patient_a, name="Hip strength")
    return LadderItemFactory(
        program=program,
        ladder=Ladder.objects.get(key="clamshell-boren-2011"),
        sets=2,
        reps=10,
        per_side=True,
        position=0,
    )


def log_left(page, card, pain: int, difficulty: str = "") -> None:
    card.locator(".pain-option span", has_text=re.compile(rf"^{pain}$")).tap()
    if difficulty:
        card.locator(".adjust summary").tap()
        card.get_by_label("How hard was it? (optional)").select_option(difficulty)
    card.locator('[data-log-side="left"]').tap()
    page.locator("#sync-status").filter(has_text=SAVED).wait_for()


def open_today(page, patient) -> None:
    """Signed in, with the service worker in control and the page it keeps (no set yet)."""
    browser_clock(page)
    sign_in_patient(page, patient)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_the_sets_the_page_draws_show_their_difficulty_and_name_their_change_link(
    phone_page, patient_a, clam
):
    page = phone_page
    errors = watch_errors(page)
    open_today(page, patient_a)
    card = page.locator(f"#item-{clam.public_id}")
    log_left(page, card, pain=2, difficulty="3")

    left = card.locator('.side[data-side="left"]')
    expect(left.get_by_text("Set 1: 10 reps, pain 2, difficulty 3")).to_be_visible()
    expect(left.get_by_role("link", name="Change left set 1")).to_be_visible()
    page.reload()  # the server's list says the same
    expect(left.get_by_text("Set 1: 10 reps, pain 2, difficulty 3")).to_be_visible()
    expect(left.get_by_role("link", name="Change left set 1")).to_be_visible()
    assert errors == []
