"""The sets Today draws itself (after a set is sent, or from the plan kept on the phone)
say as much as the server's list: the difficulty, and which set a "Change" link is for."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.programs.models import SetLog
from tests.browser.conftest import (
    browser_clock,
    clamshell_item,
    set_offline,
    sign_in_patient,
    wait_until,
    watch_errors,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "All your sets are saved."
# Whether the plan kept by the service worker has a set logged on this side.
KEPT_PLAN_HAS_SET = """async (side) => {
  const kept = await caches.match("/api/v1/me/today/");
  if (!kept) return false;
  const plan = await kept.json();
  return plan.items.some((item) => item.sides.some((s) => s.side === side && s.logs.length));
}"""


@pytest.fixture
def clam(patient_a, server_clock):
    return clamshell_item(patient_a, position=0)


def log_side(page, card, side: str, pain: int, difficulty: str = "") -> None:
    """Log a set and wait until the plan the phone keeps has it (the worker stores it as
    the page receives it, just after "All your sets are saved")."""
    card.locator(".pain-option span", has_text=re.compile(rf"^{pain}$")).tap()
    if difficulty:
        card.locator(".adjust summary").tap()
        card.get_by_label("How hard was it? (optional)").select_option(difficulty)
    card.locator(f'[data-log-side="{side}"]').tap()
    page.locator("#sync-status").filter(has_text=SAVED).wait_for()
    wait_until(page, KEPT_PLAN_HAS_SET, side)


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
    log_side(page, card, "left", pain=2, difficulty="3")

    left = card.locator('.side[data-side="left"]')
    expect(left.get_by_text("Set 1: 10 reps, pain 2, difficulty 3")).to_be_visible()
    expect(left.get_by_role("link", name="Change left set 1")).to_be_visible()
    page.reload()  # the server's list says the same
    expect(left.get_by_text("Set 1: 10 reps, pain 2, difficulty 3")).to_be_visible()
    expect(left.get_by_role("link", name="Change left set 1")).to_be_visible()
    assert errors == []


def test_a_set_sent_since_the_last_visit_shows_as_done_when_today_opens_offline(
    phone_page, patient_a, clam
):
    """Opened offline, Today is the page the service worker kept at the last visit, from
    before the set; the page draws the set from the plan kept after it was sent, so the
    patient is not invited to log it a second time."""
    page = phone_page
    errors = watch_errors(page)
    open_today(page, patient_a)
    card = page.locator(f"#item-{clam.public_id}")
    log_side(page, card, "left", pain=2)
    assert SetLog.objects.count() == 1

    set_offline(page, True)
    page.reload()  # no visit in between
    left = card.locator('.side[data-side="left"]')
    expect(left.locator("[data-side-done]")).to_have_text("1")
    expect(left.get_by_text("Set 1: 10 reps, pain 2")).to_be_visible()
    expect(page.locator("[data-day-done]")).to_have_text("1")
    expect(card.locator('[data-log-side="left"]')).to_have_accessible_name(
        re.compile(r"^Log left set 2")
    )
    set_offline(page, False)
    assert SetLog.objects.count() == 1
    assert errors == []


def test_completing_the_day_is_said_in_a_status_region(phone_page, patient_a, clam):
    """The "Day complete" banner shown by the page as the last set is logged is a status
    region filled then (a banner merely unhidden is not announced by a screen reader)."""
    page = phone_page
    open_today(page, patient_a)
    card = page.locator(f"#item-{clam.public_id}")
    banner = page.locator("[data-day-complete]")
    expect(banner).to_have_attribute("role", "status")
    for side in ("left", "right", "left", "right"):
        expect(banner).to_be_hidden()
        expect(banner).to_have_text("")
        log_side(page, card, side, pain=1)
        page.wait_for_timeout(1600)  # past the double-tap guard of the same button
    expect(banner).to_be_visible()
    expect(banner).to_have_text(re.compile(r"^Day complete\. Well done! Next exercise day: "))
