"""Journey 2, do and log: on a phone (390 by 844, touch) the patient opens their personal link,
gives their year of birth, logs today's sets and sees the day complete; then the connection
drops, the page still opens, an extra set is logged (a double tap included), and once back
online that set is saved exactly once."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.exercises.models import Exercise, Ladder
from apps.programs.models import SetLog
from tests.browser.conftest import (
    browser_clock,
    check_page,
    set_offline,
    sign_in_patient,
    watch_errors,
)
from tests.factories import ExerciseItemFactory, LadderItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "All your sets are saved."


@pytest.fixture
def program(patient_a, server_clock):
    """From the real library: the clamshell ladder at level 1 and one gluteal squeeze hold."""
    call_command("load_library", stdout=io.StringIO())
    program = ProgramFactory(patient=patient_a, name="Hip strength")
    clam = LadderItemFactory(
        program=program,
        ladder=Ladder.objects.get(key="clamshell-boren-2011"),
        sets=1,
        reps=12,
        per_side=True,
        position=0,
    )
    squeeze = ExerciseItemFactory(
        program=program,
        exercise=Exercise.objects.get(key="gluteal-squeeze"),
        sets=1,
        reps=None,
        hold_seconds=5,
        per_side=False,
        position=1,
    )
    return clam, squeeze


def tap_pain(card, pain: int) -> None:
    card.locator(".pain-option span", has_text=re.compile(rf"^{pain}$")).tap()


def log_set(page, card, button: str, pain: int = 2) -> None:
    """Choose the pain, tap the log button, wait until the server has the set."""
    tap_pain(card, pain)
    card.get_by_role("button", name=re.compile(button)).tap()
    page.locator("#sync-status").filter(has_text=SAVED).wait_for()


def test_a_patient_completes_the_day_on_a_phone_and_an_offline_set_is_saved_once(
    phone_page, patient_a, program
):
    clam, squeeze = program
    page = phone_page
    errors = watch_errors(page)
    browser_clock(page)
    sign_in_patient(page, patient_a)

    clam_card = page.locator(f"#item-{clam.public_id}")
    squeeze_card = page.locator(f"#item-{squeeze.public_id}")
    expect(clam_card.get_by_text("Level 1 of 4 · Clamshell (Boren 2011)")).to_be_visible()
    expect(clam_card.get_by_text("1 set of 12 reps on each side")).to_be_visible()
    expect(clam_card.get_by_text("Keeping your feet touching, turn the top knee")).to_be_visible()
    expect(page.get_by_text("0 of 3 sets done")).to_be_visible()
    check_page(page, "j2-today")

    log_set(page, clam_card, r"^Log left set 1: 12 reps")
    expect(page.get_by_text("1 of 3 sets done")).to_be_visible()
    check_page(page, "j2-today-one-set", readme="today-phone")
    log_set(page, clam_card, r"^Log right set 1: 12 reps")
    expect(page.locator("[data-day-complete]")).to_be_hidden()
    log_set(page, squeeze_card, r"^Log set 1: 5 s hold", pain=1)

    expect(page.get_by_text("Day complete. Well done!")).to_be_visible()
    expect(page.get_by_text("3 of 3 sets done")).to_be_visible()
    expect(clam_card.get_by_text("Done", exact=True)).to_be_visible()
    check_page(page, "j2-day-complete")
    assert sorted(SetLog.objects.values_list("item_id", "side", "reps", "hold_seconds")) == sorted(
        [(clam.pk, "left", 12, None), (clam.pk, "right", 12, None), (squeeze.pk, "both", None, 5)]
    )

    # The service worker keeps the page; then the connection goes and the page still opens.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    set_offline(page, True)
    page.reload()
    expect(page.get_by_text("Day complete. Well done!")).to_be_visible()
    expect(page.locator("#stale-notice")).to_be_hidden()  # the phone's today is the page's

    # One more left set, tapped twice in a hurry: it waits on the phone, once.
    tap_pain(clam_card, 3)
    log_left = clam_card.locator('[data-log-side="left"]')
    expect(log_left).to_have_accessible_name(re.compile(r"^Log left set 2: 12 reps"))
    log_left.tap()
    log_left.tap()  # the label already says set 3: the second tap must not log it
    expect(page.locator("#sync-status")).to_contain_text("1 set is saved on this phone")
    expect(clam_card.locator("li.pending")).to_have_count(1)
    expect(clam_card.get_by_text("(saved on this phone, will sync)")).to_be_visible()
    check_page(page, "j2-offline-queued")
    assert SetLog.objects.count() == 3

    set_offline(page, False)
    page.locator("#sync-status").filter(has_text=SAVED).wait_for(timeout=15_000)
    expect(clam_card.locator("li.pending")).to_have_count(0)
    page.reload()  # the queue is empty: reopening sends nothing again
    expect(clam_card.locator('.side[data-side="left"] .set-list li')).to_have_count(2)

    left = SetLog.objects.filter(item=clam, side="left").order_by("logged_at")
    assert [(log.reps, log.pain) for log in left] == [(12, 2), (12, 3)]
    assert SetLog.objects.count() == 4
    assert len(set(SetLog.objects.values_list("client_id", flat=True))) == 4
    assert set(SetLog.objects.values_list("performed_on", flat=True)) == {patient_a.local_today()}
    assert errors == []
